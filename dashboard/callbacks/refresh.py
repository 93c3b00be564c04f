"""Polling: the interval, the refresh itself, and everything drawn from one snapshot."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, no_update

from components import ids
from components.alerts import no_target_alert, stale_banner, warning_alerts
from components.chart_parts import placeholder_figure
from components.charts import account_bars, region_bars
from components.gauges import combined_gauge, kpi_cards, no_data_gauge
from components.header import completeness_badge
from components.recovery import recovery_meter
from components.tables import accounts_table
from dashboard.context import DashboardContext, snapshot_of
from dashboard.layout import CLOCK_TICK, DATA_VERSION_STORE

# Clientside: "Last updated 09:30:05 UTC (12 s ago)" without a server round trip.
_LAST_UPDATED_JS = """
function(_tick, store) {
    if (!store || !store.collectedAt) { return "Not updated yet"; }
    const at = new Date(store.collectedAt);
    const ago = Math.max(0, Math.round((Date.now() - at.getTime()) / 1000));
    const clock = store.collectedAt.substring(11, 19) + " UTC";
    const age = ago < 120 ? ago + " s ago" : Math.round(ago / 60) + " min ago";
    const stale = store.stale ? " · stale" : "";
    return "Last updated " + clock + " (" + age + ")" + stale;
}
"""


def register(app: dash.Dash, context: DashboardContext) -> None:
    @app.callback(
        Output(ids.REFRESH_INTERVAL, "disabled"),
        Output(ids.REFRESH_INTERVAL, "interval"),
        Input(ids.AUTO_REFRESH_SWITCH, "value"),
        Input(ids.INTERVAL_SELECT, "value"),
    )
    def set_interval(auto, seconds):
        return not auto, int(
            seconds or context.settings.refresh_interval_seconds
        ) * 1000

    @app.callback(
        Output(ids.SNAPSHOT_STORE, "data"),
        Output(ids.COMBINED_GAUGE, "figure"),
        Output(ids.KPI_CARDS, "children"),
        Output(ids.RECOVERY_METER, "children"),
        Output(ids.WARNINGS_CONTAINER, "children"),
        Output(ids.REGION_BARS, "figure"),
        Output(ids.COMPLETENESS_BADGE, "children"),
        Output(ids.STALE_BANNER, "children"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
        Input(ids.REFRESH_BUTTON, "n_clicks"),
        Input(ids.TARGET_SELECT, "value"),
        Input(ids.SCOPE_SELECT, "value"),
        Input(DATA_VERSION_STORE, "data"),
        State(ids.SNAPSHOT_STORE, "data"),
    )
    def refresh(_n, _clicks, target_id, scope, _version, shown):
        return refresh_outputs(
            context,
            target_id,
            scope,
            ctx.triggered_id == ids.REFRESH_BUTTON,
            shown,
        )

    @app.callback(
        Output(ids.ACCOUNT_BARS, "figure"),
        Input(ids.SNAPSHOT_STORE, "data"),
        Input(ids.ACCOUNT_BARS_STACK, "value"),
    )
    def draw_account_bars(store, stack_by):
        snapshot = context.snapshot_for(store)
        if snapshot is None:
            return placeholder_figure("No data")
        return account_bars(snapshot, stack_by)

    @app.callback(
        Output(ids.ACCOUNTS_TABLE, "children"),
        Input(ids.SNAPSHOT_STORE, "data"),
        Input(ids.ACCOUNTS_SORT_STORE, "data"),
    )
    def draw_table(store, sort):
        snapshot = context.snapshot_for(store)
        if snapshot is None:
            return no_update
        return accounts_table(snapshot, sort)

    app.clientside_callback(
        _LAST_UPDATED_JS,
        Output(ids.LAST_UPDATED, "children"),
        Input(CLOCK_TICK, "n_intervals"),
        Input(ids.SNAPSHOT_STORE, "data"),
    )


def refresh_outputs(context, target_id, scope, force, shown):
    """Fetch a snapshot and draw it; on failure keep what is shown and say why."""
    if not target_id:
        empty = placeholder_figure("No target account")
        return (
            None,
            empty,
            None,
            None,
            [],
            empty,
            completeness_badge(None),
            no_target_alert(),
        )
    body = context.call(
        "get_combined_capacity",
        targetAccountId=target_id,
        region=scope or "all",
        refresh=force,
    )
    if not body.get("success"):
        reason = body["error"]["message"]
        if shown and shown.get("targetAccountId") == target_id:
            store = {**shown, "stale": True, "reason": reason}
            return (
                store,
                *(no_update,) * 6,
                stale_banner(reason, shown.get("collectedAt")),
            )
        empty = (
            no_data_gauge({}),
            None,
            None,
            [],
            go.Figure(),
            completeness_badge(None),
        )
        return (None, *empty, stale_banner(reason, None))
    snapshot = snapshot_of(body)
    key = context.snapshots.put(snapshot)
    store = {
        "key": key,
        "targetAccountId": target_id,
        "scope": snapshot["scope"],
        "collectedAt": snapshot["collectedAt"],
        "stale": False,
    }
    return (
        store,
        combined_gauge(snapshot["combined"], snapshot["scope"]),
        kpi_cards(snapshot),
        recovery_meter(snapshot["recoveryCapacity"], snapshot["scope"]),
        warning_alerts(snapshot["warnings"]),
        region_bars(snapshot),
        completeness_badge(snapshot),
        None,
    )
