"""Add-staging-account modal: field checks, validate, then add (only what was validated)."""

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


def field_errors(form: dict, *, required: bool) -> dict[str, str]:
    """SPEC §2's rules on the form, before any call; blank fields only when `required`."""
    checks = {
        "accountId": lambda: inputs.account_id(form["accountId"]),
        "accountName": lambda: inputs.account_name(form["accountName"]),
        "roleArn": lambda: inputs.role_arn(form["roleArn"], form["accountId"]),
        "externalId": lambda: inputs.external_id(form["externalId"]),
        "region": lambda: inputs.region(form["region"]),
    }
    errors = {}
    for name, check in checks.items():
        if not form.get(name) and (name == "externalId" or not required):
            continue
        try:
            check()
        except InputError as exc:
            errors[name] = exc.message
    return errors


def register(app: dash.Dash, context: DashboardContext) -> None:
    @app.callback(
        *[Output(ids.ADD_FIELDS[name][0], "invalid") for name in FORM],
        *[Output(ids.ADD_FIELDS[name][1], "children") for name in FORM],
        *_FIELD_INPUTS,
    )
    def check_fields(*values):
        errors = field_errors(form_values(*values), required=False)
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

    @app.callback(
        Output(ids.VALIDATION_RESULT, "children"),
        Output(ids.VALIDATED_STAGING_STORE, "data"),
        Input(ids.ADD_VALIDATE, "n_clicks"),
        *_FIELD_STATES,
        State(ids.TARGET_SELECT, "value"),
        prevent_initial_call=True,
    )
    def validate(_clicks, *args):
        *values, target_id = args
        return validate_form(context, form_values(*values), target_id)

    @app.callback(
        Output(ids.ADD_MODAL, "is_open"),
        Output(ids.VALIDATION_RESULT, "children", allow_duplicate=True),
        Output(ids.VALIDATED_STAGING_STORE, "data", allow_duplicate=True),
        Output(DATA_VERSION_STORE, "data", allow_duplicate=True),
        Output(ids.SETTINGS_FEEDBACK, "children", allow_duplicate=True),
        *[Output(ids.ADD_FIELDS[name][0], "value") for name in FORM],
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
        keep = (no_update,) * len(FORM)
        # the form is cleared as it closes, never as it opens: a reset arriving after
        # the first keystrokes would erase them
        blank = (*("",) * (len(FORM) - 1), None)
        if ctx.triggered_id == ids.ADD_STAGING_OPEN:
            return True, no_update, no_update, no_update, None, *keep
        if ctx.triggered_id == ids.ADD_CANCEL:
            return False, None, None, no_update, no_update, *blank
        form = form_values(*values)
        body = context.call(
            "add_staging_account",
            targetAccountId=target_id,
            addedBy="dashboard",
            **form,
        )
        if not body["success"]:
            result = validation_result({"valid": False, "error": body["error"]})
            return True, result, None, no_update, no_update, *keep
        feedback = dbc.Alert(f"✓ {body['message']}", color="success", dismissable=True)
        return False, None, None, (version or 0) + 1, feedback, *blank


def validate_form(context: DashboardContext, form: dict, target_id: str | None):
    if not target_id:
        raise PreventUpdate
    errors = field_errors(form, required=True)
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
