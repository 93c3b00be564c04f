"""Browser tests drive Debian's Chromium headless through dash_duo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dashboard import create_app
from services.settings import Settings

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "browser.json"
os.environ.setdefault(
    "DASH_TEST_CHROMEPATH", shutil.which("chromium") or "/usr/bin/chromium"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def make_app():
    """Build dashboards on the browser scenario; close their backends afterwards."""
    apps = []

    def build(scenario=SCENARIO, **changes):
        settings = Settings(
            scenario_path=str(scenario), regions=("us-east-1", "us-west-2"), **changes
        )
        app = create_app(settings)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.drs_backend.close()
