"""Actionable warnings (SPEC §5), most severe first."""

from __future__ import annotations

from collections.abc import Sequence

from services import thresholds as th
from services.metrics import (
    AccountMetrics,
    CapacityWarning,
    CombinedMetrics,
    RecoveryMetrics,
)
from services.models import RegionState, Status

RECOVERY_QUOTA = "'Max Total source servers Per AWS Account' (L-E28BE5E0)"
_SCOPE_ORDER = {"combined": 0, "recovery": 1, "account": 2, "region": 3, "data": 4}
_ALERTING = Status.INFO.severity


def build_warnings(
    accounts: Sequence[AccountMetrics],
    combined: CombinedMetrics,
    recovery: RecoveryMetrics,
    limit: int,
) -> tuple[CapacityWarning, ...]:
    # No per-Region capacity warning: a Region's count never exceeds its account's, so
    # the account warning is always at least as severe.
    found = [w for a in accounts for w in _account_warnings(a, limit)]
    found += _combined_warnings(combined, limit)
    found += _recovery_warnings(recovery)
    found += [w for a in accounts for w in _data_warnings(a)]
    return tuple(sorted(found, key=_order))


def _order(w: CapacityWarning):
    return (
        -w.level.severity,
        _SCOPE_ORDER[w.scope],
        w.account_id or "",
        w.region or "",
    )


def _label(account: AccountMetrics) -> str:
    return f"{account.account_name} ({account.account_id})"


def _account_warnings(account: AccountMetrics, limit: int) -> list[CapacityWarning]:
    if not account.accessible or account.status.severity < _ALERTING:
        return []
    replicating = account.replicating_servers
    message = (
        f"{_label(account)} has {replicating} of {limit} replicating servers "
        f"({account.percent_used}%): {account.status.value}."
    )
    action = _account_action(account.status, replicating, limit)
    return [
        CapacityWarning(
            account.status, "account", account.account_id, None, message, action
        )
    ]


def _until(level: Status, replicating: int, limit: int) -> int:
    return max(th.band_thresholds(limit)[level] - replicating, 0)


def _account_action(status: Status, replicating: int, limit: int) -> str:
    operational = th.plain_number(th.operational_limit(limit))
    slots = max(limit - replicating, 0)
    if status is Status.INFO:
        return (
            f"Monitor growth: {_until(Status.WARNING, replicating, limit)} more servers "
            "reach WARNING."
        )
    if status is Status.WARNING:
        return (
            f"Plan a staging account: {_until(Status.CRITICAL, replicating, limit)} more "
            f"servers reach the operational limit of {operational}."
        )
    if status is Status.CRITICAL:
        return (
            "Add a staging account now and replicate new servers through it; "
            f"{slots} slots left before the hard limit of {limit}."
        )
    return (
        f"Immediate action: only {slots} slots left before the hard limit of {limit}. "
        "Stop adding servers to this account and move replication to a staging account."
    )


def _combined_warnings(combined: CombinedMetrics, limit: int) -> list[CapacityWarning]:
    status = combined.status
    if status.severity < _ALERTING or status is Status.UNKNOWN:
        return []
    n = combined.reporting_accounts
    message = (
        f"Combined capacity is {status.value}: {combined.total_replicating} of "
        f"{combined.max_replicating} replicating servers ({combined.percent_used}%) "
        f"across {n} accounts."
    )
    if status.severity >= Status.CRITICAL.severity:
        k = th.staging_accounts_needed(combined.total_replicating, n, limit)
        noun = "staging account" if k == 1 else "staging accounts"
        action = (
            f"Add {k} {noun} to get back under the operational limit "
            f"({th.plain_number(th.operational_limit(limit))} per account)."
        )
    elif status is Status.WARNING:
        action = "Plan an additional staging account before the operational limit."
    else:
        action = "Monitor combined growth."
    return [CapacityWarning(status, "combined", None, None, message, action)]


def _recovery_warnings(recovery: RecoveryMetrics) -> list[CapacityWarning]:
    if recovery.status not in (Status.WARNING, Status.CRITICAL):
        return []
    message = (
        f"Recovery capacity is {recovery.status.value}: the target account holds "
        f"{recovery.current_servers} of {recovery.max_recovery_instances} source servers "
        f"({recovery.percent_used}%)."
    )
    action = (
        f"Request an increase of the DRS quota {RECOVERY_QUOTA} in the target account "
        f"before it is reached; {recovery.available_slots} slots left."
    )
    return [CapacityWarning(recovery.status, "recovery", None, None, message, action)]


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
