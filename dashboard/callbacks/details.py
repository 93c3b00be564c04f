"""Account details modal: Region and state breakdowns, headroom and planning."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from components import ids
from components.format import account_label
from components.modals import details_body
from components.tables import next_sort, staging_accounts_for
from dashboard.context import DashboardContext


def register(app: dash.Dash, context: DashboardContext) -> None:
    limit = context.settings.replication_limit  # a new staging account's limit

    @app.callback(
        Output(ids.DETAILS_MODAL, "is_open"),
        Output(ids.DETAILS_TITLE, "children"),
        Output(ids.DETAILS_BODY, "children"),
        Output(ids.SELECTED_ACCOUNT_STORE, "data"),
        Input({"type": ids.ACCOUNT_DETAILS_TYPE, "index": ALL}, "n_clicks"),
        Input(ids.DETAILS_CLOSE, "n_clicks"),
        State(ids.SNAPSHOT_STORE, "data"),
        prevent_initial_call=True,
    )
    def open_details(clicks, _close, store):
        if ctx.triggered_id == ids.DETAILS_CLOSE:
            return False, dash.no_update, dash.no_update, None
        if not any(clicks):  # the table was redrawn, nobody clicked
            raise PreventUpdate
        account_id = ctx.triggered_id["index"]
        snapshot = context.snapshot_for(store) or {}
        account = next(
            (a for a in snapshot.get("accounts", []) if a["accountId"] == account_id),
            None,
        )
        if account is None:
            raise PreventUpdate
        return True, account_label(account), details_body(account), account_id

    @app.callback(
        Output(ids.PLANNING_RESULT, "children"),
        Input(ids.PLANNING_INPUT, "value"),
        State(ids.SNAPSHOT_STORE, "data"),
    )
    def plan(servers, store):
        snapshot = context.snapshot_for(store)
        if snapshot is None or servers is None:
            return "Enter how many servers you plan to add."
        return staging_accounts_for(servers, snapshot, limit)

    @app.callback(
        Output(ids.ACCOUNTS_SORT_STORE, "data"),
        Input({"type": ids.ACCOUNTS_SORT_TYPE, "index": ALL}, "n_clicks"),
        State(ids.ACCOUNTS_SORT_STORE, "data"),
        prevent_initial_call=True,
    )
    def sort(clicks, current):
        if not any(clicks):
            raise PreventUpdate
        return next_sort(current, ctx.triggered_id["index"])
