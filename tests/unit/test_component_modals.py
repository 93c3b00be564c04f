"""Modal layouts and what they show: details, staging list, validation, removal impact."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import html

from components import ids
from components.modals import (
    account_plan,
    add_staging_modal,
    details_body,
    details_modal,
    removal_impact,
    remove_confirm_modal,
    settings_modal,
    staging_list,
    validation_result,
)
from services.capacity import Limits
from services.planning import removal_impact as compute_removal_impact
from tests.unit.component_tree import find_all, find_by_id, text_of
from tests.unit.snapshot_factory import (
    LIMIT,
    TARGET_ID,
    inaccessible,
    make_snapshot,
    staging,
    target,
)

LAYOUT_IDS = {
    "details": (
        details_modal,
        [
            ids.DETAILS_MODAL,
            ids.DETAILS_TITLE,
            ids.DETAILS_BODY,
            ids.DETAILS_CLOSE,
            ids.PLANNING_INPUT,
            ids.PLANNING_RESULT,
        ],
    ),
    "settings": (
        settings_modal,
        [
            ids.SETTINGS_MODAL,
            ids.SETTINGS_TITLE,
            ids.SETTINGS_FEEDBACK,
            ids.STAGING_LIST,
            ids.ADD_STAGING_OPEN,
            ids.SETTINGS_CLOSE,
        ],
    ),
    "add": (
        lambda: add_staging_modal(["eu-west-1", "us-east-1"]),
        [ids.ADD_MODAL, ids.ADD_VALIDATE, ids.ADD_SUBMIT, ids.ADD_CANCEL]
        + [ids.VALIDATION_RESULT]
        + [i for pair in ids.ADD_FIELDS.values() for i in pair],
    ),
    "remove": (
        remove_confirm_modal,
        [ids.REMOVE_MODAL, ids.REMOVE_IMPACT, ids.REMOVE_CONFIRM, ids.REMOVE_CANCEL],
    ),
}


@pytest.mark.parametrize("name", LAYOUT_IDS)
def test_modal_layouts_hold_their_ids_and_start_closed(name):
    make, expected = LAYOUT_IDS[name]
    modal = make()
    assert isinstance(modal, dbc.Modal) and modal.is_open is False
    for component_id in expected:
        assert find_by_id(modal, component_id) is not None, component_id


def test_add_modal_offers_the_regions_and_starts_with_add_disabled():
    modal = add_staging_modal(["eu-west-1", "us-east-1"])
    region = find_by_id(modal, ids.ADD_REGION)
    assert [o["value"] for o in region.options] == ["eu-west-1", "us-east-1"]
    assert find_by_id(modal, ids.ADD_SUBMIT).disabled is True


SNAPSHOT = make_snapshot(
    target(regions={"us-east-1": 100}),
    staging("222222222222", {"us-east-1": 40, "us-west-2": "error"}),
    inaccessible("333333333333"),
)
TARGET_ACCOUNT = {
    "accountId": "111111111111",
    "accountName": "dr-target",
    "stagingAccounts": [
        {
            "accountId": "222222222222",
            "accountName": "staging-222",
            "roleArn": "arn:aws:iam::222222222222:role/DRSCapacityRead",
            "region": "us-east-1",
            "addedAt": "2026-11-20T10:00:00Z",
        },
        {"accountId": "333333333333", "accountName": "staging-333", "roleArn": "r"},
        {"accountId": "555555555555", "accountName": "new-one", "roleArn": "r"},
    ],
}


def test_staging_list_shows_each_account_with_status_counts_and_remove_button():
    listing = staging_list(TARGET_ACCOUNT, SNAPSHOT)
    items = find_all(listing, dbc.ListGroupItem)
    assert len(items) == 3
    first, second, third = (text_of(i) for i in items)
    assert "staging-222 (222222222222)" in first
    assert "40 replicating / 40 servers" in first and "OK" in first
    assert "servers unknown" in second and "UNKNOWN" in second
    assert "not in the last snapshot" in third
    for staging_account in TARGET_ACCOUNT["stagingAccounts"]:
        button = find_by_id(
            listing, ids.remove_staging_id(staging_account["accountId"])
        )
        assert text_of(button) == "Remove"


def test_empty_staging_list_invites_to_add_one():
    listing = staging_list({**TARGET_ACCOUNT, "stagingAccounts": []}, SNAPSHOT)
    assert "No staging accounts yet" in text_of(listing)


def test_details_body_shows_breakdowns_and_headroom():
    body = details_body(SNAPSHOT["accounts"][1])
    text = text_of(body)
    assert "staging-222 (222222222222)" in text
    assert "lower bound" in text
    assert "us-west-2" in text and "CONTINUOUS" in text and "Hard limit" in text


def test_details_body_uses_the_busiest_units_own_limit():
    snap = make_snapshot(
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 400, "limit": 500},
                                 "eu-west-1": 20}),
    )  # fmt: skip
    text = text_of(details_body(snap["accounts"][0]))
    assert "busiest Region us-east-1: 400 of 500 replicating" in text
    assert "(80.0 %, limit: applied quota)" in text
    assert "100 slots available there" in text
    assert "all Regions in scope: 420 replicating" in text
    assert "420 of 300" not in text


def test_details_body_of_an_inaccessible_account_names_the_error():
    body = details_body(SNAPSHOT["accounts"][2])
    alert = find_all(body, dbc.Alert)[0]
    assert alert.color == "danger"
    assert "ROLE_NOT_ACCESSIBLE" in text_of(alert)


def test_valid_validation_result_shows_checks_and_projection():
    result = {
        "valid": True,
        "roleAccessible": True,
        "drsInitialized": True,
        "currentServers": 12,
        "replicatingServers": 10,
        "totalAfter": 150,
        "maxAfter": 900,
        "percentAfter": 16.7,
        "statusAfter": "OK",
    }
    alert = validation_result(result)
    text = text_of(alert)
    assert alert.color == "success"
    assert "✓ Role accessible" in text and "✓ DRS initialized" in text
    assert "150 of 900" in text and "16.7 %" in text and "OK" in text


def test_failed_validation_says_what_failed_what_to_do_and_the_code():
    result = {
        "valid": False,
        "roleAccessible": False,
        "drsInitialized": None,
        "error": {"code": "ROLE_NOT_ACCESSIBLE", "message": "AssumeRole denied"},
    }
    alert = validation_result(result)
    text = text_of(alert)
    assert alert.color == "danger"
    assert "✖ Role not accessible" in text
    assert "DRS" not in text  # not reached: not a line of "not checked"
    assert "AssumeRole denied" in text and "To fix:" in text and "trust policy" in text
    assert "Error code: ROLE_NOT_ACCESSIBLE" in text


def test_a_form_error_points_at_the_marked_fields_without_code_or_checks():
    message = "Enter the Account ID (12 digits). Choose a Region."
    alert = validation_result(
        {"valid": False, "error": {"code": "VALIDATION_ERROR", "message": message}}
    )
    text = text_of(alert)
    assert text == f"✖ Not checked yet: correct the fields marked in red. {message}"


def test_the_planner_plans_for_the_accounts_busiest_region_and_its_own_limit():
    snap = make_snapshot(
        target(regions={"us-east-1": 100}),
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 40, "limit": 500},
                                 "eu-west-1": {"CONTINUOUS": 200}}),
    )  # fmt: skip
    account = snap["accounts"][1]  # busiest: eu-west-1, 200 of 300 (us-east-1: 8 %)
    text = account_plan(10, account, LIMIT)
    assert text.startswith("With 10 more servers in eu-west-1, its busiest Region,")
    assert "would replicate 210 of 300 there (70.0 %, INFO)" in text
    assert "stays under its operational limit (250): no staging account needed" in text
    over = account_plan(100, account, LIMIT)
    assert "300 of 300" in over and "HYPER-CRITICAL" in over
    assert (
        "replicate 49 more here and the other 51 in 1 new staging account in "
        "eu-west-1" in over
    )
    assert "640" not in over  # never the combined total


def test_the_planner_of_an_account_without_servers_uses_its_limit():
    snap = make_snapshot(target(regions={}), staging("222222222222", {}))
    text = account_plan(260, snap["accounts"][1], LIMIT)
    assert "in the Region they go to" in text
    assert "260 of 300" in text
    assert "replicate 249 more here and the other 11 in 1 new staging account (" in text


def test_the_planner_cannot_plan_for_an_account_not_reporting():
    text = account_plan(5, SNAPSHOT["accounts"][2], LIMIT)
    assert text == "staging-333 is not reporting: its capacity cannot be planned."
    assert "Enter how many" in account_plan(-1, SNAPSHOT["accounts"][1], LIMIT)


def impact_of(*readings, staging_id="222222222222") -> dict:
    return compute_removal_impact(TARGET_ID, list(readings), staging_id, Limits())


def test_removal_impact_warns_when_servers_still_replicate():
    impact = impact_of(
        target(regions={"us-east-1": 100}), staging("222222222222", {"us-east-1": 40})
    )
    shown = removal_impact(impact, "staging-east-01")
    text = text_of(shown)
    assert text.startswith("Remove staging-east-01 (222222222222)?")
    assert "staging-east-01 (222222222222) still has 40 replicating servers" in text
    assert f"{2 * LIMIT:,} → {LIMIT:,}" in text
    assert "Servers that stop counting: 40" in text
    (alert,) = find_all(shown, dbc.Alert)
    assert alert.color == "warning" and "40 replicating servers" in text_of(alert)


def test_removal_impact_shows_each_region_and_the_binding_region_after():
    impact = impact_of(
        target(regions={"us-east-1": 100, "eu-west-1": 200}),
        staging("222222222222", {"eu-west-1": {"CONTINUOUS": 250, "limit": 500},
                                 "us-east-1": 10}),
    )  # fmt: skip
    shown = removal_impact(impact)
    rows = [text_of(r) for r in find_all(find_all(shown, dbc.Table)[0], html.Tr)]
    assert rows[1:] == [
        "eu-west-1 800 → 300 450 → 200 250 ✓ OK → ℹ INFO",
        "us-east-1 600 → 300 110 → 100 10 ✓ OK → ✓ OK",
    ]
    text = text_of(shown)
    assert "Binding Region after removal: eu-west-1, 200 of 300 replicating" in text
    assert "Servers that stop counting: 260" in text


def test_removal_impact_without_replicating_servers_has_no_warning():
    impact = impact_of(
        target(regions={"us-east-1": 100}), staging("222222222222", {"us-east-1": 0})
    )
    assert find_all(removal_impact(impact), dbc.Alert) == []
