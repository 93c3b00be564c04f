"""The combined-capacity gauge (Plotly Indicator) and the KPI cards beside it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from components import ids
from components.format import fmt_count, fmt_percent, reporting_text
from components.status import BAND_COLORS, BAND_TINTS, as_status, status_badge
from components.status import status_text as status_words
from services.models import Status
from services.thresholds import band_thresholds

GAUGE_HEIGHT = 280
_TITLE = "Combined replicating servers"
_BAR_COLOR = "#212529"


def gauge_steps(maximum: int) -> list[dict]:
    """One coloured step per band: OK from 0, then each band from its threshold."""
    starts = [(Status.OK, 0), *band_thresholds(maximum).items()]
    ends = [start for _, start in starts[1:]] + [maximum]
    return [
        {"range": [start, end], "color": BAND_TINTS[status]}
        for (status, start), end in zip(starts, ends, strict=True)
    ]


def _layout(fig: go.Figure, title: str, annotations: list[dict]) -> go.Figure:
    fig.update_traces(domain={"x": [0, 1], "y": [0.12, 0.92]})
    fig.update_layout(
        title={"text": title, "x": 0.5, "xanchor": "center", "font": {"size": 15}},
        height=GAUGE_HEIGHT,
        margin={"l": 40, "r": 40, "t": 60, "b": 10},
        paper_bgcolor="rgba(0,0,0,0)",
        font={"size": 13},
        annotations=annotations,
    )
    return fig


def _note(text: str, y: float = 0.0, size: int = 12) -> dict:
    return {
        "text": text,
        "x": 0.5,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": size},
    }


def _title(status: Status, detail: str) -> str:
    return f"{_TITLE}<br><b>{status_words(status)}</b> · {detail}"


def no_data_gauge(combined: dict) -> go.Figure:
    """An empty grey gauge that says "No data" (no account is reporting)."""
    indicator = go.Indicator(
        mode="gauge",
        value=0,
        gauge={
            "axis": {"range": [0, 1], "showticklabels": False, "ticks": ""},
            "bar": {"color": "rgba(0,0,0,0)"},
            "steps": [{"range": [0, 1], "color": BAND_TINTS[Status.UNKNOWN]}],
        },
    )
    reporting = reporting_text(
        combined.get("reportingAccounts"), combined.get("configuredAccounts")
    )
    return _layout(
        go.Figure(indicator),
        _title(Status.UNKNOWN, "no account reporting"),
        [_note("No data", y=0.3, size=22), _note(reporting)],
    )


def combined_gauge(combined: dict, limit_per_account: int) -> go.Figure:
    """totalReplicating against maxReplicating, band steps and the two limits marked."""
    status = as_status(combined.get("status"))
    maximum = combined.get("maxReplicating") or 0
    total = combined.get("totalReplicating")
    if status is Status.UNKNOWN or maximum <= 0 or total is None:
        return no_data_gauge(combined)
    operational = combined.get("operationalLimit")
    indicator = go.Indicator(
        mode="gauge+number",
        value=total,
        number={
            "valueformat": ",d",
            "suffix": f" / {maximum:,}",
            "font": {"size": 34},
        },
        gauge={
            "shape": "angular",
            "axis": {
                "range": [0, maximum],
                "tickvals": [0, operational, maximum],
                "ticktext": ["0", fmt_count(operational), f"{maximum:,} max"],
            },
            "bar": {"color": _BAR_COLOR, "thickness": 0.3},
            "steps": gauge_steps(maximum),
            "threshold": {
                "value": operational,
                "thickness": 0.9,
                "line": {"color": BAND_COLORS[Status.CRITICAL], "width": 4},
            },
        },
    )
    reporting = combined.get("reportingAccounts")
    notes = [
        _note(
            f"Red mark: operational limit {fmt_count(operational)} · "
            f"hard limit {maximum:,} = {fmt_count(reporting)} accounts × "
            f"{limit_per_account:,}"
        )
    ]
    detail = fmt_percent(combined.get("percentUsed"))
    if total > maximum:
        detail += f" · over the hard limit by {total - maximum:,}"
    title = _title(status, detail)
    return _layout(go.Figure(indicator), title, notes)


def _kpi(label: str, value, value_id: str) -> dbc.Col:
    body = dbc.CardBody(
        [
            html.Div(label, className="text-muted small"),
            html.Div(value, id=value_id, className="fs-4 fw-semibold text-nowrap"),
        ]
    )
    return dbc.Col(dbc.Card(body, class_name="h-100"), xs=6, md=3)


def kpi_cards(combined: dict) -> dbc.Row:
    """Replicating, maximum, percent used, available slots, status and reporting."""
    reporting = combined.get("reportingAccounts")
    configured = combined.get("configuredAccounts")
    known = bool(reporting)  # with no account reporting every count is unknown

    def count(key: str) -> str:
        return fmt_count(combined.get(key)) if known else fmt_count(None)

    partial = known and configured is not None and reporting < configured
    status_body = dbc.CardBody(
        [
            html.Div("Status", className="text-muted small"),
            status_badge(combined.get("status"), badge_id=ids.KPI_STATUS),
            html.Div(combined.get("message") or "", className="small mt-1"),
            html.Div(
                reporting_text(reporting, configured),
                id=ids.KPI_REPORTING,
                className="small fw-semibold"
                + (" text-warning-emphasis" if partial else ""),
            ),
        ]
    )
    return dbc.Row(
        [
            _kpi("Replicating servers", count("totalReplicating"), ids.KPI_REPLICATING),
            _kpi("Maximum (hard limit)", count("maxReplicating"), ids.KPI_MAXIMUM),
            _kpi(
                "Percent used",
                fmt_percent(combined.get("percentUsed")),
                ids.KPI_PERCENT,
            ),
            _kpi("Available slots", count("availableSlots"), ids.KPI_AVAILABLE),
            dbc.Col(dbc.Card(status_body), xs=12),
        ],
        class_name="g-2",
    )
