"""Components: status badges, combined gauge, KPI cards, recovery meter, alerts, header."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import pytest
from dash import dcc, html

from components import ids
from components.alerts import NO_WARNINGS, stale_banner, warning_alerts
from components.gauges import combined_gauge, gauge_steps, kpi_cards
from components.header import (
    completeness_badge,
    header,
    interval_options,
)
from components.recovery import recovery_meter
from components.status import (
    STATUS_ICONS,
    as_status,
    badge_color,
    status_badge,
    status_text,
)
from services.models import Status
from services.thresholds import band_thresholds, operational_count
from tests.unit.component_tree import find_all, find_by_id, text_of
from tests.unit.snapshot_factory import (
    LIMIT,
    MAX_RECOVERY,
    inaccessible,
    make_snapshot,
    staging,
    target,
)


def four_accounts(replicating=(250, 200, 150, 100)) -> dict:
    """A target and three staging accounts, each in us-east-1."""
    readings = [target(regions={"us-east-1": replicating[0]})]
    readings += [
        staging(f"22222222222{i}", {"us-east-1": n})
        for i, n in enumerate(replicating[1:])
    ]
    return make_snapshot(*readings)


# --- status ------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_every_status_badge_shows_its_text_and_icon(status):
    badge = status_badge(status.value)
    text = text_of(badge)
    assert status.value in text
    assert STATUS_ICONS[status] in text


def test_unrecognised_status_is_shown_as_unknown_not_ok():
    assert as_status(None) is Status.UNKNOWN
    assert as_status("bogus") is Status.UNKNOWN
    assert "UNKNOWN" in text_of(status_badge(None))


def test_hyper_critical_badge_is_darker_than_critical():
    assert badge_color("HYPER-CRITICAL") != badge_color("CRITICAL")
    assert status_text("HYPER-CRITICAL").endswith("HYPER-CRITICAL")


# --- combined gauge ----------------------------------------------------------------


def test_gauge_steps_start_at_the_band_thresholds():
    combined = four_accounts()["combined"]
    maximum = combined["maxReplicating"]
    gauge = combined_gauge(combined)["data"][0]["gauge"]
    starts = [step["range"][0] for step in gauge["steps"]]
    assert starts == [0, *band_thresholds(maximum).values()]
    assert gauge["steps"][-1]["range"][1] == maximum
    assert list(gauge["axis"]["range"]) == [0, maximum]


def test_gauge_threshold_marks_the_operational_limit():
    combined = four_accounts()["combined"]
    threshold = combined_gauge(combined)["data"][0]["gauge"]["threshold"]
    expected = operational_count(4 * LIMIT)
    assert threshold["value"] == combined["operationalLimit"] == expected


def test_gauge_shows_value_status_and_hard_limit():
    combined = four_accounts()["combined"]
    fig = combined_gauge(combined)
    indicator, layout = fig["data"][0], fig["layout"]
    assert indicator["value"] == combined["totalReplicating"] == 700
    assert indicator["mode"] == "gauge+number"
    assert combined["status"] in layout["title"]["text"]
    notes = " ".join(a["text"] for a in layout["annotations"])
    assert f"operational limit {combined['operationalLimit']:,}" in notes
    assert f"{4 * LIMIT:,} max" in indicator["gauge"]["axis"]["ticktext"]


def test_gauge_names_the_binding_region_and_words_its_limit_from_the_snapshot():
    snap = make_snapshot(
        target(regions={"us-east-1": 100, "eu-west-1": 200}),
        staging("222222222222", {"eu-west-1": {"CONTINUOUS": 300, "limit": 600}}),
    )
    combined = snap["combined"]  # eu-west-1: 500 of 900 beats us-east-1's 100 of 600
    title = combined_gauge(combined)["layout"]["title"]["text"]
    assert "Combined in eu-west-1 (binding Region)" in title
    hard_limit = kpi_cards(snap).children[1]
    assert text_of(hard_limit) == (
        "Hard limit in eu-west-1 900 the limits of 2 accounts there, added"
    )
    scoped = make_snapshot(target(regions={"us-east-1": 100}), scope="us-east-1")
    title = combined_gauge(scoped["combined"], "us-east-1")["layout"]["title"]["text"]
    assert "in us-east-1" in title and "binding" not in title


def test_gauge_says_over_the_hard_limit():
    # a sum over Regions (300 + 50) is never compared with one Region's limit
    calm = make_snapshot(target(regions={"us-east-1": LIMIT, "us-west-2": 50}))
    calm_title = combined_gauge(calm["combined"])["layout"]["title"]["text"]
    assert "over the hard limit" not in calm_title
    snap = make_snapshot(target(regions={"us-east-1": LIMIT + 50}))
    title = combined_gauge(snap["combined"])["layout"]["title"]["text"]
    assert "over the hard limit by 50" in title


def test_gauge_without_reporting_accounts_says_no_data():
    snap = make_snapshot(inaccessible("111111111111", account_type="target"))
    fig = combined_gauge(snap["combined"])
    assert fig["data"][0]["mode"] == "gauge"  # no number: 0 would be a lie
    assert "No data" in [a["text"] for a in fig["layout"]["annotations"]]
    assert "UNKNOWN" in fig["layout"]["title"]["text"]


@pytest.mark.parametrize(
    "combined",
    [
        four_accounts()["combined"],
        make_snapshot(target(regions={"us-east-1": LIMIT + 50}))["combined"],
        {},  # no data
    ],
    ids=["four-accounts", "over-the-limit", "no-data"],
)
def test_gauge_is_a_plain_dict_that_plotly_accepts_as_it_is(combined):
    fig = combined_gauge(combined)
    assert set(fig) == {"data", "layout"}
    # Plotly validates every property: a misspelt or invalid one raises here
    validated = go.Figure(fig).to_plotly_json()
    assert json.loads(json.dumps(validated)) == json.loads(json.dumps(fig))


def test_gauge_steps_cover_the_axis_without_gaps():
    steps = gauge_steps(LIMIT)
    for before, after in zip(steps, steps[1:], strict=False):
        assert before["range"][1] == after["range"][0]


# --- KPI cards ---------------------------------------------------------------------


def test_kpi_cards_show_the_combined_numbers_of_the_named_region():
    snap = make_snapshot(
        target(regions={"us-east-1": 1000}),
        staging("222222222222", {"us-east-1": 234}),
        staging("333333333333", {"us-east-1": 0}),
        inaccessible("444444444444"),
    )
    row = kpi_cards(snap)
    assert text_of(find_by_id(row, ids.KPI_REPLICATING)) == "1,234"
    assert text_of(find_by_id(row, ids.KPI_MAXIMUM)) == f"{3 * LIMIT:,}"
    assert "Replicating in us-east-1" in text_of(row)
    assert "the limits of 3 accounts there, added" in text_of(row)


def test_kpi_cards_without_reporting_accounts_show_dashes_not_zero():
    snap = make_snapshot(inaccessible("111111111111", account_type="target"))
    row = kpi_cards(snap)
    for kpi in (ids.KPI_REPLICATING, ids.KPI_MAXIMUM, ids.KPI_AVAILABLE):
        assert text_of(find_by_id(row, kpi)) == "—"


# --- recovery meter ----------------------------------------------------------------


def test_recovery_meter_marks_the_80_and_90_percent_bands():
    snap = make_snapshot(target(regions={"us-east-1": 3300}))
    card = recovery_meter(snap["recoveryCapacity"])
    marks = [
        div
        for div in find_all(card, html.Div)
        if "recovery-mark" in (getattr(div, "className", None) or "")
    ]
    assert [m.style["left"] for m in marks] == ["80%", "90%"]
    progress = find_by_id(card, ids.RECOVERY_PROGRESS)
    assert progress.value == snap["recoveryCapacity"]["percentUsed"] == 82.5
    text = text_of(card)
    assert "WARNING" in text and f"3,300 of {MAX_RECOVERY:,}" in text
    assert f"{MAX_RECOVERY - 3300:,} available" in text


def test_recovery_meter_names_its_region_and_where_its_limit_came_from():
    snap = make_snapshot(target(regions={"us-east-1": 3300, "eu-west-1": 10}))
    text = text_of(recovery_meter(snap["recoveryCapacity"], "all"))
    assert "us-east-1 (the target's busiest Region)" in text
    assert f"limit {MAX_RECOVERY:,} (setting: quota not read, quota L-E28BE5E0)" in text
    empty = make_snapshot(target(regions={}))
    assert "No target servers in any Region yet" in text_of(
        recovery_meter(empty["recoveryCapacity"])
    )


def test_recovery_meter_of_an_inaccessible_target_is_unknown():
    snap = make_snapshot(inaccessible("111111111111", account_type="target"))
    card = recovery_meter(snap["recoveryCapacity"])
    assert find_by_id(card, ids.RECOVERY_PROGRESS).label == "unknown"
    assert "UNKNOWN" in text_of(card) and "unknown" in text_of(card)


# --- warnings ----------------------------------------------------------------------


def test_alerts_are_sorted_most_severe_first_and_carry_their_action():
    warnings = [
        {"level": "INFO", "scope": "account", "message": "m1", "action": "monitor"},
        {
            "level": "HYPER-CRITICAL",
            "scope": "account",
            "message": "m2",
            "action": "now",
        },
        {"level": "WARNING", "scope": "data", "message": "m3", "action": "refresh"},
        {"level": "CRITICAL", "scope": "combined", "message": "m4", "action": "add 1"},
    ]
    first, second, folded = warning_alerts(warnings)  # two open, the rest folded
    assert isinstance(folded, html.Details)
    assert text_of(folded.children[0]) == "2 more: 1 WARNING, 1 INFO"
    alerts = [first, second, *folded.children[1:]]
    levels = [text_of(a).split(" · ")[0].split()[-1] for a in alerts]
    assert levels == ["HYPER-CRITICAL", "CRITICAL", "WARNING", "INFO"]
    assert [a.color for a in alerts] == ["danger", "danger", "warning", "info"]
    assert "Action: now" in text_of(alerts[0])


def test_snapshot_warnings_become_alerts_with_message_and_action():
    snap = make_snapshot(target(regions={"us-east-1": 285}), inaccessible("2" * 12))
    assert len(snap["warnings"]) <= 3  # none folded
    alerts = warning_alerts(snap["warnings"])
    assert len(alerts) == len(snap["warnings"])
    for alert, warning in zip(alerts, snap["warnings"], strict=True):
        assert warning["message"] in text_of(alert)
        assert warning["action"] in text_of(alert)
        assert warning["level"] in text_of(alert)


def test_no_warnings_is_a_calm_success_state():
    (alert,) = warning_alerts([])
    assert alert.color == "success"
    assert NO_WARNINGS in text_of(alert)


def test_stale_banner_says_why_and_when():
    banner = stale_banner("AWS is throttling", "2026-11-26T08:30:00Z")
    assert banner.color == "warning"
    assert "AWS is throttling" in text_of(banner)
    assert "2026-11-26 08:30:00 UTC" in text_of(banner)
    assert stale_banner("no credentials", None).color == "danger"


# --- header ------------------------------------------------------------------------


HEADER_IDS = [
    ids.TARGET_SELECT,
    ids.SCOPE_SELECT,
    ids.AUTO_REFRESH_SWITCH,
    ids.INTERVAL_SELECT,
    ids.REFRESH_BUTTON,
    ids.LAST_UPDATED,
    ids.COMPLETENESS_BADGE,
    ids.DEMO_BADGE,
    ids.SETTINGS_BUTTON,
    ids.EXPORT_BUTTON,
    ids.DOWNLOAD,
]


def test_header_holds_every_control():
    targets = [{"accountId": "111111111111", "accountName": "dr-target"}]
    page = header(targets, ["eu-west-1", "us-east-1"], 30, demo=True)
    for component_id in HEADER_IDS:
        assert find_by_id(page, component_id) is not None, component_id
    target_select = find_by_id(page, ids.TARGET_SELECT)
    assert target_select.value == "111111111111"
    assert target_select.options[0]["label"] == "dr-target (111111111111)"
    scope = find_by_id(page, ids.SCOPE_SELECT)
    assert scope.options[0] == {"label": "All Regions", "value": "all"}
    assert [o["value"] for o in scope.options[1:]] == ["eu-west-1", "us-east-1"]
    assert scope.value == "all"
    assert isinstance(find_by_id(page, ids.AUTO_REFRESH_SWITCH), dbc.Switch)
    assert isinstance(find_by_id(page, ids.DOWNLOAD), dcc.Download)
    assert find_by_id(page, ids.DEMO_BADGE).style is None


def test_demo_badge_is_hidden_outside_demo_mode():
    page = header([], [], 30, demo=False)
    assert find_by_id(page, ids.DEMO_BADGE).style == {"display": "none"}
    assert find_by_id(page, ids.TARGET_SELECT).value is None


def test_interval_choices_are_15s_30s_1min_5min_plus_the_default():
    assert [o["label"] for o in interval_options(30)] == [
        "15 s",
        "30 s",
        "1 min",
        "5 min",
    ]
    assert [o["value"] for o in interval_options(45)] == [15, 30, 45, 60, 300]


def test_completeness_badge_names_partial_data():
    full = four_accounts()
    assert "Complete" in text_of(completeness_badge(full))
    partial = make_snapshot(target(regions={"us-east-1": 1}), inaccessible("2" * 12))
    assert "Partial: 1 of 2 accounts reporting" in text_of(completeness_badge(partial))
    regions = make_snapshot(target(regions={"us-east-1": 1, "us-west-2": "error"}))
    assert "some Regions unreadable" in text_of(completeness_badge(regions))
    assert "No data" in text_of(completeness_badge(None))


def test_string_ids_are_unique():
    values = [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)]
    assert len(values) == len(set(values))
    assert ids.remove_staging_id("222222222222") == {
        "type": "remove-staging",
        "index": "222222222222",
    }
