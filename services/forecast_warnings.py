"""Forecasts as warnings (issue 12, item 5): each series forecast to reach CRITICAL or
its limit within the horizon the forecast alerts use (`alert_forecast_days`), soonest
first. Built from the history answer (services/history_report.py); a level already
reached is the snapshot's own warning, not a forecast."""

from __future__ import annotations

from services.models import Status

WARNED_LEVELS = (Status.CRITICAL.value, Status.HYPER_CRITICAL.value)


def forecast_warnings(answer: dict, horizon_days: int) -> list[dict]:
    """One warning per account × Region or Region whose CRITICAL or limit forecast
    falls within `horizon_days`, soonest first; its levels soonest first."""
    by_series: dict[tuple, list[dict]] = {}
    for f in answer.get("forecasts") or ():
        due = f["level"] in WARNED_LEVELS and f["days"] <= horizon_days
        if due and not f["reached"]:
            key = (f["scope"], f["accountId"] or "", f["region"])
            by_series.setdefault(key, []).append(f)
    warnings = []
    for (scope, account_id, region), levels in by_series.items():
        levels.sort(key=lambda f: (f["days"], WARNED_LEVELS.index(f["level"])))
        warnings.append(
            {
                "scope": scope,
                "accountId": account_id or None,
                "region": region,
                "level": max((f["level"] for f in levels), key=WARNED_LEVELS.index),
                "days": levels[0]["days"],
                "date": levels[0]["date"],
                "texts": [f["text"] for f in levels],
            }
        )
    return sorted(
        warnings, key=lambda w: (w["days"], w["accountId"] or "", w["region"])
    )
