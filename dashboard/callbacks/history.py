"""Capacity over time: the history chart and the soonest forecast under the headline,
drawn again when a new collection is on screen or another range is chosen; forecasts
due within the alert horizon in the warnings area; the history CSV of the range."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

import dash
from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from components import ids
from components.chart_parts import placeholder_figure
from components.forecast_warnings import forecast_alerts
from components.history_chart import history_figure, soonest_forecast
from dashboard.context import DashboardContext
from services.forecast_warnings import forecast_warnings

FORECAST_DAYS = 30  # the history the forecast warnings fit over, as the alerts do
_FILENAME = re.compile(r'filename="([^"]+)"')

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

    warned_by_key: OrderedDict[str, list] = OrderedDict()  # snapshot -> alerts

    @app.callback(
        Output(ids.FORECAST_WARNINGS, "children"),
        Input(ids.SNAPSHOT_STORE, "data"),
    )
    def warn_ahead(store):
        key = (store or {}).get("key")
        with lock:
            if key and key in warned_by_key:
                return warned_by_key[key]
        warned = forecast_warning_outputs(context, store)
        with lock:
            warned_by_key[key] = warned
            while len(warned_by_key) > DRAWN_SIZE:
                warned_by_key.popitem(last=False)
        return warned

    @app.callback(
        Output(ids.HISTORY_DOWNLOAD, "data"),
        Input(ids.HISTORY_EXPORT_BUTTON, "n_clicks"),
        State(ids.SNAPSHOT_STORE, "data"),
        State(ids.HISTORY_RANGE, "value"),
        prevent_initial_call=True,
    )
    def export_history(_clicks, store, days):
        return history_download(context, store, days)


def history_download(context: DashboardContext, store: dict | None, days) -> dict:
    """The history CSV of the chosen range: the API's bytes and file name."""
    snapshot = context.snapshot_for(store)
    if snapshot is None:
        raise PreventUpdate
    response = context.operations.dispatch(
        "export_history_csv",
        {"targetAccountId": snapshot["targetAccountId"], "days": days or 7},
    )
    if not response.success:
        raise PreventUpdate
    name = _FILENAME.search(response.headers["Content-Disposition"]).group(1)
    return {"content": response.text, "filename": name, "type": "text/csv"}


def forecast_warning_outputs(context: DashboardContext, store: dict | None) -> list:
    """Forecasts reaching CRITICAL or the limit within the alert horizon, as alerts."""
    snapshot = context.snapshot_for(store)
    horizon = context.settings.alert_forecast_days
    if snapshot is None or not horizon:
        return []
    body = context.call(
        "get_capacity_history",
        targetAccountId=snapshot["targetAccountId"],
        days=FORECAST_DAYS,
    )
    if not body.get("success"):
        return []
    names = {a["accountId"]: a.get("accountName") for a in snapshot["accounts"]}
    shown = [
        w
        for w in forecast_warnings(body, horizon)
        if snapshot["scope"] in ("all", w["region"])  # a Region on screen: its own
    ]
    return forecast_alerts(shown, names)


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
