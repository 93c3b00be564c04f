"""Modal layouts: account details, staging-account settings, add and remove-confirm.

Bodies start empty; callbacks fill them with the renderers in `components.modal_bodies`
(re-exported here).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.modal_bodies import (
    details_body,
    removal_impact,
    staging_list,
    validation_result,
)
from components.planner import account_plan

__all__ = [
    "account_plan",
    "add_staging_modal",
    "details_body",
    "details_modal",
    "removal_impact",
    "remove_confirm_modal",
    "settings_modal",
    "staging_list",
    "validation_result",
]


def _modal(modal_id: str, title, body, footer, **kwargs) -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(title)),
            dbc.ModalBody(body),
            dbc.ModalFooter(footer),
        ],
        id=modal_id,
        is_open=False,
        **kwargs,
    )


def _close(button_id: str, text: str = "Close") -> dbc.Button:
    return dbc.Button(text, id=button_id, color="secondary", outline=True)


def details_modal() -> dbc.Modal:
    """One account's details (filled into DETAILS_BODY) and a planner for that account
    (its busiest Region against that unit's own limit)."""
    planning = html.Div(
        [
            html.H6("What if I add servers to this account?"),
            dbc.Label("Servers to add", html_for=ids.PLANNING_INPUT),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=ids.PLANNING_INPUT,
                        type="number",
                        min=0,
                        step=1,
                        placeholder="e.g. 50",
                        debounce=True,
                    ),
                    dbc.InputGroupText("servers"),
                ],
                class_name="mb-2",
                style={"maxWidth": "20rem"},
            ),
            html.Div(id=ids.PLANNING_RESULT, role="status"),
        ]
    )
    return _modal(
        ids.DETAILS_MODAL,
        html.Span(id=ids.DETAILS_TITLE),
        [html.Div(id=ids.DETAILS_BODY), html.Hr(), planning],
        _close(ids.DETAILS_CLOSE),
        size="xl",
        scrollable=True,
    )


def settings_modal() -> dbc.Modal:
    """The selected target's staging accounts (STAGING_LIST) with add and remove."""
    return _modal(
        ids.SETTINGS_MODAL,
        html.Span("Staging accounts", id=ids.SETTINGS_TITLE),
        [html.Div(id=ids.SETTINGS_FEEDBACK), html.Div(id=ids.STAGING_LIST)],
        [
            dbc.Button("Add staging account", id=ids.ADD_STAGING_OPEN, color="primary"),
            _close(ids.SETTINGS_CLOSE),
        ],
        size="lg",
        scrollable=True,
    )


def _field(label: str, input_component, feedback_id: str, hint: str | None = None):
    parts = [
        dbc.Label(label, html_for=input_component.id),
        input_component,
        dbc.FormFeedback(id=feedback_id, type="invalid"),
    ]
    if hint:
        parts.append(dbc.FormText(hint))
    return html.Div(parts, className="mb-3")


def add_staging_modal(regions) -> dbc.Modal:
    """Form for a new staging account: validate first, then add."""
    fields = [
        _field(
            "Account ID",
            dbc.Input(
                id=ids.ADD_ACCOUNT_ID,
                placeholder="123456789012",
                maxlength=12,
                inputmode="numeric",
            ),
            ids.ADD_ACCOUNT_ID_FEEDBACK,
            "Exactly 12 digits.",
        ),
        _field(
            "Account name",
            dbc.Input(id=ids.ADD_ACCOUNT_NAME, maxlength=64),
            ids.ADD_ACCOUNT_NAME_FEEDBACK,
        ),
        _field(
            "Role ARN",
            dbc.Input(
                id=ids.ADD_ROLE_ARN,
                placeholder="arn:aws:iam::123456789012:role/DRSCapacityRead",
            ),
            ids.ADD_ROLE_ARN_FEEDBACK,
            "A role in the staging account that the dashboard may assume.",
        ),
        _field(
            "External ID (optional)",
            dbc.Input(id=ids.ADD_EXTERNAL_ID),
            ids.ADD_EXTERNAL_ID_FEEDBACK,
        ),
        _field(
            "Region",
            dbc.Select(
                id=ids.ADD_REGION,
                options=[{"label": r, "value": r} for r in regions],
                placeholder="Region where DRS is initialized",
            ),
            ids.ADD_REGION_FEEDBACK,
        ),
    ]
    return _modal(
        ids.ADD_MODAL,
        "Add a staging account",
        [dbc.Form(fields), html.Div(id=ids.VALIDATION_RESULT, role="status")],
        [
            _close(ids.ADD_CANCEL, "Cancel"),
            dbc.Button(
                "Validate access", id=ids.ADD_VALIDATE, color="primary", outline=True
            ),
            dbc.Button(
                "Add account", id=ids.ADD_SUBMIT, color="success", disabled=True
            ),
        ],
        size="lg",
        # a click beside it must not throw the form away; Esc and × may, and then
        # reset it exactly as Cancel does (is_open turns False whichever way it closes)
        backdrop="static",
        keyboard=True,
    )


def remove_confirm_modal() -> dbc.Modal:
    """Confirmation showing the capacity impact (REMOVE_IMPACT) before removing."""
    return _modal(
        ids.REMOVE_MODAL,
        "Remove staging account?",
        html.Div(id=ids.REMOVE_IMPACT),
        [
            _close(ids.REMOVE_CANCEL, "Cancel"),
            dbc.Button("Remove", id=ids.REMOVE_CONFIRM, color="danger"),
        ],
        size="lg",  # the impact is a table of Regions
        backdrop="static",
    )
