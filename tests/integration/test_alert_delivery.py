"""Alerts delivered (issue 12, item 6): one notification per transition to a local
webhook and to moto's SNS, reminders, recovery, mutes, retries, and two workers."""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from services.alert_monitor import AlertMonitor
from services.alert_store import AlertStore
from services.alerts import Unit
from services.notify import Notifier, SnsChannel
from tests.alert_helpers import (
    T0,
    TARGET,
    Atomic,
    Collected,
    Inline,
    Receiver,
    collection,
    history_table,
    webhook_monitor,
)

UNIT = "222222222222:us-east-1"


@pytest.fixture
def table(aws_env):
    with mock_aws():
        yield history_table()


def run(monitor, minutes, status, unit=UNIT):
    return monitor.evaluate(collection(minutes, {unit: status}))


def test_one_webhook_message_per_transition_up_and_down(table):
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url)
        for minutes, status in enumerate(
            ["OK", "OK", "WARNING", "WARNING", "CRITICAL", "CRITICAL", "WARNING"]
        ):
            run(monitor, minutes, status)
    assert len(hook.texts) == 3
    assert "is now WARNING, was OK" in hook.texts[0]
    assert "is now CRITICAL, was WARNING" in hook.texts[1]
    assert "is now WARNING, was CRITICAL" in hook.texts[2]
    assert "account 222222222222 in us-east-1" in hook.texts[0]
    assert "230 of 300 replicating" in hook.texts[0]


def test_a_region_combined_status_change_is_its_own_notification(table):
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url)
        monitor.evaluate(collection(0, {UNIT: "WARNING", "combined:us-east-1": "INFO"}))
    assert len(hook.texts) == 2
    assert any("us-east-1 combined is now INFO" in t for t in hook.texts)


def test_recovery_notice_when_back_to_ok(table):
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url)
        run(monitor, 0, "CRITICAL")
        run(monitor, 1, "OK")
    assert "recovered: OK, was CRITICAL" in hook.texts[1]


def test_reminders_follow_the_interval_while_bad_and_stop_when_recovered(table):
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url, reminder_minutes=60)
        for minutes in range(0, 200, 10):  # WARNING from 0 to 190
            run(monitor, minutes, "WARNING")
        run(monitor, 200, "OK")
        for minutes in range(210, 400, 10):
            run(monitor, minutes, "OK")
    reminders = [t for t in hook.texts if t.startswith("Reminder:")]
    assert len(reminders) == 3  # at 60, 120 and 180 minutes
    assert len(hook.texts) == 5  # the change, three reminders, the recovery
    assert "is still WARNING" in reminders[0]


def test_an_older_collection_seen_late_changes_nothing(table):
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url)
        run(monitor, 10, "WARNING")
        run(monitor, 5, "OK")  # a slower worker's older collection
        run(monitor, 20, "WARNING")
    assert len(hook.texts) == 1


def test_a_muted_unit_is_silent_until_its_mute_expires(table):
    store = AlertStore(table)
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url, reminder_minutes=60)
        store.set_mute(TARGET, Unit.parse(UNIT), T0 + timedelta(minutes=30), "ops", "")
        run(monitor, 0, "WARNING")
        run(monitor, 10, "CRITICAL")
        run(monitor, 20, "OK")
        run(monitor, 25, "CRITICAL")
        assert hook.texts == []
        run(monitor, 40, "CRITICAL")  # mute over: no stale news of the muted changes
        assert hook.texts == []
        run(monitor, 85, "CRITICAL")  # a reminder is due an hour into CRITICAL
        run(monitor, 90, "WARNING")
    assert len(hook.texts) == 2
    assert hook.texts[0].startswith("Reminder:")
    assert "is now WARNING, was CRITICAL" in hook.texts[1]


def test_a_mute_of_one_unit_leaves_the_others_loud(table):
    store = AlertStore(table)
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url)
        store.set_mute(TARGET, Unit.parse(UNIT), T0 + timedelta(hours=2), "ops", "")
        monitor.evaluate(
            collection(0, {UNIT: "WARNING", "combined:us-east-1": "WARNING"})
        )
    assert len(hook.texts) == 1 and "us-east-1 combined" in hook.texts[0]


def test_a_lifted_mute_no_longer_silences(table):
    store = AlertStore(table)
    unit = Unit.parse(UNIT)
    with Receiver() as hook:
        monitor = webhook_monitor(table, hook.url)
        store.set_mute(TARGET, unit, T0 + timedelta(hours=2), "ops", "")
        assert store.lift_mute(TARGET, unit, T0) is not None
        assert store.mutes(TARGET, T0) == []
        run(monitor, 1, "WARNING")
    assert len(hook.texts) == 1


def test_failed_deliveries_are_retried_with_backoff_and_logged_without_the_url(
    table, caplog
):
    pauses = []
    with Receiver(failures=2) as hook:
        monitor = webhook_monitor(table, hook.url, sleep=pauses.append)
        with caplog.at_level(logging.WARNING):
            run(monitor, 0, "WARNING")
    assert len(hook.texts) == 1 and hook.posts == 3
    assert pauses == [1.0, 2.0]
    retries = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert len(retries) == 2 and "HTTP 500" in retries[0]
    assert all("s3cr3tpath" not in r.getMessage() for r in caplog.records)
    assert all("127.0.0.1" not in r.getMessage() for r in caplog.records)


def test_a_delivery_that_never_succeeds_is_logged_once_as_lost(table, caplog):
    with Receiver(failures=99) as hook:
        monitor = webhook_monitor(table, hook.url)
        with caplog.at_level(logging.WARNING):
            run(monitor, 0, "WARNING")
            run(monitor, 1, "WARNING")  # not re-sent: the transition was decided
    assert hook.posts == 4
    lost = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(lost) == 1 and "after 4 attempts" in lost[0].getMessage()


def test_a_hanging_webhook_never_blocks_the_collection(table):
    gate = threading.Event()
    with Receiver(gate=gate) as hook:
        executor = ThreadPoolExecutor(1)
        monitor = webhook_monitor(table, hook.url, executor=executor)
        future = monitor.observe(Collected(collection(0, {UNIT: "CRITICAL"})))
        assert not future.done()  # observe returned while the webhook still hangs
        assert monitor.observe(Collected(collection(0, {UNIT: "CRITICAL"}))) is None
        gate.set()
        assert len(future.result(timeout=10)) == 1
        monitor.close()
    assert len(hook.texts) == 1


def test_while_a_channel_is_slow_new_collections_wait_instead_of_piling_up(table):
    gate = threading.Event()
    with Receiver(gate=gate) as hook:
        monitor = webhook_monitor(table, hook.url, executor=ThreadPoolExecutor(1))
        first = monitor.observe(Collected(collection(0, {UNIT: "WARNING"})))
        assert monitor.observe(Collected(collection(1, {UNIT: "CRITICAL"}))) is None
        gate.set()
        monitor.flush(timeout=10)
        assert first.done()
        later = monitor.observe(Collected(collection(2, {UNIT: "CRITICAL"})))
        assert len(later.result(timeout=10)) == 1  # the skipped change is not lost
        monitor.close()
    assert ["WARNING" in hook.texts[0], "CRITICAL" in hook.texts[1]] == [True, True]


def test_two_workers_on_one_table_notify_once_per_transition(table):
    with Receiver() as hook:
        workers = [webhook_monitor(table, hook.url) for _ in range(2)]
        for minutes, status in enumerate(["WARNING", "CRITICAL", "OK"]):
            for worker in workers:  # both see the same collection
                worker.evaluate(collection(minutes, {UNIT: status}))
            workers[1].evaluate(collection(minutes + 0.5, {UNIT: status}))
    assert len(hook.texts) == 3


def test_two_workers_racing_in_threads_notify_once(table):
    with Receiver() as hook:
        workers = [webhook_monitor(table, hook.url) for _ in range(4)]
        barrier = threading.Barrier(4)
        for worker in workers:
            worker.store = Atomic(table, barrier)
        for minutes, status in enumerate(["WARNING", "OK", "CRITICAL", "OK"]):
            wire = collection(minutes, {UNIT: status})
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda w, c=wire: w.evaluate(c), workers))
    assert len(hook.texts) == 4


def test_sns_gets_one_message_per_transition(table):
    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    topic = sns.create_topic(Name="drs-capacity-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs",
                  Endpoint=queue_arn["Attributes"]["QueueArn"])  # fmt: skip
    monitor = AlertMonitor(
        AlertStore(table), Notifier([SnsChannel(sns, topic)]), executor=Inline()
    )
    for minutes, status in enumerate(["OK", "WARNING", "WARNING", "OK", "OK"]):
        run(monitor, minutes, status)
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    messages = [json.loads(m["Body"]) for m in received.get("Messages", [])]
    assert len(messages) == 2
    assert sorted(m["Subject"] for m in messages) == [
        "DRS capacity raised: account 222222222222 in us-east-1 WARNING",
        "DRS capacity recovered: account 222222222222 in us-east-1 OK",
    ]
