"""Properties of the trend and time-to-level forecast (issue 12, item 3)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.forecast import FORECAST_LEVELS, Reason, level_thresholds, trend

EXAMPLES = settings(max_examples=100, deadline=None)
START = datetime(2026, 9, 1, tzinfo=UTC)
NO_FIT = (Reason.NO_GROWTH_TREND, Reason.NOT_ENOUGH_HISTORY, Reason.SHRINKING)


def forecast_days(result) -> dict:
    """Days to each forecast level; a level neither reached nor forecast is infinitely far."""
    return {
        level: forecast.days if (forecast := result.level(level)) else math.inf
        for level in FORECAST_LEVELS
    }


def forecasts_ahead(result) -> list:
    return [forecast for forecast in result.levels if not forecast.reached]


@st.composite
def linear_series(draw, max_days=32):
    """Servers rising by a whole `rise` every `step` hours, read exactly on that grid:
    exactly linear in whole servers, whatever the rate."""
    step = draw(st.integers(1, 24))
    fewest = max(6, math.ceil(50 / step) + 1)  # six readings over more than two days
    count = draw(st.integers(fewest, max(fewest, max_days * 24 // step)))
    rise = draw(st.integers(1, 5))
    first = draw(st.integers(0, 300))
    limit = draw(st.integers(10, 1500))
    offset = timedelta(minutes=draw(st.integers(0, 59)))
    points = [
        (START + offset + timedelta(hours=step * k), first + rise * k, limit)
        for k in range(count)
    ]
    return points, rise * 24 / step  # servers per day


def exact_days(points, per_day: float) -> dict:
    """Days from the last point to each level, from the line itself."""
    _, last_count, limit = points[-1]
    return {
        level: max(0.0, (count - last_count) / per_day)
        for level, count in level_thresholds(limit).items()
    }


@EXAMPLES
@given(
    value=st.integers(0, 100_000),
    limits=st.lists(st.integers(1, 100_000), min_size=1, max_size=3),
    minutes=st.lists(st.integers(0, 60 * 24 * 40), min_size=1, max_size=120),
    since_last=st.integers(0, 48 * 60),
)
def test_a_constant_series_never_forecasts(value, limits, minutes, since_last):
    times = sorted(START + timedelta(minutes=m) for m in minutes)
    points = [(t, value, limits[i % len(limits)]) for i, t in enumerate(times)]
    result = trend(points, now=times[-1] + timedelta(minutes=since_last))
    assert forecasts_ahead(result) == []
    assert result.reason in (Reason.NO_GROWTH_TREND, Reason.NOT_ENOUGH_HISTORY)
    assert result.growth_per_week in (None, 0.0)


def assert_forecasts_each_day(result, points, per_day: float) -> None:
    as_of = points[-1][0]
    for level, days in exact_days(points, per_day).items():
        forecast = result.level(level)
        assert forecast is not None, level
        assert abs(forecast.days - days) <= 1
        expected = (as_of + timedelta(days=days)).date()
        assert abs((forecast.date - expected).days) <= 1
        assert forecast.reached == (days == 0)


@EXAMPLES
@given(linear_series())
def test_an_exactly_linear_series_forecasts_the_day_each_level_is_reached(series):
    points, per_day = series
    result = trend(points, now=points[-1][0])
    assert result.reason is None
    assert abs(result.growth_per_week - per_day * 7) <= 0.05 + 1e-9
    assert_forecasts_each_day(result, points, per_day)


@EXAMPLES
@given(linear_series(max_days=13), st.data())
def test_gaps_and_irregular_sampling_give_the_same_forecast(series, data):
    points, _ = series
    keep = data.draw(
        st.lists(st.booleans(), min_size=len(points), max_size=len(points))
    )
    kept_anyway = {round(i * (len(points) - 1) / 5) for i in range(6)}  # ≥ 6, 2 days
    sparse = [point for i, point in enumerate(points) if keep[i] or i in kept_anyway]
    now = points[-1][0] + timedelta(hours=1)
    full, thinned = trend(points, now=now), trend(sparse, now=now)
    assert thinned.reason is None
    for level in FORECAST_LEVELS:
        expected, forecast = full.level(level), thinned.level(level)
        assert abs((forecast.date - expected.date).days) <= 1
        assert abs(forecast.days - expected.days) <= 1


@EXAMPLES
@given(linear_series(max_days=16), st.data())
def test_a_single_spike_or_dip_does_not_move_the_forecast(series, data):
    points, _ = series
    index = data.draw(
        st.integers(0, len(points) - 2)
    )  # the last reading is kept as read
    outlier = data.draw(st.integers(0, 10 * points[index][2]))
    time, _, limit = points[index]
    spiked = [*points[:index], (time, outlier, limit), *points[index + 1 :]]
    now = points[-1][0]
    clean, noisy = trend(points, now=now), trend(spiked, now=now)
    assert noisy.reason is None
    for level in FORECAST_LEVELS:
        expected, forecast = clean.level(level), noisy.level(level)
        assert abs((forecast.date - expected.date).days) <= 1


@EXAMPLES
@given(
    first=st.integers(0, 5000),
    drops=st.lists(st.integers(0, 50), min_size=1, max_size=150),
    gaps=st.lists(st.integers(1, 60 * 30), min_size=1, max_size=150),
    limit=st.integers(1, 6000),
)
def test_a_decreasing_series_never_forecasts_a_level(first, drops, gaps, limit):
    points, count, time = [], first, START
    for i, drop in enumerate(drops):
        count = max(0, count - drop)
        time += timedelta(minutes=gaps[i % len(gaps)])
        points.append((time, count, limit))
    result = trend(points, now=time)
    assert forecasts_ahead(result) == []
    assert result.reason in NO_FIT


def with_limit_from(points, index: int, limit: int):
    return [
        (t, n, limit if i >= index else old) for i, (t, n, old) in enumerate(points)
    ]


@EXAMPLES
@given(linear_series(max_days=16), st.data())
def test_raising_the_limit_moves_the_dates_later_and_lowering_earlier(series, data):
    points, per_day = series
    index = data.draw(st.integers(1, len(points) - 1))
    old_limit = points[0][2]
    raised = old_limit + data.draw(st.integers(1, 1000))
    lowered = data.draw(st.integers(1, old_limit - 1))
    now = points[-1][0]
    base = trend(points, now=now)
    higher_points = with_limit_from(points, index, raised)
    lower_points = with_limit_from(points, index, lowered)
    higher, lower = trend(higher_points, now=now), trend(lower_points, now=now)
    assert_forecasts_each_day(higher, higher_points, per_day)  # the latest limit counts
    assert_forecasts_each_day(lower, lower_points, per_day)
    assert higher.growth_per_week == base.growth_per_week == lower.growth_per_week
    base_days, higher_days = forecast_days(base), forecast_days(higher)
    lower_days = forecast_days(lower)
    for level in FORECAST_LEVELS:
        assert lower_days[level] <= base_days[level] <= higher_days[level]
