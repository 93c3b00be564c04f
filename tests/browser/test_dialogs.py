"""The dialogs as a person uses them (issue 8, point 6): a clean Add form on every
reopen, results that never outlive a change, Esc = Cancel, another tab's changes said in
words, and a planner that plans for the account it is opened on."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import ids
from tests.browser.page import fill_add_form
from tests.browser.page import start as start_page

TARGET = "111111111111"
STAGING = "222222222222"
NEW = "444444444444"
LOCKED = "555555555555"
SCROLL_INTO_VIEW = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})"
FIELD_INPUTS = [pair[0] for pair in ids.ADD_FIELDS.values()]


def start(dash_duo, app):
    start_page(dash_duo, app)
    dash_duo.wait_for_text_to_equal(f"#{ids.KPI_REPLICATING}", "162")


def settle(dash_duo):
    """Wait until the page has answered everything asked of it."""
    until(dash_duo._wait_for_callbacks, timeout=20, poll=0.1)


def open_add_form(dash_duo):
    if not dash_duo.find_elements(f"#{ids.SETTINGS_MODAL}"):
        dash_duo.find_element(f"#{ids.SETTINGS_BUTTON}").click()
    dash_duo.wait_for_element(f"#{ids.ADD_STAGING_OPEN}").click()
    dash_duo.wait_for_element(f"#{ids.ADD_MODAL}")
    settle(dash_duo)


def validate_valid(dash_duo):
    fill_add_form(dash_duo, NEW, "staging-new", "ext-444")
    dash_duo.find_element(f"#{ids.ADD_VALIDATE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.VALIDATION_RESULT}", "Valid: ready to add")
    dash_duo.wait_for_element(f"#{ids.ADD_SUBMIT}:not([disabled])")


def assert_add_form_is_clean(dash_duo):
    settle(dash_duo)
    for input_id in FIELD_INPUTS:
        element = dash_duo.find_element(f"#{input_id}")
        assert (element.get_attribute("value") or "") == "", input_id
        assert "is-invalid" not in element.get_attribute("class"), input_id
    assert dash_duo.find_element(f"#{ids.VALIDATION_RESULT}").text == ""
    assert not dash_duo.find_element(f"#{ids.ADD_SUBMIT}").is_enabled()


CLOSE = {
    "Cancel": lambda duo: duo.find_element(f"#{ids.ADD_CANCEL}").click(),
    "Esc": lambda duo: duo.find_element(f"#{ids.ADD_ACCOUNT_NAME}").send_keys(
        Keys.ESCAPE
    ),
    "×": lambda duo: duo.find_element(f"#{ids.ADD_MODAL} .btn-close").click(),
}


@pytest.mark.parametrize("close", CLOSE)
def test_the_add_dialog_is_clean_on_reopen_after_validate_and_close(
    dash_duo, make_app, close
):
    start(dash_duo, make_app())
    open_add_form(dash_duo)
    validate_valid(dash_duo)
    CLOSE[close](dash_duo)
    dash_duo.wait_for_no_elements(f"#{ids.ADD_MODAL}")
    open_add_form(dash_duo)
    assert_add_form_is_clean(dash_duo)


def test_a_validation_answered_after_cancel_is_not_shown_on_reopen(dash_duo, make_app):
    app = make_app()
    start(dash_duo, app)
    app.drs_backend.simulator.latency_ms = 1500  # AWS answers slowly
    open_add_form(dash_duo)
    fill_add_form(dash_duo, NEW, "staging-new", "ext-444")
    dash_duo.find_element(f"#{ids.ADD_VALIDATE}").click()
    dash_duo.find_element(f"#{ids.ADD_CANCEL}").click()  # before the answer
    dash_duo.wait_for_no_elements(f"#{ids.ADD_MODAL}")
    app.drs_backend.simulator.latency_ms = 0
    open_add_form(dash_duo)
    assert_add_form_is_clean(dash_duo)


def test_a_change_clears_the_result_and_the_same_values_need_validating_again(
    dash_duo, make_app
):
    start(dash_duo, make_app())
    open_add_form(dash_duo)
    validate_valid(dash_duo)
    name = dash_duo.find_element(f"#{ids.ADD_ACCOUNT_NAME}")
    name.send_keys("x")
    dash_duo.wait_for_text_to_equal(f"#{ids.VALIDATION_RESULT}", "")
    dash_duo.wait_for_element(f"#{ids.ADD_SUBMIT}[disabled]")
    name.send_keys(Keys.BACKSPACE)  # the values that were validated, once more
    assert name.get_attribute("value") == "staging-new"
    settle(dash_duo)
    assert not dash_duo.find_element(f"#{ids.ADD_SUBMIT}").is_enabled()
    assert dash_duo.find_element(f"#{ids.VALIDATION_RESULT}").text == ""


def test_validate_marks_missing_fields_and_a_failure_goes_when_a_value_changes(
    dash_duo, make_app
):
    start(dash_duo, make_app())
    open_add_form(dash_duo)
    dash_duo.find_element(f"#{ids.ADD_VALIDATE}").click()
    for input_id in (ids.ADD_ACCOUNT_ID, ids.ADD_ACCOUNT_NAME, ids.ADD_ROLE_ARN):
        dash_duo.wait_for_element(f"#{input_id}.is-invalid")
    dash_duo.wait_for_contains_text(
        f"#{ids.ADD_ACCOUNT_ID_FEEDBACK}", "Enter the Account ID"
    )
    dash_duo.wait_for_contains_text(f"#{ids.ADD_REGION_FEEDBACK}", "Choose a Region")
    assert "is-invalid" not in dash_duo.find_element(
        f"#{ids.ADD_EXTERNAL_ID}"
    ).get_attribute("class")  # optional
    result = dash_duo.find_element(f"#{ids.VALIDATION_RESULT}").text
    assert "NoneType" not in result and "accountId" not in result
    dash_duo.find_element(f"#{ids.ADD_ACCOUNT_ID}").send_keys(NEW)
    dash_duo.wait_for_text_to_equal(f"#{ids.VALIDATION_RESULT}", "")
    dash_duo.wait_for_element(f"#{ids.ADD_ACCOUNT_ID}:not(.is-invalid)")
    dash_duo.wait_for_element(f"#{ids.ADD_ACCOUNT_NAME}.is-invalid")  # still blank


def test_an_account_removed_in_another_tab_leaves_the_list_with_a_word_why(
    dash_duo, make_app
):
    app = make_app()
    start(dash_duo, app)
    dash_duo.find_element(f"#{ids.SETTINGS_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.STAGING_LIST}", "staging-a")
    answer = app.drs_operations.dispatch(
        "remove_staging_account",
        {"targetAccountId": TARGET, "stagingAccountId": STAGING},
    )  # another tab
    assert answer.body["success"]
    dash_duo.find_element(f"button[title='Remove staging account {STAGING}']").click()
    dash_duo.wait_for_contains_text(
        f"#{ids.SETTINGS_FEEDBACK}", f"staging-a ({STAGING}) was already removed"
    )
    dash_duo.wait_for_contains_text(f"#{ids.STAGING_LIST}", "No staging accounts yet")
    dash_duo.wait_for_no_elements(f"#{ids.REMOVE_MODAL}")
    dash_duo.wait_for_text_to_equal(f"#{ids.KPI_REPLICATING}", "100")


def test_an_account_added_in_another_tab_is_listed_with_a_word_why(dash_duo, make_app):
    app = make_app()
    start(dash_duo, app)
    open_add_form(dash_duo)
    validate_valid(dash_duo)
    answer = app.drs_operations.dispatch(
        "add_staging_account",
        {"targetAccountId": TARGET, "accountId": NEW, "accountName": "staging-new",
         "roleArn": f"arn:aws:iam::{NEW}:role/DRSCapacityRead",
         "externalId": "ext-444", "region": "us-east-1"},
    )  # another tab  # fmt: skip
    assert answer.body["success"]
    dash_duo.find_element(f"#{ids.ADD_SUBMIT}").click()
    dash_duo.wait_for_contains_text(
        f"#{ids.SETTINGS_FEEDBACK}", f"staging-new ({NEW}) is already a staging account"
    )
    dash_duo.wait_for_no_elements(f"#{ids.ADD_MODAL}")
    dash_duo.wait_for_contains_text(f"#{ids.STAGING_LIST}", "staging-new")
    assert "Not valid" not in dash_duo.find_element(f"#{ids.SETTINGS_MODAL}").text


def test_the_remove_confirmation_names_the_account(dash_duo, make_app):
    start(dash_duo, make_app())
    dash_duo.find_element(f"#{ids.SETTINGS_BUTTON}").click()
    dash_duo.wait_for_element(
        f"button[title='Remove staging account {STAGING}']"
    ).click()
    dash_duo.wait_for_contains_text(
        f"#{ids.REMOVE_IMPACT}", f"Remove staging-a ({STAGING})?"
    )


def open_details(dash_duo, name):
    table = dash_duo.find_element(f"#{ids.ACCOUNTS_TABLE}")
    button = table.find_element(By.XPATH, f".//button[contains(., '{name}')]")
    dash_duo.driver.execute_script(SCROLL_INTO_VIEW, button)
    button.click()
    dash_duo.wait_for_contains_text(f"#{ids.DETAILS_TITLE}", name)


def test_the_planner_plans_for_its_own_account_and_starts_afresh(dash_duo, make_app):
    start(dash_duo, make_app())
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNTS_TABLE}", "staging-a")
    open_details(dash_duo, "staging-a")
    dash_duo.find_element(f"#{ids.PLANNING_INPUT}").send_keys("100\n")
    # staging-a replicates 62 in us-east-1 against its own 300, not 162 of 600
    dash_duo.wait_for_contains_text(f"#{ids.PLANNING_RESULT}", "162 of 300")
    assert "staging-a" in dash_duo.find_element(f"#{ids.PLANNING_RESULT}").text
    assert "600" not in dash_duo.find_element(f"#{ids.PLANNING_RESULT}").text
    dash_duo.find_element(f"#{ids.DETAILS_CLOSE}").click()
    dash_duo.wait_for_no_elements(f"#{ids.DETAILS_MODAL}")
    open_details(dash_duo, "dr-target")
    dash_duo.wait_for_contains_text(f"#{ids.PLANNING_RESULT}", "Enter how many")
    planned = dash_duo.find_element(f"#{ids.PLANNING_INPUT}")
    assert (planned.get_attribute("value") or "") == ""
    planned.send_keys("100\n")
    dash_duo.wait_for_contains_text(f"#{ids.PLANNING_RESULT}", "200 of 300")
