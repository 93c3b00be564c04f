"""Dashboard callback logic, called directly (no browser): refresh, stale, add, remove."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from dashboard.callbacks.add import (
    field_errors,
    form_values,
    validate_form,
    validated_form,
)
from dashboard.callbacks.export import download_for
from dashboard.callbacks.refresh import refresh_outputs
from dashboard.callbacks.staging import confirm_removal, impact_view
from dashboard.context import DashboardContext, ScreenSnapshots
from services.backend import build_backend, build_operations
from services.export import capacity_csv
from services.settings import Settings
from tests.unit.component_tree import text_of

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "browser.json"
TARGET = "111111111111"
STAGING = "222222222222"
NEW = "444444444444"


@pytest.fixture
def context():
    settings = Settings(scenario_path=str(SCENARIO), regions=("us-east-1",))
    backend = build_backend(settings)
    yield DashboardContext(build_operations(backend), settings, demo=True)
    backend.close()


class CountingContext(DashboardContext):
    """Records every dispatcher call, to prove that some paths make none."""

    def __init__(self, inner: DashboardContext):
        super().__init__(inner.operations, inner.settings, inner.demo, inner.snapshots)
        self.calls: list[str] = []

    def call(self, operation, **payload):
        self.calls.append(operation)
        return super().call(operation, **payload)


def test_refresh_draws_the_snapshot_and_remembers_it(context):
    store, gauge, kpis, *_rest, banner = refresh_outputs(
        context, TARGET, "all", False, None
    )
    assert store["targetAccountId"] == TARGET and store["stale"] is False
    snapshot = context.snapshots.get(store["key"])
    assert snapshot["combined"]["totalReplicating"] == 162
    assert gauge["data"][0]["value"] == 162
    assert "in us-east-1 (binding Region)" in gauge["layout"]["title"]["text"]
    assert "162" in text_of(kpis)
    assert banner is None


def test_a_failed_refresh_keeps_the_last_snapshot_and_says_why(context):
    store, *_ = refresh_outputs(context, TARGET, "all", False, None)
    context.operations._store.get_target = _raise_store_down
    outputs = refresh_outputs(context, TARGET, "all", True, store)  # "Refresh now"
    stale, visuals, banner = outputs[0], outputs[1:7], outputs[7]
    assert stale["stale"] is True and stale["key"] == store["key"]
    assert all(v is no_update for v in visuals)  # what is on screen stays
    assert "did not answer" in text_of(banner)
    assert context.snapshot_for(stale)["combined"]["totalReplicating"] == 162


def test_a_failure_on_another_target_shows_no_data_rather_than_the_old_one(context):
    store, *_ = refresh_outputs(context, TARGET, "all", False, None)
    outputs = refresh_outputs(context, "999999999999", "all", False, store)
    assert outputs[0] is None
    assert outputs[2] is None  # no KPI cards of another account
    assert "999999999999" in text_of(outputs[7])


def _raise_store_down(target_id):
    from botocore.exceptions import EndpointConnectionError

    raise EndpointConnectionError(
        endpoint_url="https://dynamodb.us-east-1.amazonaws.com"
    )


def test_screen_snapshots_keep_only_the_most_recent():
    screen = ScreenSnapshots(size=2)
    keys = [
        screen.put({"targetAccountId": TARGET, "scope": "all", "collectedAt": f"t{i}"})
        for i in range(3)
    ]
    assert screen.get(keys[0]) is None
    assert screen.get(keys[2])["collectedAt"] == "t2"


def test_the_download_is_the_csv_of_the_snapshot_on_screen(context):
    store, *_ = refresh_outputs(context, TARGET, "all", False, None)
    snapshot = context.snapshot_for(store)
    download = download_for(snapshot)
    assert download["content"] == capacity_csv(snapshot)
    assert download["filename"].startswith(f"drs-capacity-{TARGET}-")
    with pytest.raises(PreventUpdate):
        download_for(None)


def test_untouched_blank_fields_are_not_flagged_until_validation():
    blank = form_values("", "", "", "", None)
    assert field_errors(blank, required=False) == {}
    required = field_errors(blank, required=True)
    assert set(required) == {"accountId", "accountName", "roleArn", "region"}


def test_field_checks_name_what_is_wrong():
    form = form_values("12345", "ok", f"arn:aws:iam::{NEW}:role/R", "x", "mars-1")
    errors = field_errors(form, required=False)
    assert set(errors) == {"accountId", "roleArn", "externalId", "region"}
    assert "12 digits" in errors["accountId"]


def test_validation_with_bad_fields_makes_no_aws_call(context):
    counting = CountingContext(context)
    form = form_values("12345", "name", "not-an-arn", "", "us-east-1")
    result, validated = validate_form(counting, form, TARGET)
    assert validated is None
    assert counting.calls == []
    assert "VALIDATION_ERROR" in text_of(result)


def test_a_valid_account_is_remembered_exactly_as_validated(context):
    form = form_values(
        NEW,
        "staging-new",
        f"arn:aws:iam::{NEW}:role/DRSCapacityRead",
        "ext-444",
        "us-east-1",
    )
    result, validated = validate_form(context, form, TARGET)
    assert validated == validated_form(form, TARGET)
    assert validated != validated_form({**form, "region": "us-west-2"}, TARGET)
    assert validated != validated_form(form, "999999999999")
    assert "ext-444" not in json.dumps(validated)  # it travels to the browser
    assert "192" in text_of(result)


def test_a_failed_validation_is_not_remembered(context):
    form = form_values(
        "555555555555",
        "locked",
        "arn:aws:iam::555555555555:role/DRSCapacityRead",
        "",
        "us-east-1",
    )
    result, validated = validate_form(context, form, TARGET)
    assert validated is None
    assert "ROLE_NOT_ACCESSIBLE" in text_of(result)


def test_removal_shows_the_impact_then_removes_and_bumps_the_data_version(context):
    impact = text_of(impact_view(context, TARGET, STAGING))
    assert "us-east-1 600 → 300 162 → 100 62" in impact  # per Region
    assert "Binding Region after removal: us-east-1, 100 of 300" in impact
    is_open, _, pending, version, feedback = confirm_removal(
        context, TARGET, STAGING, 4
    )
    assert (is_open, pending, version) == (False, None, 5)
    assert "removed" in text_of(feedback)
    body = context.call("get_target_account", targetAccountId=TARGET)
    assert body["stagingAccounts"] == []


def test_a_failed_removal_says_why_and_changes_nothing(context):
    is_open, _, _, version, feedback = confirm_removal(
        context, TARGET, "333333333333", 4
    )
    assert version is no_update
    assert "not" in text_of(feedback).lower()


def test_without_a_target_the_page_says_how_to_register_one(context):
    outputs = refresh_outputs(context, None, "all", False, None)
    assert outputs[0] is None  # nothing on screen to export or detail
    assert outputs[1]["layout"]["annotations"][0]["text"] == "No target account"
    assert "cli.py targets add" in text_of(outputs[7])
