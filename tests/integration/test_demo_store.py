"""One demo store for every process of a demo (services/demo_store.py, issue 11).

Before it, each process of a demo had a DynamoDB of its own: `cli.py staging add` printed
"added" and the next `cli.py staging list` did not show it; two workers both accepted the
same account. Here the store is served once and every process uses it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest

from services.backend import build_operations, demo_tables
from services.demo_store import (
    DEMO_CREDENTIALS,
    DemoStoreServer,
    discover,
    publish,
    share,
    state_file,
    withdraw,
)
from services.errors import ConflictError
from services.simulator import load_scenario
from tests.conftest import STAGING_SCENARIO, TEST_ENV, demo_backend, scenario_settings
from tests.unit.test_store import staging

ROOT = Path(__file__).resolve().parents[2]
TARGET = "111111111111"


@pytest.fixture
def state(tmp_path) -> dict:
    """The environment of a user whose demo publishes its store in tmp_path."""
    file = str(tmp_path / "store.json")
    return {**os.environ, **TEST_ENV, "DRS_CAPACITY_DEMO_STORE_FILE": file}


def cli(env: dict, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "cli.py", "--scenario", str(STAGING_SCENARIO), *argv],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def add_444(env: dict) -> subprocess.CompletedProcess:
    return cli(
        env, "staging", "add", TARGET, "--account-id", "444444444444",
        "--role-arn", "arn:aws:iam::444444444444:role/DRSCapacityRead",
        "--external-id", "ext-444", "--region", "us-east-1", "--name", "staging-03",
    )  # fmt: skip


def test_a_cli_add_is_seen_by_the_next_cli_command_and_the_running_demo(
    state, monkeypatch
):
    monkeypatch.setenv(
        "DRS_CAPACITY_DEMO_STORE_FILE", state["DRS_CAPACITY_DEMO_STORE_FILE"]
    )
    settings = scenario_settings(STAGING_SCENARIO, mode="scenario")
    shared, server = share(settings)  # what app.py and gunicorn's master do
    try:
        state |= {"DRS_CAPACITY_TABLE_NAME": settings.table_name,
                  "DRS_CAPACITY_HISTORY_TABLE_NAME": settings.history_table_name}  # fmt: skip
        added = add_444(state)
        assert added.returncode == 0, added.stdout + added.stderr
        assert "kept only for this command" not in added.stderr
        listed = cli(state, "staging", "list", TARGET, "--format", "json")
        ids = [s["accountId"] for s in json.loads(listed.stdout)["stagingAccounts"]]
        assert "444444444444" in ids
        store, _ = demo_tables(
            shared, DEMO_CREDENTIALS, load_scenario(STAGING_SCENARIO)
        )
        assert "444444444444" in {
            s.account_id for s in store.get_target(TARGET).staging_accounts
        }
    finally:
        server.stop()


def test_without_a_running_demo_a_cli_change_says_it_lasts_for_that_command(state):
    added = add_444(state)
    assert added.returncode == 0
    assert "kept only for this command" in added.stderr
    listed = cli(state, "staging", "list", TARGET, "--format", "json")
    ids = [s["accountId"] for s in json.loads(listed.stdout)["stagingAccounts"]]
    assert "444444444444" not in ids  # honest: the note said so


def test_two_workers_racing_to_add_one_account_get_one_success():
    server = DemoStoreServer()
    url = server.start()
    try:
        settings = scenario_settings(STAGING_SCENARIO, dynamodb_endpoint=url)
        scenario = load_scenario(STAGING_SCENARIO)
        # two processes' stores: each its own client, and its own in-process locks
        stores = [demo_tables(settings, DEMO_CREDENTIALS, scenario)[0] for _ in "ab"]
        results, start = [], threading.Barrier(16)

        def add(store):
            start.wait()
            try:
                store.add_staging(TARGET, staging(7), max_staging=100)
                results.append("added")
            except ConflictError:
                results.append("conflict")

        threads = [threading.Thread(target=add, args=(stores[i % 2],))
                   for i in range(16)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(results) == ["added"] + ["conflict"] * 15
        listed = stores[1].get_target(TARGET).staging_accounts
        assert [s.account_id for s in listed].count(staging(7).account_id) == 1
    finally:
        server.stop()


def test_the_state_file_is_private_and_names_only_a_live_store_of_that_scenario(
    tmp_path,
):
    env = {"DRS_CAPACITY_DEMO_STORE_FILE": str(tmp_path / "d" / "store.json")}
    server = DemoStoreServer()
    url = server.start()
    try:
        path = publish(url, str(STAGING_SCENARIO), env)
        assert path.stat().st_mode & 0o777 == 0o600
        assert discover(str(STAGING_SCENARIO), env) == url
        assert discover(str(ROOT / "scenarios" / "demo.json"), env) is None
    finally:
        server.stop()
    assert discover(str(STAGING_SCENARIO), env) is None  # nothing answers there now


def test_only_the_publishing_process_withdraws_the_record(tmp_path):
    env = {"DRS_CAPACITY_DEMO_STORE_FILE": str(tmp_path / "store.json")}
    path = publish("http://127.0.0.1:1", str(STAGING_SCENARIO), env)
    record = json.loads(path.read_text())
    path.write_text(json.dumps(record | {"pid": record["pid"] + 1}))  # a forked worker
    withdraw("http://127.0.0.1:1", env)
    assert path.exists()
    path.write_text(json.dumps(record))
    withdraw("http://127.0.0.1:2", env)  # another demo's store: not ours to remove
    assert path.exists()
    withdraw("http://127.0.0.1:1", env)
    assert not path.exists()


def test_publishing_is_off_with_an_empty_variable_and_a_store_elsewhere_is_refused(
    tmp_path,
):
    assert state_file({"DRS_CAPACITY_DEMO_STORE_FILE": ""}) is None
    assert (
        publish("http://127.0.0.1:1", "x", {"DRS_CAPACITY_DEMO_STORE_FILE": ""}) is None
    )
    env = {"DRS_CAPACITY_DEMO_STORE_FILE": str(tmp_path / "store.json")}
    publish("http://203.0.113.7:8000", str(STAGING_SCENARIO), env)
    assert discover(str(STAGING_SCENARIO), env) is None  # a loopback store only


def test_a_demo_on_the_shared_store_sends_its_alerts_to_that_moto_never_aws():
    """SNS of a demo whose DynamoDB is the demo store is the same moto server."""
    server = DemoStoreServer()
    url = server.start()
    try:
        keys = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}
        sns = boto3.client("sns", region_name="us-east-1", endpoint_url=url, **keys)
        sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=url, **keys)
        topic = sns.create_topic(Name="drs-capacity-alerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(
            QueueUrl=queue, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        settings = scenario_settings(
            STAGING_SCENARIO, dynamodb_endpoint=url, alert_sns_topic_arn=topic
        )
        with demo_backend(settings=settings) as backend:
            operations = build_operations(backend)
            answer = operations.dispatch(
                "get_combined_capacity", {"targetAccountId": TARGET, "wait": True}
            )
            assert answer.status == 200
            backend.alerts.flush(30)
        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
        assert received.get("Messages"), "no alert reached the demo's own SNS"
    finally:
        server.stop()


def test_without_redis_a_workers_add_is_in_every_workers_next_answer():
    """Two workers on one demo store, each with its own snapshot cache: the store's
    version of the target tells the other worker its cached collection is stale."""
    server = DemoStoreServer()
    url = server.start()
    try:
        settings = scenario_settings(
            STAGING_SCENARIO, dynamodb_endpoint=url, store_follow_seconds=0
        )
        with demo_backend(settings=settings) as a, demo_backend(settings=settings) as b:
            first, second = build_operations(a), build_operations(b)
            ask = {"targetAccountId": TARGET}
            before = first.dispatch("get_combined_capacity", ask).body
            assert len(before["accounts"]) == 3
            added = second.dispatch(
                "add_staging_account",
                ask | {"accountId": "444444444444", "accountName": "staging-03",
                       "roleArn": "arn:aws:iam::444444444444:role/DRSCapacityRead",
                       "externalId": "ext-444", "region": "us-east-1"},
            )  # fmt: skip
            assert added.status == 201, added.body
            after = first.dispatch("get_combined_capacity", ask).body
            assert "444444444444" in {acc["accountId"] for acc in after["accounts"]}
            again = first.dispatch("get_combined_capacity", ask).body
            assert again["collectedAt"] == after["collectedAt"]  # cached once more
    finally:
        server.stop()


def test_a_demo_whose_home_cannot_be_written_runs_on_unpublished(tmp_path, caplog):
    """A container's user has no home: the CLI cannot find the store, the demo runs."""
    not_a_directory = tmp_path / "home"
    not_a_directory.write_text("")  # even root cannot make a directory under a file
    env = {"DRS_CAPACITY_DEMO_STORE_FILE": str(not_a_directory / ".cache" / "s.json")}
    with caplog.at_level("WARNING", logger="services.demo_store"):
        assert publish("http://127.0.0.1:1", str(STAGING_SCENARIO), env) is None
    assert "not published" in caplog.text
