"""CapacityService: cached snapshots per target, one collection at a time per target."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from services.capacity import ALL_REGIONS, Limits, build_snapshot
from services.clock import utc_now_iso
from services.collector import Collector
from services.metrics import CapacitySnapshot
from services.models import AccountReading
from services.settings import Settings


@dataclass
class _Collection:
    readings: list[AccountReading]
    collected_at: str
    started: float  # monotonic seconds
    finished: float
    snapshots: dict[str, CapacitySnapshot] = field(default_factory=dict)


class CapacityService:
    """Snapshots for the API, CLI and dashboard (ARCHITECTURE "data flow of one refresh").

    Readings are cached per target for `cache_ttl_seconds`; every Region scope is derived
    from the same readings. Concurrent askers share one collection (single flight).
    """

    def __init__(
        self,
        store,
        collector: Collector,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], str] = utc_now_iso,
    ):
        self._store = store
        self._collector = collector
        self._settings = settings
        self._limits = Limits.from_settings(settings)
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._cache: dict[str, _Collection] = {}
        self._flights: dict[str, Future] = {}
        self.collections = 0  # how many collections ran: observable single-flight

    def snapshot(
        self,
        target_id: str,
        scope: str = ALL_REGIONS,
        *,
        refresh: bool = False,
        max_age: float | None = None,
    ) -> CapacitySnapshot:
        """The target's snapshot for `scope`: cached when fresh (younger than the cache
        TTL and, if given, collected less than `max_age` seconds ago), else collected
        (joining a collection already running)."""
        collection = self._collection(target_id, refresh, max_age)
        with self._lock:
            found = collection.snapshots.get(scope)
            if found is None:
                found = build_snapshot(
                    target_id, collection.readings, self._limits,
                    collection.collected_at, scope,
                )  # fmt: skip
                collection.snapshots[scope] = found
        return found

    @property
    def limits(self) -> Limits:
        return self._limits

    def readings(self, target_id: str) -> list[AccountReading]:
        """The cached collection's readings (collected first when none is fresh)."""
        return self._collection(target_id, False, None).readings

    def invalidate(self, target_id: str) -> None:
        """Forget cached data and detach any running collection (its config is stale)."""
        with self._lock:
            self._cache.pop(target_id, None)
            self._flights.pop(target_id, None)

    def _collection(
        self, target_id: str, refresh: bool, max_age: float | None
    ) -> _Collection:
        while True:
            with self._lock:
                cached = self._cache.get(target_id)
                if cached and not refresh and self._fresh(cached, max_age):
                    return cached
                flight = self._flights.get(target_id)
                if flight is None:
                    flight = self._flights[target_id] = Future()
                    flight.forced = refresh
                    break
            joined = flight.result()
            # a forced refresh rescans every Region: a run that skipped some won't do
            if not refresh or flight.forced:
                return joined
        try:
            collection = self._collect(target_id, refresh)
        except BaseException as exc:
            self._land(target_id, flight, None)
            flight.set_exception(exc)
            raise
        self._land(target_id, flight, collection)
        flight.set_result(collection)
        return collection

    def _land(self, target_id: str, flight: Future, collection) -> None:
        """End a flight and cache its result in one step, unless it was invalidated.

        Done under one lock so no asker can find neither the flight nor the cache
        and start a second collection in between.
        """
        with self._lock:
            if self._flights.get(target_id) is not flight:
                return
            del self._flights[target_id]
            if collection is not None:
                self._cache[target_id] = collection

    def _fresh(self, collection: _Collection, max_age: float | None) -> bool:
        now = self._clock()
        if max_age is not None and now - collection.started >= max_age:
            return False
        return now - collection.finished < self._settings.cache_ttl_seconds

    def _collect(self, target_id: str, force: bool) -> _Collection:
        target = self._store.get_target(target_id)
        collected_at, started = self._wall_clock(), self._clock()
        readings = self._collector.collect(target, force=force)
        with self._lock:
            self.collections += 1
        return _Collection(readings, collected_at, started, self._clock())
