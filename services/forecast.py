"""Growth per week and time-to-level forecasts for one unit's replicating-server series.

Method, and why:

- One point per hour (the last reading in each hour, at its own time): collections every
  few minutes would otherwise outvote a day of hourly history, and the pairwise fit below
  stays small (≤ 720 points for 30 days). Missing hours are left missing, not filled, so
  gaps and irregular sampling only thin the data; they do not bend the line.
- The last 14 days, or 30 when 14 hold fewer than 12 hours of readings: recent enough to
  follow a migration wave, long enough to see past a day's noise.
- A Theil–Sen line (median of all pairwise slopes, median intercept): a spike, or a dip
  to 0 from a Region that could not be read, moves one point and the medians hardly at
  all, where least squares would tilt the whole line (breakdown point ≈ 29 %).
- Meaningful only with ≥ 6 points spanning ≥ 2 days, and growth above noise: the rise
  the line claims over the window is at least one server and more than twice the median
  absolute deviation of the residuals. Otherwise "no growth trend" (or "shrinking").
- Levels are forecast from the fitted value at the last point (a last-minute blip does
  not move the date), against the latest limit: a raised quota moves the dates, it is
  never read as growth, because the fit is on servers, not on the share of the limit.
  A level the last reading already reached is "reached" (0 days), not forecast.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from services.clock import utc_now
from services.models import Status
from services.thresholds import band_thresholds

FORECAST_LEVELS = (Status.WARNING, Status.CRITICAL, Status.HYPER_CRITICAL)
LEVEL_NAMES = {
    Status.WARNING: "WARNING",
    Status.CRITICAL: "CRITICAL",
    Status.HYPER_CRITICAL: "at the limit",
}
MIN_POINTS = 6
MIN_SPAN = timedelta(days=2)
FALLBACK_BELOW_POINTS = 12  # fewer hourly readings than this in a window: try the next
NOISE_FACTOR = 2.0
MIN_RISE = 1.0  # servers over the window
STALE_AFTER = timedelta(days=2)
HORIZON_DAYS = 3650  # a line extrapolated further than this says nothing
DAY = timedelta(days=1)


class Reason(enum.StrEnum):
    """Why no level is forecast."""

    NOT_ENOUGH_HISTORY = "not enough history"
    NO_RECENT_DATA = "no recent data"
    NO_GROWTH_TREND = "no growth trend"
    SHRINKING = "shrinking"


class Point(NamedTuple):
    time: datetime  # timezone-aware
    replicating: int
    limit: int


@dataclass(frozen=True)
class LevelForecast:
    """When one level is reached: `days` (rounded) after the last point, on `date`."""

    level: Status
    threshold: int
    days: int
    date: date
    reached: bool = False  # the last reading is at or above the threshold already


@dataclass(frozen=True)
class Trend:
    """The fitted growth of one unit and the levels it reaches, or why it forecasts none."""

    growth_per_week: float | None  # servers/week; None when no line could be fitted
    reason: Reason | None  # None when the fit is meaningful
    levels: tuple[LevelForecast, ...]  # least severe first: reached, then forecast
    as_of: datetime | None  # time of the last point
    limit: int | None  # the latest limit, which the thresholds are taken against
    window_days: int | None  # the window the line was fitted over
    points: int  # hourly points in that window

    def level(self, level: Status) -> LevelForecast | None:
        return next((f for f in self.levels if f.level is level), None)


def level_thresholds(limit: int) -> dict[Status, int]:
    """First server count of each forecast level; "at the limit" is the limit itself."""
    bands = band_thresholds(limit)
    return {
        Status.WARNING: bands[Status.WARNING],
        Status.CRITICAL: bands[Status.CRITICAL],
        Status.HYPER_CRITICAL: limit,
    }


def trend(
    points: Iterable[tuple[datetime, int, int]],
    now: datetime | None = None,
    window_days: tuple[int, ...] = (14, 30),
) -> Trend:
    """Fit the unit's recent growth and forecast WARNING, CRITICAL and the limit."""
    now = _aware(now or utc_now())
    hourly = _hourly(points)
    if hourly.empty:
        return _without_fit(Reason.NOT_ENOUGH_HISTORY)
    last = hourly.iloc[-1]
    as_of, limit = last["time"].to_pydatetime(), int(last["limit"])
    if now - as_of > STALE_AFTER:
        return _without_fit(Reason.NO_RECENT_DATA, as_of, limit)
    thresholds = level_thresholds(limit)
    reached = _reached(thresholds, int(last["replicating"]), as_of)
    days, window = _window(hourly, window_days)
    span = window["time"].iloc[-1] - window["time"].iloc[0]
    if len(window) < MIN_POINTS or span < MIN_SPAN:
        short = Reason.NOT_ENOUGH_HISTORY
        return Trend(None, short, reached, as_of, limit, days, len(window))
    elapsed = (window["time"] - window["time"].iloc[0]) / DAY
    x, y = elapsed.to_numpy(float), window["replicating"].to_numpy(float)
    slope, intercept = _theil_sen(x, y)
    growth = _weekly(slope)
    reason = _no_trend_reason(slope, x, y - (intercept + slope * x))
    if reason:
        return Trend(growth, reason, reached, as_of, limit, days, len(window))
    fitted_last = intercept + slope * x[-1]
    ahead = _ahead(thresholds, reached, fitted_last, slope, as_of)
    return Trend(growth, None, reached + ahead, as_of, limit, days, len(window))


def forecast_text(trend: Trend, level: Status) -> str:
    """'CRITICAL in ~12 days (2026-12-14)', 'at the limit reached', or why not."""
    name = LEVEL_NAMES[level]
    forecast = trend.level(level)
    if forecast is None:
        if trend.reason:
            return str(trend.reason)
        return f"{name} not within {HORIZON_DAYS // 365} years"
    if forecast.reached:
        return f"{name} reached"
    when = forecast.date.isoformat()
    if forecast.days == 0:
        return f"{name} in under a day ({when})"
    unit = "day" if forecast.days == 1 else "days"
    return f"{name} in ~{forecast.days} {unit} ({when})"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment


def _hourly(points: Iterable[tuple[datetime, int, int]]) -> pd.DataFrame:
    """The last reading of each hour, at its own time; empty hours are left out."""
    rows = list(points)
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime([_aware(row[0]) for row in rows], utc=True),
            "replicating": np.array([row[1] for row in rows], dtype=float),
            "limit": np.array([row[2] for row in rows], dtype=float),
        }
    ).sort_values("time", kind="stable")
    hours = frame["time"].dt.floor("h")
    return frame.groupby(hours, sort=True).last().reset_index(drop=True)


def _window(
    hourly: pd.DataFrame, window_days: tuple[int, ...]
) -> tuple[int, pd.DataFrame]:
    """The first window with enough readings, else the longest."""
    end = hourly["time"].iloc[-1]
    for days in sorted(window_days):
        window = hourly[hourly["time"] >= end - timedelta(days=days)]
        if len(window) >= FALLBACK_BELOW_POINTS:
            break
    return days, window


def _theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    first, second = np.triu_indices(len(x), k=1)
    slope = float(np.median((y[second] - y[first]) / (x[second] - x[first])))
    return slope, float(np.median(y - slope * x))


def _no_trend_reason(
    slope: float, x: np.ndarray, residuals: np.ndarray
) -> Reason | None:
    rise = slope * (x[-1] - x[0])
    spread = np.median(np.abs(residuals - np.median(residuals)))
    if abs(rise) < MIN_RISE or abs(rise) <= NOISE_FACTOR * spread:
        return Reason.NO_GROWTH_TREND
    return Reason.SHRINKING if rise < 0 else None


def _weekly(slope_per_day: float) -> float:
    return round(slope_per_day * 7, 1) + 0.0  # + 0.0: no "-0.0 servers/week"


def _reached(
    thresholds: dict[Status, int], replicating: int, as_of: datetime
) -> tuple[LevelForecast, ...]:
    return tuple(
        LevelForecast(level, count, 0, as_of.date(), reached=True)
        for level, count in thresholds.items()
        if replicating >= count
    )


def _ahead(
    thresholds: dict[Status, int],
    reached: tuple[LevelForecast, ...],
    fitted_last: float,
    slope: float,
    as_of: datetime,
) -> tuple[LevelForecast, ...]:
    """Levels not yet reached, on the fitted line, up to the horizon (a line already past
    a level the last reading is still under makes it due now: 0 days, not reached)."""
    done = {forecast.level for forecast in reached}
    ahead = []
    for level, count in thresholds.items():
        days_ahead = max(0.0, (count - fitted_last) / slope)
        if level in done or days_ahead > HORIZON_DAYS:
            continue
        moment = as_of + timedelta(days=days_ahead)
        days = math.floor(days_ahead + 0.5)
        ahead.append(LevelForecast(level, count, days, moment.date()))
    return tuple(ahead)


def _without_fit(reason: Reason, as_of=None, limit=None) -> Trend:
    return Trend(None, reason, (), as_of, limit, None, 0)
