"""SimulatedAws: answers STS, DRS and Service Quotas calls inside botocore, as the HTTP
request is about to be sent, after it was signed.

`before-send` reads the request as AWS would: the caller from its SigV4 `Authorization`
header (the access key names an identity of the simulated STS; the signature must be the
one its secret gives), the parameters from its body and query string. The answer is an
`AWSResponse` whose body is the protocol's wire format, which botocore then parses,
validates, retries and raises exactly as it would AWS's. A request signed with another
account's keys is answered as that other account.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from services.simulator import sigv4, wire
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
_OLD_EVENTS = ("before-parameter-build", "before-call")  # where it answered before
_MISSING_AUTH = {
    "query": ("MissingAuthenticationToken", 403),
    "json": ("MissingAuthenticationTokenException", 403),
    "rest-json": ("MissingAuthenticationTokenException", 403),
}


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
        # one answer built at a time, after the latency: the GIL runs one anyway, and
        # threads woken together would otherwise each hold a half-built page of 500
        # records, memory the app would not hold on real AWS (issue 10)
        self._building = threading.Lock()
        self._calls: Counter = Counter()
        self._request_numbers = itertools.count(1)
        self._models: dict = {}  # service -> botocore ServiceModel
        self._cpu = 0.0  # thread CPU seconds spent answering (a sleep costs none)

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
        """Answer this botocore session's calls of SERVICES (clients created later).

        The session is the simulator's alone: a stub that a library hooked into every
        session's `before-send` (moto's) would see each request after us and answer it
        too, so it is taken off this session (give moto's DynamoDB a session of its own).
        """
        _detach_stubs(session)
        for service in SERVICES:
            self._models.setdefault(service, session.get_service_model(service))
            for old in _OLD_EVENTS:
                session.unregister(
                    f"{old}.{service}", unique_id=f"services.simulator:{old}.{service}"
                )
            event = f"before-send.{service}"
            unique_id = f"services.simulator:{event}"
            session.unregister(event, unique_id=unique_id)
            session.register(event, self._answer, unique_id=unique_id)

    @property
    def cpu_seconds(self) -> float:
        """CPU the simulated AWS has spent answering, in the app's own process: what a
        benchmark reports beside the server's total (real AWS would not cost it)."""
        with self._lock:
            return self._cpu

    def _answer(self, request, event_name: str, **kwargs):
        started = time.thread_time()
        try:
            return self._answer_unmetered(request, event_name)
        finally:
            spent = time.thread_time() - started
            with self._lock:
                self._cpu += spent

    def _answer_unmetered(self, request, event_name: str):
        _, service, operation = event_name.split(".", 2)
        model = self._models[service].operation_model(operation)
        signature = sigv4.signature_of(request)
        region = signature.region if signature else _region_of(request.url)
        params = caller = refusal = None
        try:
            params = wire.request_params(model, request)
            caller = self._caller(model, request, signature)
        except SimulatedError as error:
            refusal = error  # answered after the call is counted and delayed
        self._count(operation, _subject(operation, caller, params or {}), region)
        if self.latency_ms:
            self._sleep(self.latency_ms / 1000)
        with self._building:
            try:
                if refusal is not None:
                    raise refusal
                parsed = self._dispatch(service, operation, caller, region, params)
            except SimulatedError as error:
                return self._error_response(model, request, error)
            status = model.http.get("responseCode", 200)
            return self._response(model, request, status, parsed)

    def _caller(self, model, request, signature):
        """The identity that signed the request, or the error AWS answers instead."""
        if signature is None:
            code, status = _MISSING_AUTH[wire.protocol_of(model.service_model)]
            raise SimulatedError(
                code, status, "Request is missing Authentication Token"
            )
        return self._sts.caller(
            signature.access_key,
            signature.token,
            model.service_model.service_name,
            lambda secret: sigv4.is_valid(request, signature, secret),
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

    def _error_response(self, model, request, error: SimulatedError):
        request_id = self._request_id()
        body = wire.error_body(
            model.service_model,
            error.code,
            error.message,
            error.fields,
            error.status,
            request_id,
        )
        return self._http(model, request, error.status, body, request_id, error.code)

    def _response(self, model, request, status: int, parsed: dict):
        request_id = self._request_id()
        body = wire.answer_body(model, parsed, request_id)
        return self._http(model, request, status, body, request_id)

    def _http(self, model, request, status, body: bytes, request_id, error_code=None):
        from botocore.awsrequest import AWSResponse

        protocol = wire.protocol_of(model.service_model)
        headers = {
            "x-amzn-RequestId": request_id,
            "Content-Type": wire.CONTENT_TYPES[protocol],
            "Content-Length": str(len(body)),
        }
        if error_code and protocol == "rest-json":
            headers["x-amzn-ErrorType"] = error_code
        return AWSResponse(request.url, status, headers, _Body(body))

    def _request_id(self) -> str:
        number = next(self._request_numbers)
        return f"5e1a{self._seed % 65536:04x}-d75c-4a1e-9e5f-{number:012x}"


def _subject(operation: str, caller, params: Mapping) -> str | None:
    """The account a call acts on: AssumeRole's role account, else the caller's."""
    if operation == "AssumeRole":
        match = ROLE_ARN.fullmatch(str(params.get("RoleArn", "")))
        return match.group(1) if match else None
    return caller.account_id if caller else None


def _detach_stubs(session) -> None:
    from botocore.handlers import BUILTIN_HANDLERS

    for event, handler, *_ in BUILTIN_HANDLERS:
        if event == "before-send":  # botocore itself hooks nothing there
            session.unregister(event, handler)


def _region_of(url: str) -> str | None:
    """The Region of a regional endpoint (service.region.amazonaws.com)."""
    parts = (urlsplit(url).hostname or "").split(".")
    return parts[1] if len(parts) > 3 else None


class _Body:
    """The raw stream of a response: its body, in one chunk."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **kwargs):
        yield self._body
