"""The page's capacity-over-time chart and forecast line (issue 12, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go

from components.history_chart import history_figure, soonest_forecast
from dashboard.callbacks.history import forecast_outputs, history_outputs
from dashboard.callbacks.refresh import refresh_outputs
from dashboard.context import DashboardContext
from services.backend import build_backend, build_operations
from services.settings import Settings
from tests.unit.component_tree import text_of
from tests.unit.test_history_report import NOW, growing

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "browser.json"


def test_units_are_drawn_as_shares_of_their_own_limit_with_names_as_text():
    from services.history_report import history_answer

    answer = history_answer("111111111111", growing(), [], 30, NOW)
    names = {"222222222222": "<b>bold</b>"}
    figure = history_figure(answer, names, None)
    go.Figure(figure)  # valid for Plotly
    (line,) = figure["data"]
    assert line["y"][-1] == 100 * 200 / 300
    assert "<b>" not in json.dumps(figure) and "&lt;b&gt;bold" in line["name"]
    forecast = soonest_forecast(answer, names)
    # 200 now, +10 a day, WARNING from 225: in 2.5 days (rounded), CRITICAL in 5
    assert text_of(forecast).endswith("WARNING in ~3 days (2026-12-04)")
    assert "<b>bold</b> · us-east-1" in text_of(forecast)  # text, not markup


def test_the_page_draws_the_recorded_history_of_the_target_on_screen():
    settings = Settings(scenario_path=str(SCENARIO), regions=("us-east-1",),
                        history_table_name="chart-history")  # fmt: skip
    backend = build_backend(settings)
    try:
        page = DashboardContext(build_operations(backend), settings, demo=True)
        store, *_ = refresh_outputs(page, "111111111111", "all", False, None)
        figure = history_outputs(page, store, 7)
        assert {t["name"] for t in figure["data"]} >= {
            "dr-target (111111111111) · us-east-1", "combined · us-east-1"
        }  # fmt: skip
        assert forecast_outputs(page, store) == (None, [])  # one point: no trend
        empty = history_outputs(page, None, 7)
        assert empty["layout"]["annotations"][0]["text"] == "No data"
    finally:
        backend.close()
