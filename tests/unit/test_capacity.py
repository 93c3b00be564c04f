"""Capacity rules of SPEC §3–4 and the snapshot wire form of §7, on hand-computed examples."""

from __future__ import annotations

import json

import pytest

from services.capacity import (
    Limits,
    account_metrics,
    build_snapshot,
    combined_metrics,
    recovery_metrics,
)
from services.collector import count_servers
from services.models import RegionState, Status
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


def one_account(replicating: int, limit: int = 300):
    return account_metrics(
        reading(STAGING_1, [replicating_region("us-east-1", replicating)]), limit, "all"
    )


# --- per-account bands (SPEC §4) ----------------------------------------------------------


def test_account_at_199_servers_is_ok():
    assert one_account(199).status is Status.OK


def test_account_at_200_servers_is_info():
    assert one_account(200).status is Status.INFO


def test_account_at_224_servers_is_info():
    assert one_account(224).status is Status.INFO


def test_account_at_225_servers_is_warning():
    assert one_account(225).status is Status.WARNING


def test_account_at_249_servers_is_warning():
    assert one_account(249).status is Status.WARNING


def test_account_at_250_servers_is_critical():
    assert one_account(250).status is Status.CRITICAL


def test_account_at_279_servers_is_critical():
    assert one_account(279).status is Status.CRITICAL


def test_account_at_280_servers_is_hyper_critical():
    assert one_account(280).status is Status.HYPER_CRITICAL


def test_account_at_300_servers_is_hyper_critical():
    assert one_account(300).status is Status.HYPER_CRITICAL


def test_account_above_300_servers_is_hyper_critical_with_no_slots_left():
    account = one_account(320)
    assert account.status is Status.HYPER_CRITICAL
    assert account.available_slots == 0
    assert account.percent_used == 106.7


@pytest.mark.parametrize(
    ("replicating", "expected"),
    [(399, Status.OK), (400, Status.INFO), (450, Status.WARNING),
     (500, Status.CRITICAL), (560, Status.HYPER_CRITICAL)],
)  # fmt: skip
def test_account_bands_scale_with_a_limit_of_600(replicating, expected):
    account = one_account(replicating, limit=600)
    assert account.status is expected
    assert account.max_replicating == 600


def test_account_metrics_carry_limit_percent_and_slots():
    account = one_account(200)
    assert (account.max_replicating, account.percent_used, account.available_slots) == (
        300,
        66.7,
        100,
    )


def test_account_counts_sum_its_regions_and_each_region_gets_its_own_band():
    account = account_metrics(
        reading(
            STAGING_1,
            [
                region_from_servers("us-east-1", {"CONTINUOUS": 150, "STOPPED": 10}),
                region_from_servers("us-west-2", {"INITIAL_SYNC": 90, "PAUSED": 5}),
            ],
        ),
        300,
        "all",
    )
    assert account.replicating_servers == 245
    assert account.total_servers == 255
    assert account.status is Status.WARNING
    assert account.by_state == {
        **dict.fromkeys(REPLICATION_STATES, 0),
        "CONTINUOUS": 150,
        "STOPPED": 10,
        "INITIAL_SYNC": 90,
        "PAUSED": 5,
    }
    regions = {r.region: r for r in account.regional_breakdown}
    assert regions["us-east-1"].replicating_servers == 150
    assert regions["us-east-1"].status is Status.OK
    assert regions["us-east-1"].available_slots == 150
    assert regions["us-west-2"].replicating_servers == 95
    assert regions["us-west-2"].percent_used == 31.7


# --- what counts (SPEC §3) ----------------------------------------------------------------


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


def test_uninitialized_and_not_enabled_regions_count_zero_and_keep_the_account_complete():
    account = account_metrics(
        reading(
            STAGING_1,
            [
                replicating_region("us-east-1", 12),
                empty_region("eu-west-1", RegionState.UNINITIALIZED),
                empty_region("ap-east-1", RegionState.NOT_ENABLED),
            ],
        ),
        300,
        "all",
    )
    assert account.complete is True
    assert (account.replicating_servers, account.total_servers) == (12, 12)
    assert [r.region for r in account.regional_breakdown] == ["us-east-1"]


def test_empty_regions_that_were_read_are_left_out_of_the_breakdown():
    account = account_metrics(
        reading(STAGING_1, [replicating_region("us-east-1", 0)]), 300, "all"
    )
    assert account.regional_breakdown == ()
    assert account.replicating_servers == 0
    assert account.complete is True


def test_a_region_with_only_stopped_servers_is_listed():
    account = account_metrics(
        reading(STAGING_1, [region_from_servers("us-east-1", {"STOPPED": 3})]),
        300,
        "all",
    )
    [region] = account.regional_breakdown
    assert (region.total_servers, region.replicating_servers) == (3, 0)


def test_region_in_error_makes_the_account_incomplete_with_lower_bound_counts():
    snap = snapshot(
        reading(
            TARGET,
            [replicating_region("us-east-1", 40), error_region("us-west-2")],
            "target",
        )
    )
    account = snap.accounts[0]
    assert account.accessible is True
    assert account.complete is False
    assert (account.replicating_servers, account.total_servers) == (40, 40)
    failed = next(r for r in account.regional_breakdown if r.region == "us-west-2")
    assert failed.state is RegionState.ERROR
    assert failed.total_servers is None
    assert failed.replicating_servers is None
    assert failed.extended_servers is None
    assert failed.by_state is None
    assert failed.percent_used is None and failed.available_slots is None
    assert failed.status is Status.UNKNOWN
    assert failed.error.code == "AWS_THROTTLED"
    assert snap.complete is False
    # Still accessible: it counts in N with its lower bound.
    assert snap.combined.reporting_accounts == 1
    assert snap.combined.total_replicating == 40
    assert "lower bound" in snap.combined.message


def test_a_complete_collection_does_not_call_its_total_a_lower_bound():
    snap = snapshot(reading(TARGET, [replicating_region("us-east-1", 40)], "target"))
    assert "lower bound" not in snap.combined.message


def test_inaccessible_account_has_null_counts_and_unknown_status():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 100)], "target"),
        unreachable(STAGING_1),
    )
    down = snap.accounts[1]
    assert down.accessible is False
    assert down.status is Status.UNKNOWN
    assert down.replicating_servers is None
    assert down.total_servers is None
    assert down.extended_servers is None
    assert down.by_state is None
    assert down.percent_used is None and down.available_slots is None
    assert down.error.code == "ROLE_NOT_ACCESSIBLE" and down.error.message
    assert down.regional_breakdown == ()
    assert snap.complete is False
    assert snap.combined.reporting_accounts == 1
    assert snap.combined.configured_accounts == 2
    assert snap.combined.max_replicating == 300


# --- combined (SPEC §4, R4.2–4.3) ---------------------------------------------------------


def test_combined_sums_accessible_accounts_against_n_times_the_limit():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 200)], "target"),
        reading(STAGING_1, [replicating_region("us-east-1", 250)]),
        reading(STAGING_2, [replicating_region("eu-west-1", 50)]),
    )
    combined = snap.combined
    assert combined.total_replicating == 500
    assert combined.max_replicating == 900
    assert combined.operational_limit == 750
    assert combined.percent_used == 55.6
    assert combined.available_slots == 400
    assert combined.status is Status.OK
    assert (combined.configured_accounts, combined.reporting_accounts) == (3, 3)


@pytest.mark.parametrize(
    ("total", "expected"),
    [(399, Status.OK), (400, Status.INFO), (450, Status.WARNING),
     (500, Status.CRITICAL), (560, Status.HYPER_CRITICAL)],
)  # fmt: skip
def test_combined_bands_use_the_share_of_n_times_the_limit(total, expected):
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", total - 100)], "target"),
        reading(STAGING_1, [replicating_region("us-east-1", 100)]),
    )
    assert snap.combined.status is expected


def test_combined_available_slots_never_go_below_zero():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 300),
                         replicating_region("us-west-2", 100)], "target"),
    )  # fmt: skip
    assert snap.combined.total_replicating == 400
    assert snap.combined.available_slots == 0
    assert snap.combined.percent_used == 133.3


def test_no_accessible_account_makes_combined_unknown():
    snap = snapshot(unreachable(TARGET, "target"), unreachable(STAGING_1))
    combined = snap.combined
    assert combined.status is Status.UNKNOWN
    assert combined.max_replicating == 0
    assert combined.total_replicating == 0
    assert combined.percent_used is None
    assert (combined.configured_accounts, combined.reporting_accounts) == (2, 0)


def test_combined_of_no_accounts_at_all_is_unknown():
    combined = combined_metrics([], 300)
    assert combined.status is Status.UNKNOWN
    assert combined.configured_accounts == 0


def test_combined_operational_limit_keeps_one_decimal_when_not_whole():
    snap = snapshot(
        reading(TARGET, [replicating_region("us-east-1", 1)], "target"),
        limits=Limits(replication=7),
    )
    assert snap.combined.operational_limit == 5.8


# --- recovery (SPEC §4, R10) ---------------------------------------------------------------


def target_holding(total: int, stopped: int = 0):
    return reading(
        TARGET,
        [region_from_servers("us-east-1", {"CONTINUOUS": total - stopped,
                                           "STOPPED": stopped})],
        "target",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("current", "expected"),
    [(3199, Status.OK), (3200, Status.WARNING), (3599, Status.WARNING),
     (3600, Status.CRITICAL), (4000, Status.CRITICAL)],
)  # fmt: skip
def test_recovery_bands_against_4000_source_servers(current, expected):
    recovery = snapshot(target_holding(current, stopped=1000)).recovery_capacity
    assert recovery.status is expected
    assert recovery.current_servers == current
    assert recovery.max_recovery_instances == 4000
    assert recovery.available_slots == 4000 - current


@pytest.mark.parametrize(
    ("current", "expected"),
    [(799, Status.OK), (800, Status.WARNING), (899, Status.WARNING),
     (900, Status.CRITICAL)],
)  # fmt: skip
def test_recovery_bands_scale_with_another_maximum(current, expected):
    snap = snapshot(target_holding(current), limits=Limits(recovery=1000))
    assert snap.recovery_capacity.status is expected
    assert snap.recovery_capacity.max_recovery_instances == 1000


def test_recovery_counts_the_target_only():
    snap = snapshot(
        target_holding(3000),
        reading(STAGING_1, [replicating_region("us-east-1", 290)]),
    )
    recovery = snap.recovery_capacity
    assert recovery.current_servers == 3000
    assert recovery.percent_used == 75.0
    assert recovery.status is Status.OK


def test_recovery_is_unknown_when_the_target_is_inaccessible():
    snap = snapshot(
        unreachable(TARGET, "target"),
        reading(STAGING_1, [replicating_region("us-east-1", 10)]),
    )
    recovery = snap.recovery_capacity
    assert recovery.status is Status.UNKNOWN
    assert recovery.current_servers is None
    assert recovery.percent_used is None and recovery.available_slots is None


def test_recovery_metrics_without_a_target_is_unknown():
    assert recovery_metrics(None, 4000).status is Status.UNKNOWN


# --- scope (SPEC §4) -------------------------------------------------------------------------


def test_one_region_scope_counts_only_that_region():
    target = reading(
        TARGET,
        [replicating_region("us-east-1", 260), replicating_region("eu-west-1", 20),
         error_region("us-west-2")],
        "target",
    )  # fmt: skip
    staging = reading(STAGING_1, [replicating_region("eu-west-1", 200)])
    whole = snapshot(target, staging)
    east = snapshot(target, staging, scope="us-east-1")
    west = snapshot(target, staging, scope="eu-west-1")
    assert whole.accounts[0].replicating_servers == 280
    assert whole.complete is False
    assert east.scope == "us-east-1"
    assert east.accounts[0].replicating_servers == 260
    assert east.accounts[0].status is Status.CRITICAL
    assert east.accounts[1].replicating_servers == 0
    assert east.complete is True  # the Region in error is out of scope
    assert [r.region for r in east.accounts[0].regional_breakdown] == ["us-east-1"]
    assert west.combined.total_replicating == 220
    assert west.accounts[1].status is Status.INFO


# --- wire form (SPEC §7) ---------------------------------------------------------------------

SNAPSHOT_KEYS = {
    "targetAccountId", "scope", "collectedAt", "complete", "combined", "accounts",
    "recoveryCapacity", "warnings",
}  # fmt: skip
COMBINED_KEYS = {
    "totalReplicating", "maxReplicating", "operationalLimit", "percentUsed",
    "availableSlots", "status", "message", "configuredAccounts", "reportingAccounts",
}  # fmt: skip
ACCOUNT_KEYS = {
    "accountId", "accountName", "accountType", "accessible", "complete", "error",
    "replicatingServers", "totalServers", "extendedServers", "byState",
    "maxReplicating", "percentUsed", "availableSlots", "status", "regionalBreakdown",
}  # fmt: skip
REGION_KEYS = {
    "region", "state", "totalServers", "replicatingServers", "extendedServers",
    "byState", "maxReplicating", "percentUsed", "availableSlots", "status", "error",
}  # fmt: skip
RECOVERY_KEYS = {
    "currentServers",
    "maxRecoveryInstances",
    "percentUsed",
    "availableSlots",
    "status",
}
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
    assert set(wire["combined"]) == COMBINED_KEYS
    assert set(wire["recoveryCapacity"]) == RECOVERY_KEYS
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
    assert type(wire["combined"]["status"]) is str
    assert type(wire["accounts"]) is list
    assert type(wire["accounts"][0]["regionalBreakdown"]) is list
    assert type(wire["accounts"][0]["regionalBreakdown"][0]["state"]) is str
    assert type(wire["warnings"][0]["level"]) is str


def test_snapshot_wire_form_values_for_the_spec_example():
    wire = spec_example_snapshot().to_dict()
    assert (wire["targetAccountId"], wire["scope"], wire["collectedAt"]) == (
        TARGET,
        "all",
        AT,
    )
    assert wire["complete"] is False
    target, staging, down = wire["accounts"]
    assert target["accountType"] == "target" and staging["accountType"] == "staging"
    assert target["accountName"] == "dr-target"
    assert target["totalServers"] == 177
    assert (
        target["replicatingServers"] == 123
    )  # STALLED counts, STOPPED and extended don't
    assert target["extendedServers"] == 50
    assert target["byState"]["CONTINUOUS"] == 170
    assert target["complete"] is True
    assert target["status"] == "OK"
    assert [r["region"] for r in target["regionalBreakdown"]] == ["us-east-1"]
    assert staging["complete"] is False
    assert staging["replicatingServers"] == 50
    failed = next(r for r in staging["regionalBreakdown"] if r["region"] == "us-west-2")
    assert failed["state"] == "error"
    assert failed["totalServers"] is None and failed["replicatingServers"] is None
    assert failed["status"] == "UNKNOWN"
    assert failed["error"] == {"code": "AWS_THROTTLED",
                               "message": "Rate exceeded after retries"}  # fmt: skip
    assert down["accessible"] is False
    assert down["status"] == "UNKNOWN"
    for key in ("replicatingServers", "totalServers", "extendedServers", "byState",
                "percentUsed", "availableSlots"):  # fmt: skip
        assert down[key] is None
    assert down["error"]["code"] == "ROLE_NOT_ACCESSIBLE"
    assert down["regionalBreakdown"] == []
    combined = wire["combined"]
    assert combined["totalReplicating"] == 173
    assert combined["maxReplicating"] == 600
    assert combined["operationalLimit"] == 500
    assert combined["percentUsed"] == 28.8
    assert combined["availableSlots"] == 427
    assert combined["status"] == "OK"
    assert (combined["configuredAccounts"], combined["reportingAccounts"]) == (3, 2)
    assert wire["recoveryCapacity"] == {
        "currentServers": 177,
        "maxRecoveryInstances": 4000,
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
