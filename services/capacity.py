"""Capacity rules of SPEC §4: collected counts and live limits in, the snapshot out (pure).

The account × Region is the unit: every status is a band of one unit (or of one Region,
combined) against that unit's own limit, and every wider view shows the worst unit under it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from services import thresholds as th
from services.metrics import (
    AccountMetrics,
    CapacitySnapshot,
    CombinedMetrics,
    RecoveryMetrics,
    RegionMetrics,
)
from services.models import (
    AccountReading,
    LimitSource,
    Quota,
    RegionCapacity,
    RegionState,
    Status,
    worst,
    zero_by_state,
)
from services.settings import Settings
from services.warnings import build_warnings

ALL_REGIONS = "all"


@dataclass(frozen=True)
class Limits:
    """The settings' limits: used where Service Quotas gave no value (SPEC §4.1)."""

    replication: int = Settings.replication_limit
    recovery: int = Settings.max_recovery_instances

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.replication_limit, settings.max_recovery_instances)

    def replication_of(self, region: RegionCapacity | None) -> Quota:
        """L(a, r): the quota read for that account × Region, else the setting."""
        found = region.replication_limit if region is not None else None
        return found or Quota(self.replication, LimitSource.SETTING)

    def recovery_of(self, region: RegionCapacity | None) -> Quota:
        """RL(t, r): the target's recovery quota read for that Region, else the setting."""
        found = region.recovery_limit if region is not None else None
        return found or Quota(self.recovery, LimitSource.SETTING)


def in_scope(regions: Iterable[RegionCapacity], scope: str) -> list[RegionCapacity]:
    return [r for r in regions if scope == ALL_REGIONS or r.region == scope]


def shown(region: RegionCapacity) -> bool:
    """Listed Regions (SPEC §7): they hold servers or could not be read."""
    return not region.counted or region.total_servers > 0


def share(count: int, limit: int) -> Fraction:
    """count / limit, exact; any servers against a zero limit rank above everything."""
    if limit:
        return Fraction(count, limit)
    return Fraction(10**9) if count else Fraction(0)


def busiest(items: Iterable, count, limit, name):
    """The item with the highest count / limit; ties go to the alphabetically first."""
    return min(items, key=lambda i: (-share(count(i), limit(i)), name(i)), default=None)


def region_metrics(region: RegionCapacity, limits: Limits) -> RegionMetrics:
    quota = limits.replication_of(region)
    limit = quota.value
    if not region.counted:
        return RegionMetrics(
            region.region, region.state, None, None, None, None, limit, quota.source,
            th.operational_count(limit), None, None, Status.UNKNOWN, region.error,
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
        limit_source=quota.source,
        operational_limit=th.operational_count(limit),
        percent_used=th.percent(replicating, limit),
        available_slots=max(limit - replicating, 0),
        status=th.band_status(replicating, limit),
        error=None,
    )


def account_metrics(
    reading: AccountReading, limits: Limits, scope: str = ALL_REGIONS
) -> AccountMetrics:
    """One account over the Regions in scope: sums for information, the worst unit's
    status, the busiest unit's limit figures; counts are null when unreadable."""
    if not reading.accessible:
        return AccountMetrics(
            reading.account_id, reading.account_name, reading.account_type,
            accessible=False, complete=False, error=reading.error,
            replicating_servers=None, total_servers=None, extended_servers=None,
            by_state=None, busiest_region=None, max_replicating=limits.replication,
            operational_limit=th.operational_count(limits.replication),
            percent_used=None, available_slots=None, status=Status.UNKNOWN,
            regional_breakdown=(), empty_regions={},
        )  # fmt: skip
    regions = in_scope(reading.regions, scope)
    read = [r for r in regions if r.counted]
    units = tuple(
        region_metrics(r, limits) for r in sorted(regions, key=lambda r: r.region)
        if shown(r)
    )  # fmt: skip
    by_state = zero_by_state()
    for r in read:
        for state, count in r.by_state.items():
            by_state[state] = by_state.get(state, 0) + count
    top = busiest(
        (u for u in units if u.replicating_servers is not None),
        lambda u: u.replicating_servers,
        lambda u: u.max_replicating,
        lambda u: u.region,
    )
    unread = len(read) < len(regions)
    return AccountMetrics(
        account_id=reading.account_id,
        account_name=reading.account_name,
        account_type=reading.account_type,
        accessible=True,
        complete=not unread,
        error=reading.error,
        replicating_servers=sum(r.replicating_servers for r in read),
        total_servers=sum(r.total_servers for r in read),
        extended_servers=sum(r.extended_servers for r in read),
        by_state=by_state,
        busiest_region=top.region if top else None,
        max_replicating=top.max_replicating if top else limits.replication,
        operational_limit=(
            top.operational_limit if top else th.operational_count(limits.replication)
        ),
        percent_used=top.percent_used if top else (None if unread else 0.0),
        available_slots=(
            top.available_slots if top else (None if unread else limits.replication)
        ),
        status=worst(u.status for u in units) if units else Status.OK,
        regional_breakdown=units,
        empty_regions=dict(
            sorted(Counter(r.state.value for r in regions if not shown(r)).items())
        ),
    )


def _regions_of(reading: AccountReading) -> dict[str, RegionCapacity]:
    return {r.region: r for r in reading.regions}


def combined_region(
    region: str, accessible: Sequence[AccountReading], configured: int, limits: Limits
) -> CombinedMetrics:
    """Every accessible account in `region` against the sum of their limits there; the
    setting's limit for an account whose Region was not read as ok (SPEC §4.3)."""
    parts = [_regions_of(reading).get(region) for reading in accessible]
    read = [p for p in parts if p is not None and p.counted]
    total = sum(p.replicating_servers for p in read)
    maximum = sum(limits.replication_of(p).value for p in parts)
    n = len(accessible)
    return CombinedMetrics(
        region=region,
        total_replicating=total,
        max_replicating=maximum,
        operational_limit=th.operational_count(maximum),
        percent_used=th.percent(total, maximum) if n else None,
        available_slots=max(maximum - total, 0),
        status=th.band_status(total, maximum) if n else Status.UNKNOWN,
        message=_combined_message(
            region, total, maximum, configured, n, len(read) == len(parts)
        ),
        configured_accounts=configured,
        reporting_accounts=n,
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _combined_message(
    region: str | None,
    total: int,
    maximum: int,
    configured: int,
    reporting: int,
    complete: bool,
) -> str:
    if reporting == 0:
        return f"No account is reporting (0 of {configured}): capacity is unknown."
    where = f" in {region}" if region else ""
    text = (
        f"{total:,} of {maximum:,} replicating servers used{where} "
        f"({th.percent(total, maximum)}%), {max(maximum - total, 0):,} slots available "
        f"across {_plural(reporting, 'account')}."
    )
    if reporting < configured:
        text += f" Only {reporting} of {configured} accounts are reporting."
    if not complete:
        text += " Some Regions could not be read: the total is a lower bound."
    return text


def combined_metrics(
    readings: Sequence[AccountReading],
    by_region: Sequence[CombinedMetrics],
    limits: Limits,
    scope: str = ALL_REGIONS,
) -> CombinedMetrics:
    """The scoped Region, or in all Regions the binding one (highest total / max)."""
    accessible = [r for r in readings if r.accessible]
    if scope != ALL_REGIONS:
        return combined_region(scope, accessible, len(readings), limits)
    binding = busiest(
        by_region,
        lambda c: c.total_replicating,
        lambda c: c.max_replicating,
        lambda c: c.region,
    )
    if binding is not None:
        return binding
    n = len(accessible)
    maximum = n * limits.replication
    return CombinedMetrics(
        region=None,
        total_replicating=0,
        max_replicating=maximum,
        operational_limit=th.operational_count(maximum),
        percent_used=0.0 if n else None,
        available_slots=maximum,
        status=Status.OK if n else Status.UNKNOWN,
        message=_combined_message(None, 0, maximum, len(readings), n, True),
        configured_accounts=len(readings),
        reporting_accounts=n,
    )


def recovery_region(region: RegionCapacity, limits: Limits) -> RecoveryMetrics:
    """The target's source servers in one Region against RL(t, r) (R10)."""
    quota = limits.recovery_of(region)
    if not region.counted:
        return RecoveryMetrics(
            region.region, None, quota.value, quota.source, None, None, Status.UNKNOWN
        )
    current = region.total_servers
    return RecoveryMetrics(
        region=region.region,
        current_servers=current,
        max_recovery_instances=quota.value,
        limit_source=quota.source,
        percent_used=th.percent(current, quota.value),
        available_slots=max(quota.value - current, 0),
        status=th.recovery_status(current, quota.value),
    )


def recovery_metrics(
    target: AccountReading | None, limits: Limits, scope: str = ALL_REGIONS
) -> tuple[RecoveryMetrics, tuple[RecoveryMetrics, ...]]:
    """The target's busiest Region (or the scoped one), and every Region with servers."""
    unknown = RecoveryMetrics(
        None if scope == ALL_REGIONS else scope, None, limits.recovery,
        LimitSource.SETTING, None, None, Status.UNKNOWN,
    )  # fmt: skip
    if target is None or not target.accessible:
        return unknown, ()
    regions = in_scope(target.regions, scope)
    by_region = tuple(
        recovery_region(r, limits)
        for r in sorted(regions, key=lambda r: r.region)
        if r.counted and r.total_servers > 0
    )
    if scope != ALL_REGIONS:
        part = _regions_of(target).get(scope) or RegionCapacity(scope, RegionState.OK)
        return recovery_region(part, limits), by_region
    top = busiest(
        by_region,
        lambda m: m.current_servers,
        lambda m: m.max_recovery_instances,
        lambda m: m.region,
    )
    if top is not None:
        return top, by_region
    if any(not r.counted for r in regions):
        return unknown, by_region  # its servers may be in the Region not read
    empty = RecoveryMetrics(
        None, 0, limits.recovery, LimitSource.SETTING, 0.0, limits.recovery, Status.OK
    )
    return empty, by_region


def build_snapshot(
    target_account_id: str,
    readings: Sequence[AccountReading],
    limits: Limits,
    collected_at: str,
    scope: str = ALL_REGIONS,
) -> CapacitySnapshot:
    """Turn one collection into the snapshot the API, CLI and dashboard show."""
    accounts = tuple(account_metrics(r, limits, scope) for r in readings)
    accessible = [r for r in readings if r.accessible]
    listed = sorted({u.region for a in accounts for u in a.regional_breakdown})
    by_region = tuple(
        combined_region(region, accessible, len(readings), limits) for region in listed
    )
    combined = combined_metrics(readings, by_region, limits, scope)
    target = next((r for r in readings if r.account_type == "target"), None)
    recovery, recovery_by_region = recovery_metrics(target, limits, scope)
    return CapacitySnapshot(
        target_account_id=target_account_id,
        scope=scope,
        collected_at=collected_at,
        complete=all(a.accessible and a.complete for a in accounts),
        status=worst([combined.status, recovery.status, *(a.status for a in accounts)]),
        combined=combined,
        combined_by_region=by_region,
        accounts=accounts,
        recovery_capacity=recovery,
        recovery_by_region=recovery_by_region,
        warnings=build_warnings(
            accounts, by_region, recovery_by_region, limits.replication
        ),
    )
