"""Alerts from real collections (issue 12, item 6): the dashboard's own reads notify a
local webhook in the background, once per transition; a forecast crossing the horizon
notifies too."""

from __future__ import annotations

import itertools
from datetime import timedelta

from moto import mock_aws

from services.alert_monitor import AlertMonitor, history_forecasts
from services.alert_store import AlertStore
from services.backend import build_operations
from services.clock import iso_utc
from services.history import HistoryStore
from services.models import Status
from services.notify import Notifier, WebhookChannel
from tests.alert_helpers import T0, Inline, Receiver, collection, history_table
from tests.conftest import demo_backend

TARGET = "111111111111"


def test_collections_notify_in_the_background_once_per_transition():
    with (
        Receiver() as hook,
        demo_backend(alert_webhook_url=hook.url, refresh_coalesce_seconds=0) as backend,
    ):
        minutes = itertools.count()
        backend.service._wall_clock = lambda: iso_utc(
            T0 + timedelta(minutes=next(minutes))
        )
        operations = build_operations(backend)

        def collect():
            payload = {"targetAccountId": TARGET, "refresh": True}
            assert operations.dispatch("get_combined_capacity", payload).success

        collect()  # 222222222222 has 230 replicating in us-east-1: WARNING
        assert hook.wait_for(1) == [hook.texts[0]]
        assert (
            "account 222222222222 in us-east-1 is now WARNING, was OK" in hook.texts[0]
        )
        collect()  # the same: nothing new
        backend.simulator.set_region("222222222222", "us-east-1", {"CONTINUOUS": 260})
        collect()
        assert "is now CRITICAL, was WARNING" in hook.wait_for(2)[1]
        backend.simulator.set_region("222222222222", "us-east-1", {"CONTINUOUS": 100})
        collect()
        assert "recovered: OK, was CRITICAL" in hook.wait_for(3)[2]
        backend.alerts.close()  # waits for anything still queued
    assert len(hook.texts) == 3


def test_a_forecast_crossing_the_horizon_notifies_once(aws_env):
    with mock_aws(), Receiver() as hook:
        table = history_table()
        now = {"at": T0}
        history = HistoryStore(table, now=lambda: now["at"])
        for hour in range(72):  # 150 -> 221 replicating over three days: +24 a day
            now["at"] = T0 + timedelta(hours=hour)
            wire = collection(hour * 60, {"222222222222:us-east-1": "OK"})
            wire["accounts"][0]["regionalBreakdown"][0] |= {
                "replicatingServers": 150 + hour, "totalServers": 150 + hour,
            }  # fmt: skip
            wire["complete"] = True
            history.record(wire)
        monitor = AlertMonitor(
            AlertStore(table),
            Notifier([WebhookChannel(lambda: hook.url)]),
            forecasts=history_forecasts(history, Status.CRITICAL, 14),
            executor=Inline(),
        )
        latest = collection(71 * 60 + 1, {"222222222222:us-east-1": "INFO"})
        sent = monitor.evaluate(latest, forecast=True)
        again = monitor.evaluate(
            collection(71 * 60 + 2, {"222222222222:us-east-1": "INFO"}), forecast=True
        )
    forecasts = [n for n in sent if n.unit.forecast]
    assert len(forecasts) == 1 and again == []
    assert len(hook.texts) == 2  # the unit's own change to INFO, and the forecast
    assert (
        "account 222222222222 in us-east-1 forecast: CRITICAL in ~1 day "
        in (hook.texts[1])
    )
