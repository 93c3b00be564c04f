"""Capacity over time on the page (issue 12): the binding Region's combined total and the
busiest account × Region units as lines against their limits, and the soonest forecast in
words. Built from the history answer (GET /api/accounts/{id}/history)."""

from __future__ import annotations

from datetime import timedelta

from dash import html

from components import ids
from components.chart_parts import (
    HARD_LIMIT_COLOR,
    OPERATIONAL_COLOR,
    palette_color,
    placeholder_figure,
    template,
)
from components.format import chart_label
from services.clock import parse_iso, utc_now
from services.settings import CRITICAL_SHARE

RANGES = {"24 h": 1, "7 d": 7, "30 d": 30, "90 d": 90}
MOST_UNITS = 6  # the fullest units drawn; the rest would be noise at a glance


def _series(points: list[dict], key) -> dict:
    lines: dict = {}
    for p in points:
        lines.setdefault(key(p), []).append(p)
    return lines


def _fullest(unit_lines: dict) -> list:
    def share(key):
        last = unit_lines[key][-1]
        return last["replicatingServers"] / (last["maxReplicating"] or 1)

    return sorted(unit_lines, key=share, reverse=True)[:MOST_UNITS]


def history_figure(
    answer: dict, names: dict[str, str], region: str | None, now: str | None = None
) -> dict:
    """Lines per unit (share of its own limit, so units with different limits compare)
    and the binding Region's combined share, with the band lines."""
    points = answer.get("points") or []
    if not points:
        return placeholder_figure("No history yet: it is recorded as capacity is read")
    unit_lines = _series(points, lambda p: (p["accountId"], p["region"]))
    traces = []
    for i, key in enumerate(_fullest(unit_lines)):
        account_id, unit_region = key
        label = chart_label(
            {"accountName": names.get(account_id), "accountId": account_id}
        )
        rows = [(p["time"], p["replicatingServers"], p["maxReplicating"])
                for p in unit_lines[key]]  # fmt: skip
        line = {"color": palette_color(i), "width": 2}
        traces.append(_line(f"{label} · {unit_region}", rows, line))
    combined = [(r["time"], r["totalReplicating"], r["maxReplicating"])
                for r in answer.get("regions") or () if r["region"] == region]  # fmt: skip
    if combined:
        line = {"color": "#212529", "width": 3, "dash": "dot"}
        traces.append(_line(f"combined · {region}", combined, line))
    operational = 100 * float(CRITICAL_SHARE)
    layout = {
        "template": template("plotly_white"),
        "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "yaxis": {
            "title": {"text": "% of own limit"},
            "range": [0, 115],
            "ticksuffix": " %",
        },  # fmt: skip
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"type": "date", "range": _range(answer.get("days") or 7, now)},
        "hovermode": "x unified",
        "shapes": [
            _band(100, HARD_LIMIT_COLOR, "solid"),
            _band(operational, OPERATIONAL_COLOR, "dash"),
        ],
    }
    return {"data": traces, "layout": layout}


def _line(name: str, rows: list[tuple], line: dict) -> dict:
    """One series (time, servers, limit) as its share of its own limit; the hover
    says the counts."""
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": [time for time, _, _ in rows],
        "y": [100 * used / limit for _, used, limit in rows],
        "customdata": [[used, limit] for _, used, limit in rows],
        "hovertemplate": "%{customdata[0]:,} of %{customdata[1]:,}"
        " (%{y:.0f} %)<extra>%{fullData.name}</extra>",
        "line": line,
    }


def _range(days: float, now: str | None) -> list[str]:
    """The whole chosen range, ending now: one point shows where it sits in time."""
    end = parse_iso(now) if now else utc_now()
    return [(end - timedelta(days=days)).isoformat(), end.isoformat()]


def _band(y: float, color: str, dash: str) -> dict:
    return {
        "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y,
        "y1": y, "line": {"color": color, "width": 1.5, "dash": dash},
    }  # fmt: skip


def soonest_forecast(answer: dict, names: dict[str, str]) -> html.Div | None:
    """The nearest level any series is forecast to reach, in words, or None."""
    ahead = [f for f in answer.get("forecasts") or () if not f["reached"]]
    if not ahead:
        return None
    first = min(ahead, key=lambda f: (f["days"], -_rank(f["level"])))
    who = (
        f"{names.get(first['accountId']) or first['accountId']} · {first['region']}"
        if first["accountId"]
        else f"combined · {first['region']}"
    )
    return html.Div(
        [
            html.Span("◷ ", **{"aria-hidden": "true"}),
            f"Forecast: {who}: {first['text']}",
        ],
        id=ids.HISTORY_FORECAST,
        className="small fw-semibold",
    )


def _rank(level: str) -> int:
    return {"WARNING": 1, "CRITICAL": 2, "HYPER-CRITICAL": 3}.get(level, 0)
