"""The page header: title, target and Region selectors, refresh controls and actions."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.format import reporting_text
from components.status import STATUS_ICONS
from services.models import Status

ALL_REGIONS = "all"
REFRESH_LABEL = "⟳ Refresh now"
# shown (and the button disabled) while any refresh of the page runs
REFRESHING = [
    html.Span(
        className="spinner-border spinner-border-sm me-1", **{"aria-hidden": "true"}
    ),
    "Refreshing…",
]
INTERVAL_CHOICES = (15, 30, 60, 300)  # seconds


def interval_label(seconds: int) -> str:
    """15 -> "15 s", 60 -> "1 min"."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def interval_options(default_seconds: int) -> list[dict]:
    choices = sorted({*INTERVAL_CHOICES, default_seconds})
    return [{"label": interval_label(s), "value": s} for s in choices]


def target_options(targets) -> list[dict]:
    """Dropdown options from target-account dicts (accountId, accountName)."""
    return [
        {"label": f"{t.get('accountName')} ({t['accountId']})", "value": t["accountId"]}
        for t in targets
    ]


def scope_options(regions) -> list[dict]:
    return [{"label": "All Regions", "value": ALL_REGIONS}] + [
        {"label": r, "value": r} for r in regions
    ]


def _control(label: str, control, width: int | None = None) -> dbc.Col:
    return dbc.Col(
        [html.Div(label, className="small text-muted control-label"), control],
        xs=12,
        md=width or "auto",
    )


def header(targets, regions, default_interval_seconds: int, demo: bool) -> html.Header:
    """Navbar with the controls; the last-updated and completeness slots start empty."""
    targets = list(targets)
    brand = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("DRS Capacity Dashboard"),
                dbc.Badge(
                    "Demo data",
                    id=ids.DEMO_BADGE,
                    color="warning",
                    text_color="dark",
                    title="Simulated AWS: not real accounts",
                    style=None if demo else {"display": "none"},
                ),
                html.Div(
                    [
                        html.Span(id=ids.COMPLETENESS_BADGE, className="me-2"),
                        html.Span(
                            [
                                html.Span("Not updated yet", id=ids.LAST_UPDATED),
                                " ",
                                html.Span(id=ids.DATA_AGE),
                            ],
                            className="small text-light",
                            role="status",
                        ),
                    ],
                    className="ms-auto d-flex align-items-center",
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        class_name="mb-2",
    )
    controls = dbc.Row(
        [
            _control(
                "Target account",
                dcc.Dropdown(
                    id=ids.TARGET_SELECT,
                    options=target_options(targets),
                    value=targets[0]["accountId"] if targets else None,
                    clearable=False,
                    placeholder="No target account",
                ),
                4,
            ),
            _control(
                "Regions",
                dcc.Dropdown(
                    id=ids.SCOPE_SELECT,
                    options=scope_options(regions),
                    value=ALL_REGIONS,
                    clearable=False,
                ),
                2,
            ),
            _control(
                "Refresh",
                html.Div(
                    [
                        dbc.Switch(
                            id=ids.AUTO_REFRESH_SWITCH,
                            label="Auto",
                            value=True,
                            class_name="me-2 mb-0",
                        ),
                        dcc.Dropdown(
                            id=ids.INTERVAL_SELECT,
                            options=interval_options(default_interval_seconds),
                            value=default_interval_seconds,
                            clearable=False,
                            searchable=False,
                            style={"minWidth": "7rem"},
                        ),
                        dbc.Button(
                            REFRESH_LABEL,
                            id=ids.REFRESH_BUTTON,
                            color="primary",
                            title="Collect now and re-check every Region (Regions "
                            "without DRS are otherwise re-checked about hourly)",
                            class_name="ms-2 text-nowrap",
                        ),
                    ],
                    className="d-flex align-items-center",
                ),
            ),
            _control(
                "Actions",
                html.Div(
                    [
                        dbc.Button(
                            "⚙ Settings",
                            id=ids.SETTINGS_BUTTON,
                            color="secondary",
                            outline=True,
                            class_name="me-2",
                        ),
                        dbc.Button(
                            "⤓ Export CSV",
                            id=ids.EXPORT_BUTTON,
                            color="secondary",
                            outline=True,
                        ),
                        dcc.Download(id=ids.DOWNLOAD),
                    ],
                    className="d-flex",
                ),
            ),
        ],
        class_name="g-2 align-items-end mb-3",
    )
    return html.Header([brand, dbc.Container(controls, fluid=True)])


def completeness_badge(snapshot: dict | None) -> dbc.Badge:
    """Complete, partial (accounts not reporting), incomplete (Regions), or no data."""
    if not snapshot:
        icon, text, color = STATUS_ICONS[Status.UNKNOWN], "No data", "secondary"
    elif snapshot.get("complete"):
        icon, text, color = STATUS_ICONS[Status.OK], "Complete", "success"
    else:
        combined = snapshot.get("combined") or {}
        reporting = combined.get("reportingAccounts")
        configured = combined.get("configuredAccounts")
        icon, color = STATUS_ICONS[Status.WARNING], "warning"
        if reporting is not None and configured is not None and reporting < configured:
            text = f"Partial: {reporting_text(reporting, configured)}"
        else:
            text = "Incomplete: some Regions unreadable"
    return dbc.Badge(
        [html.Span(icon, **{"aria-hidden": "true"}), f" {text}"],
        color=color,
        text_color="dark" if color == "warning" else None,
        title="Data completeness",
    )
