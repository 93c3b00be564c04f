"""Capacity rules of SPEC §3–5: collected counts in, snapshot metrics and warnings out (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services import thresholds as th
from services.metrics import (
    AccountMetrics,
    CapacitySnapshot,
    CombinedMetrics,
    RecoveryMetrics,
    RegionMetrics,
)
from services.models import AccountReading, RegionCapacity, Status, zero_by_state
from services.settings import Settings
from services.warnings import build_warnings

ALL_REGIONS = "all"


@dataclass(frozen=True)
class Limits:
    """The numbers the rules depend on, taken from Settings."""

    replication: int = Settings.replication_limit
    recovery: int = Settings.max_recovery_instances

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.replication_limit, settings.max_recovery_instances)


def in_scope(regions: Iterable[RegionCapacity], scope: str) -> list[RegionCapacity]:
    return [r for r in regions if scope == ALL_REGIONS or r.region == scope]


def region_metrics(region: RegionCapacity, limit: int) -> RegionMetrics:
    if not region.counted:
        return RegionMetrics(
            region.region, region.state, None, None, None, None, limit,
            None, None, Status.UNKNOWN, region.error,
        )  # fmt: skip
    replicating = region.replicating_servers
    return RegionMetrics(
        region=region.region,
        state=region.state,
        total_servers=region.total_servers,
        replicating_servers=replicating,
        extended_servers=region.extended_servers,
        by_state=dict(region.by_state),
        max_replicating=limit,
        percent_used=th.percent(replicating, limit),
        available_slots=max(limit - replicating, 0),
        status=th.band_status(replicating, limit),
        error=None,
    )


def account_metrics(reading: AccountReading, limit: int, scope: str) -> AccountMetrics:
    """One account's metrics over the Regions in scope; counts are null when unreadable."""
    if not reading.accessible:
        return AccountMetrics(
            reading.account_id, reading.account_name, reading.account_type,
            accessible=False, complete=False, error=reading.error,
            replicating_servers=None, total_servers=None, extended_servers=None,
            by_state=None, max_replicating=limit, percent_used=None,
            available_slots=None, status=Status.UNKNOWN, regional_breakdown=(),
        )  # fmt: skip
    regions = in_scope(reading.regions, scope)
    read = [r for r in regions if r.counted]
    replicating = sum(r.replicating_servers for r in read)
    by_state = zero_by_state()
    for r in read:
        for state, count in r.by_state.items():
            by_state[state] = by_state.get(state, 0) + count
    shown = [r for r in regions if r.total_servers > 0 or not r.counted]
    return AccountMetrics(
        account_id=reading.account_id,
        account_name=reading.account_name,
        account_type=reading.account_type,
        accessible=True,
        complete=len(read) == len(regions),
        error=reading.error,
        replicating_servers=replicating,
        total_servers=sum(r.total_servers for r in read),
        extended_servers=sum(r.extended_servers for r in read),
        by_state=by_state,
        max_replicating=limit,
        percent_used=th.percent(replicating, limit),
        available_slots=max(limit - replicating, 0),
        status=th.band_status(replicating, limit),
        regional_breakdown=tuple(
            region_metrics(r, limit) for r in sorted(shown, key=lambda r: r.region)
        ),
    )


def combined_metrics(accounts: Sequence[AccountMetrics], limit: int) -> CombinedMetrics:
    """Sum over the accessible accounts against N × limit (SPEC §4, R4.2–4.3)."""
    reporting = [a for a in accounts if a.accessible]
    n = len(reporting)
    total = sum(a.replicating_servers for a in reporting)
    maximum = n * limit
    status = th.band_status(total, maximum) if n else Status.UNKNOWN
    return CombinedMetrics(
        total_replicating=total,
        max_replicating=maximum,
        operational_limit=th.plain_number(th.operational_limit(maximum)),
        percent_used=th.percent(total, maximum) if n else None,
        available_slots=max(maximum - total, 0),
        status=status,
        message=_combined_message(
            total, maximum, len(accounts), n, all(a.complete for a in reporting)
        ),
        configured_accounts=len(accounts),
        reporting_accounts=n,
    )


def _combined_message(
    total: int, maximum: int, configured: int, reporting: int, complete: bool
) -> str:
    if reporting == 0:
        return f"No account is reporting (0 of {configured}): capacity is unknown."
    text = (
        f"{total} of {maximum} replicating servers used ({th.percent(total, maximum)}%), "
        f"{max(maximum - total, 0)} slots available across {reporting} accounts."
    )
    if reporting < configured:
        text += f" Only {reporting} of {configured} accounts are reporting."
    if not complete:
        text += " Some Regions could not be read: the total is a lower bound."
    return text


def recovery_metrics(target: AccountMetrics | None, maximum: int) -> RecoveryMetrics:
    """The target account's source servers against its recovery quota (R10)."""
    if target is None or not target.accessible:
        return RecoveryMetrics(None, maximum, None, None, Status.UNKNOWN)
    current = target.total_servers
    return RecoveryMetrics(
        current_servers=current,
        max_recovery_instances=maximum,
        percent_used=th.percent(current, maximum),
        available_slots=max(maximum - current, 0),
        status=th.recovery_status(current, maximum),
    )


def build_snapshot(
    target_account_id: str,
    readings: Sequence[AccountReading],
    limits: Limits,
    collected_at: str,
    scope: str = ALL_REGIONS,
) -> CapacitySnapshot:
    """Turn one collection into the snapshot the API, CLI and dashboard show."""
    accounts = tuple(account_metrics(r, limits.replication, scope) for r in readings)
    combined = combined_metrics(accounts, limits.replication)
    target = next((a for a in accounts if a.account_type == "target"), None)
    recovery = recovery_metrics(target, limits.recovery)
    return CapacitySnapshot(
        target_account_id=target_account_id,
        scope=scope,
        collected_at=collected_at,
        complete=all(a.accessible and a.complete for a in accounts),
        combined=combined,
        accounts=accounts,
        recovery_capacity=recovery,
        warnings=build_warnings(accounts, combined, recovery, limits.replication),
    )
