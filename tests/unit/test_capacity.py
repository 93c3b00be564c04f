"""Capacity rules of SPEC §3–4 and the snapshot wire form of §7, on hand-computed examples.

The account × Region is the unit: each status is a band of one unit against its own limit,
and every wider view shows the worst unit under it.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from services.capacity import Limits, account_metrics, build_snapshot
from services.collector import count_servers
from services.models import LimitSource, Quota, RegionState, Status
from services.settings import REPLICATION_STATES, Settings
from tests.strategies import (
    empty_region,
    error_region,
    reading,
    region_from_servers,
    replicating_region,
    unreachable,
)

TARGET, STAGING_1, STAGING_2 = "111111111111", "222222222222", "333333333333"
AT = "2026-11-26T08:30:00Z"
DEFAULT = Limits()


def snapshot(*readings, limits=DEFAULT, scope="all"):
    return build_snapshot(TARGET, list(readings), limits, AT, scope)


def applied(region, value: int, source=LimitSource.APPLIED):
    """`region` with a replication quota read from Service Quotas."""
    return replace(region, replication_limit=Quota(value, source))


def one_account(replicating: int, quota: int | None = None):
    region = replicating_region("us-east-1", replicating)
    if quota is not None:
        region = applied(region, quota)
    return account_metrics(reading(STAGING_1, [region]), DEFAULT)


def units(account):
    return {u.region: u for u in account.regional_breakdown}


# --- one account × Region: bands of SPEC §4.2 ---------------------------------------------


@pytest.mark.parametrize(
    ("replicating", "expected"),
    [(1, Status.OK), (199, Status.OK), (200, Status.INFO), (224, Status.INFO),
     (225, Status.WARNING), (249, Status.WARNING), (250, Status.CRITICAL),
     (279, Status.CRITICAL), (280, Status.HYPER_CRITICAL),
     (300, Status.HYPER_CRITICAL)],
)  # fmt: skip
def test_a_unit_of_300_reaches_each_level_at_its_threshold(replicating, expected):
    account = one_account(replicating)
    assert account.status is expected
    assert units(account)["us-east-1"].status is expected


def test_above_the_limit_is_hyper_critical_with_no_slots_left():
    account = one_account(320)
    assert account.status is Status.HYPER_CRITICAL
    assert (account.available_slots, account.percent_used) == (0, 106.7)


@pytest.mark.parametrize(
    ("replicating", "expected"),
    [(333, Status.OK), (334, Status.INFO), (375, Status.WARNING),
     (416, Status.WARNING), (417, Status.CRITICAL), (466, Status.CRITICAL),
     (467, Status.HYPER_CRITICAL)],
)  # fmt: skip
def test_a_raised_quota_of_500_moves_every_threshold(replicating, expected):
    # 2/3 × 500 = 333.3, 3/4 × 500 = 375, 5/6 × 500 = 416.7, 14/15 × 500 = 466.7
    account = one_account(replicating, quota=500)
    assert account.status is expected
    unit = units(account)["us-east-1"]
    assert (unit.max_replicating, unit.limit_source) == (500, LimitSource.APPLIED)
    assert unit.operational_limit == 417


def test_a_lowered_quota_of_100_makes_150_servers_hyper_critical():
    account = one_account(150, quota=100)
    assert account.status is Status.HYPER_CRITICAL
    assert (account.max_replicating, account.available_slots) == (100, 0)
    assert account.operational_limit == 84  # 5/6 × 100 = 83.3


def test_a_unit_carries_its_limit_source_percent_slots_and_operational_limit():
    unit = units(one_account(200))["us-east-1"]
    assert (unit.max_replicating, unit.limit_source) == (300, LimitSource.SETTING)
    assert (unit.operational_limit, unit.percent_used, unit.available_slots) == (
        250, 66.7, 100,
    )  # fmt: skip


def test_an_aws_default_quota_is_labelled_as_such():
    region = applied(replicating_region("us-east-1", 10), 300, LimitSource.AWS_DEFAULT)
    unit = units(account_metrics(reading(STAGING_1, [region]), DEFAULT))["us-east-1"]
    assert unit.limit_source is LimitSource.AWS_DEFAULT


# --- the account: the worst of its units (SPEC §4.3) --------------------------------------


def two_region_account(east: int, west: int, **quotas):
    regions = [
        replicating_region("us-east-1", east),
        replicating_region("us-west-2", west),
    ]
    regions = [
        applied(r, quotas[r.region.replace("-", "_")])
        if r.region.replace("-", "_") in quotas
        else r
        for r in regions
    ]
    return account_metrics(reading(STAGING_1, regions), DEFAULT)


def test_150_servers_in_each_of_two_regions_is_ok_not_hyper_critical():
    account = two_region_account(150, 150)
    assert account.replicating_servers == 300  # the sum is information only
    assert account.status is Status.OK
    assert (account.percent_used, account.available_slots) == (50.0, 150)


def test_44_and_166_servers_in_two_regions_are_ok_in_both_units_and_overall():
    account = two_region_account(44, 166)
    assert [u.status for u in account.regional_breakdown] == [Status.OK, Status.OK]
    assert account.status is Status.OK
    assert account.busiest_region == "us-west-2"


def test_the_account_takes_the_worst_of_its_regions():
    account = two_region_account(250, 10)
    assert account.status is Status.CRITICAL
    assert units(account)["us-west-2"].status is Status.OK


def test_the_busiest_region_is_the_highest_share_of_its_own_limit_not_the_most_servers():
    # 300 of 500 = 60 % against 200 of 300 = 66.7 %
    account = two_region_account(300, 200, us_east_1=500)
    assert account.busiest_region == "us-west-2"
    assert account.status is Status.INFO
    assert (account.max_replicating, account.operational_limit) == (300, 250)
    assert (account.percent_used, account.available_slots) == (66.7, 100)


def test_a_tie_for_busiest_goes_to_the_alphabetically_first_region():
    account = two_region_account(100, 100)
    assert account.busiest_region == "us-east-1"


def test_an_account_without_servers_is_ok_with_the_settings_limit():
    account = account_metrics(
        reading(STAGING_1, [empty_region("us-east-1", RegionState.UNINITIALIZED)]),
        DEFAULT,
    )
    assert (account.status, account.busiest_region) == (Status.OK, None)
    assert (account.max_replicating, account.operational_limit) == (300, 250)
    assert (account.percent_used, account.available_slots) == (0.0, 300)
    assert account.regional_breakdown == ()


def test_empty_regions_are_counted_by_state_instead_of_listed():
    account = account_metrics(
        reading(
            STAGING_1,
            [
                replicating_region("us-east-1", 5),
                replicating_region("us-west-2", 0),
                empty_region("eu-west-1", RegionState.UNINITIALIZED),
                empty_region("ap-east-1", RegionState.NOT_ENABLED),
                empty_region("eu-west-2", RegionState.UNINITIALIZED),
            ],
        ),
        DEFAULT,
    )
    assert [u.region for u in account.regional_breakdown] == ["us-east-1"]
    assert account.empty_regions == {"not-enabled": 1, "ok": 1, "uninitialized": 2}
    assert account.complete is True


def test_a_region_with_only_stopped_servers_is_listed_as_ok():
    account = account_metrics(
        reading(STAGING_1, [region_from_servers("us-east-1", {"STOPPED": 3})]), DEFAULT
    )
    [unit] = account.regional_breakdown
    assert (unit.total_servers, unit.replicating_servers, unit.status) == (
        3, 0, Status.OK,
    )  # fmt: skip


def test_an_error_region_is_unknown_and_never_hides_a_known_worse_level():
    account = account_metrics(
        reading(
            STAGING_1,
            [replicating_region("us-east-1", 230), error_region("us-west-2")],
        ),
        DEFAULT,
    )
    failed = units(account)["us-west-2"]
    assert failed.status is Status.UNKNOWN
    assert (failed.replicating_servers, failed.percent_used) == (None, None)
    assert account.status is Status.WARNING
    assert account.complete is False
    assert account.replicating_servers == 230  # a lower bound


def test_an_account_read_only_in_error_is_unknown():
    account = account_metrics(reading(STAGING_1, [error_region("us-west-2")]), DEFAULT)
    assert account.status is Status.UNKNOWN
    assert account.busiest_region is None
    assert (account.percent_used, account.available_slots) == (None, None)


def test_an_inaccessible_account_has_null_counts_and_unknown_status():
    account = account_metrics(unreachable(STAGING_1), DEFAULT)
    assert account.status is Status.UNKNOWN
    assert account.accessible is False and account.complete is False
    for value in (account.replicating_servers, account.total_servers,
                  account.by_state, account.percent_used, account.available_slots):  # fmt: skip
        assert value is None
    assert account.error.code == "ROLE_NOT_ACCESSIBLE"


def test_account_counts_sum_its_regions_for_information():
    account = account_metrics(
        reading(
            STAGING_1,
            [
                region_from_servers("us-east-1", {"CONTINUOUS": 150, "STOPPED": 10}),
                region_from_servers("us-west-2", {"INITIAL_SYNC": 90, "PAUSED": 5}),
            ],
        ),
        DEFAULT,
    )
    assert (account.replicating_servers, account.total_servers) == (245, 255)
    assert account.by_state == {
        **dict.fromkeys(REPLICATION_STATES, 0),
        "CONTINUOUS": 150, "STOPPED": 10, "INITIAL_SYNC": 90, "PAUSED": 5,
    }  # fmt: skip
    assert account.status is Status.OK  # 150 and 95 of 300; the old sum said WARNING


# --- combined per Region and the binding Region (SPEC §4.3) -------------------------------


def test_a_one_region_estate_gives_the_seeds_numbers():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 200)], "target"),
        reading(STAGING_1, [replicating_region("us-east-1", 250)]),
        reading(STAGING_2, [replicating_region("us-east-1", 300)]),
    )
    combined = snap.combined
    assert combined.region == "us-east-1"
    assert (combined.total_replicating, combined.max_replicating) == (750, 900)
    assert (combined.operational_limit, combined.available_slots) == (750, 150)
    assert combined.status is Status.CRITICAL  # 750 ≥ 5/6 × 900
    assert [a.status for a in snap.accounts] == [
        Status.INFO, Status.CRITICAL, Status.HYPER_CRITICAL,
    ]  # fmt: skip
    assert snap.status is Status.HYPER_CRITICAL


def test_combined_per_region_sums_each_accounts_own_limit_there():
    snap = snapshot(
        reading(TARGET, [applied(replicating_region("us-east-1", 100), 500)], "target"),
        reading(STAGING_1, [replicating_region("us-east-1", 200)]),
        reading(STAGING_2, [applied(replicating_region("us-west-2", 90), 100)]),
    )
    by_region = {c.region: c for c in snap.combined_by_region}
    east, west = by_region["us-east-1"], by_region["us-west-2"]
    # STAGING_2 was not read as holding servers in us-east-1: the setting's 300 there
    assert (east.total_replicating, east.max_replicating) == (300, 500 + 300 + 300)
    # the target and STAGING_1 have no quota read in us-west-2: 300 each
    assert (west.total_replicating, west.max_replicating) == (90, 300 + 300 + 100)
    assert east.reporting_accounts == west.reporting_accounts == 3


def test_the_binding_region_is_the_highest_share_not_the_most_servers():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 250)], "target"),
        reading(
            STAGING_1,
            [
                replicating_region("us-east-1", 250),
                replicating_region("eu-west-1", 280),
            ],
        ),
    )
    # us-east-1: 500 of 600 (83.3 %); eu-west-1: 280 of 600 (46.7 %)
    assert snap.combined.region == "us-east-1"
    assert snap.combined.status is Status.CRITICAL
    # eu-west-1 holds the worst unit: STAGING_1 there is HYPER-CRITICAL
    assert snap.accounts[1].status is Status.HYPER_CRITICAL
    assert snap.accounts[1].busiest_region == "eu-west-1"


def test_a_tie_for_binding_goes_to_the_alphabetically_first_region():
    snap = snapshot(
        reading(
            TARGET,
            [replicating_region("us-west-2", 30), replicating_region("eu-west-1", 30)],
            "target",
        )
    )
    assert snap.combined.region == "eu-west-1"


def test_no_servers_anywhere_is_ok_against_n_times_the_limit():
    snap = snapshot(
        reading(
            TARGET, [empty_region("us-east-1", RegionState.UNINITIALIZED)], "target"
        ),
        reading(STAGING_1),
    )
    combined = snap.combined
    assert combined.region is None
    assert (combined.total_replicating, combined.max_replicating) == (0, 600)
    assert combined.status is Status.OK
    assert snap.combined_by_region == ()


def test_an_inaccessible_account_adds_no_limit_and_is_named_in_the_message():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 100)], "target"),
        unreachable(STAGING_1),
    )
    combined = snap.combined
    assert (combined.max_replicating, combined.reporting_accounts) == (300, 1)
    assert combined.configured_accounts == 2
    assert "Only 1 of 2 accounts are reporting" in combined.message
    assert "1 account." in combined.message


def test_no_reporting_account_makes_combined_unknown():
    snap = snapshot(unreachable(TARGET, "target"), unreachable(STAGING_1))
    assert snap.combined.status is Status.UNKNOWN
    assert snap.combined.percent_used is None
    assert snap.status is Status.UNKNOWN


def test_an_error_region_is_listed_and_its_total_is_a_lower_bound():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 10)], "target"),
        reading(STAGING_1, [error_region("us-west-2")]),
    )
    west = {c.region: c for c in snap.combined_by_region}["us-west-2"]
    assert (west.total_replicating, west.max_replicating) == (0, 600)
    assert "lower bound" in west.message


def test_a_one_region_scope_shows_that_region_even_when_empty():
    readings = (
        reading(TARGET, [replicating_region("us-east-1", 100)], "target"),
        reading(STAGING_1, [applied(replicating_region("eu-west-1", 10), 500)]),
    )
    snap = snapshot(*readings, scope="eu-west-1")
    assert snap.combined.region == "eu-west-1"
    assert (snap.combined.total_replicating, snap.combined.max_replicating) == (10, 800)
    assert snap.accounts[0].replicating_servers == 0
    assert snap.accounts[0].regional_breakdown == ()
    assert snap.recovery_capacity.region == "eu-west-1"
    assert snap.recovery_capacity.current_servers == 0
    empty = snapshot(*readings, scope="ap-south-1").combined
    assert (empty.region, empty.total_replicating, empty.max_replicating) == (
        "ap-south-1", 0, 600,
    )  # fmt: skip


# --- recovery per Region (SPEC §4.3, R10) --------------------------------------------------


def target_with(*regions):
    return reading(TARGET, list(regions), "target")


@pytest.mark.parametrize(
    ("current", "expected"),
    [(3199, Status.OK), (3200, Status.WARNING), (3599, Status.WARNING),
     (3600, Status.CRITICAL), (4000, Status.CRITICAL)],
)  # fmt: skip
def test_recovery_bands_against_4000_source_servers(current, expected):
    snap = snapshot(target_with(region_from_servers("us-east-1", {"STOPPED": current})))
    recovery = snap.recovery_capacity
    assert recovery.status is expected
    assert (recovery.region, recovery.current_servers) == ("us-east-1", current)
    assert (recovery.max_recovery_instances, recovery.limit_source) == (
        4000, LimitSource.SETTING,
    )  # fmt: skip


def test_recovery_is_per_region_against_that_regions_quota():
    raised = replace(
        region_from_servers("us-east-1", {"STOPPED": 3300}),
        recovery_limit=Quota(5000, LimitSource.APPLIED),
    )
    snap = snapshot(
        target_with(raised, region_from_servers("eu-west-1", {"STOPPED": 3200}))
    )
    by_region = {r.region: r for r in snap.recovery_by_region}
    assert by_region["us-east-1"].status is Status.OK  # 66 % of 5000
    assert by_region["eu-west-1"].status is Status.WARNING  # 80 % of 4000
    assert snap.recovery_capacity.region == "eu-west-1"
    assert snap.status is Status.WARNING


def test_recovery_counts_extended_servers_of_the_target_only():
    snap = snapshot(
        target_with(
            region_from_servers("us-east-1", {"CONTINUOUS": 10}, {"CONTINUOUS": 50})
        ),
        reading(STAGING_1, [replicating_region("us-east-1", 200)]),
    )
    assert snap.recovery_capacity.current_servers == 60


def test_recovery_without_target_servers_is_zero_of_the_setting():
    snap = snapshot(target_with())
    recovery = snap.recovery_capacity
    assert (recovery.region, recovery.current_servers) == (None, 0)
    assert (recovery.max_recovery_instances, recovery.status) == (4000, Status.OK)


def test_recovery_is_unknown_when_the_target_is_inaccessible_or_partly_unread():
    assert snapshot(unreachable(TARGET, "target")).recovery_capacity.status is (
        Status.UNKNOWN
    )
    partial = snapshot(target_with(error_region("us-east-1"))).recovery_capacity
    assert (partial.status, partial.current_servers) == (Status.UNKNOWN, None)


# --- overall status (SPEC §4.3) ------------------------------------------------------------


def test_the_overall_status_is_the_worst_unit_even_when_combined_is_ok():
    snap = snapshot(
        target_with(replicating_region("us-east-1", 10)),
        reading(STAGING_1, [replicating_region("us-west-2", 260)]),
        reading(STAGING_2),
    )
    assert snap.combined.status is Status.OK  # 260 of 900 in us-west-2
    assert snap.status is Status.CRITICAL


def test_an_unreadable_account_never_hides_a_known_worse_level_overall():
    snap = snapshot(
        target_with(replicating_region("us-east-1", 230)), unreachable(STAGING_1)
    )
    assert snap.status is Status.WARNING
    ok = snapshot(
        target_with(replicating_region("us-east-1", 10)), unreachable(STAGING_1)
    )
    assert ok.status is Status.OK and ok.complete is False


def server(state: str | None, extended: bool = False) -> dict:
    item: dict = {"sourceServerID": "s-1"}
    if state is not None:
        item["dataReplicationInfo"] = {"dataReplicationState": state}
    if extended:
        item["stagingArea"] = {"status": "EXTENDED"}
    return item


def test_stopped_and_disconnected_servers_do_not_replicate_but_paused_and_stalled_do():
    pages = [
        {"items": [server("CONTINUOUS"), server("STOPPED"), server("DISCONNECTED")]},
        {"items": [server("PAUSED"), server("STALLED")]},
    ]
    region = count_servers(pages, "us-east-1", Settings.non_replicating_states)
    assert region.total_servers == 5
    assert region.replicating_servers == 3
    assert region.by_state["STOPPED"] == region.by_state["PAUSED"] == 1


def test_extended_servers_count_in_total_and_extended_but_never_replicating():
    pages = [{"items": [server("CONTINUOUS", extended=True)] * 4 + [server("BACKLOG")]}]
    region = count_servers(pages, "us-east-1", Settings.non_replicating_states)
    assert (region.total_servers, region.extended_servers) == (5, 4)
    assert region.replicating_servers == 1
    assert region.by_state["CONTINUOUS"] == 4


def test_the_non_counting_states_are_a_setting():
    assert Settings.non_replicating_states == frozenset({"STOPPED", "DISCONNECTED"})
    pages = [{"items": [server("PAUSED"), server("STOPPED"), server("CONTINUOUS")]}]
    stricter = frozenset({"STOPPED", "DISCONNECTED", "PAUSED"})
    assert count_servers(pages, "r", stricter).replicating_servers == 1
    assert count_servers(pages, "r", frozenset()).replicating_servers == 3


def test_the_non_counting_states_can_be_set_from_the_environment():
    settings = Settings.from_env(
        {
            "DRS_CAPACITY_NON_REPLICATING_STATES": "STOPPED, DISCONNECTED, PAUSED",
            "DRS_CAPACITY_REGIONS": "us-east-1",
        }
    )
    assert settings.non_replicating_states == {"STOPPED", "DISCONNECTED", "PAUSED"}


def test_by_state_has_all_ten_states_even_when_empty():
    region = count_servers(
        [{"items": []}], "us-east-1", Settings.non_replicating_states
    )
    assert region.by_state == dict.fromkeys(REPLICATION_STATES, 0)
    assert len(REPLICATION_STATES) == 10


def test_extended_servers_reach_the_account_and_recovery_but_not_replication():
    target = reading(
        TARGET,
        [region_from_servers("us-east-1", {"CONTINUOUS": 10}, {"CONTINUOUS": 50})],
        "target",
    )
    snap = snapshot(target)
    account = snap.accounts[0]
    assert (account.total_servers, account.extended_servers) == (60, 50)
    assert account.replicating_servers == 10
    assert snap.recovery_capacity.current_servers == 60


# --- Region states and inaccessible accounts (SPEC §3, R9.4–9.5) --------------------------


# --- wire form (SPEC §7) ---------------------------------------------------------------------

SNAPSHOT_KEYS = {
    "targetAccountId", "scope", "collectedAt", "complete", "status", "combined",
    "combinedByRegion", "accounts", "recoveryCapacity", "recoveryByRegion", "warnings",
}  # fmt: skip
COMBINED_KEYS = {
    "region", "totalReplicating", "maxReplicating", "operationalLimit", "percentUsed",
    "availableSlots", "status", "message", "configuredAccounts", "reportingAccounts",
}  # fmt: skip
ACCOUNT_KEYS = {
    "accountId", "accountName", "accountType", "accessible", "complete", "error",
    "replicatingServers", "totalServers", "extendedServers", "byState", "busiestRegion",
    "maxReplicating", "operationalLimit", "percentUsed", "availableSlots", "status",
    "regionalBreakdown", "emptyRegions",
}  # fmt: skip
REGION_KEYS = {
    "region", "state", "totalServers", "replicatingServers", "extendedServers",
    "byState", "maxReplicating", "limitSource", "operationalLimit", "percentUsed",
    "availableSlots", "status", "error",
}  # fmt: skip
RECOVERY_KEYS = {
    "region", "currentServers", "maxRecoveryInstances", "limitSource", "percentUsed",
    "availableSlots", "status",
}  # fmt: skip
WARNING_KEYS = {"level", "scope", "accountId", "region", "message", "action"}


def spec_example_snapshot():
    """The fleet of SPEC §9's scenario, plus an inaccessible staging account."""
    return snapshot(
        reading(
            TARGET,
            [
                region_from_servers(
                    "us-east-1",
                    {"CONTINUOUS": 120, "STALLED": 3, "STOPPED": 4},
                    {"CONTINUOUS": 50},
                ),
                empty_region("eu-west-1", RegionState.UNINITIALIZED),
            ],
            "target",
            name="dr-target",
        ),
        reading(
            STAGING_1,
            [replicating_region("us-east-1", 50), error_region("us-west-2")],
            name="staging-01",
        ),
        unreachable(STAGING_2, name="staging-02"),
    )


def test_snapshot_wire_form_has_exactly_the_spec_keys():
    wire = spec_example_snapshot().to_dict()
    assert set(wire) == SNAPSHOT_KEYS
    for combined in [wire["combined"], *wire["combinedByRegion"]]:
        assert set(combined) == COMBINED_KEYS
    for recovery in [wire["recoveryCapacity"], *wire["recoveryByRegion"]]:
        assert set(recovery) == RECOVERY_KEYS
    assert len(wire["accounts"]) == 3
    for account in wire["accounts"]:
        assert set(account) == ACCOUNT_KEYS
        for region in account["regionalBreakdown"]:
            assert set(region) == REGION_KEYS
    assert wire["warnings"]
    for warning in wire["warnings"]:
        assert set(warning) == WARNING_KEYS


def test_snapshot_wire_form_is_plain_json():
    wire = spec_example_snapshot().to_dict()
    # A round trip through JSON changes nothing: no enums, tuples or Fractions leak.
    assert json.loads(json.dumps(wire)) == wire
    assert type(wire["status"]) is str
    assert type(wire["accounts"][0]["regionalBreakdown"][0]["limitSource"]) is str
    assert type(wire["combinedByRegion"]) is list


def test_snapshot_wire_form_values_for_the_spec_example():
    wire = spec_example_snapshot().to_dict()
    assert (wire["targetAccountId"], wire["scope"], wire["collectedAt"]) == (
        TARGET, "all", AT,
    )  # fmt: skip
    assert (wire["complete"], wire["status"]) == (False, "OK")
    target, staging, down = wire["accounts"]
    assert (target["totalServers"], target["replicatingServers"]) == (177, 123)
    assert target["extendedServers"] == 50
    assert target["byState"]["CONTINUOUS"] == 170
    assert (target["busiestRegion"], target["percentUsed"]) == ("us-east-1", 41.0)
    assert target["emptyRegions"] == {"uninitialized": 1}
    assert [r["region"] for r in target["regionalBreakdown"]] == ["us-east-1"]
    assert staging["complete"] is False
    assert staging["replicatingServers"] == 50
    failed = next(r for r in staging["regionalBreakdown"] if r["region"] == "us-west-2")
    assert (failed["state"], failed["status"], failed["totalServers"]) == (
        "error", "UNKNOWN", None,
    )  # fmt: skip
    assert failed["error"] == {"code": "AWS_THROTTLED",
                               "message": "Rate exceeded after retries"}  # fmt: skip
    assert (down["accessible"], down["status"], down["regionalBreakdown"]) == (
        False, "UNKNOWN", [],
    )  # fmt: skip
    assert down["byState"] is None and down["busiestRegion"] is None
    assert wire["combined"] == {
        "region": "us-east-1",
        "totalReplicating": 173,
        "maxReplicating": 600,
        "operationalLimit": 500,
        "percentUsed": 28.8,
        "availableSlots": 427,
        "status": "OK",
        "message": "173 of 600 replicating servers used in us-east-1 (28.8%), "
        "427 slots available across 2 accounts. Only 2 of 3 accounts are reporting.",
        "configuredAccounts": 3,
        "reportingAccounts": 2,
    }
    assert [c["region"] for c in wire["combinedByRegion"]] == ["us-east-1", "us-west-2"]
    assert wire["recoveryCapacity"] == {
        "region": "us-east-1",
        "currentServers": 177,
        "maxRecoveryInstances": 4000,
        "limitSource": "setting",
        "percentUsed": 4.4,
        "availableSlots": 3823,
        "status": "OK",
    }
    data = [w for w in wire["warnings"] if w["scope"] == "data"]
    assert {(w["accountId"], w["region"]) for w in data} == {
        (STAGING_1, "us-west-2"),
        (STAGING_2, None),
    }


def test_unknown_recovery_is_null_on_the_wire():
    wire = snapshot(unreachable(TARGET, "target")).to_dict()
    assert wire["recoveryCapacity"]["currentServers"] is None
    assert wire["recoveryCapacity"]["status"] == "UNKNOWN"
    assert wire["combined"]["status"] == "UNKNOWN"
    assert wire["combined"]["percentUsed"] is None
    json.dumps(wire)
