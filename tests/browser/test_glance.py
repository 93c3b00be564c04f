"""The page at a glance (issue 8): the headline follows the worst unit, a name with
markup is text everywhere, no control sends data to Plotly's cloud, and on a phone the
headline, the warnings and every account's status come within the first two screens."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from components import ids
from tests.browser.page import start

MARKUP = '<b>bold</b><br><a href="https://evil.example/">click</a>'
PHONE = (390, 844)


def scenario(tmp_path, accounts: int = 2) -> str:
    """A target, a staging account named with markup at 247 of 300 in us-east-1 (3 from
    CRITICAL), and `accounts - 2` quiet staging accounts."""
    staging = [
        {
            "accountId": "222222222222",
            "accountName": MARKUP,
            "roleArn": "arn:aws:iam::222222222222:role/DRSCapacityRead",
            "externalId": "ext-222",
            "region": "us-east-1",
        }
    ]
    fleet = {
        "111111111111": {"us-east-1": {"CONTINUOUS": 40}},
        "222222222222": {"us-east-1": {"CONTINUOUS": 247}},
    }
    for i in range(accounts - 2):
        account_id = f"{300000000000 + i}"
        staging.append(
            {
                "accountId": account_id,
                "accountName": f"quiet-{i}",
                "roleArn": f"arn:aws:iam::{account_id}:role/DRSCapacityRead",
                "externalId": f"ext-{i}",
                "region": "us-east-1",
            }
        )
        fleet[account_id] = {"us-east-1": {"CONTINUOUS": 10 + i}}
    body = {
        "description": "Markup in a name, one unit near CRITICAL.",
        "target": {"accountId": "111111111111", "accountName": "dr-target"},
        "staging": staging,
        "fleet": fleet,
        "latencyMs": 0,
    }
    path = tmp_path / "glance.json"
    path.write_text(json.dumps(body))
    return str(path)


@pytest.fixture
def glance_app(tmp_path, make_app):
    return lambda accounts=2: make_app(scenario=scenario(tmp_path, accounts))


def test_the_headline_follows_the_worst_unit_in_words(dash_duo, glance_app):
    start(dash_duo, glance_app())
    dash_duo.wait_for_contains_text(f"#{ids.HEADLINE_STATUS}", "WARNING")
    reason = dash_duo.find_element(f"#{ids.HEADLINE_REASON}").text
    # the combined Region (287 of 600) is OK: the headline names the account × Region
    assert reason == f"{MARKUP} · us-east-1: 247 of 300, 3 from CRITICAL"
    assert "All 2 accounts reporting" in dash_duo.find_element(f"#{ids.HEADLINE}").text


def _plot_texts(driver, graph_id: str) -> str:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'#' + arguments[0] + ' svg text')).map(t => t.textContent).join('\\n');",
        graph_id,
    )


def test_a_name_with_markup_is_text_in_every_chart_legend_hover_and_the_table(
    dash_duo, glance_app
):
    start(dash_duo, glance_app())
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNTS_TABLE}", "bold")
    driver = dash_duo.driver
    WebDriverWait(driver, 20).until(
        lambda d: (
            "<b>" in _plot_texts(d, ids.REGION_BARS)
            and "<b>" in _plot_texts(d, ids.ACCOUNT_BARS)
        )
    )
    # nothing from the name became an element: no link to the other site, no bold
    assert driver.find_elements(By.CSS_SELECTOR, "a[href^='https://evil']") == []
    for graph in (ids.ACCOUNT_BARS, ids.REGION_BARS, ids.COMBINED_GAUGE):
        assert driver.find_elements(By.CSS_SELECTOR, f"#{graph} svg b") == []
        assert driver.find_elements(By.CSS_SELECTOR, f"#{graph} svg a") == []
    # the hover texts Plotly will draw carry the name escaped (shown as text)
    hovers = driver.execute_script(
        "const g = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return JSON.stringify(g.data.map(t => [t.hovertemplate, t.text,"
        " t.customdata, t.name]));",
        ids.REGION_BARS,
    )
    assert "&lt;b&gt;bold" in hovers and "<b>bold" not in hovers
    table_text = dash_duo.find_element(f"#{ids.ACCOUNTS_TABLE}").text
    assert "<b>bold</b><br>" in table_text or "<b>bold</b>" in table_text


def test_no_control_sends_a_chart_to_the_cloud(dash_duo, glance_app):
    start(dash_duo, glance_app())
    dash_duo.wait_for_contains_text(f"#{ids.HEADLINE_STATUS}", "WARNING")
    driver = dash_duo.driver
    WebDriverWait(driver, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f"#{ids.REGION_BARS} .modebar-btn")
    )
    titles = driver.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn'))"
        ".map(b => b.getAttribute('data-title') || '');"
    )
    assert titles, "the toolbar is there (on hover) with its local tools"
    for title in titles:
        assert "Chart Studio" not in title and "cloud" not in title.lower()
    assert driver.find_elements(By.CSS_SELECTOR, ".modebar-btn--logo") == []
    # toolbar buttons are out of the tab order: the page's own controls are not
    focusable = driver.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn'))"
        ".filter(b => b.tabIndex >= 0).length;"
    )
    assert focusable == 0


def _phone(driver):
    width, height = PHONE
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
    )


def _box(driver, css: str) -> dict:
    return driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,"
        " right: r.right, width: document.documentElement.clientWidth};",
        css,
    )


def test_on_a_phone_the_headline_warnings_and_statuses_are_in_the_first_two_screens(
    dash_duo, glance_app
):
    start(dash_duo, glance_app(accounts=5))
    driver = dash_duo.driver
    _phone(driver)
    driver.refresh()
    dash_duo.wait_for_contains_text(f"#{ids.HEADLINE_STATUS}", "WARNING")
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNTS_TABLE}", "quiet-2")
    two_screens = 2 * PHONE[1]
    for css in (f"#{ids.HEADLINE}", f"#{ids.WARNINGS_CONTAINER}"):
        box = _box(driver, css)
        assert box["bottom"] <= two_screens, (css, box)
    statuses = driver.find_elements(
        By.CSS_SELECTOR, f"#{ids.ACCOUNTS_TABLE} tbody .status-badge"
    )
    assert len(statuses) == 5
    page_width = driver.execute_script("return document.documentElement.clientWidth")
    for badge in statuses:
        rect = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return {bottom: r.bottom + window.scrollY, right: r.right};",
            badge,
        )
        assert rect["bottom"] <= two_screens and rect["right"] <= page_width, rect
    # nothing scrolls sideways
    assert driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
