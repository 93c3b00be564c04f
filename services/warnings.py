"""Actionable warnings (SPEC §5): one per account × Region and per Region, most severe
first."""

from __future__ import annotations

from collections.abc import Sequence

from services import thresholds as th
from services.metrics import (
    AccountMetrics,
    CapacityWarning,
    CombinedMetrics,
    RecoveryMetrics,
    RegionMetrics,
)
from services.models import LimitSource, RegionState, Status
from services.settings import RECOVERY_QUOTA_CODE, REPLICATION_QUOTA_CODE

RECOVERY_QUOTA = f"'Max Total source servers Per AWS Account' ({RECOVERY_QUOTA_CODE})"
_ALERTING = Status.INFO.severity


def build_warnings(
    accounts: Sequence[AccountMetrics],
    combined_by_region: Sequence[CombinedMetrics],
    recovery_by_region: Sequence[RecoveryMetrics],
    limit: int,
) -> tuple[CapacityWarning, ...]:
    """`limit` is the setting's L: AWS's default, and what a new staging account adds."""
    found = [
        _unit_warning(a, unit, limit)
        for a in accounts
        for unit in a.regional_breakdown
        if unit.status.severity >= _ALERTING
    ]
    found += [
        _combined_warning(c, limit)
        for c in combined_by_region
        if c.status.severity >= _ALERTING
    ]
    found += [_recovery_warning(r) for r in recovery_by_region if _recovery_alerts(r)]
    found += [w for a in accounts for w in _data_warnings(a)]
    return tuple(sorted(found, key=_order))


def _order(w: CapacityWarning):
    return (-w.level.severity, w.account_id or "", w.region or "", w.scope)


def _label(account: AccountMetrics) -> str:
    return f"{account.account_name} ({account.account_id})"


def _quota_note(unit: RegionMetrics, default: int) -> str:
    """Say so where the unit's quota differs from AWS's default (raised or lowered)."""
    if unit.limit_source is not LimitSource.APPLIED or unit.max_replicating == default:
        return ""
    change = "raised" if unit.max_replicating > default else "lowered"
    return (
        f" Its quota {REPLICATION_QUOTA_CODE} was {change} to {unit.max_replicating:,} "
        f"(AWS's default is {default:,})."
    )


def _unit_warning(
    account: AccountMetrics, unit: RegionMetrics, default: int
) -> CapacityWarning:
    replicating, limit = unit.replicating_servers, unit.max_replicating
    message = (
        f"{_label(account)} in {unit.region} has {replicating:,} of {limit:,} replicating "
        f"servers ({unit.percent_used}%): {unit.status.value}."
        + _quota_note(unit, default)
    )
    return CapacityWarning(
        unit.status,
        "account",
        account.account_id,
        unit.region,
        message,
        _unit_action(unit.status, replicating, limit, unit.region),
    )


def _until(level: Status, replicating: int, limit: int) -> int:
    return max(th.band_thresholds(limit)[level] - replicating, 0)


def _unit_action(status: Status, replicating: int, limit: int, region: str) -> str:
    slots = max(limit - replicating, 0)
    if status is Status.INFO:
        return (
            f"Monitor growth: {_until(Status.WARNING, replicating, limit):,} more servers "
            f"in {region} reach WARNING."
        )
    if status is Status.WARNING:
        return (
            f"Plan a staging account: {_until(Status.CRITICAL, replicating, limit):,} "
            f"more servers in {region} reach the operational limit of "
            f"{th.operational_count(limit):,}."
        )
    if status is Status.CRITICAL:
        return (
            f"Add a staging account now and replicate new servers in {region} through "
            f"it; {slots:,} slots left before the hard limit of {limit:,}."
        )
    return (
        f"Immediate action: only {slots:,} slots left in {region} before the hard limit "
        f"of {limit:,}. Stop adding servers to this account there and move replication "
        "to a staging account."
    )


def _combined_warning(combined: CombinedMetrics, limit: int) -> CapacityWarning:
    status, region = combined.status, combined.region
    n = combined.reporting_accounts
    message = (
        f"Combined capacity in {region} is {status.value}: "
        f"{combined.total_replicating:,} of {combined.max_replicating:,} replicating "
        f"servers ({combined.percent_used}%) across {n} "
        f"{'account' if n == 1 else 'accounts'}."
    )
    if status.severity >= Status.CRITICAL.severity:
        k = th.staging_accounts_needed(
            combined.total_replicating, combined.max_replicating, limit
        )
        noun = "staging account" if k == 1 else "staging accounts"
        action = (
            f"Add {k:,} {noun} replicating in {region} to get back under the operational "
            f"limit (each adds {limit:,} in {region})."
        )
    elif status is Status.WARNING:
        action = (
            f"Plan an additional staging account in {region} before the operational "
            f"limit of {combined.operational_limit:,}."
        )
    else:
        action = f"Monitor combined growth in {region}."
    return CapacityWarning(status, "combined", None, region, message, action)


def _recovery_alerts(recovery: RecoveryMetrics) -> bool:
    return recovery.status in (Status.WARNING, Status.CRITICAL)


def _recovery_warning(recovery: RecoveryMetrics) -> CapacityWarning:
    message = (
        f"Recovery capacity in {recovery.region} is {recovery.status.value}: the target "
        f"account holds {recovery.current_servers:,} of "
        f"{recovery.max_recovery_instances:,} source servers ({recovery.percent_used}%)."
    )
    action = (
        f"Request an increase of the DRS quota {RECOVERY_QUOTA} for the target account "
        f"in {recovery.region} before it is reached; {recovery.available_slots:,} slots "
        "left."
    )
    return CapacityWarning(
        recovery.status, "recovery", None, recovery.region, message, action
    )


def _data_warnings(account: AccountMetrics) -> list[CapacityWarning]:
    if not account.accessible:
        reason = account.error.message if account.error else "it could not be read"
        code = f" [{account.error.code}]" if account.error else ""
        return [
            CapacityWarning(
                Status.WARNING, "data", account.account_id, None,
                f"{_label(account)} is not reporting{code}: {reason}",
                _unreadable_action(account.error.code if account.error else None),
            )
        ]  # fmt: skip
    return [
        CapacityWarning(
            Status.WARNING, "data", account.account_id, r.region,
            f"{_label(account)} in {r.region} could not be read"
            f"{f' [{r.error.code}]' if r.error else ''}: "
            f"{r.error.message if r.error else 'unknown error'}",
            "Its servers are not counted (the totals are a lower bound); refresh later.",
        )
        for r in account.regional_breakdown
        if r.state is RegionState.ERROR
    ]  # fmt: skip


_FIXES = {
    "ROLE_NOT_ACCESSIBLE": "check the role's trust policy and external ID",
    "CREDENTIALS_INVALID": "renew the dashboard's credentials, or set a roleArn",
    "AWS_THROTTLED": "wait for the next refresh",
    "AWS_UNREACHABLE": "check the network path to AWS",
}


def _unreadable_action(code: str | None) -> str:
    fix = _FIXES.get(code, "check the account's access")
    return f"Its servers are not counted: {fix}, then refresh."
