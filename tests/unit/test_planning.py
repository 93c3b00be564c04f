"""Capacity planning (SPEC §5, R2.4): the impact of removing a staging account."""

from __future__ import annotations

import json

from services.capacity import Limits, build_snapshot
from services.planning import removal_impact
from tests.strategies import (
    reading,
    region_from_servers,
    replicating_region,
    unreachable,
)

TARGET, STAGING_1, STAGING_2 = "111111111111", "222222222222", "333333333333"
AT = "2026-11-26T08:30:00Z"
DEFAULT = Limits()


def snapshot(*readings, limits=DEFAULT):
    return build_snapshot(TARGET, list(readings), limits, AT)


def target_with(replicating: int):
    return reading(TARGET, [replicating_region("us-east-1", replicating)], "target")


# --- removal impact ----------------------------------------------------------------------------


def test_removing_a_staging_account_with_replicating_servers():
    snap = snapshot(
        target_with(200),
        reading(STAGING_1, [replicating_region("us-east-1", 120)]),
        reading(STAGING_2, [replicating_region("eu-west-1", 30)]),
    )
    impact = removal_impact(snap, STAGING_1, 300)
    assert impact["accountId"] == STAGING_1
    assert impact["hasReplicatingServers"] is True
    assert impact["replicatingServers"] == 120
    assert (impact["totalBefore"], impact["totalAfter"]) == (350, 230)
    assert (impact["maxBefore"], impact["maxAfter"]) == (900, 600)
    assert impact["percentAfter"] == 38.3
    assert impact["statusAfter"] == "OK"
    assert "900" in impact["message"] and "600" in impact["message"]
    assert "120" in impact["message"]


def test_removal_can_push_the_rest_into_a_higher_band():
    snap = snapshot(target_with(260), reading(STAGING_1, [replicating_region("x", 10)]))
    impact = removal_impact(snap, STAGING_1, 300)
    assert (impact["totalAfter"], impact["maxAfter"]) == (260, 300)
    assert impact["statusAfter"] == "CRITICAL"


def test_removing_a_staging_account_with_only_stopped_servers_loses_only_capacity():
    snap = snapshot(
        target_with(100),
        reading(STAGING_1, [region_from_servers("us-east-1", {"STOPPED": 40})]),
    )
    impact = removal_impact(snap, STAGING_1, 300)
    assert impact["hasReplicatingServers"] is False
    assert impact["replicatingServers"] == 0
    assert (impact["totalAfter"], impact["maxBefore"], impact["maxAfter"]) == (
        100,
        600,
        300,
    )


def test_removing_an_inaccessible_staging_account_changes_nothing_counted():
    # It is not in N, so neither the maximum nor the total move; its servers are unknown.
    snap = snapshot(target_with(100), unreachable(STAGING_1))
    impact = removal_impact(snap, STAGING_1, 300)
    assert impact["replicatingServers"] is None
    assert (impact["maxBefore"], impact["maxAfter"]) == (300, 300)
    assert (impact["totalBefore"], impact["totalAfter"]) == (100, 100)


def test_removing_the_last_counted_account_leaves_an_unknown_status():
    snap = snapshot(
        unreachable(TARGET, "target"), reading(STAGING_1, [replicating_region("x", 5)])
    )
    impact = removal_impact(snap, STAGING_1, 300)
    assert impact["maxAfter"] == 0
    assert impact["percentAfter"] is None
    assert impact["statusAfter"] == "UNKNOWN"


def test_removal_impact_uses_the_configured_limit():
    limits = Limits(replication=600)
    snap = snapshot(
        target_with(450),
        reading(STAGING_1, [replicating_region("x", 50)]),
        limits=limits,
    )
    impact = removal_impact(snap, STAGING_1, 600)
    assert (impact["maxBefore"], impact["maxAfter"], impact["totalAfter"]) == (
        1200,
        600,
        450,
    )
    assert impact["statusAfter"] == "WARNING"


def test_removal_impact_is_plain_json():
    snap = snapshot(target_with(10), reading(STAGING_1, [replicating_region("x", 5)]))
    impact = removal_impact(snap, STAGING_1, 300)
    assert json.loads(json.dumps(impact)) == impact
