"""Capacity history (issue 12, item 1): a compact record per collection, downsampled as it
is written (≤ 1 per 5 min, hourly kept 90 days, daily kept for the retention)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.history import MIN_SPACING, SPACING_TOLERANCE, HistoryStore, record_of
from tests.unit.snapshot_factory import inaccessible, make_snapshot, staging, target

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot(minutes: float, count: int = 100) -> dict:
    return make_snapshot(
        target(regions={"us-east-1": 10}),
        staging("222222222222", {"us-east-1": count, "us-west-2": "error"}),
        inaccessible("333333333333"),
        collected_at=at(minutes),
    )


@pytest.fixture
def history(aws_env):
    from moto import mock_aws

    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        clock = {"now": START}
        table = HistoryStore.create_table(resource, "drs-capacity-history")
        store = HistoryStore(table, now=lambda: clock["now"])
        store.clock = clock
        store.table = table
        yield store


def test_a_record_holds_every_unit_read_and_every_regions_combined_figures():
    record = record_of(snapshot(0, 247))
    assert ["222222222222", "us-east-1", 247, 247, 300, "WARNING"] in record["units"]
    # the unread Region and the silent account are not points (never a zero)
    assert not any(u[1] == "us-west-2" for u in record["units"])
    assert not any(u[0] == "333333333333" for u in record["units"])
    assert ["us-east-1", 257, 600, "OK"] in record["combined"]


def test_points_come_back_per_unit_and_per_region(history):
    assert history.record(snapshot(0, 100))
    assert history.record(snapshot(10, 110))
    history.clock["now"] = START + timedelta(minutes=11)
    units, regions = history.points("111111111111", days=1)
    staging_units = [u for u in units if u.account_id == "222222222222"]
    assert [(u.time, u.replicating, u.limit) for u in staging_units] == [
        (at(0), 100, 300),
        (at(10), 110, 300),
    ]
    assert [r.replicating for r in regions if r.region == "us-east-1"] == [110, 120]
    assert staging_units[0].to_wire()["maxReplicating"] == 300


def test_at_most_one_record_per_five_minutes_and_never_the_same_collection_twice(
    history,
):
    assert history.record(snapshot(0))
    assert not history.record(snapshot(0))
    assert not history.record(snapshot(4.4))
    assert history.record(snapshot(5))


def test_a_five_minute_schedule_firing_a_little_early_is_still_recorded(history):
    """EventBridge's rate(5 minutes) is not exact: 4 min 59 s after the last record
    must not lose the point (every other one would go)."""
    assert history.record(snapshot(0))
    assert history.record(snapshot(4 + 59 / 60))
    assert history.record(snapshot(9.5))  # 30 s early: the tolerance's edge
    assert not history.record(snapshot(13.9))


def test_a_single_region_scope_is_not_recorded(history):
    scoped = make_snapshot(target(regions={"us-east-1": 1}), scope="us-east-1")
    assert not history.record(scoped)


def _lifetimes(history) -> dict[str, float]:
    items = history.table.scan()["Items"]
    return {
        i["at"]: (int(i["expiresAt"]) - datetime.fromisoformat(
            i["at"].replace("Z", "+00:00")).timestamp()) / 86400
        for i in items
    }  # fmt: skip


def test_the_first_record_of_a_day_is_kept_for_the_retention_of_an_hour_90_days(
    history,
):
    for minutes in (0, 5, 60, 65, 24 * 60 + 1):
        assert history.record(snapshot(minutes))
    days = _lifetimes(history)
    assert days[at(0)] == 400  # first of its day
    assert days[at(5)] == 1  # same hour: a day
    assert days[at(60)] == 90  # first of the next hour
    assert days[at(65)] == 1
    assert days[at(24 * 60 + 1)] == 400  # first of the next day


def test_expired_records_are_not_read_even_before_dynamodb_deletes_them(history):
    history.record(snapshot(0))
    history.record(snapshot(5))  # lives one day
    history.clock["now"] = START + timedelta(days=2)
    units, _ = history.points("111111111111", days=30)
    assert {u.time for u in units} == {at(0)}


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(gaps=st.lists(st.integers(1, 180), min_size=1, max_size=10))
def test_kept_records_are_never_closer_than_the_spacing(history, gaps):
    target_id = f"{abs(hash(tuple(gaps))) % 10**12:012d}"  # one target per example
    minutes = 0
    for gap in gaps:
        minutes += gap
        snap = snapshot(minutes)
        snap["targetAccountId"] = target_id
        history.record(snap)
    history.clock["now"] = START + timedelta(minutes=minutes + 1)
    times = sorted({u.time for u in history.points(target_id, days=30)[0]})
    stamps = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times]
    pairs = zip(stamps, stamps[1:], strict=False)
    assert all(b - a >= MIN_SPACING - SPACING_TOLERANCE for a, b in pairs)
    assert times  # the first collection is always kept
