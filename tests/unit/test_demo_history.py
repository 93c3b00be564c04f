"""The shipped demo's synthetic history (issue 12, item 8): 90 days that grow, end at
the counts the demo reads now, and give the page a trend and a forecast."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.backend import DEMO_SCENARIO, build_operations
from services.demo_history import HOURS, demo_records
from services.history import record_of
from services.models import Status
from services.simulator import load_scenario
from tests.conftest import demo_backend, scenario_settings

NOW = datetime(2026, 12, 7, 14, 37, 12, tzinfo=UTC)
TARGET = "111111111111"
SCENARIO = load_scenario(DEMO_SCENARIO)
SETTINGS = scenario_settings(DEMO_SCENARIO, mode="demo")
LAST_RECORD = demo_records(SCENARIO, SETTINGS, NOW)[-1][1]


def test_two_builds_give_the_same_points():
    assert demo_records(SCENARIO, SETTINGS, NOW) == demo_records(
        SCENARIO, SETTINGS, NOW
    )


def test_points_span_90_days_hourly_aligned_and_end_at_nows_hour():
    times = [at for at, _ in demo_records(SCENARIO, SETTINGS, NOW)]
    assert times == sorted(times)
    assert times[-1] == datetime(2026, 12, 7, 14, tzinfo=UTC)
    assert timedelta(days=89) <= times[-1] - times[0] <= timedelta(hours=HOURS)
    assert NOW - times[0] < timedelta(days=90)  # the oldest is still kept hourly
    assert all(at.minute == at.second == 0 for at in times)
    # the fortnight the forecast fits over holds enough readings to fit
    recent = [at for at in times if at >= NOW - timedelta(days=14)]
    assert len(recent) >= 100


def test_every_unit_grew_over_the_90_days():
    records = demo_records(SCENARIO, SETTINGS, NOW)
    first = {(u[0], u[1]): u[2] for u in records[0][1]["units"]}
    last = {(u[0], u[1]): u[2] for u in records[-1][1]["units"]}
    assert first.keys() == last.keys()
    assert all(first[key] < last[key] for key in last)


def test_each_regions_combined_total_is_the_sum_of_its_units_at_every_point():
    for _, record in demo_records(SCENARIO, SETTINGS, NOW):
        sums: dict[str, int] = defaultdict(int)
        for _account, region, replicating, *_ in record["units"]:
            sums[region] += replicating
        assert {c[0]: c[1] for c in record["combined"]} == sums


@settings(max_examples=100, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2040, 1, 1),
        timezones=st.just(UTC),
    )
)
def test_whenever_now_is_the_series_ends_at_the_live_counts_with_their_status(now):
    records = demo_records(SCENARIO, SETTINGS, now)
    at, last = records[-1]
    assert timedelta(0) <= now - at < timedelta(hours=1)
    # the same counts whatever the day: only the times move
    assert last == LAST_RECORD
    for _, record in records:
        for _account, _region, replicating, total, limit, status in record["units"]:
            assert 0 <= replicating <= total and limit > 0
            assert Status(status) in tuple(Status)


def test_the_last_point_agrees_with_the_live_snapshot(aws_env):
    with demo_backend(settings=scenario_settings(DEMO_SCENARIO, mode="demo")) as built:
        operations = build_operations(built)
        live = operations.dispatch(
            "get_combined_capacity", {"targetAccountId": TARGET}
        ).body
        assert live["success"]
        units, regions = built.history.points(TARGET, days=1)
    expected = record_of(live)
    newest = max(p.time for p in units)
    assert sorted(
        [p.account_id, p.region, p.replicating, p.total, p.limit, p.status]
        for p in units
        if p.time == newest
    ) == sorted(expected["units"])
    assert sorted(
        [p.region, p.replicating, p.limit, p.status]
        for p in regions
        if p.time == newest
    ) == sorted(expected["combined"])


def test_a_scenario_that_is_not_the_shipped_demo_keeps_an_empty_history(aws_env):
    with demo_backend(settings=scenario_settings(DEMO_SCENARIO)) as built:
        assert built.history.points(TARGET, days=90) == ([], [])


def test_the_fullest_growing_unit_is_forecast_to_reach_critical(aws_env):
    with demo_backend(settings=scenario_settings(DEMO_SCENARIO, mode="demo")) as built:
        body = (
            build_operations(built)
            .dispatch("get_capacity_history", {"targetAccountId": TARGET, "days": 30})
            .body
        )
    growing = {
        (t["accountId"], t["region"]) for t in body["trends"] if t["trend"] == "growing"
    }
    forecast = {(f["accountId"], f["region"]) for f in body["forecasts"]}
    assert growing and growing <= forecast
    # staging-east-01 in us-east-1: 247 of 300, 3 servers short of CRITICAL
    critical = [
        f
        for f in body["forecasts"]
        if (f["accountId"], f["region"], f["level"])
        == ("222222222222", "us-east-1", "CRITICAL")
    ]
    assert len(critical) == 1 and not critical[0]["reached"]
    assert 0 < critical[0]["days"] <= 30


def test_backfilled_points_live_as_long_as_recorded_ones(aws_env):
    """The day's first point is kept for the retention, the others 90 days."""
    import boto3
    from moto import mock_aws

    from services.history import HistoryStore

    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        table = HistoryStore.create_table(resource, "drs-capacity-history")
        HistoryStore(table).write_records(TARGET, demo_records(SCENARIO, SETTINGS, NOW))
        items = table.scan()["Items"]
    day = sorted(
        (i for i in items if i["at"].startswith("2026-12-01")), key=lambda i: i["at"]
    )
    assert len(day) == 8  # every 3 hours in the last fortnight
    for item, days in ((day[0], 400), (day[1], 90), (day[-1], 90)):
        at = datetime.fromisoformat(item["at"])
        assert int(item["expiresAt"]) == int((at + timedelta(days=days)).timestamp())
