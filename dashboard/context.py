"""What every callback needs: the dispatcher, the settings, and the snapshots on screen."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from services.operations import Operations
from services.settings import Settings


class ScreenSnapshots:
    """Snapshots recently sent to a browser, by key, so that export and details read
    exactly what is on screen (not a newer collection)."""

    def __init__(self, size: int = 64):
        self._items: OrderedDict[str, dict] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @staticmethod
    def key_of(snapshot: dict) -> str:
        return f"{snapshot['targetAccountId']}|{snapshot['scope']}|{snapshot['collectedAt']}"

    def put(self, snapshot: dict) -> str:
        key = self.key_of(snapshot)
        with self._lock:
            self._items[key] = snapshot
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str | None) -> dict | None:
        with self._lock:
            return self._items.get(key) if key else None


@dataclass
class DashboardContext:
    operations: Operations
    settings: Settings
    demo: bool
    snapshots: ScreenSnapshots = field(default_factory=ScreenSnapshots)

    def call(self, operation: str, **payload) -> dict:
        """The dispatcher's JSON body for `operation` (the API's exact answer)."""
        return self.operations.dispatch(operation, payload).body

    def snapshot_for(self, store: dict | None) -> dict | None:
        """The snapshot a store entry points at; re-read it if this process lost it."""
        if not store:
            return None
        found = self.snapshots.get(store.get("key"))
        if found is None and store.get("targetAccountId"):
            body = self.call(
                "get_combined_capacity",
                targetAccountId=store["targetAccountId"],
                region=store.get("scope"),
            )
            if body.get("success"):
                found = _without_envelope(body)
                self.snapshots.put(found)
        return found


def _without_envelope(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "success"}


def snapshot_of(body: dict) -> dict:
    return _without_envelope(body)
