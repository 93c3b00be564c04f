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


def _column(children, order: int, lg_order: int, **widths) -> dbc.Col:
    """A column placed by importance on phones (`order`) and by layout on large
    screens (`lg_order`): headline, warnings and statuses come first on a phone."""
    return dbc.Col(children, class_name=f"order-{order} order-lg-{lg_order}", **widths)


def page(targets: list[dict], regions, settings, demo: bool) -> html.Div:
    interval_ms = settings.refresh_interval_seconds * 1000
    capacity = _card(
        "Replication capacity",
        [
            dbc.Row(
                [
                    dbc.Col(_graph(ids.COMBINED_GAUGE, GAUGE_HEIGHT), md=6),
                    dbc.Col(html.Div(id=ids.REGION_BULLETS), md=6),
                ],
                class_name="g-2",
            ),
            html.Div(id=ids.KPI_CARDS),
        ],
    )
    side = [
        _card(
            "Warnings",
            html.Div(id=ids.WARNINGS_CONTAINER, role="status"),
            class_name="mb-3",
        ),
        html.Div(id=ids.RECOVERY_METER),  # a card of its own
    ]
    per_account = _card(
        "Servers per account",
        [stack_toggle(), _graph(ids.ACCOUNT_BARS, 420)],
    )
    per_region = _card("Replicating servers per Region", _graph(ids.REGION_BARS, 420))
    table = _card("Accounts", html.Div(id=ids.ACCOUNTS_TABLE))
    body = dbc.Container(
        [
            html.Div(id=ids.STALE_BANNER),
            html.Div(headline(None), id=ids.HEADLINE, className="mb-3"),
            dbc.Row(
                [
                    _column(capacity, 3, 1, lg=8),
                    _column(side, 1, 2, lg=4),
                    _column(per_account, 4, 3, lg=6),
                    _column(per_region, 5, 4, lg=6),
                    _column(table, 2, 5, xs=12),
                ],
                class_name="g-3 mb-4",
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
