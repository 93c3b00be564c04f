"""Capacity over time: the history chart, drawn again when a new collection is on screen
or another range is chosen; the soonest forecast under the headline and the forecasts
due within the alert horizon in the warnings area, drawn again with a new collection;
the history CSV of the range shown."""

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

FORECAST_DAYS = 30  # the history forecasts are fitted over, as the alerts' are
_FILENAME = re.compile(r'filename="([^"]+)"')

DRAWN_SIZE = 32


def register(app: dash.Dash, context: DashboardContext) -> None:
    # every poll changes the store; the history changes with a new collection only
    remember = _memo()

    @app.callback(
        Output(ids.HISTORY_GRAPH, "figure"),
        Input(ids.SNAPSHOT_STORE, "data"),
        Input(ids.HISTORY_RANGE, "value"),
    )
    def draw_history(store, days):
        key = ("chart", (store or {}).get("key"), days)
        return remember(key, lambda: history_outputs(context, store, days))

    @app.callback(
        Output(ids.HISTORY_FORECAST_CONTAINER, "children"),
        Output(ids.FORECAST_WARNINGS, "children"),
        Input(ids.SNAPSHOT_STORE, "data"),
    )
    def forecast_ahead(store):
        key = ("forecast", (store or {}).get("key"))
        return remember(key, lambda: forecast_outputs(context, store))

    @app.callback(
        Output(ids.HISTORY_DOWNLOAD, "data"),
        Input(ids.HISTORY_EXPORT_BUTTON, "n_clicks"),
        State(ids.SNAPSHOT_STORE, "data"),
        State(ids.HISTORY_RANGE, "value"),
        prevent_initial_call=True,
    )
    def export_history(_clicks, store, days):
        return history_download(context, store, days)


def _memo():
    """A small per-app memory of drawn outputs by (what, snapshot on screen, …)."""
    drawn: OrderedDict[tuple, object] = OrderedDict()
    lock = threading.Lock()

    def remember(key: tuple, draw):
        with lock:
            if key[1] and key in drawn:
                return drawn[key]
        outputs = draw()
        with lock:
            drawn[key] = outputs
            while len(drawn) > DRAWN_SIZE:
                drawn.popitem(last=False)
        return outputs

    return remember


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


def forecast_outputs(context: DashboardContext, store: dict | None):
    """The soonest forecast under the headline, and forecasts reaching CRITICAL or the
    limit within the alert horizon as warnings: both fitted over the same 30 days as
    the alerts, whatever range the chart shows."""
    snapshot = context.snapshot_for(store)
    if snapshot is None:
        return None, []
    body = context.call(
        "get_capacity_history",
        targetAccountId=snapshot["targetAccountId"],
        days=FORECAST_DAYS,
    )
    if not body.get("success"):
        return None, []
    names = {a["accountId"]: a.get("accountName") for a in snapshot["accounts"]}
    horizon = context.settings.alert_forecast_days
    shown = [
        w
        for w in (forecast_warnings(body, horizon) if horizon else [])
        if snapshot["scope"] in ("all", w["region"])  # a Region on screen: its own
    ]
    return soonest_forecast(body, names), forecast_alerts(shown, names)


def history_outputs(context: DashboardContext, store: dict | None, days) -> dict:
    """The history chart of the chosen range."""
    snapshot = context.snapshot_for(store)
    if snapshot is None:
        return placeholder_figure("No data")
    body = context.call(
        "get_capacity_history",
        targetAccountId=snapshot["targetAccountId"],
        days=days or 7,
    )
    if not body.get("success"):
        return placeholder_figure(body["error"]["message"])
    names = {a["accountId"]: a.get("accountName") for a in snapshot["accounts"]}
    region = (snapshot.get("combined") or {}).get("region")
    return history_figure(body, names, region, snapshot.get("collectedAt"))
