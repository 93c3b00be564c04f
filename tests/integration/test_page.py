"""The dashboard page itself: served offline, beside the API, demo badge in demo mode."""

from __future__ import annotations

import re

from components import ids
from tests.unit.component_tree import find_by_id, text_of


def test_the_page_loads_nothing_from_another_host(client):
    page = client.get("/")
    assert page.status_code == 200
    links = re.findall(r'(?:src|href)="([^"]+)"', page.get_data(as_text=True))
    assert links, "the page should reference its scripts and styles"
    assert [url for url in links if not url.startswith("/")] == []


def test_bootstraps_css_is_served_from_the_apps_assets(client):
    page = client.get("/").get_data(as_text=True)
    assert "/assets/bootstrap.min.css" in page
    css = client.get("/assets/bootstrap.min.css")
    assert css.status_code == 200
    assert b"Bootstrap" in css.data[:200]
    assert b"sourceMappingURL" not in css.data  # no request for a missing map


def test_the_layout_lists_the_registered_targets_and_shows_the_demo_badge(app):
    layout = app.layout()
    selector = find_by_id(layout, ids.TARGET_SELECT)
    assert [o["value"] for o in selector.options] == ["111111111111"]
    badge = find_by_id(layout, ids.DEMO_BADGE)
    assert "Demo data" in text_of(badge)
    assert (badge.style or {}).get("display") != "none"


def test_a_failing_dashboard_request_logs_no_stack_trace(client, caplog):
    caplog.set_level("DEBUG")
    answer = client.post("/_dash-update-component", json={})  # not a callback request
    assert answer.status_code == 500
    assert "Traceback" not in caplog.text
    assert "dashboard request failed: KeyError" in caplog.text


def test_unknown_pages_still_answer_404(client):
    assert client.get("/assets/no-such-file.css").status_code == 404
