"""What a DR administrator sees and does in the browser (issue 4, item 13)."""

from __future__ import annotations

import time
from pathlib import Path

from selenium.webdriver.common.by import By

from components import ids
from tests.browser.page import fill_add_form, start

TARGET = "111111111111"
STAGING = "222222222222"
NEW = "444444444444"
LOCKED = "555555555555"
# Bootstrap scrolls smoothly; a person's scroll is done before they read or click
SCROLL_INTO_VIEW = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})"


def kpi(dash_duo, element_id: str, text: str) -> None:
    dash_duo.wait_for_text_to_equal(f"#{element_id}", text)


def open_add_form(dash_duo):
    dash_duo.find_element(f"#{ids.SETTINGS_BUTTON}").click()
    dash_duo.wait_for_element(f"#{ids.ADD_STAGING_OPEN}").click()


def test_the_page_shows_the_scenarios_combined_numbers(dash_duo, make_app):
    start(dash_duo, make_app())
    # target 100 + staging 60 CONTINUOUS + 2 PAUSED; STOPPED does not count
    kpi(dash_duo, ids.KPI_REPLICATING, "162")
    kpi(dash_duo, ids.KPI_MAXIMUM, "600")
    kpi(dash_duo, ids.KPI_AVAILABLE, "438")
    dash_duo.wait_for_contains_text(f"#{ids.HEADLINE_STATUS}", "OK")
    dash_duo.wait_for_contains_text(f"#{ids.DEMO_BADGE}", "Demo data")
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNTS_TABLE}", "staging-a")
    assert dash_duo.get_logs() == []


def test_validate_then_add_updates_the_table_and_gauge(dash_duo, make_app):
    start(dash_duo, make_app())
    kpi(dash_duo, ids.KPI_REPLICATING, "162")
    open_add_form(dash_duo)
    fill_add_form(dash_duo, NEW, "staging-new", "ext-444")
    assert not dash_duo.find_element(f"#{ids.ADD_SUBMIT}").is_enabled()
    dash_duo.find_element(f"#{ids.ADD_VALIDATE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.VALIDATION_RESULT}", "Valid")
    dash_duo.wait_for_contains_text(f"#{ids.VALIDATION_RESULT}", "192 of 900")
    dash_duo.wait_for_element(f"#{ids.ADD_SUBMIT}:not([disabled])").click()
    # the form closes; the settings dialog beneath it lists the new account
    dash_duo.wait_for_contains_text(f"#{ids.SETTINGS_FEEDBACK}", f"{NEW} added")
    dash_duo.wait_for_contains_text(f"#{ids.STAGING_LIST}", "staging-new")
    dash_duo.wait_for_element(f"#{ids.SETTINGS_CLOSE}").click()
    dash_duo.wait_for_no_elements(f"#{ids.SETTINGS_MODAL}")
    kpi(dash_duo, ids.KPI_REPLICATING, "192")
    kpi(dash_duo, ids.KPI_MAXIMUM, "900")
    dash_duo.wait_for_contains_text(f"#{ids.COMBINED_GAUGE}", "192")
    table = dash_duo.find_element(f"#{ids.ACCOUNTS_TABLE}")
    dash_duo.driver.execute_script(SCROLL_INTO_VIEW, table)
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNTS_TABLE}", NEW)


def test_editing_a_validated_field_disables_add_again(dash_duo, make_app):
    start(dash_duo, make_app())
    open_add_form(dash_duo)
    fill_add_form(dash_duo, NEW, "staging-new", "ext-444")
    dash_duo.find_element(f"#{ids.ADD_VALIDATE}").click()
    dash_duo.wait_for_element(f"#{ids.ADD_SUBMIT}:not([disabled])")
    dash_duo.find_element(f"#{ids.ADD_EXTERNAL_ID}").send_keys("-changed")
    dash_duo.wait_for_element(f"#{ids.ADD_SUBMIT}[disabled]")


def test_a_failed_validation_shows_its_error(dash_duo, make_app):
    start(dash_duo, make_app())
    open_add_form(dash_duo)
    fill_add_form(dash_duo, LOCKED, "locked-out", "ext-555")
    dash_duo.find_element(f"#{ids.ADD_VALIDATE}").click()
    dash_duo.wait_for_contains_text(
        f"#{ids.VALIDATION_RESULT}", "ROLE_NOT_ACCESSIBLE", timeout=15
    )
    dash_duo.wait_for_contains_text(f"#{ids.VALIDATION_RESULT}", "trust policy")
    assert not dash_duo.find_element(f"#{ids.ADD_SUBMIT}").is_enabled()


def test_remove_asks_shows_the_impact_and_removes(dash_duo, make_app):
    start(dash_duo, make_app())
    kpi(dash_duo, ids.KPI_REPLICATING, "162")
    dash_duo.find_element(f"#{ids.SETTINGS_BUTTON}").click()
    button = f"button[title='Remove staging account {STAGING}']"
    dash_duo.wait_for_element(button).click()
    dash_duo.wait_for_contains_text(f"#{ids.REMOVE_IMPACT}", "600 → 300")
    dash_duo.wait_for_contains_text(
        f"#{ids.REMOVE_IMPACT}", "still has 62 replicating servers"
    )
    kpi(dash_duo, ids.KPI_REPLICATING, "162")  # nothing removed before the confirmation
    dash_duo.find_element(f"#{ids.REMOVE_CONFIRM}").click()
    kpi(dash_duo, ids.KPI_REPLICATING, "100")
    kpi(dash_duo, ids.KPI_MAXIMUM, "300")
    dash_duo.wait_for_contains_text(f"#{ids.SETTINGS_FEEDBACK}", "removed")


def test_the_csv_download_is_the_apis_csv_for_the_snapshot_on_screen(
    dash_duo, make_app
):
    app = make_app()
    start(dash_duo, app)
    kpi(dash_duo, ids.KPI_REPLICATING, "162")
    dash_duo.find_element(f"#{ids.EXPORT_BUTTON}").click()
    folder = Path(dash_duo.download_path)
    deadline = time.monotonic() + 15
    files = []
    while time.monotonic() < deadline and not files:  # a download has no DOM to wait on
        files = [p for p in folder.glob("drs-capacity-*.csv") if p.stat().st_size]
        time.sleep(0.1)
    assert len(files) == 1
    assert files[0].name.startswith(f"drs-capacity-{TARGET}-")
    api = app.server.test_client().get(f"/api/accounts/{TARGET}/capacity.csv")
    assert files[0].read_bytes() == api.data
    assert b"staging-a" in api.data


def test_auto_refresh_shows_a_change(dash_duo, make_app):
    # A poll answered after the next tick is dropped by Dash: on two busy cores a 1 s
    # interval can starve, so leave each poll room to finish
    app = make_app(refresh_interval_seconds=3, cache_ttl_seconds=0.5)
    start(dash_duo, app)
    kpi(dash_duo, ids.KPI_REPLICATING, "162")
    app.drs_backend.simulator.set_region(
        TARGET, "us-east-1", {"CONTINUOUS": 150, "STOPPED": 5}
    )
    kpi(dash_duo, ids.KPI_REPLICATING, "212")


def test_details_modal_shows_the_region_breakdown_and_plans(dash_duo, make_app):
    start(dash_duo, make_app())
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNTS_TABLE}", "staging-a")
    table = dash_duo.find_element(f"#{ids.ACCOUNTS_TABLE}")
    name = table.find_element(By.XPATH, ".//button[contains(., 'staging-a')]")
    dash_duo.driver.execute_script(SCROLL_INTO_VIEW, name)
    name.click()
    dash_duo.wait_for_contains_text(f"#{ids.DETAILS_BODY}", "us-east-1")
    dash_duo.find_element(f"#{ids.PLANNING_INPUT}").send_keys("500\n")
    dash_duo.wait_for_contains_text(f"#{ids.PLANNING_RESULT}", "staging account")
