"""The history answer (issue 12, item 4): points per unit and Region, a trend per series,
forecasts where the fit is meaningful, and a CSV of one row per time × unit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from services.history import RegionPoint, UnitPoint
from services.history_report import CSV_COLUMNS, history_answer, history_csv

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def stamp(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def growing(account_id="222222222222", region="us-east-1", per_day=10, start=100):
    """Ten days of hourly points growing by `per_day` servers a day."""
    return [
        UnitPoint(stamp(h), account_id, region, start + (240 - h) * per_day // 24,
                  start + (240 - h) * per_day // 24, 300, "OK")
        for h in range(240, -1, -1)
    ]  # fmt: skip


def test_a_growing_unit_forecasts_critical_and_the_limit_a_flat_one_does_not():
    units = growing() + [
        UnitPoint(stamp(h), "333333333333", "us-east-1", 50, 50, 300, "OK")
        for h in range(240, -1, -1)
    ]
    answer = history_answer("111111111111", units, [], 30, NOW)
    trends = {t["accountId"]: t for t in answer["trends"]}
    assert trends["222222222222"]["trend"] == "growing"
    assert trends["222222222222"]["growthPerWeek"] == 70.0
    assert trends["333333333333"]["trend"] == "no growth trend"
    critical = next(
        f for f in answer["forecasts"]
        if f["accountId"] == "222222222222" and f["level"] == "CRITICAL"
    )  # fmt: skip
    # 200 now, +10 a day, CRITICAL from 250: in 5 days
    assert critical["days"] == 5 and critical["date"] == "2026-12-06"
    assert critical["text"] == "CRITICAL in ~5 days (2026-12-06)"
    assert not any(f["accountId"] == "333333333333" for f in answer["forecasts"])


def test_region_totals_get_their_own_trend_and_csv_has_one_row_per_time_and_unit():
    units = growing()
    regions = [
        RegionPoint(p.time, "us-east-1", p.replicating + 40, 600, "OK") for p in units
    ]
    answer = history_answer("111111111111", units, regions, 30, NOW)
    assert {t["scope"] for t in answer["trends"]} == {"account", "combined"}
    rows = list(csv.reader(io.StringIO(history_csv(answer))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + len(units) + len(regions)
    assert rows[1][:4] == [units[0].time, "account", "222222222222", "us-east-1"]
    assert rows[-1][1:3] == ["combined", ""]


def test_no_history_is_an_empty_answer_not_an_error():
    answer = history_answer("111111111111", [], [], 7, NOW)
    assert answer["points"] == answer["forecasts"] == answer["trends"] == []
