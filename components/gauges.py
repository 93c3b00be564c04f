"""The combined-capacity gauge of one Region (the binding one in all Regions), and the
KPI cards with the snapshot's overall status."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.chart_parts import template
from components.format import (
    fmt_count,
    fmt_percent,
    of_limit,
    reporting_text,
    unread_regions,
)
from components.status import BAND_COLORS, BAND_TINTS, STATUS_ICONS, as_status
from components.status import status_text as status_words
from services.models import Status
from services.thresholds import band_thresholds

GAUGE_HEIGHT = 280
_TITLE = "Combined replicating servers"
_BAR_COLOR = "#212529"
ALL = "all"  # the all-Regions scope


def gauge_steps(maximum: int) -> list[dict]:
    """One coloured step per band: OK from 0, then each band from its threshold."""
    starts = [(Status.OK, 0), *band_thresholds(maximum).items()]
    ends = [start for _, start in starts[1:]] + [maximum]
    return [
        {"range": [start, end], "color": BAND_TINTS[status]}
        for (status, start), end in zip(starts, ends, strict=True)
    ]


def _figure(indicator: dict, title: str, annotations: list[dict]) -> dict:
    """The gauge figure (a plain dict, as dcc.Graph takes it): one indicator trace."""
    indicator = {"type": "indicator", **indicator}
    indicator["domain"] = {"x": [0, 1], "y": [0.12, 0.92]}
    layout = {
        "title": {"text": title, "x": 0.5, "xanchor": "center", "font": {"size": 15}},
        "height": GAUGE_HEIGHT,
        "margin": {"l": 50, "r": 70, "t": 60, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "font": {"size": 13},
        "annotations": annotations,
        "template": template(),
    }
    return {"data": [indicator], "layout": layout}


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


def _title(status: Status, detail: str, where: str = "") -> str:
    return f"{where}<br><b>{status_words(status)}</b> · {detail}"


def where_text(combined: dict, scope: str = ALL) -> str:
    """Which Region the combined figures are: "Combined in us-east-1 (binding Region)"."""
    region = combined.get("region")
    if not region:
        return "Combined (no Region holds servers yet)"
    return f"Combined in {region}" + (" (binding Region)" if scope == ALL else "")


def limit_note(combined: dict) -> str:
    """Where the hard limit comes from, worded from the snapshot: the accounts' own
    limits in that Region added (N × 300 is true only when every limit is 300)."""
    reporting = combined.get("reportingAccounts")
    noun = "account" if reporting == 1 else "accounts"
    if not combined.get("region"):
        return f"{fmt_count(reporting)} {noun} × the default limit"
    return f"the limits of {fmt_count(reporting)} {noun} there, added"


def no_data_gauge(combined: dict) -> dict:
    """An empty grey gauge that says "No data" (no account is reporting)."""
    indicator = {
        "mode": "gauge",
        "value": 0,
        "gauge": {
            "axis": {"range": [0, 1], "showticklabels": False, "ticks": ""},
            "bar": {"color": "rgba(0,0,0,0)"},
            "steps": [{"range": [0, 1], "color": BAND_TINTS[Status.UNKNOWN]}],
        },
    }
    reporting = reporting_text(
        combined.get("reportingAccounts"), combined.get("configuredAccounts")
    )
    return _figure(
        indicator,
        _title(Status.UNKNOWN, "no account reporting", _TITLE),
        [_note("No data", y=0.3, size=22), _note(reporting)],
    )


def combined_gauge(combined: dict, scope: str = ALL) -> dict:
    """One Region's totalReplicating against its maxReplicating (the binding Region in
    all Regions, else the scoped one), band steps and the two limits marked."""
    status = as_status(combined.get("status"))
    maximum = combined.get("maxReplicating") or 0
    total = combined.get("totalReplicating")
    if status is Status.UNKNOWN or maximum <= 0 or total is None:
        return no_data_gauge(combined)
    operational = combined.get("operationalLimit")
    indicator = {
        "mode": "gauge+number",
        "value": total,
        "number": {
            "valueformat": ",d",
            "suffix": f" / {maximum:,}",
        },
        "gauge": {
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
    }
    detail = fmt_percent(combined.get("percentUsed"))
    if total > maximum:
        detail += f" · over the hard limit by {total - maximum:,}"
    title = _title(status, detail, where_text(combined, scope))
    note = f"Red mark: operational limit {fmt_count(operational)}"
    return _figure(indicator, title, [_note(note)])


def _kpi(label: str, value, value_id: str, hint: str = "") -> dbc.Col:
    parts = [
        html.Div(label, className="text-muted small"),
        html.Div(value, id=value_id, className="fs-4 fw-semibold text-nowrap"),
    ]
    if hint:
        parts.append(html.Div(hint, className="text-muted small"))
    body = dbc.CardBody(parts)
    return dbc.Col(dbc.Card(body, class_name="h-100"), xs=6, md=3)


def kpi_cards(snapshot: dict) -> dbc.Row:
    """The combined figures of one Region (named): the binding one in all Regions."""
    combined = snapshot.get("combined") or {}
    known = bool(combined.get("reportingAccounts"))  # else every count is unknown

    def count(key: str) -> str:
        return fmt_count(combined.get(key)) if known else fmt_count(None)

    where = f" in {combined['region']}" if combined.get("region") else ""
    return dbc.Row(
        [
            _kpi(f"Replicating{where}", count("totalReplicating"), ids.KPI_REPLICATING),
            _kpi(
                f"Hard limit{where}",
                count("maxReplicating"),
                ids.KPI_MAXIMUM,
                limit_note(combined) if known else "",
            ),
            _kpi(
                "Percent used",
                fmt_percent(combined.get("percentUsed")),
                ids.KPI_PERCENT,
            ),
            _kpi(f"Available{where}", count("availableSlots"), ids.KPI_AVAILABLE),
        ],
        class_name="g-2",
    )


def regions_in_use(snapshot: dict) -> list[dict]:
    """The combined figures of every Region holding servers or not read everywhere,
    the binding one first, then the fullest."""
    binding = (snapshot.get("combined") or {}).get("region")
    unread = unread_regions(snapshot)
    rows = [
        r
        for r in snapshot.get("combinedByRegion") or ()
        if r.get("totalReplicating") or r.get("region") in (binding, *unread)
    ]
    return sorted(
        rows,
        key=lambda r: (r.get("region") != binding, -(r.get("percentUsed") or 0)),
    )


def _bullet(row: dict, unread: int, binding: bool) -> html.Li:
    """One Region against its combined limit: a filled bar, the operational mark."""
    status = as_status(row.get("status"))
    maximum = row.get("maxReplicating") or 0
    total = row.get("totalReplicating") or 0
    fill = min(100.0, 100 * total / maximum) if maximum else 0.0
    mark = 100 * (row.get("operationalLimit") or 0) / maximum if maximum else 0.0
    used = of_limit(total, maximum)
    lower = f" · {unread} not read: at least" if unread else ""
    label = f"{row.get('region')}: {used}, {status.value}{lower}"
    meter = html.Div(
        [
            html.Div(
                className="bullet-fill",
                style={"width": f"{fill:.1f}%", "backgroundColor": BAND_COLORS[status]},
            ),
            html.Div(className="bullet-mark", style={"left": f"{mark:.1f}%"}),
        ],
        className="bullet-track",
        title=label,
        role="meter",
        **{
            "aria-valuemin": 0,
            "aria-valuemax": maximum,
            "aria-valuenow": total,
            "aria-label": label,
        },
    )
    return html.Li(
        [
            html.Div(
                [
                    html.Span(row.get("region"), className="fw-semibold"),
                    html.Span(" (binding)", className="text-muted small bullet-binding")
                    if binding
                    else None,
                ],
                className="bullet-name",
            ),
            meter,
            html.Div(
                [
                    ("≥ " if unread else "") + used,
                    html.Span(
                        f" · {unread} not read", className="text-warning-emphasis"
                    )
                    if unread
                    else None,
                ],
                className="bullet-count small text-nowrap",
            ),
            html.Div(
                [
                    html.Span(STATUS_ICONS[status], **{"aria-hidden": "true"}),
                    html.Span(f" {status.value}", className="bullet-status-word"),
                ],
                className="bullet-status small",
            ),
        ],
        className="bullet",
    )


def region_bullets(snapshot: dict) -> html.Div | None:
    """One bullet per Region in use against that Region's own combined limit (all
    Regions only: a single-Region scope has the gauge alone)."""
    if snapshot.get("scope", ALL) != ALL:
        return None
    rows = regions_in_use(snapshot)
    if not rows:
        return None
    binding = (snapshot.get("combined") or {}).get("region")
    unread = unread_regions(snapshot)
    return html.Div(
        [
            html.H3("Each Region against its own limit", className="h6 text-muted"),
            html.Ul(
                [
                    _bullet(
                        r, unread.get(r.get("region"), 0), r.get("region") == binding
                    )
                    for r in rows
                ],
                className="bullets list-unstyled mb-0",
            ),
        ]
    )
