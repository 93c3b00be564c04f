"""Alerts from the scheduled Lambda (issue 12, item 6): the pass returns only once its
alerts are delivered, because a Lambda container freezes when the handler returns."""

from __future__ import annotations

import pytest

import lambda_handler
from tests.alert_helpers import Receiver
from tests.conftest import STAGING_SCENARIO, TEST_ENV
from tests.integration.test_lambda_schedule import SCHEDULED


@pytest.fixture
def hook():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def container(monkeypatch, aws_env, hook):
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRS_CAPACITY_TABLE_NAME", "alerts-lambda-accounts")
    monkeypatch.setenv("DRS_CAPACITY_HISTORY_TABLE_NAME", "alerts-lambda-history")
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    monkeypatch.setenv("DRS_CAPACITY_DEMO_STORE_FILE", "")
    monkeypatch.setenv("DRS_CAPACITY_ALERT_WEBHOOK_URL", hook.url)
    lambda_handler.reset()
    yield lambda_handler
    lambda_handler.reset()


def test_a_scheduled_pass_returns_after_its_alerts_are_delivered(container, hook):
    answer = container.collection_handler(SCHEDULED)
    assert answer["success"] is True
    assert not container._state["backend"].alerts.busy
    assert len(hook.texts) == 1
    assert "account 222222222222 in us-east-1 is now WARNING" in hook.texts[0]
    container.collection_handler(SCHEDULED)  # the same state: nothing new
    assert len(hook.texts) == 1
