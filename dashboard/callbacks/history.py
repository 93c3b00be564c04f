"""Capacity over time: the history chart and the soonest forecast under the headline,
drawn again when a new collection is on screen or another range is chosen."""

from __future__ import annotations

import threading
from collections import OrderedDict

import dash
from dash import Input, Output

from components import ids
from components.chart_parts import placeholder_figure
from components.history_chart import history_figure, soonest_forecast
from dashboard.context import DashboardContext

DRAWN_SIZE = 32


def register(app: dash.Dash, context: DashboardContext) -> None:
    drawn_by_key: OrderedDict[tuple, tuple] = OrderedDict()  # (snapshot, days) -> out
    lock = threading.Lock()

    @app.callback(
        Output(ids.HISTORY_GRAPH, "figure"),
        Output(ids.HISTORY_FORECAST_CONTAINER, "children"),
        Input(ids.SNAPSHOT_STORE, "data"),
        Input(ids.HISTORY_RANGE, "value"),
    )
    def draw_history(store, days):
        # every poll changes the store; the history changes with a new collection only
        key = ((store or {}).get("key"), days)
        with lock:
            if key[0] and key in drawn_by_key:
                return drawn_by_key[key]
        drawn = history_outputs(context, store, days)
        with lock:
            drawn_by_key[key] = drawn
            while len(drawn_by_key) > DRAWN_SIZE:
                drawn_by_key.popitem(last=False)
        return drawn


def history_outputs(context: DashboardContext, store: dict | None, days):
    snapshot = context.snapshot_for(store)
    if snapshot is None:
        return placeholder_figure("No data"), None
    body = context.call(
        "get_capacity_history",
        targetAccountId=snapshot["targetAccountId"],
        days=days or 7,
    )
    if not body.get("success"):
        return placeholder_figure(body["error"]["message"]), None
    names = {a["accountId"]: a.get("accountName") for a in snapshot["accounts"]}
    region = (snapshot.get("combined") or {}).get("region")
    figure = history_figure(body, names, region, snapshot.get("collectedAt"))
    return figure, soonest_forecast(body, names)
