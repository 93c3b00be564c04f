"""Simulated Service Quotas: DRS's two quotas per account and Region (SPEC §9).

A scenario's optional `"quotas"` object gives applied values per account and Region
(`{"222222222222": {"us-east-1": {"L-C1D14A2B": 500}}}`), or `"denied"` for an account
whose role may not read Service Quotas. Beyond SPEC §9, `"throttled"` makes every call of
that account answer TooManyRequestsException. Where nothing is applied, GetServiceQuota
answers NoSuchResourceException and GetAWSDefaultServiceQuota AWS's defaults.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from services.settings import RECOVERY_QUOTA_CODE, REPLICATION_QUOTA_CODE
from services.simulator.faults import SimulatedError
from services.simulator.specs import check_account_id, check_count, check_region, fail

# AWS's own defaults and names, as GetAWSDefaultServiceQuota gives them. They are facts
# about AWS, not the product's settings (which an operator may set otherwise).
AWS_DEFAULTS = MappingProxyType(
    {REPLICATION_QUOTA_CODE: 300, RECOVERY_QUOTA_CODE: 4000}
)
QUOTA_NAMES = MappingProxyType(
    {
        REPLICATION_QUOTA_CODE: "Max Total replicating source servers Per AWS Account",
        RECOVERY_QUOTA_CODE: "Max Total source servers Per AWS Account",
    }
)
MAX_VALUE = 10**10  # the API's own bound of a quota's value
REFUSALS = ("denied", "throttled")
_SERVICE_CODE = "drs"
_SERVICE_NAME = "AWS Elastic Disaster Recovery"
_NO_SUCH_QUOTA = (
    "The request failed because the specified service quota does not exist."
)


@dataclass(frozen=True)
class AccountQuotas:
    """One account's Service Quotas: applied values, or how every call is refused."""

    refusal: str | None = None  # "denied" | "throttled"
    applied: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def value(self, region: str, code: str) -> int | None:
        return self.applied.get(region, {}).get(code)


def parse_quotas(value, path: str = "quotas") -> dict[str, AccountQuotas]:
    """The scenario's `"quotas"` object: account ID -> account quotas."""
    if not isinstance(value, Mapping):
        raise fail(path, f"expected an object of account ID to quotas, got {value!r}")
    quotas = {}
    for account_id, spec in value.items():
        check_account_id(account_id, f"{path}.{account_id}")
        quotas[account_id] = parse_account_quotas(spec, f"{path}.{account_id}")
    return quotas


def parse_account_quotas(value, path: str) -> AccountQuotas:
    """`"denied"`, `"throttled"` or an object of Region -> quota code -> applied value."""
    if value in REFUSALS:
        return AccountQuotas(refusal=value)
    if not isinstance(value, Mapping):
        raise fail(
            path,
            f'expected "denied", "throttled" or an object of Regions, got {value!r}',
        )
    applied = {}
    for region, codes in value.items():
        check_region(region, f"{path}.{region}")
        applied[region] = MappingProxyType(_parse_codes(codes, f"{path}.{region}"))
    return AccountQuotas(applied=MappingProxyType(applied))


def _parse_codes(value, path: str) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise fail(path, f"expected an object of quota code to value, got {value!r}")
    codes = {}
    for code, applied in value.items():
        if code not in AWS_DEFAULTS:
            known = ", ".join(AWS_DEFAULTS)
            raise fail(f"{path}.{code}", f"unknown quota code; expected one of {known}")
        codes[code] = check_count(applied, f"{path}.{code}")
        if applied > MAX_VALUE:
            raise fail(f"{path}.{code}", f"at most {MAX_VALUE:,}, got {applied:,}")
    return codes


class SimulatedQuotas:
    """Answers GetServiceQuota and GetAWSDefaultServiceQuota; tests may change accounts."""

    def __init__(self, quotas: Mapping[str, AccountQuotas]):
        self._lock = threading.Lock()
        self._accounts = dict(quotas)

    def set_account(self, account_id: str, quotas: AccountQuotas) -> None:
        with self._lock:
            self._accounts[account_id] = quotas

    def call(self, operation: str, caller, region: str, params: dict) -> dict:
        """Answer one call made with `caller`'s credentials in `region`."""
        if operation not in ("GetServiceQuota", "GetAWSDefaultServiceQuota"):
            raise NotImplementedError(
                f"the simulated Service Quotas does not implement {operation}"
            )
        account = self._accounts.get(caller.account_id, AccountQuotas())
        if account.refusal == "denied":
            raise SimulatedError(
                "AccessDeniedException",
                400,
                f"User: {caller.arn} is not authorized to perform: "
                f"servicequotas:{operation}",
            )
        if account.refusal == "throttled":
            raise SimulatedError("TooManyRequestsException", 400, "Rate exceeded")
        code = params["QuotaCode"]
        known = params["ServiceCode"] == _SERVICE_CODE
        if operation == "GetServiceQuota":
            value = account.value(region, code) if known else None
            owner = caller.account_id
        else:
            value = AWS_DEFAULTS.get(code) if known else None
            owner = ""  # AWS's defaults belong to no account
        if value is None:
            raise SimulatedError("NoSuchResourceException", 400, _NO_SUCH_QUOTA)
        return {"Quota": _quota(region, owner, code, value)}


def _quota(region: str, owner: str, code: str, value: int) -> dict:
    return {
        "ServiceCode": _SERVICE_CODE,
        "ServiceName": _SERVICE_NAME,
        "QuotaArn": f"arn:aws:servicequotas:{region}:{owner}:{_SERVICE_CODE}/{code}",
        "QuotaCode": code,
        "QuotaName": QUOTA_NAMES[code],
        "Value": float(value),  # a double in the API
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
        "QuotaAppliedAtLevel": "ACCOUNT",
    }
