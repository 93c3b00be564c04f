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
    submit,
    validate_form,
    validated_form,
)
from dashboard.callbacks.details import plan_for
from dashboard.callbacks.export import download_for
from dashboard.callbacks.refresh import refresh_outputs
from dashboard.callbacks.staging import ask_removal, confirm_removal, impact_view
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
    store, gauge, kpis, *_rest, banner, top, bullets = refresh_outputs(
        context, TARGET, "all", False, None
    )
    assert "OK" in text_of(top) and "us-east-1" in text_of(bullets)
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
    assert required == {
        "accountId": "Enter the Account ID (12 digits).",
        "accountName": "Enter a name for the account.",
        "roleArn": "Enter the Role ARN of the role the dashboard may assume.",
        "region": "Choose a Region.",
    }  # the external ID is optional; never "got NoneType"


def test_field_checks_name_the_field_as_labelled_and_what_is_wrong():
    form = form_values("12345", "ok", f"arn:aws:iam::{NEW}:role/R", "ab cd", "mars-1")
    errors = field_errors(form, required=False)
    assert set(errors) == {
        "accountId",
        "externalId",
        "region",
    }  # the ARN's shape is fine
    assert errors["accountId"].startswith("Account ID must be exactly 12 digits")
    assert errors["externalId"] == (
        "External ID may contain only letters, digits and + = , . @ : / _ -; "
        "it contains a space."
    )
    assert "length" not in errors["externalId"] and "5" not in errors["externalId"]
    for message in errors.values():
        assert "accountId" not in message and "externalId" not in message


def test_a_role_in_another_account_is_flagged_once_the_account_id_is_valid():
    form = form_values(NEW, "ok", f"arn:aws:iam::{STAGING}:role/R", "", "us-east-1")
    errors = field_errors(form, required=True)
    assert errors == {
        "roleArn": f"Role ARN must be a role in account {NEW} (the Account ID); "
        f"it names account {STAGING}."
    }


def test_the_target_itself_is_not_a_staging_account():
    form = form_values(TARGET, "t", f"arn:aws:iam::{TARGET}:role/R", "", "us-east-1")
    errors = field_errors(form, required=True, target_id=TARGET)
    assert "is the target account itself" in errors["accountId"]


def test_validation_with_bad_fields_makes_no_aws_call(context):
    counting = CountingContext(context)
    form = form_values("12345", "name", "not-an-arn", "", None)
    result, validated = validate_form(counting, form, TARGET)
    assert validated is None
    assert counting.calls == []
    text = text_of(result)
    assert text.startswith("✖ Not checked yet: correct the fields marked in red.")
    assert "Choose a Region." in text
    assert "VALIDATION_ERROR" not in text and "not checked" not in text


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
        context, "999999999999", STAGING, 4
    )  # a target that does not exist
    assert version is no_update
    assert "999999999999 not found" in text_of(feedback)


def test_removing_an_account_removed_in_another_tab_refreshes_and_says_so(context):
    store, *_ = refresh_outputs(context, TARGET, "all", False, None)
    shown = context.snapshot_for(store)
    opened = ask_removal(context, TARGET, STAGING, 4, shown)
    assert opened[0] is True and opened[2] == STAGING
    context.call("remove_staging_account", targetAccountId=TARGET,
                 stagingAccountId=STAGING)  # the other tab  # fmt: skip
    is_open, _, pending, version, feedback = confirm_removal(
        context, TARGET, STAGING, 4, shown
    )
    assert (is_open, pending, version) == (False, None, 5)  # the page refreshes
    assert text_of(feedback) == (
        f"ℹ staging-a ({STAGING}) was already removed, perhaps in another tab; "
        "the list is up to date."
    )
    # clicking Remove on the stale list: no confirmation, the same words
    is_open, _, pending, version, feedback = ask_removal(
        context, TARGET, STAGING, 7, shown
    )
    assert (is_open, pending, version) == (False, None, 8)
    assert "was already removed" in text_of(feedback)


def test_the_remove_confirmation_names_the_account(context):
    text = text_of(impact_view(context, TARGET, STAGING))
    assert text.startswith(f"Remove staging-a ({STAGING})?")


NEW_FORM = {
    "accountId": NEW,
    "accountName": "staging-new",
    "roleArn": f"arn:aws:iam::{NEW}:role/DRSCapacityRead",
    "externalId": "ext-444",
    "region": "us-east-1",
}


def test_adding_an_account_closes_the_dialog_and_refreshes(context):
    is_open, result, validated, version, feedback = submit(context, NEW_FORM, TARGET, 2)
    assert (is_open, result, validated, version) == (False, None, None, 3)
    assert f"{NEW} added" in text_of(feedback)


def test_adding_an_account_added_in_another_tab_refreshes_and_says_so(context):
    context.call("add_staging_account", targetAccountId=TARGET, **NEW_FORM)
    is_open, result, validated, version, feedback = submit(context, NEW_FORM, TARGET, 2)
    assert (is_open, result, validated, version) == (False, None, None, 3)
    assert text_of(feedback) == (
        f"ℹ staging-new ({NEW}) is already a staging account of this target, "
        "perhaps added in another tab; the list is up to date."
    )


def test_a_failed_add_stays_open_and_says_why(context):
    is_open, result, _, version, _ = submit(context, NEW_FORM, "999999999999", 2)
    assert is_open is True and version is no_update
    assert "999999999999 not found" in text_of(result)
    assert "Not valid" in text_of(result) and "Role accessible" not in text_of(result)


def test_the_planner_plans_for_the_account_it_is_open_on(context):
    store, *_ = refresh_outputs(context, TARGET, "all", False, None)
    staging = plan_for(context, 100, STAGING, store, 300)
    assert staging.startswith(
        "With 100 more servers in us-east-1, its busiest Region, staging-a would "
        "replicate "
        "162 of 300 there (54.0 %, OK)."
    )  # not 262 of 600, the combined total
    target = plan_for(context, 100, TARGET, store, 300)
    assert "dr-target would replicate 200 of 300" in target
    assert plan_for(context, None, STAGING, store, 300).startswith("Enter how many")


def test_without_a_target_the_page_says_how_to_register_one(context):
    outputs = refresh_outputs(context, None, "all", False, None)
    assert outputs[0] is None  # nothing on screen to export or detail
    assert outputs[1]["layout"]["annotations"][0]["text"] == "No target account"
    assert "cli.py targets add" in text_of(outputs[7])


def test_an_unreachable_store_is_said_never_no_target_registered(context):
    from botocore.exceptions import EndpointConnectionError

    class Down:
        name = "drs-capacity-accounts"

        def scan(self, **_):
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    context.operations._store._table = Down()
    outputs = refresh_outputs(context, None, "all", False, None)
    banner = text_of(outputs[7])
    assert "cannot be reached" in banner and "No capacity data" in banner
    assert "No target account is registered" not in banner


def test_under_stale_while_revalidate_the_page_says_collecting_then_draws():
    import time

    settings = Settings(
        scenario_path=str(SCENARIO), regions=("us-east-1",), refresh_wait_seconds=0.0
    )
    backend = build_backend(settings)
    try:
        page = DashboardContext(build_operations(backend), settings, demo=True)
        store, gauge, *rest = refresh_outputs(page, TARGET, "all", False, None)
        top = rest[-2]
        assert store == {"targetAccountId": TARGET, "scope": "all", "collecting": True}
        assert "Collecting" in gauge["layout"]["annotations"][0]["text"]
        assert "Collecting from every account" in text_of(top)
        deadline = time.monotonic() + 30
        while store.get("collecting") and time.monotonic() < deadline:
            time.sleep(0.2)  # the page asks again every second
            store, *_ = refresh_outputs(page, TARGET, "all", False, store)
        assert store["collectedAt"] and store["key"]
        assert page.snapshot_for(store)["combined"]["totalReplicating"] == 162
    finally:
        backend.close()
