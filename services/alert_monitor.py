"""Watches every recorded collection for alert news, off the request path (issue 12).

`observe` is the hook's whole cost in a request: it notes a new collection and hands it
to one background thread, which reads the target's alert states and mutes (one query),
decides per unit (services/alerts.py), wins or loses the conditional write of each
change (services/alert_store.py) and, when it wins, notifies (services/notify.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from services.alert_store import AlertStore
from services.alerts import (
    Kind,
    Notification,
    Observation,
    Unit,
    decide,
    next_state,
    observations,
)
from services.clock import parse_iso, utc_now
from services.models import Status
from services.notify import Notifier, SnsChannel, WebhookChannel, ssm_parameter

log = logging.getLogger(__name__)
Forecasts = Callable[[str, datetime], dict[Unit, Observation]]


class AlertMonitor:
    def __init__(
        self,
        store: AlertStore,
        notifier: Notifier,
        *,
        reminder: timedelta | None = None,
        forecasts: Forecasts | None = None,
        clock: Callable[[], datetime] = utc_now,
        executor: Executor | None = None,
    ):
        self.store = store
        self.clock = clock
        self._notifier = notifier
        self._reminder = reminder
        self._forecasts = forecasts
        self._executor = executor or ThreadPoolExecutor(1, "drs-capacity-alerts")
        self._seen: dict[str, str] = {}  # target -> the last collection taken
        self._running: dict[str, Future] = {}  # target -> its evaluation under way
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self._notifier.channels)

    def observe(self, snapshot, *, forecast: bool = False) -> Future | None:
        """Evaluate a new all-Regions collection in the background; returns at once."""
        if not self.enabled or snapshot.scope != "all":
            return None
        target_id = snapshot.target_account_id
        with self._lock:  # the dashboard polls one collection many times
            if self._seen.get(target_id) == snapshot.collected_at:
                return None
            busy = self._running.get(target_id)
            if busy is not None and not busy.done():
                # a slow channel: no queue piles up; the state in the table, not this
                # collection, is what the next evaluation compares against
                return None
            self._seen[target_id] = snapshot.collected_at
            future = self._executor.submit(self._safely, snapshot, forecast)
            self._running[target_id] = future
            return future

    @property
    def busy(self) -> bool:
        """Whether an evaluation is under way or queued."""
        with self._lock:
            return any(not f.done() for f in self._running.values())

    def flush(self, timeout: float | None = None) -> None:
        """Wait for the evaluations under way (a Lambda, before it returns)."""
        with self._lock:
            running = list(self._running.values())
        wait(running, timeout)

    def _safely(self, snapshot, forecast: bool) -> list[Notification]:
        try:
            return self.evaluate(snapshot.to_dict(), forecast=forecast)
        except Exception as exc:  # a side duty: it never fails anything else
            log.warning("alerts not evaluated: %s", type(exc).__name__)
            return []

    def evaluate(
        self, snapshot: Mapping, *, forecast: bool = False
    ) -> list[Notification]:
        """Decide and notify every unit's news in one collection; what was sent."""
        target_id = snapshot["targetAccountId"]
        at_text = snapshot["collectedAt"]
        at = parse_iso(at_text)
        states, mutes = self.store.read(target_id)
        seen = observations(snapshot, states)
        if forecast and self._forecasts is not None:
            seen |= self._forecasts(target_id, at)
        sent = []
        for unit, observed in sorted(seen.items(), key=lambda item: item[0].key):
            previous = states.get(unit)
            reminder = None if unit.forecast else self._reminder
            kind = decide(previous, observed.status, at, reminder)
            if kind is None:
                continue
            mute = mutes.get(unit.muted_as)
            muted = mute is not None and mute.active(at)
            if muted and kind is Kind.REMINDER:
                continue  # nothing to remember: the reminder is simply not due
            state = next_state(previous, kind, observed.status, at_text, not muted)
            if not self.store.claim(target_id, unit, state):
                continue  # another worker saw it first and notifies
            if muted:
                continue
            before = previous.status if previous else Status.OK
            notification = Notification(
                target_id, unit, kind, before, observed.status, observed.detail, at_text
            )
            self._notifier.send(notification)
            sent.append(notification)
        return sent

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def history_forecasts(history, level: Status, horizon_days: int) -> Forecasts:
    """Each unit's forecast as a status: `level` when it is forecast (not yet reached)
    within the horizon, else OK."""

    def forecasts(target_id: str, now: datetime) -> dict[Unit, Observation]:
        from services.history_report import history_answer  # pandas: only here

        units, regions = history.points(target_id, 30)
        answer = history_answer(target_id, units, regions, 30, now)
        found = {
            Unit(t["accountId"], t["region"], True): Observation(Status.OK)
            for t in answer["trends"]
        }
        for f in answer["forecasts"]:
            if f["level"] == level and not f["reached"] and f["days"] <= horizon_days:
                unit = Unit(f["accountId"], f["region"], True)
                found[unit] = Observation(level, f["text"])
        return found

    return forecasts


def build_monitor(
    settings, table, session, history=None, endpoint: str | None = None
) -> AlertMonitor | None:
    """The monitor over the history table (None without one), with the channels the
    settings name; `session` is the boto3 session SNS and SSM are called with (at
    `endpoint`: the demo store's moto, when the demo's AWS is served over HTTP)."""
    if table is None:
        return None
    channels = []
    if settings.alert_sns_topic_arn:
        region = settings.alert_sns_topic_arn.split(":")[3]
        client = session.client("sns", region_name=region, endpoint_url=endpoint)
        channels.append(SnsChannel(client, settings.alert_sns_topic_arn))
    if settings.alert_webhook_url:
        url = settings.alert_webhook_url
        channels.append(WebhookChannel(lambda: url))
    elif settings.alert_webhook_parameter:
        client = session.client(
            "ssm", region_name=settings.home_region, endpoint_url=endpoint
        )
        name = settings.alert_webhook_parameter
        channels.append(WebhookChannel(ssm_parameter(client, name)))
    forecasts = None
    if history is not None and settings.alert_forecast_days:
        level = Status(settings.alert_forecast_level)
        forecasts = history_forecasts(history, level, settings.alert_forecast_days)
    reminder = settings.alert_reminder_seconds
    return AlertMonitor(
        AlertStore(table),
        Notifier(channels),
        reminder=timedelta(seconds=reminder) if reminder else None,
        forecasts=forecasts,
    )


def monitor_for(settings, history, simulator=None) -> AlertMonitor | None:
    """The backend's monitor: SNS and SSM on a session of their own (the demo's: its
    simulated account's credentials, answered by moto)."""
    if history is None:
        return None
    import boto3
    import botocore.session

    credentials = simulator.own_credentials if simulator is not None else {}
    session = boto3.Session(
        botocore_session=botocore.session.get_session(), **credentials
    )
    # a demo whose moto is the shared demo store (services/demo_store.py) has its SNS
    # and SSM there too: never the real endpoints
    endpoint = settings.dynamodb_endpoint if simulator is not None else None
    return build_monitor(
        settings, history.dynamodb_table, session, history, endpoint=endpoint
    )
