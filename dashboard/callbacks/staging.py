"""Staging-accounts settings modal and the remove confirmation with its capacity impact."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from components import ids
from components.modals import removal_impact, staging_list
from dashboard.context import DashboardContext
from dashboard.layout import DATA_VERSION_STORE


def register(app: dash.Dash, context: DashboardContext) -> None:
    @app.callback(
        Output(ids.SETTINGS_MODAL, "is_open"),
        Input(ids.SETTINGS_BUTTON, "n_clicks"),
        Input(ids.SETTINGS_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    def show_settings(*_):
        # the add and remove dialogs open on top of it, so focus stays where they put it
        return ctx.triggered_id == ids.SETTINGS_BUTTON

    @app.callback(
        Output(ids.STAGING_LIST, "children"),
        Output(ids.SETTINGS_TITLE, "children"),
        Input(ids.SETTINGS_MODAL, "is_open"),
        Input(ids.SNAPSHOT_STORE, "data"),
        State(ids.TARGET_SELECT, "value"),
    )
    def draw_settings(is_open, store, target_id):
        if not is_open or not target_id:
            raise PreventUpdate
        body = context.call("get_target_account", targetAccountId=target_id)
        if not body["success"]:
            return dbc.Alert(body["error"]["message"], color="danger"), no_update
        target = body["targetAccount"]
        title = f"Staging accounts of {target['accountName']} ({target['accountId']})"
        return staging_list(target, context.snapshot_for(store)), title

    @app.callback(
        Output(ids.REMOVE_MODAL, "is_open"),
        Output(ids.REMOVE_IMPACT, "children"),
        Output(ids.PENDING_REMOVAL_STORE, "data"),
        Output(DATA_VERSION_STORE, "data", allow_duplicate=True),
        Output(ids.SETTINGS_FEEDBACK, "children", allow_duplicate=True),
        Input({"type": ids.REMOVE_STAGING_TYPE, "index": ALL}, "n_clicks"),
        Input(ids.REMOVE_CONFIRM, "n_clicks"),
        Input(ids.REMOVE_CANCEL, "n_clicks"),
        State(ids.PENDING_REMOVAL_STORE, "data"),
        State(ids.TARGET_SELECT, "value"),
        State(DATA_VERSION_STORE, "data"),
        prevent_initial_call=True,
    )
    def remove(clicks, _confirm, _cancel, pending, target_id, version):
        trigger = ctx.triggered_id
        if trigger == ids.REMOVE_CANCEL:
            return False, no_update, None, no_update, no_update
        if trigger == ids.REMOVE_CONFIRM:
            return confirm_removal(context, target_id, pending, version)
        if not any(clicks):  # the list was redrawn, nobody clicked
            raise PreventUpdate
        staging_id = trigger["index"]
        return (
            True,
            impact_view(context, target_id, staging_id),
            staging_id,
            no_update,
            no_update,
        )


def impact_view(context: DashboardContext, target_id: str, staging_id: str):
    body = context.call(
        "get_removal_impact", targetAccountId=target_id, stagingAccountId=staging_id
    )
    if not body["success"]:
        return dbc.Alert(
            f"Capacity impact unknown: {body['error']['message']}", color="warning"
        )
    return removal_impact(body["impact"])


def confirm_removal(context: DashboardContext, target_id, staging_id, version):
    if not staging_id:
        raise PreventUpdate
    body = context.call(
        "remove_staging_account", targetAccountId=target_id, stagingAccountId=staging_id
    )
    if not body["success"]:
        alert = dbc.Alert(f"✖ {body['error']['message']}", color="danger")
        return False, no_update, None, no_update, alert
    alert = dbc.Alert(f"✓ {body['message']}", color="success", dismissable=True)
    return False, no_update, None, (version or 0) + 1, alert
