"""SimulatedAws: answers STS, DRS and Service Quotas calls inside botocore, before any HTTP
is sent.

`before-parameter-build` keeps the caller's API params in the request context;
`before-call` answers from them with `(http_response, parsed)`, which botocore returns
as the result (or raises as the modeled ClientError when the status is >= 300).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping

from services.simulator.drs import SimulatedDrs
from services.simulator.faults import SimulatedError
from services.simulator.fleet import Fleet
from services.simulator.quotas import SimulatedQuotas, parse_account_quotas
from services.simulator.scenario import Scenario
from services.simulator.specs import (
    check_account_id,
    check_region,
    parse_account_spec,
    parse_region_spec,
)
from services.simulator.sts import ROLE_ARN, SimulatedSts

SERVICES = ("sts", "drs", "service-quotas")  # botocore's hyphenated service ids
_PARAMS_KEY = "drs_simulator_params"


class SimulatedAws:
    """A simulated STS + DRS (+ Service Quotas) fleet; `install` it on a botocore session."""

    def __init__(
        self,
        scenario: Scenario,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
    ):
        self.scenario = scenario
        self.latency_ms = scenario.latency_ms
        self._sleep = sleep
        self._seed = seed
        self._fleet = Fleet(scenario.fleet, seed)
        self._sts = SimulatedSts(scenario, self._fleet.account, clock, seed)
        self._drs = SimulatedDrs(self._fleet)
        self._quotas = SimulatedQuotas(scenario.quotas)
        self._lock = threading.Lock()
        self._calls: Counter = Counter()
        self._request_numbers = itertools.count(1)

    @property
    def own_credentials(self) -> dict:
        """The dashboard's own credentials: they belong to the scenario's target."""
        return dict(self._sts.own_credentials)

    @property
    def calls(self) -> Counter:
        """A snapshot: (operation_name, account_id, region) -> calls answered."""
        with self._lock:
            return Counter(self._calls)

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def set_region(self, account_id: str, region: str, spec) -> None:
        path = f"fleet.{account_id}.{region}"
        check_account_id(account_id, f"fleet.{account_id}")
        check_region(region, path)
        self._fleet.set_region(
            account_id, region, parse_region_spec(spec, path, region)
        )

    def set_account(self, account_id: str, spec) -> None:
        path = f"fleet.{account_id}"
        check_account_id(account_id, path)
        self._fleet.set_account(account_id, parse_account_spec(spec, path))

    def set_quotas(self, account_id: str, spec) -> None:
        """Replace one account's Service Quotas: "denied", "throttled" or applied values."""
        path = f"quotas.{account_id}"
        check_account_id(account_id, path)
        self._quotas.set_account(account_id, parse_account_quotas(spec, path))

    def install(self, session) -> None:
        """Answer this botocore session's calls of SERVICES (clients created later)."""
        for service in SERVICES:
            for event, handler in (
                (f"before-parameter-build.{service}", self._keep_params),
                (f"before-call.{service}", self._answer),
            ):
                unique_id = f"services.simulator:{event}"
                session.unregister(event, unique_id=unique_id)
                session.register(event, handler, unique_id=unique_id)

    def _keep_params(self, params, context, **kwargs) -> None:
        context[_PARAMS_KEY] = dict(params)

    def _answer(self, model, request_signer, context, **kwargs):
        service = model.service_model.service_name
        operation = model.name
        params = context.get(_PARAMS_KEY, {})
        region = context.get("client_region")
        credentials = request_signer._credentials
        if credentials is None:
            from botocore.exceptions import NoCredentialsError

            raise NoCredentialsError()
        caller = refusal = None
        try:
            caller = self._sts.caller(credentials.get_frozen_credentials(), service)
        except SimulatedError as error:
            refusal = error  # answered after the call is counted and delayed
        self._count(operation, _subject(operation, caller, params), region)
        if self.latency_ms:
            self._sleep(self.latency_ms / 1000)
        try:
            if refusal is not None:
                raise refusal
            parsed = self._dispatch(service, operation, caller, region, params)
        except SimulatedError as error:
            return self._error_response(model, region, error)
        return self._response(
            model, region, model.http.get("responseCode", 200), parsed
        )

    def _dispatch(self, service, operation, caller, region, params) -> dict:
        if service == "drs":
            return self._drs.call(operation, caller.account_id, region, params)
        if service == "service-quotas":
            return self._quotas.call(operation, caller, region, params)
        if operation == "GetCallerIdentity":
            return self._sts.get_caller_identity(caller)
        if operation == "AssumeRole":
            return self._sts.assume_role(caller, params)
        raise NotImplementedError(f"the simulated STS does not implement {operation}")

    def _count(self, operation: str, account_id: str | None, region: str | None):
        with self._lock:
            self._calls[(operation, account_id, region)] += 1

    def _error_response(self, model, region, error: SimulatedError):
        service_model = model.service_model
        parsed = {"Error": {"Code": error.code, "Message": error.message}}
        if service_model.protocol == "query":
            parsed["Error"]["Type"] = "Sender" if error.status < 500 else "Receiver"
        shape = service_model.shape_for_error_code(error.code)
        if shape is not None:  # botocore adds the modeled fields it finds in the body
            # rest-json DRS models `message`, json Service Quotas `Message`
            fields = {"message": error.message, "Message": error.message}
            fields.update(error.fields)
            parsed.update({k: v for k, v in fields.items() if k in shape.members})
        return self._response(model, region, error.status, parsed, error.code)

    def _response(self, model, region, status: int, parsed: dict, error_code=None):
        from botocore.awsrequest import AWSResponse

        number = next(self._request_numbers)
        request_id = f"5e1a{self._seed % 65536:04x}-d75c-4a1e-9e5f-{number:012x}"
        headers = {"x-amzn-requestid": request_id, "content-type": "application/json"}
        if error_code:
            headers["x-amzn-errortype"] = error_code
        parsed["ResponseMetadata"] = {
            "RequestId": request_id,
            "HTTPStatusCode": status,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
        }
        prefix = model.service_model.endpoint_prefix
        url = f"https://{prefix}.{region}.amazonaws.com{model.http.get('requestUri', '/')}"
        return AWSResponse(url, status, headers, _EmptyBody()), parsed


def _subject(operation: str, caller, params: Mapping) -> str | None:
    """The account a call acts on: AssumeRole's role account, else the caller's."""
    if operation == "AssumeRole":
        match = ROLE_ARN.fullmatch(str(params.get("RoleArn", "")))
        return match.group(1) if match else None
    return caller.account_id if caller else None


class _EmptyBody:
    """The raw stream of a response whose body was never sent."""

    def stream(self, **kwargs):
        yield b""
