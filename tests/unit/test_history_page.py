"""The history on the page beyond the chart (issue 12, item 5): the history CSV beside the
range selector, and forecasts due within the alert horizon in the warnings area."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components import ids
from components.forecast_warnings import forecast_alerts
from dashboard.callbacks.history import forecast_outputs, history_download
from dashboard.callbacks.refresh import refresh_outputs
from dashboard.context import DashboardContext
from services.backend import DEMO_SCENARIO, build_operations
from services.forecast_warnings import forecast_warnings
from tests.conftest import demo_backend, scenario_settings
from tests.unit.component_tree import find_by_id, text_of

TARGET = "111111111111"
TODAY = date(2026, 12, 7)


@pytest.fixture
def shipped_demo(aws_env):
    """The shipped demo's backend, with its 90 days of history."""
    with demo_backend(settings=scenario_settings(DEMO_SCENARIO, mode="demo")) as built:
        yield built


@pytest.fixture
def demo_context(shipped_demo):
    operations = build_operations(shipped_demo)
    return DashboardContext(operations, shipped_demo.settings, demo=True)


@pytest.mark.parametrize("days", [1, 7, 90])
def test_the_pages_history_csv_is_the_apis_bytes_and_name(
    shipped_demo, demo_context, days
):
    from dashboard import create_app

    store, *_ = refresh_outputs(demo_context, TARGET, "all", False, None)
    page = history_download(demo_context, store, days)
    app = create_app(shipped_demo.settings, shipped_demo)
    api = app.server.test_client().get(
        f"/api/accounts/{TARGET}/history.csv?days={days}"
    )
    assert api.status_code == 200
    assert page["content"].encode("utf-8") == api.data
    assert page["content"].count("\n") > 2  # a header and rows: the demo has a past
    assert f'filename="{page["filename"]}"' in api.headers["Content-Disposition"]
    assert page["type"] == "text/csv"


def test_the_demo_warns_ahead_of_staging_east_reaching_critical(demo_context):
    store, *_ = refresh_outputs(demo_context, TARGET, "all", False, None)
    headline, warnings = forecast_outputs(demo_context, store)
    text = text_of(warnings)
    # 247 of 300 in us-east-1, growing: CRITICAL (250) within the 14-day horizon
    assert "staging-east-01 (222222222222) in us-east-1: CRITICAL in ~" in text
    assert "Action: Plan a staging account for new servers in us-east-1" in text
    # the headline's forecast is the same fit: the page never says two dates
    soonest = text_of(headline).split(": ")[-1]
    assert soonest.startswith("CRITICAL in ~") and soonest in text


def test_no_forecast_warning_without_a_horizon(demo_context):
    from dataclasses import replace

    store, *_ = refresh_outputs(demo_context, TARGET, "all", False, None)
    quiet = replace(
        demo_context, settings=replace(demo_context.settings, alert_forecast_days=0)
    )
    headline, warnings = forecast_outputs(quiet, store)
    assert warnings == [] and "CRITICAL in ~" in text_of(headline)


def forecast(level, days, account="222222222222", region="us-east-1", reached=False):
    when = (TODAY + timedelta(days=days)).isoformat()
    name = {"CRITICAL": "CRITICAL", "HYPER-CRITICAL": "at the limit"}.get(level, level)
    return {
        "scope": "account" if account else "combined",
        "accountId": account,
        "region": region,
        "level": level,
        "threshold": 250,
        "date": when,
        "days": days,
        "reached": reached,
        "text": f"{name} in ~{days} days ({when})",
    }


def test_critical_and_the_limit_within_the_horizon_make_one_warning_per_unit():
    answer = {
        "forecasts": [
            forecast("WARNING", 2),
            forecast("CRITICAL", 5),
            forecast("HYPER-CRITICAL", 12),
            forecast("CRITICAL", 40, account="333333333333"),  # beyond the horizon
            forecast("CRITICAL", 3, account=None, region="us-west-2"),
        ]
    }
    warnings = forecast_warnings(answer, horizon_days=14)
    assert [(w["accountId"], w["region"], w["days"]) for w in warnings] == [
        (None, "us-west-2", 3),
        ("222222222222", "us-east-1", 5),
    ]
    unit = warnings[1]
    assert unit["level"] == "HYPER-CRITICAL"  # the worst level due decides the colour
    assert unit["texts"] == [
        "CRITICAL in ~5 days (2026-12-12)",
        "at the limit in ~12 days (2026-12-19)",
    ]


def test_a_level_already_reached_is_the_snapshots_warning_not_a_forecast():
    answer = {"forecasts": [forecast("CRITICAL", 0, reached=True)]}
    assert forecast_warnings(answer, horizon_days=14) == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["WARNING", "CRITICAL", "HYPER-CRITICAL"]),
            st.integers(0, 60),
            st.sampled_from(["222222222222", "333333333333", None]),
            st.sampled_from(["us-east-1", "eu-west-1"]),
            st.booleans(),
        ),
        max_size=12,
    ),
    st.integers(0, 60),
)
def test_warnings_are_exactly_the_units_due_within_the_horizon_soonest_first(
    rows, horizon
):
    answer = {"forecasts": [forecast(*row) for row in rows]}
    warnings = forecast_warnings(answer, horizon)
    due = {
        (account, region)
        for level, days, account, region, reached in rows
        if level != "WARNING" and days <= horizon and not reached
    }
    assert {(w["accountId"], w["region"]) for w in warnings} == due
    assert len(warnings) == len(due)
    assert [w["days"] for w in warnings] == sorted(w["days"] for w in warnings)


def test_names_are_shown_as_text_never_markup():
    name = '<img src=x onerror="alert(1)">'
    warning = forecast_warnings({"forecasts": [forecast("CRITICAL", 5)]}, 14)
    alerts = forecast_alerts(warning, {"222222222222": name})
    assert f"{name} (222222222222) in us-east-1" in text_of(alerts)


def test_the_history_csv_button_downloads_the_range_on_screen(aws_env):
    from dashboard import create_app

    app = create_app(scenario_settings())
    try:
        wiring = app.callback_map[f"{ids.HISTORY_DOWNLOAD}.data"]
        layout = app.layout() if callable(app.layout) else app.layout
    finally:
        app.drs_backend.close()
    assert [(i["id"], i["property"]) for i in wiring["inputs"]] == [
        (ids.HISTORY_EXPORT_BUTTON, "n_clicks")
    ]
    assert [(s["id"], s["property"]) for s in wiring["state"]] == [
        (ids.SNAPSHOT_STORE, "data"),
        (ids.HISTORY_RANGE, "value"),
    ]
    assert find_by_id(layout, ids.HISTORY_DOWNLOAD) is not None
    assert text_of(find_by_id(layout, ids.HISTORY_EXPORT_BUTTON)) == "⤓ History CSV"
