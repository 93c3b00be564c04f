"""Staging-account validation (SPEC §6, seed R3): can the dashboard read the account's
DRS in the Region, what it holds there, and what the target's capacity becomes with it."""

from __future__ import annotations

from services.aws import (
    ACCESS_DENIED,
    AWS_THROTTLED,
    AWS_UNREACHABLE,
    CREDENTIALS_INVALID,
    DRS_NOT_INITIALIZED,
    ROLE_NOT_ACCESSIBLE,
)
from services.collector import AccountRef, Collector
from services.models import AccountReading, ErrorInfo, RegionCapacity, RegionState
from services.planning import projection_with
from services.settings import Settings

FIELDS = (
    "valid", "roleAccessible", "drsInitialized", "currentServers",
    "replicatingServers", "totalAfter", "maxAfter", "percentAfter", "statusAfter",
    "regionAfter",
)  # fmt: skip


class StagingValidator:
    """Checks one account in one Region (always fresh), then projects the target's
    combined capacity with the account's servers and limits in every Region of the set."""

    def __init__(self, collector: Collector, service, settings: Settings):
        self._collector = collector
        self._service = service
        self._regions = settings.regions

    def validate(
        self,
        account_id: str,
        role_arn: str,
        external_id: str | None,
        region: str,
        target_account_id: str,
    ) -> dict:
        ref = AccountRef(account_id, account_id, "staging", role_arn, external_id)
        regions = [region, *(r for r in self._regions if r != region)]
        [reading] = self._collector.read_accounts([ref], regions, force=True)
        where = {"accountId": account_id, "region": region}
        if not reading.accessible:
            error = _login_error(reading.error, account_id, role_arn, external_id)
            return _failed(where, error, role=False, drs=None, servers=None)
        found = reading.regions[0]
        if found.state in (RegionState.UNINITIALIZED, RegionState.NOT_ENABLED):
            error = _not_initialized(found.state, account_id, region)
            return _failed(where, error, role=True, drs=False, servers=0)
        if found.state is RegionState.ERROR:
            error = _region_error(found.error, account_id, region)
            return _failed(where, error, role=True, drs=None, servers=None)
        return self._valid(where, found, reading, target_account_id)

    def _valid(
        self,
        where: dict,
        found: RegionCapacity,
        reading: AccountReading,
        target_account_id: str,
    ) -> dict:
        account_id, region = where["accountId"], where["region"]
        readings = self._service.readings(target_account_id)
        registered = any(r.account_id == account_id for r in readings)
        after = projection_with(
            target_account_id, readings, reading, self._service.limits
        )
        replicating = found.replicating_servers
        counted = [r for r in reading.regions if r.counted]
        account_total = sum(r.replicating_servers for r in counted)
        complete = len(counted) == len(reading.regions)
        where_after = f" in {after.region}" if after.region else ""
        message = (
            f"Account {account_id} can be read in {region}: {replicating} of "
            f"{found.total_servers} source servers there count as replicating "
            f"({account_total} in all its Regions). With it the target's combined use "
            f"is {after.total_replicating:,} of {after.max_replicating:,}{where_after} "
            f"({after.percent_used}%, {after.status.value}), the Region that binds."
        )
        if not complete:
            message += " Some of its other Regions could not be read: a lower bound."
        if registered:
            message += (
                f" It is already registered on {target_account_id}; "
                "the projection keeps it counted once."
            )
        return {
            "valid": True,
            "roleAccessible": True,
            "drsInitialized": True,
            **where,
            "currentServers": found.total_servers,
            "replicatingServers": replicating,
            "accountReplicatingServers": account_total,
            "totalAfter": after.total_replicating,
            "maxAfter": after.max_replicating,
            "percentAfter": after.percent_used,
            "statusAfter": after.status.value,
            "regionAfter": after.region,
            "projectionComplete": complete,
            "alreadyRegistered": registered,
            "message": message,
        }


def _failed(
    where: dict, error: ErrorInfo, *, role: bool, drs: bool | None, servers: int | None
) -> dict:
    return {
        "valid": False,
        "roleAccessible": role,
        "drsInitialized": drs,
        **where,
        "currentServers": servers,
        "replicatingServers": servers,
        "totalAfter": None,
        "maxAfter": None,
        "percentAfter": None,
        "statusAfter": None,
        "regionAfter": None,
        "message": error.message,
        "error": {"code": error.code, "message": error.message},
    }


def _login_error(
    error: ErrorInfo | None, account_id: str, role_arn: str, external_id: str | None
) -> ErrorInfo:
    code = error.code if error else ROLE_NOT_ACCESSIBLE
    if code == ROLE_NOT_ACCESSIBLE:
        if external_id:
            condition = "its sts:ExternalId condition matches the external ID given"
        else:
            condition = (
                "it does not require an external ID (if it does, give that external ID)"
            )
        return ErrorInfo(
            code,
            f"The dashboard cannot assume {role_arn} (AssumeRole was denied). Check "
            f"that the role exists in account {account_id}, that its trust policy "
            f"trusts the dashboard's account, and that {condition}.",
        )
    if code == CREDENTIALS_INVALID:
        return ErrorInfo(
            code,
            "The dashboard's own AWS credentials are missing, invalid or expired, so "
            f"it cannot assume {role_arn}: renew the dashboard's credentials and "
            "validate again.",
        )
    return _transient(code, error, f"STS (assuming {role_arn})")


def _not_initialized(state: RegionState, account_id: str, region: str) -> ErrorInfo:
    if state is RegionState.NOT_ENABLED:
        text = (
            f"{region} is not enabled for account {account_id}: enable the Region "
            f"(Account settings), then initialize DRS in {region} first."
        )
    else:
        text = (
            f"DRS is not initialized in {region} for account {account_id}: initialize "
            f"DRS in {region} first (open the DRS console in {region} and create the "
            "default replication settings), then validate again."
        )
    return ErrorInfo(DRS_NOT_INITIALIZED, text)


def _region_error(error: ErrorInfo | None, account_id: str, region: str) -> ErrorInfo:
    code = error.code if error else "AWS_ERROR"
    if code == ACCESS_DENIED:  # SPEC §6 has no code of its own: the role is not usable
        return ErrorInfo(
            ROLE_NOT_ACCESSIBLE,
            f"The role in account {account_id} was assumed but may not read DRS in "
            f"{region}: allow drs:DescribeSourceServers in its permissions policy.",
        )
    return _transient(code, error, f"DRS in {region}")


def _transient(code: str, error: ErrorInfo | None, what: str) -> ErrorInfo:
    if code == AWS_THROTTLED:
        return ErrorInfo(
            code, f"AWS throttled {what}: wait a minute and validate again."
        )
    if code == AWS_UNREACHABLE:
        return ErrorInfo(
            code,
            f"{what} did not answer in time: check the dashboard's network access to "
            "AWS and validate again.",
        )
    # any other AWS fault (an internal error, an unexpected answer): AWS could not
    # serve the check, which SPEC §6 calls unreachable
    detail = (error.message if error else "unknown error").rstrip(".")
    return ErrorInfo(
        AWS_UNREACHABLE,
        f"{what} failed: {detail}. Validate again; if it persists, check AWS Health.",
    )
