"""The operations of capacity over time (issue 12): the history and its CSV, recording a
collection (and telling the alerts), collecting unattended, and the alerts' mutes.

Operations (services/operations.py) dispatches to them; every read of a snapshot passes
its result to `record`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from services import mutes
from services import payload as fields
from services.responses import Response, csv_download, ok

log = logging.getLogger(__name__)


class OverTime:
    """History, recording and mutes of every target in the store."""

    def __init__(self, store, history, alerts, snapshot: Callable):
        self._store = store
        self._history = history  # services.history.HistoryStore, or None: not kept
        self._alerts = alerts  # services.alert_monitor.AlertMonitor, or None
        self._snapshot = snapshot  # Operations._snapshot(payload, wait)

    @property
    def handlers(self) -> dict[str, Callable[[Mapping], Response]]:
        return {
            "get_capacity_history": self.get_capacity_history,
            "export_history_csv": self.export_history_csv,
            "record_history": self.record_history,
            "get_alert_mutes": self.get_alert_mutes,
            "mute_alerts": self.mute_alerts,
            "unmute_alerts": self.unmute_alerts,
        }

    # -- history --------------------------------------------------------------------

    def get_capacity_history(self, payload: Mapping) -> Response:
        return ok(self._history_answer(payload))

    def export_history_csv(self, payload: Mapping) -> Response:
        from services.history_report import history_csv, history_filename

        answer = self._history_answer(payload)
        name = history_filename(answer["targetAccountId"], answer["days"])
        return csv_download(history_csv(answer), name)

    def _history_answer(self, payload: Mapping) -> dict:
        from services.clock import utc_now
        from services.history_report import history_answer  # pandas: only here

        target_id = fields.target_id(payload)
        self._store.get_target(target_id)  # 404 for an unknown target
        days = fields.days(payload.get("days"))
        if self._history is None:
            units, regions = [], []
        else:
            units, regions = self._history.points(target_id, days)
        return history_answer(target_id, units, regions, days, utc_now())

    def record_history(self, payload: Mapping) -> Response:
        """Collect the target now, wait for it and record it (cli.py watch, the
        schedule): the snapshot and whether the history took it."""
        target = {"targetAccountId": payload.get("targetAccountId"), "refresh": True}
        snapshot = self._snapshot(target, wait=True).snapshot
        return ok({**snapshot.to_dict(), "recorded": self.record(snapshot)})

    def record(self, snapshot) -> bool:
        """Keep the collection in the history (at most every 5 minutes); a failure to
        record is logged and never fails the read. Whether it was recorded."""
        if self._history is None:
            return False
        try:
            recorded = self._history.record_snapshot(snapshot)
        except Exception as exc:  # the history is a side record: the answer stands
            log.warning("history not recorded: %s", type(exc).__name__)
            recorded = False
        if self._alerts is not None:  # evaluated in the background (issue 12, item 6)
            self._alerts.observe(snapshot, forecast=recorded)
        return recorded

    # -- alert mutes (services/mutes.py) -------------------------------------------

    def get_alert_mutes(self, payload: Mapping) -> Response:
        target_id, store, now = self._mutes(payload)
        return ok(mutes.listed(store, target_id, now))

    def mute_alerts(self, payload: Mapping) -> Response:
        target_id, store, now = self._mutes(payload)
        by = fields.added_by(payload)
        return ok(mutes.mute(store, target_id, payload, by, now))

    def unmute_alerts(self, payload: Mapping) -> Response:
        target_id, store, now = self._mutes(payload)
        return ok(mutes.unmute(store, target_id, payload, now))

    def _mutes(self, payload: Mapping):
        target_id = fields.target_id(payload)
        self._store.get_target(target_id)  # 404 for an unknown target
        store = mutes.require(self._alerts and self._alerts.store)
        return target_id, store, self._alerts.clock()
