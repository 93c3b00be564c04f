"""The Lambda entry under an EventBridge schedule (issue 12, item 2): a "Scheduled Event"
(or a direct `record_history`) collects and records every target and answers a summary;
on a simulated fleet configured as a container would be."""

from __future__ import annotations

import json

import pytest

import lambda_handler
from tests.conftest import STAGING_SCENARIO, TEST_ENV

TARGET = "111111111111"
# the event EventBridge sends for a rule's schedule
SCHEDULED = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-12-07T16:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/drs-capacity-collect"],
    "detail": {},
}


@pytest.fixture
def container(monkeypatch, aws_env):
    """A fresh container on the staging scenario, its history empty."""
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRS_CAPACITY_TABLE_NAME", "schedule-test-accounts")
    monkeypatch.setenv("DRS_CAPACITY_HISTORY_TABLE_NAME", "schedule-test-history")
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    monkeypatch.setenv("DRS_CAPACITY_DEMO_STORE_FILE", "")  # no shared demo store
    lambda_handler.reset()
    yield lambda_handler
    lambda_handler.reset()


def history_times(handler) -> set[str]:
    answer = handler({"operation": "get_capacity_history", "targetAccountId": TARGET,
                      "days": 1})  # fmt: skip
    assert answer["success"] is True
    return {p["time"] for p in answer["points"] + answer["regions"]}


def test_a_scheduled_event_collects_and_records_every_target(container):
    assert history_times(container.handler) == set()
    answer = container.collection_handler(SCHEDULED)
    assert {k: answer[k] for k in ("success", "operation", "targets", "collected",
                                   "recorded")} == {
        "success": True, "operation": "record_history", "targets": 1,
        "collected": 1, "recorded": 1,
    }  # fmt: skip
    [result] = answer["results"]
    assert result["targetAccountId"] == TARGET and result["accounts"] == 3
    assert len(history_times(container.handler)) == 1
    json.dumps(answer)  # what Lambda returns must be JSON


def test_a_schedule_sooner_than_five_minutes_collects_but_does_not_record_again(
    container,
):
    container.collection_handler(SCHEDULED)
    again = container.collection_handler(SCHEDULED)
    assert (again["collected"], again["recorded"]) == (1, 0)
    assert again["results"][0]["recorded"] is False
    assert len(history_times(container.handler)) == 1


def test_a_direct_record_history_collects_the_named_targets_one_failing_alone(
    container,
):
    answer = container.handler(
        {"operation": "record_history", "targetAccountIds": ["999999999999", TARGET]}
    )
    assert (answer["targets"], answer["collected"], answer["recorded"]) == (2, 1, 1)
    unknown, known = answer["results"]
    assert unknown["errors"][0]["code"] == "NOT_FOUND" and not unknown["collected"]
    assert known["targetAccountId"] == TARGET and known["recorded"] is True


@pytest.mark.parametrize("named", ["111111111111", [111111111111], {"a": 1}])
def test_target_account_ids_must_be_an_array_of_strings(container, named):
    answer = container.handler({"operation": "record_history",
                                "targetAccountIds": named})  # fmt: skip
    assert answer["success"] is False
    assert answer["error"]["field"] == "targetAccountIds"


def test_the_collection_function_serves_the_schedule_and_nothing_else(container):
    refused = container.collection_handler({"operation": "get_target_accounts"})
    assert refused["success"] is False and refused["error"]["field"] == "operation"
    for read_or_manage in (container.query_handler,
                           container.data_management_handler):  # fmt: skip
        answer = read_or_manage(SCHEDULED)
        assert (
            answer["success"] is False
            and "record_history" in answer["error"]["message"]
        )
    assert history_times(container.handler) == set()  # none of them recorded
