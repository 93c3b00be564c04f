"""Capacity planning (SPEC §5, R2.4): the impact of removing a staging account, per Region,
and the projection of adding one (SPEC §6)."""

from __future__ import annotations

import json
from dataclasses import replace

from services.capacity import Limits
from services.models import LimitSource, Quota
from services.planning import projection_with, removal_impact
from tests.strategies import (
    reading,
    region_from_servers,
    replicating_region,
    unreachable,
)

TARGET, STAGING_1, STAGING_2 = "111111111111", "222222222222", "333333333333"
DEFAULT = Limits()


def impact_of(staging_id, *readings, limits=DEFAULT):
    return removal_impact(TARGET, list(readings), staging_id, limits)


def target_with(replicating: int, region: str = "us-east-1"):
    return reading(TARGET, [replicating_region(region, replicating)], "target")


def by_region(impact):
    return {r["region"]: r for r in impact["regions"]}


# --- removal impact ----------------------------------------------------------------------------


def test_removing_a_staging_account_with_replicating_servers():
    impact = impact_of(
        STAGING_1,
        target_with(200),
        reading(STAGING_1, [replicating_region("us-east-1", 120)]),
        reading(STAGING_2, [replicating_region("eu-west-1", 30)]),
    )
    assert impact["accountId"] == STAGING_1
    assert (impact["hasReplicatingServers"], impact["replicatingServers"]) == (
        True,
        120,
    )
    # the binding Region, us-east-1: 320 of 900 before, 200 of 600 after
    assert (impact["regionBefore"], impact["regionAfter"]) == ("us-east-1", "us-east-1")
    assert (impact["totalBefore"], impact["totalAfter"]) == (320, 200)
    assert (impact["maxBefore"], impact["maxAfter"]) == (900, 600)
    assert (impact["percentAfter"], impact["statusAfter"]) == (33.3, "OK")
    regions = by_region(impact)
    assert regions["us-east-1"]["serversLost"] == 120
    assert regions["eu-west-1"] == {
        "region": "eu-west-1", "serversLost": 0, "totalBefore": 30, "totalAfter": 30,
        "maxBefore": 900, "maxAfter": 600, "statusBefore": "OK", "statusAfter": "OK",
    }  # fmt: skip
    assert "120" in impact["message"] and "900 → 600" in impact["message"]


def test_removal_can_push_the_rest_of_a_region_into_a_higher_band():
    impact = impact_of(
        STAGING_1, target_with(260), reading(STAGING_1, [replicating_region("x", 10)])
    )
    east = by_region(impact)["us-east-1"]
    assert (east["totalAfter"], east["maxAfter"]) == (260, 300)
    assert (east["statusBefore"], east["statusAfter"]) == ("OK", "CRITICAL")
    assert impact["statusAfter"] == "CRITICAL"


def test_removal_takes_away_the_accounts_own_quota_in_each_region():
    raised = replace(
        replicating_region("us-east-1", 50),
        replication_limit=Quota(500, LimitSource.APPLIED),
    )
    impact = impact_of(STAGING_1, target_with(200), reading(STAGING_1, [raised]))
    east = by_region(impact)["us-east-1"]
    assert (east["maxBefore"], east["maxAfter"]) == (800, 300)
    assert (east["totalBefore"], east["totalAfter"]) == (250, 200)


def test_removing_an_account_with_only_stopped_servers_loses_only_capacity():
    impact = impact_of(
        STAGING_1,
        target_with(100),
        reading(STAGING_1, [region_from_servers("us-east-1", {"STOPPED": 40})]),
    )
    assert (impact["hasReplicatingServers"], impact["replicatingServers"]) == (False, 0)
    assert (impact["totalAfter"], impact["maxBefore"], impact["maxAfter"]) == (
        100, 600, 300,
    )  # fmt: skip


def test_removing_an_inaccessible_staging_account_changes_nothing_counted():
    # It is not in N, so neither the maximum nor the total move; its servers are unknown.
    impact = impact_of(STAGING_1, target_with(100), unreachable(STAGING_1))
    assert impact["replicatingServers"] is None
    assert impact["hasReplicatingServers"] is None
    assert (impact["maxBefore"], impact["maxAfter"]) == (300, 300)
    assert (impact["totalBefore"], impact["totalAfter"]) == (100, 100)


def test_removing_the_last_counted_account_leaves_an_unknown_status():
    impact = impact_of(
        STAGING_1,
        unreachable(TARGET, "target"),
        reading(STAGING_1, [replicating_region("x", 5)]),
    )
    assert impact["maxAfter"] == 0
    assert impact["percentAfter"] is None
    assert impact["statusAfter"] == "UNKNOWN"


def test_removal_impact_uses_the_configured_limit():
    impact = impact_of(
        STAGING_1,
        target_with(450),
        reading(STAGING_1, [replicating_region("us-east-1", 50)]),
        limits=Limits(replication=600),
    )
    assert (impact["maxBefore"], impact["maxAfter"], impact["totalAfter"]) == (
        1200, 600, 450,
    )  # fmt: skip
    assert impact["statusAfter"] == "WARNING"


def test_removal_impact_is_plain_json():
    impact = impact_of(
        STAGING_1, target_with(10), reading(STAGING_1, [replicating_region("x", 5)])
    )
    assert json.loads(json.dumps(impact)) == impact


# --- projection of adding an account (SPEC §6) ---------------------------------------------


def test_a_new_account_adds_its_servers_and_its_limit_in_every_region():
    readings = [
        target_with(240),
        reading(STAGING_1, [replicating_region("us-east-1", 10)]),
    ]
    candidate = reading(
        STAGING_2,
        [replicating_region("us-east-1", 20), replicating_region("eu-west-1", 280)],
    )
    after = projection_with(TARGET, readings, candidate, DEFAULT)
    # us-east-1: 270 of 900 (30 %); eu-west-1: 280 of 900 (31.1 %) binds
    assert (after.region, after.total_replicating, after.max_replicating) == (
        "eu-west-1", 280, 900,
    )  # fmt: skip


def test_a_registered_account_is_replaced_by_its_fresh_reading_not_counted_twice():
    readings = [
        target_with(100),
        reading(STAGING_1, [replicating_region("us-east-1", 10)]),
    ]
    fresh = reading(STAGING_1, [replicating_region("us-east-1", 50)])
    after = projection_with(TARGET, readings, fresh, DEFAULT)
    assert (after.total_replicating, after.max_replicating) == (150, 600)
