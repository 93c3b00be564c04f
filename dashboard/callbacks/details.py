"""Account details modal: Region and state breakdowns, headroom and planning."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from components import ids
from components.format import account_label
from components.modals import details_body
from components.planner import account_plan
from components.tables import next_sort
from dashboard.context import DashboardContext


def register(app: dash.Dash, context: DashboardContext) -> None:
    limit = context.settings.replication_limit  # a new staging account's limit

    @app.callback(
        Output(ids.DETAILS_MODAL, "is_open"),
        Output(ids.DETAILS_TITLE, "children"),
        Output(ids.DETAILS_BODY, "children"),
        Output(ids.SELECTED_ACCOUNT_STORE, "data"),
        Output(ids.PLANNING_INPUT, "value"),
        Input({"type": ids.ACCOUNT_DETAILS_TYPE, "index": ALL}, "n_clicks"),
        Input(ids.DETAILS_CLOSE, "n_clicks"),
        State(ids.SNAPSHOT_STORE, "data"),
        prevent_initial_call=True,
    )
    def open_details(clicks, _close, store):
        if ctx.triggered_id == ids.DETAILS_CLOSE:
            return False, dash.no_update, dash.no_update, None, dash.no_update
        if not any(clicks):  # the table was redrawn, nobody clicked
            raise PreventUpdate
        account = account_in(context.snapshot_for(store), ctx.triggered_id["index"])
        if account is None:
            raise PreventUpdate
        # each account's planner starts empty: an answer never carries over
        account_id = account["accountId"]
        return True, account_label(account), details_body(account), account_id, None

    @app.callback(
        Output(ids.PLANNING_RESULT, "children"),
        Input(ids.PLANNING_INPUT, "value"),
        Input(ids.SELECTED_ACCOUNT_STORE, "data"),
        State(ids.SNAPSHOT_STORE, "data"),
    )
    def plan(servers, account_id, store):
        return plan_for(context, servers, account_id, store, limit)

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


def account_in(snapshot: dict | None, account_id) -> dict | None:
    accounts = (snapshot or {}).get("accounts") or ()
    return next((a for a in accounts if a["accountId"] == account_id), None)


def plan_for(context: DashboardContext, servers, account_id, store, limit: int) -> str:
    """The planner's answer for the account the dialog is open on (its busiest Region)."""
    if servers is None:
        return "Enter how many servers you plan to add."
    account = account_in(context.snapshot_for(store), account_id)
    return account_plan(servers, account, limit)
