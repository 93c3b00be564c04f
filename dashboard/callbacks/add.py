"""Add-staging-account modal: field checks, validate, then add (only what was validated).

The dialog forgets everything as it closes, whichever way it closes (Cancel, Esc, ×,
a successful add), and a validation result lives only until a field changes."""

from __future__ import annotations

import hashlib
import json

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from components import ids
from components.modals import validation_result
from dashboard.context import DashboardContext
from dashboard.layout import DATA_VERSION_STORE
from services import inputs
from services.errors import InputError

FORM = ("accountId", "accountName", "roleArn", "externalId", "region")
_FIELD_INPUTS = [Input(ids.ADD_FIELDS[name][0], "value") for name in FORM]
_FIELD_STATES = [State(ids.ADD_FIELDS[name][0], "value") for name in FORM]
BLANK_FORM = (*("",) * (len(FORM) - 1), None)  # the Region is a select

# What to say about a required field left blank, once Validate has been pressed
MISSING = {
    "accountId": "Enter the Account ID (12 digits).",
    "accountName": "Enter a name for the account.",
    "roleArn": "Enter the Role ARN of the role the dashboard may assume.",
    "region": "Choose a Region.",
}


def form_values(*values) -> dict:
    return {
        name: (v.strip() if isinstance(v, str) else v)
        for name, v in zip(FORM, values, strict=True)
    }


def validated_form(form: dict, target_id: str | None) -> str:
    """What a successful validation vouches for: these values, for this target. A digest,
    because the store travels to the browser and the external ID is write-only."""
    vouched = json.dumps({**form, "targetAccountId": target_id}, sort_keys=True)
    return hashlib.sha256(vouched.encode()).hexdigest()


def _field_error(name: str, form: dict, target_id: str | None) -> str | None:
    value = form[name]
    try:
        if name == "accountId":
            inputs.account_id(value)
            if value == target_id:
                return (
                    f"Account ID {value} is the target account itself; a staging "
                    "account must be a different account."
                )
        elif name == "accountName":
            inputs.account_name(value)
        elif name == "roleArn":
            account = form["accountId"]
            if account and _is_account_id(account):
                inputs.role_arn(value, account)
            else:  # the account is wrong or missing: only the ARN's own shape
                inputs.role_arn_account(value)
        elif name == "externalId":
            inputs.external_id(value)
        else:
            inputs.region(value)
    except InputError as exc:
        return exc.message
    return None


def _is_account_id(value) -> bool:
    try:
        inputs.account_id(value)
    except InputError:
        return False
    return True


def field_errors(
    form: dict, *, required: bool, target_id: str | None = None
) -> dict[str, str]:
    """SPEC §2's rules on the form, before any call; blank fields only when `required`
    (after Validate: a person who has not reached a field yet is not told off)."""
    errors = {}
    for name in FORM:
        if not form.get(name):
            if required and name in MISSING:
                errors[name] = MISSING[name]
            continue
        error = _field_error(name, form, target_id)
        if error:
            errors[name] = error
    return errors


def register(app: dash.Dash, context: DashboardContext) -> None:
    @app.callback(
        *[Output(ids.ADD_FIELDS[name][0], "invalid") for name in FORM],
        *[Output(ids.ADD_FIELDS[name][1], "children") for name in FORM],
        *_FIELD_INPUTS,
        Input(ids.ADD_VALIDATE, "n_clicks"),  # reset to 0 as the dialog closes
        State(ids.TARGET_SELECT, "value"),
    )
    def check_fields(*args):
        *values, validate_clicks, target_id = args
        form = form_values(*values)
        errors = field_errors(form, required=bool(validate_clicks), target_id=target_id)
        return *[name in errors for name in FORM], *[errors.get(name) for name in FORM]

    @app.callback(
        Output(ids.ADD_SUBMIT, "disabled"),
        *_FIELD_INPUTS,
        Input(ids.TARGET_SELECT, "value"),
        Input(ids.VALIDATED_STAGING_STORE, "data"),
    )
    def enable_add(*args):
        *values, target_id, validated = args
        return validated != validated_form(form_values(*values), target_id)

    # One callback for the result and what it vouches for: a change of any field, or
    # the dialog closing, asks it again, and Dash drops the answer of a validation
    # still running (a result never outlives the values it was given for).
    @app.callback(
        Output(ids.VALIDATION_RESULT, "children"),
        Output(ids.VALIDATED_STAGING_STORE, "data"),
        Input(ids.ADD_VALIDATE, "n_clicks"),
        *_FIELD_INPUTS,
        Input(ids.ADD_MODAL, "is_open"),
        State(ids.TARGET_SELECT, "value"),
        prevent_initial_call=True,
    )
    def validate(clicks, *args):
        *values, is_open, target_id = args
        if ctx.triggered_id != ids.ADD_VALIDATE or not clicks or not is_open:
            return None, None
        return validate_form(context, form_values(*values), target_id)

    @app.callback(
        *[Output(ids.ADD_FIELDS[name][0], "value") for name in FORM],
        Output(ids.ADD_VALIDATE, "n_clicks"),
        Input(ids.ADD_MODAL, "is_open"),
        prevent_initial_call=True,
    )
    def reset_on_close(is_open):
        # cleared as it closes, never as it opens: a reset arriving after the first
        # keystrokes would erase them
        if is_open:
            raise PreventUpdate
        return *BLANK_FORM, 0

    @app.callback(
        Output(ids.ADD_MODAL, "is_open"),
        Output(ids.VALIDATION_RESULT, "children", allow_duplicate=True),
        Output(ids.VALIDATED_STAGING_STORE, "data", allow_duplicate=True),
        Output(DATA_VERSION_STORE, "data", allow_duplicate=True),
        Output(ids.SETTINGS_FEEDBACK, "children", allow_duplicate=True),
        Input(ids.ADD_STAGING_OPEN, "n_clicks"),
        Input(ids.ADD_CANCEL, "n_clicks"),
        Input(ids.ADD_SUBMIT, "n_clicks"),
        *_FIELD_STATES,
        State(ids.TARGET_SELECT, "value"),
        State(DATA_VERSION_STORE, "data"),
        prevent_initial_call=True,
    )
    def open_or_submit(_open, _cancel, _submit, *args):
        *values, target_id, version = args
        if ctx.triggered_id == ids.ADD_STAGING_OPEN:
            return True, no_update, no_update, no_update, None
        if ctx.triggered_id == ids.ADD_CANCEL:
            return False, no_update, no_update, no_update, no_update
        return submit(context, form_values(*values), target_id, version)


def submit(context: DashboardContext, form: dict, target_id, version):
    """Add the account: (is_open, result, validated, data version, settings feedback).
    Closing resets the form (reset_on_close)."""
    body = context.call(
        "add_staging_account", targetAccountId=target_id, addedBy="dashboard", **form
    )
    if body["success"]:
        feedback = dbc.Alert(f"✓ {body['message']}", color="success", dismissable=True)
        return False, None, None, (version or 0) + 1, feedback
    conflict = body["error"].get("code") == "CONFLICT"
    listed = _listed(context, target_id, form["accountId"]) if conflict else None
    if listed is not None:
        # added meanwhile, most likely in another tab: nothing left to do here
        feedback = dbc.Alert(
            f"ℹ {_named(listed)} is already a staging account of this target, perhaps "
            "added in another tab; the list is up to date.",
            color="info",
            dismissable=True,
        )
        return False, None, None, (version or 0) + 1, feedback
    result = validation_result({"valid": False, "error": body["error"]})
    return True, result, None, no_update, no_update


def _listed(context: DashboardContext, target_id, account_id) -> dict | None:
    """The target's stored entry for `account_id`, if it is registered now."""
    body = context.call("get_target_account", targetAccountId=target_id)
    entries = (body.get("stagingAccounts") or ()) if body.get("success") else ()
    return next((s for s in entries if s.get("accountId") == account_id), None)


def _named(entry: dict) -> str:
    name = entry.get("accountName")
    return f"{name} ({entry['accountId']})" if name else entry["accountId"]


def validate_form(context: DashboardContext, form: dict, target_id: str | None):
    if not target_id:
        raise PreventUpdate
    errors = field_errors(form, required=True, target_id=target_id)
    if errors:
        message = " ".join(errors.values())
        return validation_result(
            {"valid": False, "error": {"code": "VALIDATION_ERROR", "message": message}}
        ), None
    body = context.call(
        "validate_staging_account",
        targetAccountId=target_id,
        accountId=form["accountId"],
        roleArn=form["roleArn"],
        externalId=form["externalId"] or None,
        region=form["region"],
    )
    if not body["success"]:
        return validation_result({"valid": False, "error": body["error"]}), None
    valid = body.get("valid")
    return validation_result(body), (validated_form(form, target_id) if valid else None)
