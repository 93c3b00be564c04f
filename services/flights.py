"""Collections and their flights: what a collection leaves (its readings, times and
the snapshots derived from it), and how one flight spans every worker through the
shared cache (services/shared_cache.py): adopt a collection another worker landed, or
take the lock (with an expiry) and collect. CapacityService keeps the cache and the
flights of its own process (services/service.py).
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from services.errors import ProductError
from services.metrics import CapacitySnapshot
from services.models import AccountReading, ErrorInfo

LOCK_GRACE_SECONDS = 5.0  # a dead worker's lock outlives its deadline by this much
POLL_SECONDS = 0.05  # how often a worker waiting on another's collection looks again


class CollectionTimeout(ProductError):
    """A collection ran past the deadline: reported and dropped, never waited on."""

    code = "COLLECTION_TIMEOUT"
    http_status = 504


@dataclass
class Collection:
    """One collection's readings, when and how it ran, and the snapshots derived."""

    readings: list[AccountReading]
    collected_at: str
    started: float  # seconds on the service's clock (the shared cache's: wall clock)
    finished: float
    forced: bool = False
    id: str = ""
    snapshots: dict[str, CapacitySnapshot] = field(default_factory=dict)
    version: int | None = None  # the target's store version it was collected at


@dataclass(frozen=True)
class SnapshotAnswer:
    """What a request gets: the snapshot (None on a cold start still collecting),
    whether a collection is running, and why the last one failed (if it did)."""

    snapshot: CapacitySnapshot | None
    refreshing: bool = False
    error: ErrorInfo | None = None


class SharedFlights:
    """CapacityService's flights across workers (its `_shared` cache is set): the part
    that waits on, adopts or lands another process's collection."""

    def _latest_shared(self, target_id: str) -> Collection | None:
        """The last collection any worker landed: this process's copy when it is the
        same one, else loaded from the shared cache."""
        meta = self._shared.meta(target_id)
        with self._lock:
            known = self._cache.get(target_id)
            if meta is None:
                self._cache.pop(target_id, None)
                return None
            if known is not None and known.id == meta["id"]:
                return known
        loaded = self._shared.load(target_id)
        if loaded is None:
            return None
        collection = from_meta(*loaded)
        with self._lock:
            self._cache[target_id] = collection
        return collection

    def _fly_shared(self, target_id: str, flight: Future, seen_id: str | None) -> None:
        """Adopt another worker's collection, or take the lock and collect."""
        shared, holders = self._shared, set()
        lock_seconds = self._settings.collection_deadline_seconds + LOCK_GRACE_SECONDS
        try:
            while not flight.done():
                if self._adopt(target_id, flight, seen_id):
                    return
                failed = shared.failure(target_id)
                # the collection this flight waited on failed: a holder it saw, or one
                # that failed since it began (seen or not: it may have been quick), and
                # before the lock it freed is taken to start all over
                if failed is not None and (
                    failed[0] in holders or failed[2] >= flight.began
                ):
                    raise ProductError(failed[1].message, code=failed[1].code)
                token = shared.acquire(target_id, flight.forced, lock_seconds)
                if token is not None:
                    flight.token = token
                    if self._adopt(target_id, flight, seen_id):  # landed meanwhile
                        shared.release(target_id, token)
                        return
                    self._collect_shared(target_id, flight, token)
                    return
                holder = shared.holder(target_id)
                if holder is not None:
                    holders.add(holder["token"])
                time.sleep(POLL_SECONDS)
        except BaseException as exc:
            self._finish(target_id, flight, error=exc)

    def _adopt(self, target_id: str, flight: Future, seen_id: str | None) -> bool:
        """Take a collection landed since the flight began (forced, if it must be)."""
        meta = self._shared.meta(target_id)
        if (
            meta is None
            or meta["id"] == seen_id
            or (flight.forced and not meta["forced"])
        ):
            return False
        collection = self._latest(target_id)
        if collection is None:
            return False
        self._finish(target_id, flight, collection)
        return True

    def _collect_shared(self, target_id: str, flight: Future, token: str) -> None:
        try:
            collection = self._collect(target_id, flight.forced, token)
        except BaseException as exc:
            self._shared.release(target_id, token, error_info(exc))
            self._finish(target_id, flight, error=exc)
            return
        landed = self._shared.land(target_id, token, to_meta(collection),
                                   collection.readings)  # fmt: skip
        self._finish(target_id, flight, collection, cache=landed)


def to_meta(collection: Collection) -> dict:
    return {
        "id": collection.id,
        "collectedAt": collection.collected_at,
        "started": collection.started,
        "finished": collection.finished,
        "forced": collection.forced,
    }


def from_meta(meta: dict, readings: list[AccountReading]) -> Collection:
    return Collection(readings, meta["collectedAt"], float(meta["started"]),
                       float(meta["finished"]), bool(meta["forced"]), meta["id"])  # fmt: skip


def error_info(error: BaseException) -> ErrorInfo:
    if isinstance(error, ProductError):
        return error.info
    return ErrorInfo(
        "INTERNAL_ERROR", f"The collection failed ({type(error).__name__})."
    )
