"""Trend and forecast (issue 12, item 3): the reasons for no forecast, and its wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.forecast import Point, Reason, forecast_text, trend
from services.models import Status

WARNING, CRITICAL, AT_LIMIT = Status.WARNING, Status.CRITICAL, Status.HYPER_CRITICAL
END = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def rising(per_day: int, last: int, days: int = 10, limit: int = 300, every_hours=6):
    """Readings every few hours up to END, growing by `per_day`, ending at `last`."""
    steps = days * 24 // every_hours
    return [
        Point(
            END - timedelta(hours=every_hours * k),
            round(last - per_day * every_hours * k / 24),
            limit,
        )
        for k in reversed(range(steps + 1))
    ]


def test_no_readings_is_not_enough_history():
    result = trend([], now=END)
    assert result.reason is Reason.NOT_ENOUGH_HISTORY
    assert result.levels == ()


def test_five_readings_are_not_enough_history():
    points = rising(per_day=4, last=200, days=5, every_hours=24)[-5:]
    assert trend(points, now=END).reason is Reason.NOT_ENOUGH_HISTORY


def test_a_day_of_readings_is_not_enough_history():
    points = rising(per_day=4, last=200, days=1, every_hours=1)
    result = trend(points, now=END)
    assert result.reason is Reason.NOT_ENOUGH_HISTORY
    assert result.growth_per_week is None


def test_a_series_that_ended_three_days_ago_has_no_recent_data():
    """A removed account: its last reading is old, so nothing is forecast from it."""
    result = trend(rising(per_day=4, last=200), now=END + timedelta(days=3))
    assert result.reason is Reason.NO_RECENT_DATA
    assert result.levels == ()
    assert forecast_text(result, CRITICAL) == "no recent data"


def test_a_series_read_a_day_ago_still_forecasts():
    assert (
        trend(rising(per_day=4, last=200), now=END + timedelta(days=1)).reason is None
    )


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        trend([(datetime(2026, 12, 1), 10, 300)] * 6, now=END)


def test_growth_of_4_servers_a_day_is_28_a_week():
    assert trend(rising(per_day=4, last=200), now=END).growth_per_week == 28.0


def test_account_growing_4_a_day_at_201_is_critical_in_about_12_days():
    result = trend(rising(per_day=4, last=201), now=END)
    assert result.reason is None
    critical = result.level(CRITICAL)
    assert (critical.threshold, critical.days) == (250, 12)  # 49 servers at 4 a day
    assert critical.date == date(2026, 12, 13)  # 12.25 days after 1 Dec, noon
    assert forecast_text(result, CRITICAL) == "CRITICAL in ~12 days (2026-12-13)"
    assert forecast_text(result, AT_LIMIT) == "at the limit in ~25 days (2026-12-26)"
    assert forecast_text(result, WARNING) == "WARNING in ~6 days (2026-12-07)"


def test_a_level_the_last_reading_reached_is_reached_not_forecast():
    result = trend(rising(per_day=4, last=260), now=END)
    assert result.level(WARNING).reached
    assert result.level(CRITICAL).days == 0
    assert result.level(CRITICAL).reached
    assert result.level(CRITICAL).date == END.date()
    assert forecast_text(result, CRITICAL) == "CRITICAL reached"
    assert forecast_text(result, AT_LIMIT) == "at the limit in ~10 days (2026-12-11)"


def test_a_reached_level_is_said_even_without_a_growth_trend():
    flat = [Point(END - timedelta(hours=h), 260, 300) for h in range(100)]
    result = trend(flat, now=END)
    assert result.reason is Reason.NO_GROWTH_TREND
    assert forecast_text(result, CRITICAL) == "CRITICAL reached"
    assert forecast_text(result, AT_LIMIT) == "no growth trend"


def test_a_level_a_day_away_says_day_not_days():
    result = trend(rising(per_day=4, last=246), now=END)
    assert forecast_text(result, CRITICAL) == "CRITICAL in ~1 day (2026-12-02)"


def test_a_shrinking_series_says_shrinking():
    result = trend(rising(per_day=-4, last=100), now=END)
    assert result.reason is Reason.SHRINKING
    assert result.growth_per_week == -28.0
    assert forecast_text(result, CRITICAL) == "shrinking"


def test_noise_larger_than_the_growth_is_no_growth_trend():
    wobble = [
        Point(END - timedelta(hours=6 * k), 100 + (20 if k % 2 else 0) + k % 3, 300)
        for k in range(60)
    ]
    assert trend(wobble, now=END).reason is Reason.NO_GROWTH_TREND


def test_a_dip_to_zero_in_the_last_reading_does_not_move_the_dates():
    """An unread Region reads as 0: the forecast runs from the fitted line, not from it."""
    points = rising(per_day=4, last=200)
    dipped = [*points[:-1], points[-1]._replace(replicating=0)]
    expected = trend(points, now=END).level(AT_LIMIT)
    assert trend(dipped, now=END).level(AT_LIMIT) == expected


def test_a_raised_quota_is_not_growth_and_moves_the_limit_later():
    points = rising(per_day=4, last=200)
    raised = [
        p._replace(limit=600) if p.time > END - timedelta(days=3) else p for p in points
    ]
    before, after = trend(points, now=END), trend(raised, now=END)
    assert after.growth_per_week == before.growth_per_week
    assert after.limit == 600
    assert after.level(CRITICAL).threshold == 500
    assert after.level(AT_LIMIT).days == 100  # 400 servers to go at 4 a day


def test_readings_every_five_minutes_are_fitted_hourly():
    points = [
        Point(END - timedelta(minutes=5 * k), 200 - k // 36, 300)
        for k in range(12 * 24 * 20)
    ]
    result = trend(points, now=END)
    assert (result.window_days, result.points) == (14, 14 * 24 + 1)
    assert result.growth_per_week == 56.0  # 1 server every 3 hours


def test_sparse_recent_readings_fall_back_to_30_days():
    points = rising(per_day=2, last=200, days=30, every_hours=48)
    result = trend(points, now=END)
    assert (result.window_days, result.points) == (30, 16)
    assert result.growth_per_week == 14.0


def test_a_level_beyond_ten_years_is_not_forecast():
    result = trend(rising(per_day=1, last=200, limit=1_000_000), now=END)
    assert result.level(AT_LIMIT) is None
    assert forecast_text(result, AT_LIMIT) == "at the limit not within 10 years"


def test_a_level_the_line_has_passed_but_the_last_reading_has_not_is_due_now():
    points = rising(per_day=4, last=260)
    dipped = [*points[:-1], points[-1]._replace(replicating=240)]
    result = trend(dipped, now=END)
    assert result.level(WARNING).reached
    critical = result.level(CRITICAL)
    assert (critical.days, critical.reached) == (0, False)
    assert forecast_text(result, CRITICAL) == "CRITICAL in under a day (2026-12-01)"
