"""Polling: the interval, the refresh itself, and everything drawn from one snapshot."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, no_update

from components import ids
from components.alerts import no_target_alert, stale_banner, warning_alerts
from components.chart_parts import placeholder_figure
from components.charts import account_bars, region_bars
from components.gauges import combined_gauge, kpi_cards, no_data_gauge, region_bullets
from components.header import REFRESH_LABEL, REFRESHING, completeness_badge
from components.headline import headline
from components.recovery import recovery_meter
from components.tables import accounts_table
from dashboard.context import DashboardContext, snapshot_of
from dashboard.layout import DATA_VERSION_STORE
from services.clock import parse_iso, utc_now

# Clientside: "Last updated 09:30:05 UTC" and the data's time for assets/clock.js,
# which keeps "(12 s ago)" counting even while a refresh runs (Dash holds callbacks
# that read the snapshot store until the refresh answers).
_LAST_UPDATED_JS = """
function(store) {
    const age = document.getElementById("AGE_ID");
    if (!store || !store.collectedAt) {
        if (age) { age.dataset.at = ""; age.textContent = ""; }
        return store && store.collecting ? "Collecting…" : "Not updated yet";
    }
    if (age) {
        age.dataset.at = store.collectedAt;
        age.dataset.stale = store.stale ? "1" : "";
        window.drsClock && window.drsClock();
    }
    const refreshing = store.refreshing ? " · refreshing…" : "";
    return "Last updated " + store.collectedAt.substring(11, 19) + " UTC" + refreshing;
}
""".replace("AGE_ID", ids.DATA_AGE)

# Clientside: the next poll is due when the data shown is `interval` old, so what is
# on screen is never older than the interval plus one collection.
_NEXT_POLL_JS = """
function(auto, seconds, store) {
    const period = (seconds || DEFAULT_SECONDS) * 1000;
    let next = period;
    if (store && (store.collecting || store.refreshing)) {
        next = 1000;  // a collection is running: pick its result up as it lands
    } else if (store && !store.stale && typeof store.ageSeconds === "number") {
        next = Math.max(1000, Math.round(period - store.ageSeconds * 1000));
    }
    return [!auto, next];
}
"""


def register(app: dash.Dash, context: DashboardContext) -> None:
    app.clientside_callback(
        _NEXT_POLL_JS.replace(
            "DEFAULT_SECONDS", str(context.settings.refresh_interval_seconds)
        ),
        Output(ids.REFRESH_INTERVAL, "disabled"),
        Output(ids.REFRESH_INTERVAL, "interval"),
        Input(ids.AUTO_REFRESH_SWITCH, "value"),
        Input(ids.INTERVAL_SELECT, "value"),
        Input(ids.SNAPSHOT_STORE, "data"),
    )

    @app.callback(
        Output(ids.SNAPSHOT_STORE, "data"),
        Output(ids.COMBINED_GAUGE, "figure"),
        Output(ids.KPI_CARDS, "children"),
        Output(ids.RECOVERY_METER, "children"),
        Output(ids.WARNINGS_CONTAINER, "children"),
        Output(ids.REGION_BARS, "figure"),
        Output(ids.COMPLETENESS_BADGE, "children"),
        Output(ids.STALE_BANNER, "children"),
        Output(ids.HEADLINE, "children"),
        Output(ids.REGION_BULLETS, "children"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
        Input(ids.REFRESH_BUTTON, "n_clicks"),
        Input(ids.TARGET_SELECT, "value"),
        Input(ids.SCOPE_SELECT, "value"),
        Input(DATA_VERSION_STORE, "data"),
        State(ids.SNAPSHOT_STORE, "data"),
        State(ids.AUTO_REFRESH_SWITCH, "value"),
        State(ids.INTERVAL_SELECT, "value"),
        running=[
            (Output(ids.REFRESH_BUTTON, "disabled"), True, False),
            (Output(ids.REFRESH_BUTTON, "children"), REFRESHING, REFRESH_LABEL),
        ],
    )
    def refresh(_n, _clicks, target_id, scope, _version, shown, auto, seconds):
        # polls ask for data no older than the interval; the cache TTL still bounds
        # what manual changes (target, Region) get
        max_age = max(1, int(seconds) - 1) if auto and seconds else None
        return refresh_outputs(
            context,
            target_id,
            scope,
            ctx.triggered_id == ids.REFRESH_BUTTON,
            shown,
            max_age,
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
        Input(ids.SNAPSHOT_STORE, "data"),
    )


def refresh_outputs(context, target_id, scope, force, shown, max_age=None):
    """Fetch a snapshot and draw it; on failure keep what is shown and say why."""
    if not target_id:
        # no target chosen: none registered, or the store could not list them
        listed = context.call("get_target_accounts")
        if listed.get("success"):
            empty, banner = placeholder_figure("No target account"), no_target_alert()
        else:
            reason = listed["error"]["message"]
            empty, banner = placeholder_figure("No data"), stale_banner(reason, None)
        return (
            None,
            empty,
            None,
            None,
            [],
            empty,
            completeness_badge(None),
            banner,
            headline(None),
            None,
        )
    request = {"targetAccountId": target_id, "region": scope or "all", "refresh": force}
    if max_age is not None and not force:
        request["maxAgeSeconds"] = max_age
    body = context.call("get_combined_capacity", **request)
    if not body.get("success"):
        reason = body["error"]["message"]
        if shown and shown.get("targetAccountId") == target_id:
            store = {**shown, "stale": True, "reason": reason}
            return (
                store,
                *(no_update,) * 6,
                stale_banner(reason, shown.get("collectedAt")),
                no_update,
                no_update,
            )
        empty = (
            no_data_gauge({}),
            None,
            None,
            [],
            go.Figure(),
            completeness_badge(None),
        )
        return (None, *empty, stale_banner(reason, None), headline(None), None)
    if body.get("collectedAt") is None:  # the first collection is still running
        return collecting_outputs(target_id, scope, shown)
    snapshot = snapshot_of(body)
    key = context.snapshots.put(snapshot)
    store = {
        "key": key,
        "targetAccountId": target_id,
        "scope": snapshot["scope"],
        "collectedAt": snapshot["collectedAt"],
        "ageSeconds": age_seconds(snapshot["collectedAt"]),
        "stale": False,
        # a newer collection is running (stale-while-revalidate): ask again shortly
        "refreshing": bool(body.get("refreshing")),
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
        headline(snapshot),
        region_bullets(snapshot),
    )


def collecting_outputs(target_id, scope, shown):
    """A cold start under stale-while-revalidate: nothing to draw yet; say so, keep
    whatever this target already shows, and ask again in a second."""
    store = {"targetAccountId": target_id, "scope": scope or "all", "collecting": True}
    if shown and shown.get("targetAccountId") == target_id and shown.get("key"):
        return ({**shown, "refreshing": True}, *(no_update,) * 9)
    waiting = placeholder_figure("Collecting… the first numbers arrive in seconds")
    return (
        store,
        waiting,
        None,
        None,
        [],
        waiting,
        completeness_badge(None),
        None,
        headline(None, collecting=True),
        None,
    )


def age_seconds(collected_at: str) -> float | None:
    """How old the data is now, by this server's clock (the browser's may differ)."""
    try:
        at = parse_iso(collected_at)
    except (AttributeError, ValueError):
        return None
    return round(max(0.0, (utc_now() - at).total_seconds()), 1)
