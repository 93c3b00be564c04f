"""Hypothesis properties of the capacity rules, per account × Region (SPEC §3–§5, §8).

The seed's Properties 3, 4, 5, 9, 10, 11 and 12 restated on the unit SPEC §4 makes
central, plus the roll-ups of issue 7 (CSV rows, busiest and binding Regions, removal per
Region). Every expected value comes from the SPEC oracle below: integer arithmetic written
from SPEC, never a call to the code under test (not even `Status.severity` or `worst`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.capacity import Limits, account_metrics, build_snapshot
from services.export import capacity_csv, capacity_rows
from services.models import AccountReading, ErrorInfo, RegionState, Status
from services.planning import removal_impact
from services.settings import REPLICATION_STATES
from tests.strategies import (
    NOTABLE_LIMITS,
    REGIONS,
    accessible_readings,
    applied,
    aws_default,
    empty_region,
    fleets,
    limits,
    reading,
    region_from_servers,
    replicating_region,
    replication_quotas,
    uniform_300_fleets,
)

AT = "2026-11-26T08:30:00Z"
PROPERTY = settings(max_examples=100, deadline=None)
MORE = settings(max_examples=200, deadline=None)

# --- SPEC oracles ---------------------------------------------------------------------------

# SPEC §4.2: UNKNOWN < OK < INFO < WARNING < CRITICAL < HYPER-CRITICAL.
RANK = (
    Status.UNKNOWN,
    Status.OK,
    Status.INFO,
    Status.WARNING,
    Status.CRITICAL,
    Status.HYPER_CRITICAL,
)
ALERTING = (Status.INFO, Status.WARNING, Status.CRITICAL, Status.HYPER_CRITICAL)
ACTION_WORDS = {
    Status.INFO: "monitor",
    Status.WARNING: "plan",
    Status.CRITICAL: "now",
    Status.HYPER_CRITICAL: "immediate",
}
AWS_DEFAULT_L = 300  # SPEC §1


def rank(status: Status) -> int:
    return RANK.index(status)


def spec_worst(statuses) -> Status:
    """The worst by SPEC §4.2's rank; UNKNOWN only when nothing known is there."""
    found = list(statuses)
    return max(found, key=rank) if found else Status.UNKNOWN


def spec_band(count: int, limit: int) -> Status:
    """SPEC §4.2: a level is reached at its threshold, an exact share of L."""
    if count * 15 >= 14 * limit:
        return Status.HYPER_CRITICAL
    if count * 6 >= 5 * limit:
        return Status.CRITICAL
    if count * 4 >= 3 * limit:
        return Status.WARNING
    if count * 3 >= 2 * limit:
        return Status.INFO
    return Status.OK


def spec_recovery_band(current: int, limit: int) -> Status:
    """SPEC §4.3: OK below 80 %, WARNING from 80 %, CRITICAL from 90 %."""
    if current * 10 >= 9 * limit:
        return Status.CRITICAL
    if current * 10 >= 8 * limit:
        return Status.WARNING
    return Status.OK


def spec_operational(limit: int) -> int:
    """The smallest count that is CRITICAL: ceil(5/6 × L)."""
    return -(-5 * limit // 6)


def spec_staging_accounts_needed(total: int, maximum: int, limit: int) -> int:
    """SPEC §5: the smallest k ≥ 1 with total × 6 < 5 × (max + k × L)."""
    k = 1
    while not total * 6 < 5 * (maximum + k * limit):
        k += 1
    return k


def by_share_then_name(count: int, limit: int, name: str):
    """Sort key: highest count / limit first, ties alphabetical (L ≥ 1 here)."""
    return (-Fraction(count, limit), name)


def in_scope(reading: AccountReading, scope: str):
    return [r for r in reading.regions if scope == "all" or r.region == scope]


def region_of(reading: AccountReading, name: str):
    return next((r for r in reading.regions if r.region == name), None)


def spec_limit(region, setting: int) -> tuple[int, str]:
    """SPEC §4.1: L(a, r) read for `ok` units, else the setting; with its source."""
    ok = region is not None and region.state is RegionState.OK
    if ok and region.replication_limit is not None:
        quota = region.replication_limit
        return quota.value, quota.source.value
    return setting, "setting"


def spec_recovery_limit(region, setting: int) -> tuple[int, str]:
    ok = region is not None and region.state is RegionState.OK
    if ok and region.recovery_limit is not None:
        quota = region.recovery_limit
        return quota.value, quota.source.value
    return setting, "setting"


@dataclass(frozen=True)
class Unit:
    """An account × Region as SPEC §4.3 states it."""

    region: str
    state: RegionState
    replicating: int | None
    total: int | None
    extended: int | None
    limit: int
    source: str
    status: Status

    @property
    def percent(self) -> Fraction | None:
        if self.replicating is None:
            return None
        return Fraction(100 * self.replicating, self.limit)

    @property
    def slots(self) -> int | None:
        return (
            None if self.replicating is None else max(self.limit - self.replicating, 0)
        )


def listed(region) -> bool:
    """SPEC §7: a Region is listed when it holds servers or is in error."""
    return region.state is RegionState.ERROR or (
        region.state is RegionState.OK and region.total_servers > 0
    )


def spec_units(reading: AccountReading, setting: int, scope: str = "all"):
    units = []
    for region in sorted(in_scope(reading, scope), key=lambda r: r.region):
        if not listed(region):
            continue
        limit, source = spec_limit(region, setting)
        if region.state is RegionState.ERROR:
            units.append(
                Unit(region.region, region.state, None, None, None, limit, source,
                     Status.UNKNOWN)
            )  # fmt: skip
            continue
        units.append(
            Unit(
                region.region, region.state, region.replicating_servers,
                region.total_servers, region.extended_servers, limit, source,
                spec_band(region.replicating_servers, limit),
            )
        )  # fmt: skip
    return units


def read_regions(reading: AccountReading, scope: str = "all"):
    """Regions whose counts are known; uninitialized and not-enabled ones count zero."""
    return [r for r in in_scope(reading, scope) if r.state is not RegionState.ERROR]


def spec_replicating(reading: AccountReading, scope: str = "all") -> int:
    return sum(r.replicating_servers for r in read_regions(reading, scope))


def spec_total(reading: AccountReading, scope: str = "all") -> int:
    return sum(r.total_servers for r in read_regions(reading, scope))


@dataclass(frozen=True)
class Account:
    status: Status
    busiest: Unit | None
    units: list[Unit]


def spec_account(reading: AccountReading, setting: int, scope: str = "all") -> Account:
    """SPEC §4.3: the worst of its units (OK with none listed), UNKNOWN if inaccessible;
    the busiest unit by replicating / L, ties alphabetical."""
    if not reading.accessible:
        return Account(Status.UNKNOWN, None, [])
    units = spec_units(reading, setting, scope)
    status = spec_worst(u.status for u in units) if units else Status.OK
    known = [u for u in units if u.replicating is not None]
    busiest = min(
        known,
        key=lambda u: by_share_then_name(u.replicating, u.limit, u.region),
        default=None,
    )
    return Account(status, busiest, units)


@dataclass(frozen=True)
class Combined:
    region: str | None
    total: int
    maximum: int
    n: int
    status: Status


def spec_combined_region(readings, region: str, setting: int) -> Combined:
    """SPEC §4.3: Σ replicating(a, r) of accessible accounts against Σ L(a, r), the
    setting's L where r was not read as ok for a."""
    accessible = [r for r in readings if r.accessible]
    total = maximum = 0
    for account in accessible:
        part = region_of(account, region)
        if part is not None and part.state is not RegionState.ERROR:
            total += part.replicating_servers
        maximum += spec_limit(part, setting)[0]
    n = len(accessible)
    status = spec_band(total, maximum) if n else Status.UNKNOWN
    return Combined(region, total, maximum, n, status)


def spec_listed_regions(readings, scope: str = "all") -> list[str]:
    return sorted(
        {
            region.region
            for account in readings
            if account.accessible
            for region in in_scope(account, scope)
            if listed(region)
        }
    )


def spec_combined_by_region(readings, setting: int, scope: str = "all"):
    return [
        spec_combined_region(readings, region, setting)
        for region in spec_listed_regions(readings, scope)
    ]


def spec_combined(readings, setting: int, scope: str = "all") -> Combined:
    """The scoped Region; in all Regions the binding one (highest total / max, ties
    alphabetical); no servers anywhere: 0 of N × L, OK (N = 0: UNKNOWN)."""
    if scope != "all":
        return spec_combined_region(readings, scope, setting)
    by_region = spec_combined_by_region(readings, setting)
    if by_region:
        return min(
            by_region, key=lambda c: by_share_then_name(c.total, c.maximum, c.region)
        )
    n = sum(1 for r in readings if r.accessible)
    return Combined(None, 0, n * setting, n, Status.OK if n else Status.UNKNOWN)


@dataclass(frozen=True)
class Recovery:
    region: str | None
    current: int | None
    maximum: int
    source: str
    status: Status | None  # None: SPEC does not say


def spec_recovery_region(part, name: str, setting: int) -> Recovery:
    maximum, source = spec_recovery_limit(part, setting)
    if part is not None and part.state is RegionState.ERROR:
        return Recovery(name, None, maximum, source, Status.UNKNOWN)
    current = part.total_servers if part is not None else 0
    return Recovery(
        name, current, maximum, source, spec_recovery_band(current, maximum)
    )


def spec_recovery_by_region(target, setting: int, scope: str = "all"):
    if target is None or not target.accessible:
        return []
    return [
        spec_recovery_region(r, r.region, setting)
        for r in sorted(in_scope(target, scope), key=lambda r: r.region)
        if r.state is RegionState.OK and r.total_servers > 0
    ]


def spec_recovery(target, setting: int, scope: str = "all") -> Recovery:
    """SPEC §4.3: the target's busiest Region (or the scoped one); none in all Regions:
    0 of the setting's limit, region null; target inaccessible: UNKNOWN."""
    if target is None or not target.accessible:
        return Recovery(None if scope == "all" else scope, None, setting, "setting",
                        Status.UNKNOWN)  # fmt: skip
    if scope != "all":
        return spec_recovery_region(region_of(target, scope), scope, setting)
    by_region = spec_recovery_by_region(target, setting)
    if by_region:
        return min(
            by_region, key=lambda m: by_share_then_name(m.current, m.maximum, m.region)
        )
    if any(r.state is RegionState.ERROR for r in target.regions):
        # No server known, a Region unread: SPEC leaves open "0, OK" or "unknown".
        return Recovery(None, None, setting, "setting", None)
    return Recovery(None, 0, setting, "setting", Status.OK)


def spec_overall(readings, lims: Limits, scope: str = "all") -> Status:
    target = next((r for r in readings if r.account_type == "target"), None)
    recovery = spec_recovery(target, lims.recovery, scope)
    parts = [spec_combined(readings, lims.replication, scope).status]
    parts += [spec_account(r, lims.replication, scope).status for r in readings]
    if recovery.status is not None:
        parts.append(recovery.status)
    # Open recovery (OK or UNKNOWN) changes nothing: the target is accessible, so N ≥ 1
    # and combined is known (OK or worse).
    return spec_worst(parts)


HALF_A_TENTH = Fraction(1, 20) + Fraction(1, 10**9)  # plus float noise


def assert_percent(value: float | None, exact: Fraction) -> None:
    """One decimal, within half a tenth of the exact share."""
    assert value is not None
    assert abs(Fraction(value) - exact) <= HALF_A_TENTH
    assert abs(value * 10 - round(value * 10)) < 1e-6


def snapshot(readings, lims: Limits, scope: str = "all"):
    return build_snapshot(readings[0].account_id, readings, lims, AT, scope)


def assert_unit(metrics, unit: Unit) -> None:
    """A RegionMetrics against the SPEC unit."""
    assert metrics.region == unit.region
    assert metrics.state is unit.state
    assert metrics.status is unit.status, (unit, metrics)
    assert metrics.max_replicating == unit.limit
    assert metrics.limit_source.value == unit.source
    assert metrics.operational_limit == spec_operational(unit.limit)
    assert metrics.replicating_servers == unit.replicating
    assert metrics.total_servers == unit.total
    assert metrics.extended_servers == unit.extended
    assert metrics.available_slots == unit.slots
    if unit.percent is None:
        assert metrics.percent_used is None
    else:
        assert_percent(metrics.percent_used, unit.percent)


def assert_combined(metrics, expected: Combined, configured: int) -> None:
    assert metrics.region == expected.region
    assert metrics.total_replicating == expected.total
    assert metrics.max_replicating == expected.maximum
    assert metrics.reporting_accounts == expected.n
    assert metrics.configured_accounts == configured
    assert metrics.status is expected.status, (expected, metrics)
    assert metrics.available_slots == max(expected.maximum - expected.total, 0)
    assert metrics.operational_limit == spec_operational(expected.maximum)
    if expected.n:
        assert_percent(
            metrics.percent_used, Fraction(100 * expected.total, expected.maximum)
        )
    else:
        assert metrics.percent_used is None


# --- the oracle itself, against SPEC §4.2's table at L = 300 ---------------------------------


def test_the_oracle_reproduces_the_spec_table_at_300():
    edges = {199: "OK", 200: "INFO", 224: "INFO", 225: "WARNING", 249: "WARNING",
             250: "CRITICAL", 279: "CRITICAL", 280: "HYPER-CRITICAL"}  # fmt: skip
    for count, status in edges.items():
        assert spec_band(count, 300).value == status
    assert spec_operational(300) == 250
    assert spec_staging_accounts_needed(250, 300, 300) == 1
    assert spec_staging_accounts_needed(600, 300, 300) == 2  # 3600 < 5 × 900


# --- Property 4 per unit: band, percent, slots, operational limit at that unit's L -----------


@st.composite
def counts_at_the_edges(draw, limit: int) -> int:
    """A count on or next to one of the unit's own thresholds, or anywhere up to 2 L."""
    edges = [0, spec_operational(limit), limit]
    edges += [-(-n * limit // d) for n, d in ((2, 3), (3, 4), (14, 15))]
    edge = draw(st.sampled_from(edges))
    near = max(edge + draw(st.integers(-1, 1)), 0)
    return draw(st.just(near) | st.integers(0, 2 * limit))


@MORE
@given(
    limit=st.sampled_from(NOTABLE_LIMITS) | st.integers(1, 2000),
    source=st.sampled_from(("applied", "aws-default", "setting")),
    setting=st.sampled_from((300, 7, 500)) | st.integers(1, 1000),
    data=st.data(),
)
def test_property_4_unit_band_at_the_exact_thresholds_of_its_own_limit(
    limit, source, setting, data
):
    count = data.draw(counts_at_the_edges(limit), label="replicating")
    if source == "applied":
        quota, lims = applied(limit), Limits(setting, 4000)
    elif source == "aws-default":
        quota, lims = aws_default(limit), Limits(setting, 4000)
    else:
        quota, lims = None, Limits(limit, 4000)
    region = data.draw(st.sampled_from(REGIONS), label="region")
    account = reading("222222222222", [replicating_region(region, count, limit=quota)])
    snap = snapshot([account], lims)
    [metrics] = snap.accounts
    units = spec_units(account, lims.replication)
    assert [u.region for u in metrics.regional_breakdown] == [u.region for u in units]
    for got, unit in zip(metrics.regional_breakdown, units, strict=True):
        assert unit.limit == limit and unit.source == source
        assert_unit(got, unit)
    # The account is its single unit (a Region with no server is not listed: OK).
    assert metrics.status is (spec_band(count, limit) if count else Status.OK)
    # The account's limit figures are its single unit's.
    if count:
        assert metrics.busiest_region == region
        assert metrics.max_replicating == limit
        assert metrics.operational_limit == spec_operational(limit)
        assert metrics.available_slots == max(limit - count, 0)
        assert_percent(metrics.percent_used, Fraction(100 * count, limit))


@PROPERTY
@given(fleet=fleets())
def test_property_4_every_unit_and_account_against_its_own_limits(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)

    for reading_, account in zip(readings, snap.accounts, strict=True):
        expected = spec_account(reading_, lims.replication)
        assert account.status is expected.status, (reading_, account)
        if not reading_.accessible:
            # Null counts, never zero (SPEC §3).
            for value in (account.replicating_servers, account.total_servers,
                          account.extended_servers, account.by_state,
                          account.percent_used, account.available_slots):  # fmt: skip
                assert value is None
            assert account.regional_breakdown == ()
            continue
        assert len(account.regional_breakdown) == len(expected.units)
        for got, unit in zip(account.regional_breakdown, expected.units, strict=True):
            assert_unit(got, unit)
        # Sums over the Regions read, for information (a lower bound when some failed).
        assert account.replicating_servers == spec_replicating(reading_)
        assert account.total_servers == spec_total(reading_)
        extended = sum(r.extended_servers for r in read_regions(reading_))
        assert account.extended_servers == extended
        assert account.replicating_servers + extended <= account.total_servers
        for state in REPLICATION_STATES:
            assert account.by_state[state] == sum(
                r.by_state[state] for r in read_regions(reading_)
            )
        # The busiest unit's limit figures.
        top = expected.busiest
        if top is None:
            assert account.busiest_region is None
            assert account.max_replicating == lims.replication
            continue
        assert account.busiest_region == top.region
        assert account.max_replicating == top.limit
        assert account.operational_limit == spec_operational(top.limit)
        assert account.available_slots == top.slots
        assert_percent(account.percent_used, top.percent)


# --- Property 3 per Region: combined figures, N = accessible accounts -------------------------


@PROPERTY
@given(fleet=fleets())
def test_property_3_combined_per_region_and_the_binding_region(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    setting = lims.replication
    configured = len(readings)

    expected = spec_combined_by_region(readings, setting)
    assert [c.region for c in snap.combined_by_region] == [c.region for c in expected]
    for got, want in zip(snap.combined_by_region, expected, strict=True):
        assert want.n == sum(1 for r in readings if r.accessible)
        assert_combined(got, want, configured)
    assert_combined(snap.combined, spec_combined(readings, setting), configured)


@PROPERTY
@given(fleet=fleets(), region=st.sampled_from(REGIONS))
def test_property_3_one_region_scope(fleet, region):
    """In a one-Region scope: that Region, max Σ L(a, r) even when it holds nothing; the
    accounts over that Region only; recovery of that Region."""
    readings, lims = fleet
    snap = snapshot(readings, lims, scope=region)
    assert_combined(
        snap.combined,
        spec_combined_region(readings, region, lims.replication),
        len(readings),
    )
    for reading_, account in zip(readings, snap.accounts, strict=True):
        expected = spec_account(reading_, lims.replication, region)
        assert account.status is expected.status
        assert [u.region for u in account.regional_breakdown] == [
            u.region for u in expected.units
        ]
        if reading_.accessible:
            assert account.replicating_servers == spec_replicating(reading_, region)
    target = readings[0]
    recovery = spec_recovery(target, lims.recovery, region)
    got = snap.recovery_capacity
    assert (got.region, got.current_servers, got.max_recovery_instances) == (
        recovery.region,
        recovery.current,
        recovery.maximum,
    )
    assert got.status is recovery.status
    expected_overall = spec_overall(readings, lims, region)
    assert snap.status is expected_overall


@PROPERTY
@given(fleet=fleets())
def test_binding_region_is_the_highest_total_over_max_ties_alphabetical(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    by_region = snap.combined_by_region
    if not by_region:
        assert snap.combined.region is None
        return
    # Checked pairwise against every other Region, cross-multiplied.
    binding = snap.combined
    assert binding.region in {c.region for c in by_region}
    for other in by_region:
        left = binding.total_replicating * other.max_replicating
        right = other.total_replicating * binding.max_replicating
        assert left >= right
        if left == right:
            assert binding.region <= other.region


@PROPERTY
@given(
    numerator=st.integers(0, 30),
    denominator=st.integers(1, 40),
    multipliers=st.lists(st.integers(1, 25), min_size=2, max_size=5),
    regions=st.permutations(REGIONS),
)
def test_ties_go_to_the_alphabetically_first_region(
    numerator, denominator, multipliers, regions
):
    """Equal shares in several Regions of one account, each with its own applied L: the
    busiest Region and the binding Region are the alphabetically first of them."""
    # replicating / L = numerator / (numerator + denominator) in every Region
    units = [
        replicating_region(
            region, m * numerator, limit=applied(m * (numerator + denominator))
        )
        for region, m in zip(regions, multipliers, strict=False)
    ]
    account = reading("222222222222", units)
    snap = snapshot([account], Limits(300, 4000))
    names = sorted(u.region for u in units)
    if numerator == 0:
        # nothing held: no Region is listed, the setting's L
        assert snap.accounts[0].busiest_region is None
        assert snap.combined.region is None
        return
    assert snap.accounts[0].busiest_region == names[0]
    assert snap.combined.region == names[0]


# --- busiest Region per account ---------------------------------------------------------------


@PROPERTY
@given(fleet=fleets())
def test_busiest_region_is_the_highest_replicating_over_its_limit(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    for reading_, account in zip(readings, snap.accounts, strict=True):
        top = spec_account(reading_, lims.replication).busiest
        assert account.busiest_region == (top.region if top else None)
        if top is None:
            continue
        # Pairwise against every other known unit, cross-multiplied.
        [chosen] = [
            u for u in account.regional_breakdown if u.region == account.busiest_region
        ]
        for unit in account.regional_breakdown:
            if unit.replicating_servers is None:
                continue
            left = chosen.replicating_servers * unit.max_replicating
            right = unit.replicating_servers * chosen.max_replicating
            assert left >= right
            if left == right:
                assert chosen.region <= unit.region


# --- a one-Region estate is the seed ----------------------------------------------------------


@PROPERTY
@given(fleet=uniform_300_fleets(regions=("eu-west-1",)))
def test_one_region_estate_gives_the_seeds_figures(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    reporting = [r for r in readings if r.accessible]
    n = len(reporting)
    total = sum(spec_replicating(r) for r in reporting)
    combined = snap.combined
    # The seed: N × 300, band on the sum.
    assert combined.max_replicating == n * 300
    assert combined.total_replicating == total
    assert combined.reporting_accounts == n
    assert combined.status is (spec_band(total, n * 300) if n else Status.UNKNOWN)
    if snap.combined_by_region:
        assert combined.region == "eu-west-1"
    else:
        assert combined.region is None
    for reading_, account in zip(readings, snap.accounts, strict=True):
        if not reading_.accessible:
            assert account.status is Status.UNKNOWN
            continue
        if not reading_.regions:
            assert account.status is Status.OK
            continue
        [region] = reading_.regions
        if region.state is RegionState.ERROR:
            assert account.status is Status.UNKNOWN
        else:
            # The band of its single Region = the seed's band of the account.
            assert account.status is spec_band(region.replicating_servers, 300)
            assert account.max_replicating == 300


# --- moving servers between two Regions of one account -----------------------------------------


@MORE
@given(
    quota_1=replication_quotas,
    quota_2=replication_quotas,
    setting=st.sampled_from((300, 7, 500)) | st.integers(1, 600),
    data=st.data(),
    names=st.lists(st.sampled_from(REGIONS), min_size=2, max_size=2, unique=True),
)
def test_moving_servers_between_regions_never_exceeds_the_worse_region(
    quota_1, quota_2, setting, data, names
):
    l1 = quota_1.value if quota_1 else setting
    l2 = quota_2.value if quota_2 else setting
    total = data.draw(st.integers(0, 2 * (l1 + l2)), label="total")
    x = data.draw(st.integers(0, total), label="in the first Region")
    account = reading(
        "222222222222",
        [
            replicating_region(names[0], x, limit=quota_1),
            replicating_region(names[1], total - x, limit=quota_2),
        ],
    )
    got = snapshot([account], Limits(setting, 4000)).accounts[0].status
    worse = spec_worst([spec_band(x, l1), spec_band(total - x, l2)])
    assert got is worse
    if l1 == l2:
        # Uniform L: the band of the fuller Region, never more than the seed's sum.
        assert got is spec_band(max(x, total - x), l1)
        assert rank(got) <= rank(spec_band(total, l1))


# --- uniform L = 300: every limit 300-based, as before -----------------------------------------


@PROPERTY
@given(fleet=uniform_300_fleets())
def test_with_uniform_300_every_limit_is_300_based(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    n = sum(1 for r in readings if r.accessible)
    for account in snap.accounts:
        assert account.max_replicating == 300
        assert account.operational_limit == 250
        for unit in account.regional_breakdown:
            assert (unit.max_replicating, unit.operational_limit) == (300, 250)
            if unit.replicating_servers is not None:
                assert unit.status is spec_band(unit.replicating_servers, 300)
    for combined in (*snap.combined_by_region, snap.combined):
        assert combined.max_replicating == n * 300
        assert combined.operational_limit == 250 * n
        if n:
            assert combined.status is spec_band(combined.total_replicating, n * 300)
    for warning in snap.warnings:
        assert "raised" not in warning.message and "lowered" not in warning.message


# --- Property 5: warnings per unit, per Region, recovery per Region, data ----------------------


@PROPERTY
@given(fleet=fleets())
def test_property_5_warnings_per_unit_and_per_region(fleet):
    readings, lims = fleet
    setting = lims.replication
    warnings = snapshot(readings, lims).warnings

    # Most severe first, then account, then Region.
    keys = [rank(w.level) for w in warnings]
    assert keys == sorted(keys, reverse=True), "most severe first"
    for before, after in zip(warnings, warnings[1:], strict=False):
        if before.level is after.level and before.account_id and after.account_id:
            assert before.account_id <= after.account_id
            if before.account_id == after.account_id and before.region and after.region:
                assert before.region <= after.region

    # One per account × Region at INFO or above, with the action of its level.
    expected_units = {
        (r.account_id, u.region): u
        for r in readings
        for u in spec_account(r, setting).units
        if u.status in ALERTING
    }
    unit_warnings = [w for w in warnings if w.scope == "account"]
    assert sorted((w.account_id, w.region) for w in unit_warnings) == sorted(
        expected_units
    )
    for warning in unit_warnings:
        unit = expected_units[warning.account_id, warning.region]
        assert warning.level is unit.status
        assert ACTION_WORDS[unit.status] in warning.action.lower()
        if unit.status is Status.HYPER_CRITICAL:
            assert f"{unit.slots:,} slots" in warning.action
        # A raised or lowered quota is said (against AWS's default, setting 300).
        if unit.source == "applied" and unit.limit != AWS_DEFAULT_L and setting == 300:
            said = warning.message.lower()
            assert f"{unit.limit:,}" in said  # counts are written "1,000"
            assert ("raised" if unit.limit > AWS_DEFAULT_L else "lowered") in said or (
                unit.limit < AWS_DEFAULT_L and "below" in said
            )

    # One per Region for combined at INFO or above; "add k" in that Region's terms.
    expected_combined = {
        c.region: c for c in spec_combined_by_region(readings, setting)
        if c.status in ALERTING
    }  # fmt: skip
    combined_warnings = [w for w in warnings if w.scope == "combined"]
    assert sorted(w.region for w in combined_warnings) == sorted(expected_combined)
    for warning in combined_warnings:
        want = expected_combined[warning.region]
        assert warning.level is want.status
        if want.status in (Status.CRITICAL, Status.HYPER_CRITICAL):
            k = int(re.search(r"(\d+) staging accounts?\b", warning.action).group(1))
            assert k == spec_staging_accounts_needed(want.total, want.maximum, setting)

    # Recovery per Region at WARNING or above, naming the quota to raise.
    expected_recovery = {
        m.region: m
        for m in spec_recovery_by_region(readings[0], lims.recovery)
        if m.status in (Status.WARNING, Status.CRITICAL)
    }
    recovery_warnings = [w for w in warnings if w.scope == "recovery"]
    assert sorted(w.region for w in recovery_warnings) == sorted(expected_recovery)
    for warning in recovery_warnings:
        assert warning.level is expected_recovery[warning.region].status
        assert "L-E28BE5E0" in warning.message + warning.action

    # Data: every inaccessible account and every Region in error, once each.
    expected_data = sorted(
        [(r.account_id, "") for r in readings if not r.accessible]
        + [
            (r.account_id, region.region)
            for r in readings
            if r.accessible
            for region in r.regions
            if region.state is RegionState.ERROR
        ]
    )
    data = sorted((w.account_id, w.region or "") for w in warnings if w.scope == "data")
    assert data == expected_data

    # Nothing else.
    known = len(unit_warnings) + len(combined_warnings) + len(recovery_warnings)
    assert known + len(data) == len(warnings)


@MORE
@given(
    setting=st.sampled_from((300, 6, 60, 120)) | st.integers(1, 400),
    quotas=st.lists(
        st.none() | st.sampled_from((6, 60, 300, 600)).map(applied),
        min_size=1,
        max_size=4,
    ),
    k0=st.integers(0, 4),
    delta=st.integers(-1, 1),
    data=st.data(),
)
def test_add_k_staging_accounts_at_the_exact_boundary(setting, quotas, k0, delta, data):
    """One Region at CRITICAL or above: the action adds the smallest k ≥ 1 with
    total × 6 < 5 × (max + k × L), drawn on and next to the boundary where
    total × 6 == 5 × (max + k × L)."""
    maximum = sum(q.value if q else setting for q in quotas)
    total = max(
        -(-5 * (maximum + k0 * setting) // 6) + delta, spec_operational(maximum)
    )
    # Spread the total over the accounts (Regions with no server still count their L).
    cuts = sorted(
        data.draw(st.lists(st.integers(0, total), min_size=len(quotas) - 1,
                           max_size=len(quotas) - 1), label="cuts")
    )  # fmt: skip
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    readings = [
        reading(f"{index + 1:012d}", [replicating_region("eu-west-1", n, limit=q)],
                "target" if index == 0 else "staging")
        for index, (n, q) in enumerate(zip(shares, quotas, strict=True))
    ]  # fmt: skip
    snap = snapshot(readings, Limits(setting, 4000))
    [combined] = snap.combined_by_region
    assert (combined.total_replicating, combined.max_replicating) == (total, maximum)
    assert rank(combined.status) >= rank(Status.CRITICAL)
    [warning] = [w for w in snap.warnings if w.scope == "combined"]
    k = int(re.search(r"(\d+) staging accounts?\b", warning.action).group(1))
    assert k == spec_staging_accounts_needed(total, maximum, setting)
    assert str(setting) in warning.action  # each new account adds the setting's L


# --- Property 9: uninitialized and not-enabled Regions count zero ------------------------------

UNREAD_REGIONS = ("ap-east-1", "me-south-1", "af-south-1", "eu-south-1")


@PROPERTY
@given(
    base=accessible_readings(account_type="staging", quotas=replication_quotas),
    unread=st.lists(
        st.tuples(
            st.sampled_from(UNREAD_REGIONS),
            st.sampled_from((RegionState.UNINITIALIZED, RegionState.NOT_ENABLED)),
        ),
        min_size=1,
        unique_by=lambda pair: pair[0],
    ),
    lims=limits,
)
def test_property_9_uninitialized_region_handling(base, unread, lims):
    empties = tuple(empty_region(name, state) for name, state in unread)
    with_empties = replace(base, regions=base.regions + empties)

    # Such Regions change nothing about the account but the tally of empty Regions.
    before = account_metrics(base, lims, "all")
    after = account_metrics(with_empties, lims, "all")
    assert replace(after, empty_regions={}) == replace(before, empty_regions={})
    tally = {}
    for _, state in unread:
        tally[state.value] = tally.get(state.value, 0) + 1
    for state, count in tally.items():
        assert after.empty_regions[state] == before.empty_regions.get(state, 0) + count

    # An account with nothing but such Regions: zero servers, complete, OK, nothing listed.
    only_empties = replace(base, regions=empties)
    account = account_metrics(only_empties, lims, "all")
    assert account.accessible and account.complete
    assert (account.replicating_servers, account.total_servers) == (0, 0)
    assert account.extended_servers == 0
    assert account.status is Status.OK
    assert account.regional_breakdown == ()
    assert account.busiest_region is None
    assert account.max_replicating == lims.replication
    # It still counts in N, with the setting's L (DRS can still be initialized there).
    snap = build_snapshot(base.account_id, [only_empties], lims, AT)
    assert snap.combined.reporting_accounts == 1
    assert snap.combined.max_replicating == lims.replication
    assert snap.combined.region is None
    assert snap.complete is True
    # In a scope of one of those Regions: that Region, its setting's L.
    scoped = build_snapshot(base.account_id, [only_empties], lims, AT, unread[0][0])
    assert scoped.combined.region == unread[0][0]
    assert scoped.combined.max_replicating == lims.replication


# --- Property 10: an account that fails leaves the others alone --------------------------------


@PROPERTY
@given(fleet=fleets(min_staging=1), data=st.data())
def test_property_10_failed_account_resilience(fleet, data):
    readings, lims = fleet
    index = data.draw(st.integers(0, len(readings) - 1), label="failing account")
    failing = readings[index]
    failed = replace(
        failing,
        accessible=False,
        regions=(),
        error=ErrorInfo("AWS_UNREACHABLE", "timeout"),
    )
    after_readings = [*readings[:index], failed, *readings[index + 1 :]]
    before = snapshot(readings, lims)
    after = snapshot(after_readings, lims)

    account = after.accounts[index]
    assert account.accessible is False
    assert account.status is Status.UNKNOWN
    assert account.error.code == "AWS_UNREACHABLE"
    for count in (account.replicating_servers, account.total_servers,
                  account.extended_servers, account.by_state,
                  account.percent_used, account.available_slots):  # fmt: skip
        assert count is None
    assert after.complete is False

    for j, (old, new) in enumerate(zip(before.accounts, after.accounts, strict=True)):
        if j != index:
            assert new == old

    # Per Region still listed: N, the maximum and the total lose exactly its unit.
    was_counted = failing.accessible
    old_by_region = {c.region: c for c in before.combined_by_region}
    for combined in after.combined_by_region:
        old = old_by_region[combined.region]
        part = region_of(failing, combined.region)
        lost = 0
        if was_counted and part is not None and part.state is not RegionState.ERROR:
            lost = part.replicating_servers
        limit = spec_limit(part, lims.replication)[0] if was_counted else 0
        assert combined.reporting_accounts == old.reporting_accounts - was_counted
        assert combined.configured_accounts == len(readings)
        assert combined.max_replicating == old.max_replicating - limit
        assert combined.total_replicating == old.total_replicating - lost
    assert_combined(
        after.combined, spec_combined(after_readings, lims.replication), len(readings)
    )


# --- Property 11: recovery per Region of the target ----------------------------------------------


@PROPERTY
@given(
    fleet=fleets(),
    other_staging=st.lists(accessible_readings(quotas=replication_quotas), max_size=3),
)
def test_property_11_recovery_per_region(fleet, other_staging):
    readings, lims = fleet
    target = readings[0]
    snap = snapshot(readings, lims)

    expected = spec_recovery_by_region(target, lims.recovery)
    got = snap.recovery_by_region
    assert [m.region for m in got] == [m.region for m in expected]
    for metrics, want in zip(got, expected, strict=True):
        assert metrics.current_servers == want.current
        assert metrics.max_recovery_instances == want.maximum
        assert metrics.limit_source.value == want.source
        assert metrics.status is want.status
        assert metrics.available_slots == max(want.maximum - want.current, 0)
        assert_percent(metrics.percent_used, Fraction(100 * want.current, want.maximum))

    headline = spec_recovery(target, lims.recovery)
    recovery = snap.recovery_capacity
    assert recovery.region == headline.region
    assert recovery.max_recovery_instances == headline.maximum
    if headline.status is None:
        # open in SPEC: either "0 of the setting's limit, OK" or unknown
        assert (recovery.current_servers, recovery.status) in (
            (0, Status.OK),
            (None, Status.UNKNOWN),
        )
    else:
        assert recovery.current_servers == headline.current
        assert recovery.status is headline.status
    if not target.accessible:
        assert recovery.percent_used is None

    # Staging accounts are excluded: any other set of them gives the same recovery.
    again = snapshot([target, *other_staging], lims)
    assert again.recovery_capacity == recovery
    assert again.recovery_by_region == got


@PROPERTY
@given(
    limit=st.sampled_from((4000, 100, 7, 1000)) | st.integers(1, 5000),
    source=st.sampled_from(("applied", "aws-default", "setting")),
    data=st.data(),
)
def test_property_11_recovery_band_of_one_region_counts_every_server(
    limit, source, data
):
    """A target holding exactly `current` servers in one Region against RL(t, r),
    stopped and extended ones included."""
    current = data.draw(st.integers(0, limit + limit // 5), label="current")
    stopped = data.draw(st.integers(0, current), label="stopped")
    extended = data.draw(st.integers(0, current - stopped), label="extended")
    quota = {"applied": applied(limit), "aws-default": aws_default(limit)}.get(source)
    lims = Limits(300, limit if quota is None else 4000)
    target = reading(
        "111111111111",
        [
            region_from_servers(
                "us-west-2",
                {"STOPPED": stopped, "CONTINUOUS": current - stopped - extended},
                {"CONTINUOUS": extended},
                recovery_limit=quota,
            )
        ],
        "target",
    )
    recovery = snapshot([target], lims).recovery_capacity
    if current == 0:
        assert (recovery.region, recovery.current_servers) == (None, 0)
        assert recovery.status is Status.OK
        return
    assert recovery.region == "us-west-2"
    assert recovery.current_servers == current
    assert recovery.max_recovery_instances == limit
    assert recovery.limit_source.value == source
    assert recovery.status is spec_recovery_band(current, limit)


# --- Property 12: every account, every unit --------------------------------------------------


@PROPERTY
@given(fleet=fleets())
def test_property_12_account_breakdown_completeness(fleet):
    readings, lims = fleet
    wire = snapshot(readings, lims).to_dict()
    accounts = wire["accounts"]

    assert [a["accountId"] for a in accounts] == [r.account_id for r in readings]
    for reading_, account in zip(readings, accounts, strict=True):
        assert account["accountName"] == reading_.account_name
        assert account["accountType"] == reading_.account_type
        assert account["accessible"] is reading_.accessible
        assert account["status"] in {s.value for s in Status}
        if not reading_.accessible:
            assert account["error"]["code"] and account["error"]["message"]
            assert account["regionalBreakdown"] == []
            continue
        for key in ("replicatingServers", "totalServers", "extendedServers", "byState",
                    "maxReplicating", "operationalLimit"):  # fmt: skip
            assert account[key] is not None, key

        breakdown = account["regionalBreakdown"]
        names = [r["region"] for r in breakdown]
        assert names == [u.region for u in spec_units(reading_, lims.replication)]
        source = {r.region: r for r in reading_.regions}
        for entry in breakdown:
            region = source[entry["region"]]
            assert entry["state"] == region.state.value
            limit, origin = spec_limit(region, lims.replication)
            assert (entry["maxReplicating"], entry["limitSource"]) == (limit, origin)
            if region.state is RegionState.ERROR:
                assert entry["totalServers"] is None
                assert entry["replicatingServers"] is None
                assert entry["status"] == "UNKNOWN"
                assert entry["error"]["code"] == region.error.code
            else:
                assert entry["totalServers"] == region.total_servers
                assert entry["replicatingServers"] == region.replicating_servers
                assert entry["extendedServers"] == region.extended_servers
                assert entry["byState"] == dict(region.by_state)
                assert entry["status"] == spec_band(region.replicating_servers, limit)


@PROPERTY
@given(fleet=fleets())
def test_a_region_in_error_makes_its_account_incomplete_with_lower_bound_counts(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    for reading_, account in zip(readings, snap.accounts, strict=True):
        if not reading_.accessible:
            assert account.complete is False
            continue
        failed = any(r.state is RegionState.ERROR for r in reading_.regions)
        assert account.complete is not failed
        assert account.replicating_servers == spec_replicating(reading_)
        assert account.total_servers == spec_total(reading_)
    assert snap.complete is all(
        r.accessible and all(g.state is not RegionState.ERROR for g in r.regions)
        for r in readings
    )


# --- overall status ------------------------------------------------------------------------------


@PROPERTY
@given(fleet=fleets())
def test_overall_is_the_worst_and_unknown_never_hides_a_known_level(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    assert snap.status is spec_overall(readings, lims)
    # Against the snapshot's own parts, by SPEC's rank.
    parts = [snap.combined.status, snap.recovery_capacity.status]
    parts += [a.status for a in snap.accounts]
    assert snap.status is spec_worst(parts)
    known = [p for p in parts if p is not Status.UNKNOWN]
    if known:
        assert snap.status is not Status.UNKNOWN
        assert all(rank(snap.status) >= rank(p) for p in known)
    # Every unit under an account is under the overall too.
    for account in snap.accounts:
        for unit in account.regional_breakdown:
            if unit.status is not Status.UNKNOWN:
                assert rank(snap.status) >= rank(unit.status)


# --- the CSV rebuilds the page (SPEC §8) ---------------------------------------------------------


def csv_table(snap) -> list[dict]:
    text = capacity_csv(snap.to_dict())
    return list(csv.DictReader(io.StringIO(text)))


def status_of(cell: str) -> Status:
    return Status(cell)


@PROPERTY
@given(fleet=fleets())
def test_an_accounts_status_is_the_worst_of_its_csv_rows(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    table = csv_table(snap)
    rows = capacity_rows(snap.to_dict())
    assert len(rows) == len(table)
    for reading_ in readings:
        mine = [row for row in table if row["accountId"] == reading_.account_id]
        assert mine, reading_.account_id
        expected = spec_account(reading_, lims.replication)
        account = next(a for a in snap.accounts if a.account_id == reading_.account_id)
        worst_row = spec_worst(status_of(row["status"]) for row in mine)
        assert account.status is worst_row, (account, mine)
        assert worst_row is expected.status
        if not reading_.accessible:
            [row] = mine
            assert row["region"] == "" and row["error"]
            assert row["status"] == "UNKNOWN"
            assert row["replicatingServers"] == "" and row["totalServers"] == ""
            continue
        if not expected.units:
            [row] = mine
            assert row["region"] == "" and row["status"] == "OK"
            continue
        assert [row["region"] for row in mine] == [u.region for u in expected.units]
        for row, unit in zip(mine, expected.units, strict=True):
            # Each row is its unit, rebuilt from the row alone.
            assert row["status"] == unit.status.value
            assert int(row["maxReplicating"]) == unit.limit
            assert row["limitSource"] == unit.source
            assert int(row["operationalLimit"]) == spec_operational(unit.limit)
            assert row["regionState"] == unit.state.value
            if unit.replicating is None:
                assert row["replicatingServers"] == "" and row["availableSlots"] == ""
                continue
            replicating = int(row["replicatingServers"])
            assert replicating == unit.replicating
            assert status_of(row["status"]) is spec_band(
                replicating, int(row["maxReplicating"])
            )
            assert int(row["availableSlots"]) == unit.slots
            assert_percent(float(row["percentUsed"]), unit.percent)


@PROPERTY
@given(fleet=fleets())
def test_a_regions_combined_figures_are_the_sums_of_its_csv_rows(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    table = csv_table(snap)
    accessible = {r.account_id for r in readings if r.accessible}
    for combined in snap.combined_by_region:
        rows = [row for row in table if row["region"] == combined.region]
        total = sum(int(row["replicatingServers"] or 0) for row in rows)
        assert combined.total_replicating == total
        if {row["accountId"] for row in rows} == accessible:
            maximum = sum(int(row["maxReplicating"]) for row in rows)
            assert combined.max_replicating == maximum
            assert combined.status is spec_band(total, maximum)


# --- removal impact per Region -----------------------------------------------------------------


@PROPERTY
@given(fleet=fleets(min_staging=1), data=st.data())
def test_removal_impact_per_region(fleet, data):
    readings, lims = fleet
    index = data.draw(st.integers(1, len(readings) - 1), label="removed staging")
    removed = readings[index]
    remaining = [r for j, r in enumerate(readings) if j != index]
    impact = removal_impact(readings[0].account_id, readings, removed.account_id, lims)

    before = spec_combined_by_region(readings, lims.replication)
    assert [r["region"] for r in impact["regions"]] == [c.region for c in before]
    n_after = sum(1 for r in remaining if r.accessible)
    for entry, old in zip(impact["regions"], before, strict=True):
        part = region_of(removed, old.region)
        if removed.accessible:
            limit = spec_limit(part, lims.replication)[0]
            lost = (
                part.replicating_servers
                if part is not None and part.state is not RegionState.ERROR
                else 0
            )
        else:
            limit = lost = 0
        assert (entry["maxBefore"], entry["totalBefore"]) == (old.maximum, old.total)
        assert entry["maxAfter"] == old.maximum - limit
        assert entry["totalAfter"] == old.total - lost
        assert entry["serversLost"] == lost
        after_status = (
            spec_band(old.total - lost, old.maximum - limit)
            if n_after
            else Status.UNKNOWN
        )
        assert entry["statusAfter"] == after_status.value
        assert entry["statusBefore"] == old.status.value

    after = spec_combined(remaining, lims.replication)
    assert (impact["regionAfter"], impact["totalAfter"], impact["maxAfter"]) == (
        after.region,
        after.total,
        after.maximum,
    )
    assert impact["statusAfter"] == after.status.value
    if removed.accessible:
        assert impact["replicatingServers"] == spec_replicating(removed)
    else:
        assert impact["replicatingServers"] is None
        assert impact["hasReplicatingServers"] is None
