"""A target's capacity history as the API answers it: the points of every account ×
Region and every Region's combined total, and a forecast per series (issue 12, item 4).

Forecasts follow services/forecast.py: one per unit and per Region, only where the fit is
meaningful; a series that reaches no level ahead contributes its growth and reason only.
The CSV has one row per time × account × Region (and per time × Region combined, with an
empty account), the same bytes from the API, the CLI and the page.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime

from services.clock import parse_iso
from services.export import neutralise
from services.forecast import FORECAST_LEVELS, forecast_text, trend
from services.history import RegionPoint, UnitPoint

CSV_COLUMNS = (
    "time",
    "scope",
    "accountId",
    "region",
    "replicatingServers",
    "maxReplicating",
    "status",
)


def _forecasts(scope: str, account_id, region: str, series, now) -> tuple[dict, list]:
    fitted = trend(((parse_iso(t), n, limit) for t, n, limit in series), now=now)
    summary = {
        "scope": scope,
        "accountId": account_id,
        "region": region,
        "growthPerWeek": fitted.growth_per_week,
        "trend": str(fitted.reason) if fitted.reason else "growing",
    }
    levels = [
        {
            "scope": scope,
            "accountId": account_id,
            "region": region,
            "level": forecast.level.value,
            "threshold": forecast.threshold,
            "date": forecast.date.isoformat(),
            "days": forecast.days,
            "reached": forecast.reached,
            "text": forecast_text(fitted, forecast.level),
        }
        for forecast in fitted.levels
        if forecast.level in FORECAST_LEVELS
    ]
    return summary, levels


def history_answer(
    target_id: str,
    units: list[UnitPoint],
    regions: list[RegionPoint],
    days: float,
    now: datetime,
) -> dict:
    """The answer of GET /api/accounts/{id}/history: points, trends and forecasts."""
    unit_series: dict[tuple[str, str], list] = defaultdict(list)
    for p in units:
        unit_series[p.account_id, p.region].append((p.time, p.replicating, p.limit))
    region_series: dict[str, list] = defaultdict(list)
    for p in regions:
        region_series[p.region].append((p.time, p.replicating, p.limit))
    trends, forecasts = [], []
    for (account_id, region), series in sorted(unit_series.items()):
        summary, levels = _forecasts("account", account_id, region, series, now)
        trends.append(summary)
        forecasts += levels
    for region, series in sorted(region_series.items()):
        summary, levels = _forecasts("combined", None, region, series, now)
        trends.append(summary)
        forecasts += levels
    return {
        "targetAccountId": target_id,
        "days": days,
        "points": [p.to_wire() for p in units],
        "regions": [p.to_wire() for p in regions],
        "trends": trends,
        "forecasts": forecasts,
    }


def history_csv(answer: dict) -> str:
    """One row per time × account × Region, then per time × Region combined."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in answer["points"]:
        writer.writerow(
            [neutralise(v) for v in (p["time"], "account", p["accountId"], p["region"],
             p["replicatingServers"], p["maxReplicating"], p["status"])]
        )  # fmt: skip
    for p in answer["regions"]:
        writer.writerow(
            [neutralise(v) for v in (p["time"], "combined", "", p["region"],
             p["totalReplicating"], p["maxReplicating"], p["status"])]
        )  # fmt: skip
    return out.getvalue()


def history_filename(target_id: str, days: float) -> str:
    return f"drs-capacity-history-{target_id}-{days:g}d.csv"
