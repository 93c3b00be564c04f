"""Hypothesis properties of the capacity rules (seed Properties 3, 4, 5, 9, 10, 11, 12).

Every expected value comes from a SPEC oracle below, written with integer arithmetic from
SPEC §3–5, never from the code under test.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.capacity import Limits, account_metrics, build_snapshot
from services.models import AccountReading, ErrorInfo, RegionState, Status
from tests.strategies import (
    REGIONS,
    accessible_readings,
    empty_region,
    fleets,
    limits,
    region_from_servers,
    replicating_region,
)

AT = "2026-11-26T08:30:00Z"
PROPERTY = settings(max_examples=100, deadline=None)

# --- SPEC oracles -------------------------------------------------------------------------------

# SPEC §4: (status, threshold in servers out of 300), most severe first.
REPLICATION_TABLE = (
    (Status.HYPER_CRITICAL, 280),
    (Status.CRITICAL, 250),
    (Status.WARNING, 225),
    (Status.INFO, 200),
)
ALERTING = (Status.INFO, Status.WARNING, Status.CRITICAL, Status.HYPER_CRITICAL)
ACTION_WORDS = {
    Status.INFO: "monitor",
    Status.WARNING: "plan",
    Status.CRITICAL: "now",
    Status.HYPER_CRITICAL: "immediate",
}


def spec_status(count: int, capacity: int) -> Status:
    """A level is reached at its threshold: count ≥ share/300 × capacity."""
    for status, share in REPLICATION_TABLE:
        if count * 300 >= share * capacity:
            return status
    return Status.OK


def spec_recovery_status(current: int, maximum: int) -> Status:
    if current * 100 >= 90 * maximum:
        return Status.CRITICAL
    if current * 100 >= 80 * maximum:
        return Status.WARNING
    return Status.OK


def spec_staging_accounts_needed(total: int, accounts: int, limit: int) -> int:
    """Smallest k with total < (N + k) × 250/300 × L."""
    k = 0
    while total * 300 >= (accounts + k) * 250 * limit:
        k += 1
    return k


def in_scope(reading: AccountReading, scope: str):
    return [r for r in reading.regions if scope == "all" or r.region == scope]


def read_regions(reading: AccountReading, scope: str = "all"):
    """Regions whose counts are known; uninitialized and not-enabled ones count zero."""
    return [r for r in in_scope(reading, scope) if r.state is RegionState.OK]


def spec_replicating(reading: AccountReading, scope: str = "all") -> int:
    return sum(r.replicating_servers for r in read_regions(reading, scope))


def spec_total(reading: AccountReading, scope: str = "all") -> int:
    return sum(r.total_servers for r in read_regions(reading, scope))


def spec_shown_regions(reading: AccountReading, scope: str = "all") -> set[str]:
    return {
        r.region
        for r in in_scope(reading, scope)
        if r.state is RegionState.ERROR
        or (r.state is RegionState.OK and r.total_servers > 0)
    }


HALF_A_TENTH = Fraction(1, 20) + Fraction(1, 10**9)  # plus float noise


def assert_percent(value: float | None, part: int, whole: int) -> None:
    """One decimal, within half a tenth of the exact share."""
    assert value is not None
    exact = Fraction(part * 100, whole)
    assert abs(Fraction(value) - exact) <= HALF_A_TENTH
    assert abs(value * 10 - round(value * 10)) < 1e-6


def snapshot(readings, lims: Limits, scope: str = "all"):
    return build_snapshot(readings[0].account_id, readings, lims, AT, scope)


# --- Property 3 -----------------------------------------------------------------------------------


@PROPERTY
@given(fleet=fleets())
def test_property_3_combined_capacity_aggregation(fleet):
    readings, lims = fleet
    limit = lims.replication
    combined = snapshot(readings, lims).combined
    reporting = [r for r in readings if r.accessible]
    n = len(reporting)
    total = sum(spec_replicating(r) for r in reporting)

    assert combined.configured_accounts == len(readings)
    assert combined.reporting_accounts == n
    assert combined.total_replicating == total
    assert combined.max_replicating == n * limit
    assert combined.available_slots == max(n * limit - total, 0)
    if n == 0:
        assert combined.status is Status.UNKNOWN
        assert combined.percent_used is None
        return
    assert combined.status is spec_status(total, n * limit)
    assert_percent(combined.percent_used, total, n * limit)
    operational = Fraction(250 * n * limit, 300)
    assert abs(Fraction(combined.operational_limit) - operational) <= Fraction(1, 20)


# --- Property 4 -----------------------------------------------------------------------------------


@PROPERTY
@given(fleet=fleets(), data=st.data())
def test_property_4_per_account_status_calculation(fleet, data):
    readings, lims = fleet
    limit = lims.replication
    # One more account sitting anywhere from empty to twice its limit, edges included.
    count = data.draw(st.integers(0, 2 * limit), label="replicating")
    exact = AccountReading(
        "999999999999",
        "exact",
        "staging",
        True,
        (replicating_region("us-east-1", count),),
    )
    readings = [*readings, exact]
    snap = snapshot(readings, lims)

    for reading, account in zip(readings, snap.accounts, strict=True):
        assert account.max_replicating == limit
        if not reading.accessible:
            assert account.status is Status.UNKNOWN
            assert account.replicating_servers is None
            continue
        replicating = spec_replicating(reading)
        assert account.replicating_servers == replicating
        # Extended servers are in the total but never replicating (SPEC §3).
        extended = sum(r.extended_servers for r in read_regions(reading))
        assert account.extended_servers == extended
        assert replicating + extended <= account.total_servers
        assert account.status is spec_status(replicating, limit)
        assert account.available_slots == max(limit - replicating, 0)
        assert_percent(account.percent_used, replicating, limit)
        for region in account.regional_breakdown:
            if region.state is RegionState.ERROR:
                assert region.status is Status.UNKNOWN
            else:
                assert region.status is spec_status(region.replicating_servers, limit)
                assert region.max_replicating == limit
    assert snap.accounts[-1].status is spec_status(count, limit)


# --- Property 5 -----------------------------------------------------------------------------------


@PROPERTY
@given(fleet=fleets())
def test_property_5_warning_generation_based_on_thresholds(fleet):
    readings, lims = fleet
    limit, maximum = lims.replication, lims.recovery
    warnings = snapshot(readings, lims).warnings

    levels = [w.level.severity for w in warnings]
    assert levels == sorted(levels, reverse=True), "most severe first"

    # One account warning per accessible account at INFO or above, none below.
    expected_accounts = {}
    for reading in readings:
        if reading.accessible:
            replicating = spec_replicating(reading)
            status = spec_status(replicating, limit)
            if status in ALERTING:
                expected_accounts[reading.account_id] = (status, replicating)
    account_warnings = [w for w in warnings if w.scope == "account"]
    assert sorted(w.account_id for w in account_warnings) == sorted(expected_accounts)
    for warning in account_warnings:
        status, replicating = expected_accounts[warning.account_id]
        assert warning.level is status
        assert ACTION_WORDS[status] in warning.action.lower()
        if status is Status.HYPER_CRITICAL:
            assert f"{max(limit - replicating, 0)} slots" in warning.action

    # Combined, iff at INFO or above.
    reporting = [r for r in readings if r.accessible]
    n = len(reporting)
    total = sum(spec_replicating(r) for r in reporting)
    combined_status = spec_status(total, n * limit) if n else Status.UNKNOWN
    combined = [w for w in warnings if w.scope == "combined"]
    if combined_status in ALERTING:
        [warning] = combined
        assert warning.level is combined_status
        if combined_status in (Status.CRITICAL, Status.HYPER_CRITICAL):
            k = int(re.search(r"(\d+) staging accounts?\b", warning.action).group(1))
            assert k == spec_staging_accounts_needed(total, n, limit)
    else:
        assert combined == []

    # Recovery, iff the target is at WARNING or above; it names the quota to raise.
    target = readings[0]
    recovery_status = (
        spec_recovery_status(spec_total(target), maximum)
        if target.accessible
        else Status.UNKNOWN
    )
    recovery = [w for w in warnings if w.scope == "recovery"]
    if recovery_status in (Status.WARNING, Status.CRITICAL):
        [warning] = recovery
        assert warning.level is recovery_status
        assert "L-E28BE5E0" in warning.message + warning.action
    else:
        assert recovery == []

    # Data: every inaccessible account and every Region in error, once each.
    expected_data = sorted(
        [(r.account_id, None) for r in readings if not r.accessible]
        + [
            (r.account_id, region.region)
            for r in readings
            if r.accessible
            for region in r.regions
            if region.state is RegionState.ERROR
        ],
        key=str,
    )
    data = [(w.account_id, w.region) for w in warnings if w.scope == "data"]
    assert sorted(data, key=str) == expected_data

    # Nothing else (SPEC §5 asks for no per-Region capacity warning; none is checked here).
    known = len(account_warnings) + len(combined) + len(recovery) + len(data)
    assert known == len([w for w in warnings if w.scope != "region"])


# --- Property 9 -----------------------------------------------------------------------------------

UNREAD_REGIONS = ("ap-east-1", "me-south-1", "af-south-1", "eu-south-1")


@PROPERTY
@given(
    base=accessible_readings(account_type="staging"),
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
    limit = lims.replication
    empties = tuple(empty_region(name, state) for name, state in unread)
    with_empties = replace(base, regions=base.regions + empties)

    # Adding uninitialized / not-enabled Regions changes nothing about the account.
    assert account_metrics(with_empties, limit, "all") == account_metrics(
        base, limit, "all"
    )

    # An account with nothing but such Regions: zero servers, complete, OK, nothing listed.
    only_empties = replace(base, regions=empties)
    account = account_metrics(only_empties, limit, "all")
    assert account.accessible and account.complete
    assert (account.replicating_servers, account.total_servers) == (0, 0)
    assert account.extended_servers == 0
    assert account.status is Status.OK
    assert account.regional_breakdown == ()
    # It still counts in N.
    snap = build_snapshot(base.account_id, [only_empties], lims, AT)
    assert snap.combined.reporting_accounts == 1
    assert snap.combined.max_replicating == limit
    assert snap.complete is True


# --- Property 10 ----------------------------------------------------------------------------------


@PROPERTY
@given(fleet=fleets(min_staging=1), data=st.data())
def test_property_10_failed_account_resilience(fleet, data):
    readings, lims = fleet
    limit = lims.replication
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

    was_counted = failing.accessible
    reporting = before.combined.reporting_accounts - was_counted
    assert after.combined.reporting_accounts == reporting
    assert after.combined.configured_accounts == len(readings)
    assert after.combined.max_replicating == reporting * limit
    lost = spec_replicating(failing) if was_counted else 0
    assert after.combined.total_replicating == before.combined.total_replicating - lost


# --- Property 11 ----------------------------------------------------------------------------------


@PROPERTY
@given(
    fleet=fleets(),
    other_staging=st.lists(accessible_readings(), max_size=3),
    data=st.data(),
)
def test_property_11_recovery_capacity_status_calculation(fleet, other_staging, data):
    readings, lims = fleet
    maximum = lims.recovery
    target = readings[0]
    recovery = snapshot(readings, lims).recovery_capacity

    assert recovery.max_recovery_instances == maximum
    if not target.accessible:
        assert recovery.status is Status.UNKNOWN
        assert recovery.current_servers is None
        assert recovery.percent_used is None
    else:
        current = spec_total(target)
        assert recovery.current_servers == current
        assert recovery.status is spec_recovery_status(current, maximum)
        assert recovery.available_slots == max(maximum - current, 0)
        assert_percent(recovery.percent_used, current, maximum)

    # Staging accounts are excluded: any other set of them gives the same recovery.
    assert snapshot([target, *other_staging], lims).recovery_capacity == recovery

    # A target holding exactly `current` servers, stopped and extended ones included.
    current = data.draw(st.integers(0, maximum + maximum // 5), label="current")
    stopped = data.draw(st.integers(0, current), label="stopped")
    extended = data.draw(st.integers(0, current - stopped), label="extended")
    exact = replace(
        target,
        accessible=True,
        error=None,
        regions=(
            region_from_servers(
                "us-east-1",
                {"STOPPED": stopped, "CONTINUOUS": current - stopped - extended},
                {"CONTINUOUS": extended},
            ),
        ),
    )
    recovery = snapshot([exact, *readings[1:]], lims).recovery_capacity
    assert recovery.current_servers == current
    assert recovery.status is spec_recovery_status(current, maximum)


# --- Property 12 ----------------------------------------------------------------------------------


@PROPERTY
@given(fleet=fleets())
def test_property_12_account_breakdown_completeness(fleet):
    readings, lims = fleet
    wire = snapshot(readings, lims).to_dict()
    accounts = wire["accounts"]

    assert [a["accountId"] for a in accounts] == [r.account_id for r in readings]
    for reading, account in zip(readings, accounts, strict=True):
        assert account["accountName"] == reading.account_name
        assert account["accountType"] == reading.account_type
        assert account["accessible"] is reading.accessible
        assert account["status"] in {s.value for s in Status}
        if not reading.accessible:
            assert account["error"]["code"] and account["error"]["message"]
            assert account["regionalBreakdown"] == []
            continue
        for key in ("replicatingServers", "totalServers", "extendedServers", "byState",
                    "maxReplicating", "percentUsed", "availableSlots"):  # fmt: skip
            assert account[key] is not None, key

        breakdown = account["regionalBreakdown"]
        names = [r["region"] for r in breakdown]
        assert len(names) == len(set(names))
        assert set(names) == spec_shown_regions(reading)
        source = {r.region: r for r in reading.regions}
        for entry in breakdown:
            region = source[entry["region"]]
            assert entry["state"] == region.state.value
            if region.state is RegionState.ERROR:
                assert entry["totalServers"] is None
                assert entry["replicatingServers"] is None
                assert entry["error"]["code"] == region.error.code
            else:
                assert entry["totalServers"] == region.total_servers
                assert entry["replicatingServers"] == region.replicating_servers
                assert entry["extendedServers"] == region.extended_servers
                assert entry["byState"] == dict(region.by_state)


# --- Regions in error, and Region scope -----------------------------------------------------------


@PROPERTY
@given(fleet=fleets())
def test_a_region_in_error_makes_its_account_incomplete_with_lower_bound_counts(fleet):
    readings, lims = fleet
    snap = snapshot(readings, lims)
    for reading, account in zip(readings, snap.accounts, strict=True):
        if not reading.accessible:
            assert account.complete is False
            continue
        failed = any(r.state is RegionState.ERROR for r in reading.regions)
        assert account.complete is not failed
        # The sum of the Regions that were read, whatever the failed ones hold.
        assert account.replicating_servers == spec_replicating(reading)
        assert account.total_servers == spec_total(reading)
    assert snap.complete is all(
        r.accessible and all(g.state is not RegionState.ERROR for g in r.regions)
        for r in readings
    )


@PROPERTY
@given(fleet=fleets(), region=st.sampled_from(REGIONS))
def test_one_region_scope_equals_the_snapshot_of_that_regions_data_only(fleet, region):
    readings, lims = fleet
    scoped = snapshot(readings, lims, scope=region)
    only_that_region = [
        replace(r, regions=tuple(g for g in r.regions if g.region == region))
        for r in readings
    ]
    assert replace(scoped, scope="all") == snapshot(only_that_region, lims)
    for reading, account in zip(readings, scoped.accounts, strict=True):
        if reading.accessible:
            assert account.replicating_servers == spec_replicating(reading, region)
            assert account.status is spec_status(
                spec_replicating(reading, region), lims.replication
            )
