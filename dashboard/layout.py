"""The page: header, combined gauge and KPIs, recovery meter, warnings, charts, table,
and the modals. Built on every page load so the target list is current."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.chart_parts import GRAPH_CONFIG, placeholder_figure
from components.charts import stack_toggle
from components.gauges import GAUGE_HEIGHT
from components.header import header
from components.headline import headline
from components.history_chart import RANGES
from components.modals import (
    add_staging_modal,
    details_modal,
    remove_confirm_modal,
    settings_modal,
)

DATA_VERSION_STORE = "data-version-store"  # bumped after add/remove: refresh at once


def _card(title: str, body, **kwargs) -> dbc.Card:
    return dbc.Card(
        [dbc.CardHeader(html.H2(title, className="h6 mb-0")), dbc.CardBody(body)],
        **kwargs,
    )


def _graph(graph_id: str, height: int) -> dcc.Graph:
    return dcc.Graph(
        id=graph_id,
        figure=placeholder_figure("Waiting for the first collection…"),
        config=GRAPH_CONFIG,
        style={"height": f"{height}px"},
    )


def _area(name: str, children) -> html.Div:
    """One area of the page grid (assets/app.css places it per screen size: on a
    phone, warnings and the accounts table come right after the headline)."""
    return html.Div(children, className=f"area area-{name}")


def page(targets: list[dict], regions, settings, demo: bool) -> html.Div:
    interval_ms = settings.refresh_interval_seconds * 1000
    capacity = _card(
        "Replication capacity",
        [
            dbc.Row(
                [
                    dbc.Col(_graph(ids.COMBINED_GAUGE, GAUGE_HEIGHT), xl=6),
                    dbc.Col(html.Div(id=ids.REGION_BULLETS), xl=6),
                ],
                class_name="g-2",
            ),
            html.Div(id=ids.KPI_CARDS, className="mt-3"),
        ],
    )
    warnings = _card(
        "Warnings",
        [
            html.Div(id=ids.WARNINGS_CONTAINER, role="status"),
            html.Div(id=ids.FORECAST_WARNINGS, role="status"),
        ],
    )
    per_account = _card(
        "Servers per account",
        [stack_toggle(), _graph(ids.ACCOUNT_BARS, 420)],
    )
    per_region = _card("Replicating servers per Region", _graph(ids.REGION_BARS, 420))
    table = _card("Accounts", html.Div(id=ids.ACCOUNTS_TABLE))
    history = _card(
        "Capacity over time",
        [
            html.Div(
                [
                    dbc.RadioItems(
                        id=ids.HISTORY_RANGE,
                        options=[{"label": k, "value": v} for k, v in RANGES.items()],
                        value=7,
                        inline=True,
                    ),
                    dbc.Button(
                        "⤓ History CSV",
                        id=ids.HISTORY_EXPORT_BUTTON,
                        color="secondary",
                        outline=True,
                        size="sm",
                    ),
                    dcc.Download(id=ids.HISTORY_DOWNLOAD),
                ],
                className="d-flex flex-wrap align-items-center "
                "justify-content-between gap-2 mb-1",
            ),
            _graph(ids.HISTORY_GRAPH, 340),
        ],
    )
    body = dbc.Container(
        [
            html.Div(id=ids.STALE_BANNER),
            html.Div(headline(None), id=ids.HEADLINE),
            html.Div(id=ids.HISTORY_FORECAST_CONTAINER, className="mb-3"),
            html.Div(
                [
                    _area("capacity", capacity),
                    _area("warnings", warnings),
                    _area("recovery", html.Div(id=ids.RECOVERY_METER)),
                    _area("accounts", per_account),
                    _area("regions", per_region),
                    _area("table", table),
                    _area("history", history),
                ],
                className="page-grid mb-4",
            ),
        ],
        fluid=True,
        id=ids.MAIN,
        tag="main",
    )
    stores = [
        dcc.Interval(id=ids.REFRESH_INTERVAL, interval=interval_ms),
        dcc.Store(id=ids.SNAPSHOT_STORE),
        dcc.Store(id=ids.ACCOUNTS_SORT_STORE),
        dcc.Store(id=ids.SELECTED_ACCOUNT_STORE),
        dcc.Store(id=ids.VALIDATED_STAGING_STORE),
        dcc.Store(id=ids.PENDING_REMOVAL_STORE),
        dcc.Store(id=DATA_VERSION_STORE, data=0),
    ]
    modals = [
        details_modal(),
        settings_modal(),
        add_staging_modal(regions),
        remove_confirm_modal(),
    ]
    return html.Div(
        [
            html.A(
                "Skip to the capacity status",
                href=f"#{ids.MAIN}",
                className="visually-hidden-focusable skip-link",
            ),
            header(targets, regions, settings.refresh_interval_seconds, demo),
            body,
            *stores,
            *modals,
        ]
    )
