"""The page: header, combined gauge and KPIs, recovery meter, warnings, charts, table,
and the modals. Built on every page load so the target list is current."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.chart_parts import GRAPH_CONFIG, placeholder_figure
from components.charts import stack_toggle
from components.header import header
from components.modals import (
    add_staging_modal,
    details_modal,
    remove_confirm_modal,
    settings_modal,
)

DATA_VERSION_STORE = "data-version-store"  # bumped after add/remove: refresh at once
CLOCK_TICK = "clock-tick"  # drives the "(n s ago)" text in the browser


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


def page(targets: list[dict], regions, settings, demo: bool) -> html.Div:
    interval_ms = settings.refresh_interval_seconds * 1000
    body = dbc.Container(
        [
            html.Div(id=ids.STALE_BANNER),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "Combined replication capacity",
                            [
                                _graph(ids.COMBINED_GAUGE, 280),
                                html.Div(id=ids.KPI_CARDS),
                            ],
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        [
                            html.Div(
                                id=ids.RECOVERY_METER, className="mb-3"
                            ),  # a card of its own
                            _card(
                                "Warnings",
                                html.Div(id=ids.WARNINGS_CONTAINER, role="status"),
                            ),
                        ],
                        lg=4,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "Servers per account",
                            [stack_toggle(), _graph(ids.ACCOUNT_BARS, 380)],
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        _card(
                            "Replicating servers per Region",
                            _graph(ids.REGION_BARS, 410),
                        ),
                        lg=6,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            _card("Accounts", html.Div(id=ids.ACCOUNTS_TABLE), class_name="mb-4"),
        ],
        fluid=True,
    )
    stores = [
        dcc.Interval(id=ids.REFRESH_INTERVAL, interval=interval_ms),
        dcc.Interval(id=CLOCK_TICK, interval=5000),
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
            header(targets, regions, settings.refresh_interval_seconds, demo),
            body,
            *stores,
            *modals,
        ]
    )
