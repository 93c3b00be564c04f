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
        State(ids.SNAPSHOT_STORE, "data"),
        prevent_initial_call=True,
    )
    def remove(clicks, _confirm, _cancel, pending, target_id, version, store):
        trigger = ctx.triggered_id
        if trigger == ids.REMOVE_CANCEL:
            return False, no_update, None, no_update, no_update
        shown = context.snapshot_for(store)
        if trigger == ids.REMOVE_CONFIRM:
            return confirm_removal(context, target_id, pending, version, shown)
        if not any(clicks):  # the list was redrawn, nobody clicked
            raise PreventUpdate
        return ask_removal(context, target_id, trigger["index"], version, shown)


def ask_removal(context: DashboardContext, target_id, staging_id, version, shown=None):
    """Open the confirmation with the impact; if the account is gone already (another
    tab), refresh the list instead and say so."""
    body = context.call(
        "get_removal_impact", targetAccountId=target_id, stagingAccountId=staging_id
    )
    if _already_removed(body):
        return _gone(staging_id, version, shown)
    name = _staging_name(context, target_id, staging_id, shown)
    if not body["success"]:
        impact = dbc.Alert(
            f"Capacity impact unknown: {body['error']['message']}", color="warning"
        )
    else:
        impact = removal_impact(body["impact"], name)
    return True, impact, staging_id, no_update, None


def impact_view(context: DashboardContext, target_id: str, staging_id: str):
    """The confirmation's body: the question naming the account, and the impact."""
    return ask_removal(context, target_id, staging_id, 0)[1]


def confirm_removal(
    context: DashboardContext, target_id, staging_id, version, shown=None
):
    if not staging_id:
        raise PreventUpdate
    body = context.call(
        "remove_staging_account", targetAccountId=target_id, stagingAccountId=staging_id
    )
    if _already_removed(body):
        return _gone(staging_id, version, shown)
    if not body["success"]:
        alert = dbc.Alert(f"✖ {body['error']['message']}", color="danger")
        return False, no_update, None, no_update, alert
    name = _name_in(shown, staging_id)
    label = f"{name} ({staging_id})" if name else staging_id
    alert = dbc.Alert(
        f"✓ {label} removed from this target.", color="success", dismissable=True
    )
    return False, no_update, None, (version or 0) + 1, alert


def _already_removed(body: dict) -> bool:
    """A 404 about the staging account (not the target): removed meanwhile."""
    error = body.get("error") or {}
    return (
        not body.get("success")
        and error.get("code") == "NOT_FOUND"
        and error.get("field") == "stagingAccountId"
    )


def _gone(staging_id: str, version, shown: dict | None):
    """Close the confirmation, refresh the list and the page, and say why."""
    name = _name_in(shown, staging_id)
    label = f"{name} ({staging_id})" if name else staging_id
    alert = dbc.Alert(
        f"ℹ {label} was already removed, perhaps in another tab; the list is up to "
        "date.",
        color="info",
        dismissable=True,
    )
    return False, None, None, (version or 0) + 1, alert


def _staging_name(context, target_id, staging_id, shown) -> str | None:
    """The account's name as registered (else as on screen), for the confirmation."""
    body = context.call("get_target_account", targetAccountId=target_id)
    entries = (body.get("stagingAccounts") or ()) if body.get("success") else ()
    entry = next((s for s in entries if s.get("accountId") == staging_id), None)
    return (entry or {}).get("accountName") or _name_in(shown, staging_id)


def _name_in(snapshot: dict | None, account_id) -> str | None:
    accounts = (snapshot or {}).get("accounts") or ()
    found = next((a for a in accounts if a.get("accountId") == account_id), None)
    return (found or {}).get("accountName")
