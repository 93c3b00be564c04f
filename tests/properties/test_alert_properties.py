"""Alerts over random status sequences: one notification per transition that is not
muted, never two for one transition, when three workers race on each collection."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from services.alert_monitor import AlertMonitor
from services.alert_store import AlertStore
from services.alerts import Unit
from services.clock import parse_iso
from services.models import Status
from services.notify import Notifier
from tests.alert_helpers import T0, Atomic, Inline, collection, history_table

UNITS = ("222222222222:us-east-1", "combined:us-east-1")
KNOWN = [s.value for s in Status if s is not Status.UNKNOWN]
_targets = itertools.count(100000000000)


class Recorder:
    name = "recorder"

    def __init__(self):
        self.sent = []
        self._lock = threading.Lock()

    def deliver(self, notification):
        with self._lock:
            self.sent.append(notification)


@pytest.fixture(scope="module")
def table():
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing",
                            "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
            env.setenv(name, value)
        with mock_aws():
            yield history_table()


step = st.tuples(
    st.fixed_dictionaries({u: st.sampled_from(KNOWN) for u in UNITS}),
    st.booleans(),  # the first unit muted at this collection
    st.permutations(range(3)),  # the order the workers start in
    st.booleans(),  # a worker also sees a later collection with the same statuses
)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=st.lists(step, max_size=10))
def test_notifications_equal_the_unmuted_transitions_with_three_workers(table, steps):
    target = str(next(_targets))
    store = AlertStore(table)
    recorder = Recorder()
    barrier = threading.Barrier(3)
    workers = [AlertMonitor(Atomic(table, barrier), Notifier([recorder]),
                            executor=Inline()) for _ in range(3)]  # fmt: skip
    muted_unit = Unit.parse(UNITS[0])
    expected = []
    before = dict.fromkeys(UNITS, "OK")
    for minute, (statuses, muted, order, again) in enumerate(steps):
        if muted:
            until = T0 + timedelta(minutes=minute, seconds=30)
            store.set_mute(target, muted_unit, until, "ops", "")
        for unit, status in statuses.items():
            if status != before[unit] and not (muted and unit == UNITS[0]):
                expected.append((unit, minute, before[unit], status))
        before = statuses
        wire = collection(minute, statuses) | {"targetAccountId": target}
        with ThreadPoolExecutor(3) as pool:  # all three at once, in any order
            list(pool.map(lambda i, w=wire: workers[i].evaluate(w), order))
        if again:  # a worker's own later collection: one more pass, still no news
            later = collection(minute + 0.5, statuses) | {"targetAccountId": target}
            with ThreadPoolExecutor(3) as pool:
                list(pool.map(lambda i, w=later: workers[i].evaluate(w), order))
    sent = [
        (n.unit.key, int((parse_iso(n.at) - T0).total_seconds() // 60), n.previous.value,
         n.current.value)
        for n in recorder.sent
    ]  # fmt: skip
    assert sorted(sent) == sorted(expected)
    assert len(set(sent)) == len(sent)
