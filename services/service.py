"""CapacityService: cached snapshots per target, one collection at a time per target
(across workers: services/flights.py)."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from concurrent.futures import TimeoutError as FutureTimeout

from services.capacity import ALL_REGIONS, Limits, build_snapshot
from services.clock import utc_now_iso
from services.collector import Collector
from services.flights import (
    Collection,
    CollectionTimeout,
    SharedFlights,
    SnapshotAnswer,
    error_info,
)
from services.metrics import CapacitySnapshot
from services.models import AccountReading, ErrorInfo
from services.settings import Settings

log = logging.getLogger(__name__)


class CapacityService(SharedFlights):
    """Snapshots for the API, CLI and dashboard (ARCHITECTURE "data flow of one refresh").

    Readings are cached per target for `cache_ttl_seconds`; every Region scope is derived
    from the same readings. Concurrent askers share one collection (single flight), run
    on a thread of its own and given up after `collection_deadline_seconds`. With a
    shared cache (services/shared_cache.py) the cache and the flight span every worker.
    """

    def __init__(
        self,
        store,
        collector: Collector,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], str] = utc_now_iso,
        shared=None,
    ):
        self._store = store
        self._collector = collector
        self._settings = settings
        self._limits = Limits.from_settings(settings)
        self._shared = shared
        self._clock = shared.now if shared is not None else clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._cache: dict[str, Collection] = {}  # shared: the last one read from it
        self._flights: dict[str, Future] = {}
        self._failures: dict[str, ErrorInfo] = {}
        self._followed: dict[str, float] = {}  # when each target's version was read
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
        (joining a collection already running); raises when that collection fails."""
        self._follow_store(target_id)
        collection = self._collection(target_id, refresh, max_age)
        return self._scoped(target_id, collection, scope)

    def answer(
        self,
        target_id: str,
        scope: str = ALL_REGIONS,
        *,
        refresh: bool = False,
        max_age: float | None = None,
        wait: bool = False,
    ) -> SnapshotAnswer:
        """Stale-while-revalidate when `refresh_wait_seconds` is set and `wait` is not:
        a stale snapshot at once and a forced or cold one within that bound, marked
        `refreshing` while the collection goes on; else `snapshot`."""
        bound = self._settings.refresh_wait_seconds
        if wait or bound is None:
            return SnapshotAnswer(self.snapshot(target_id, scope, refresh=refresh,
                                                max_age=max_age))  # fmt: skip
        self._follow_store(target_id)
        latest = self._latest(target_id)
        if latest and not refresh and self._fresh(latest, max_age):
            return SnapshotAnswer(self._scoped(target_id, latest, scope))
        try:
            found = self._collection(
                target_id, refresh, max_age,
                timeout=0 if latest and not refresh else bound, seen=latest,
            )  # fmt: skip
        except Exception as exc:
            if latest is None:
                raise
            return SnapshotAnswer(
                self._scoped(target_id, latest, scope), False, error_info(exc)
            )
        if found is not None:
            return SnapshotAnswer(self._scoped(target_id, found, scope))
        shown = None if latest is None else self._scoped(target_id, latest, scope)
        return SnapshotAnswer(shown, True, self._failures.get(target_id))

    def last_snapshot(
        self, target_id: str, scope: str = ALL_REGIONS
    ) -> tuple[CapacitySnapshot, float] | None:
        """The last snapshot landed (fresh or not) and how many seconds its collection
        took, without collecting: for readers that must never wait (/metrics)."""
        latest = self._latest(target_id)
        if latest is None:
            return None
        seconds = max(latest.finished - latest.started, 0.0)
        return self._scoped(target_id, latest, scope), seconds

    def cache_state(self) -> dict:
        """For /api/ready: whether the cache is shared, and whether it answers."""
        if self._shared is None:
            return {"shared": False, "reachable": True}
        try:
            return {"shared": True, "reachable": self._shared.ping()}
        except Exception as exc:  # the readiness answer says so; never raises
            log.warning("readiness: the shared cache cannot be read (%s)",
                        type(exc).__name__)  # fmt: skip
            return {"shared": True, "reachable": False}

    @property
    def limits(self) -> Limits:
        return self._limits

    def readings(self, target_id: str) -> list[AccountReading]:
        """The cached collection's readings (collected first when none is fresh; under
        stale-while-revalidate the last ones, however old, when there are any)."""
        self._follow_store(target_id)
        if self._settings.refresh_wait_seconds is not None:
            latest = self._latest(target_id)
            if latest is not None:
                return latest.readings
        return self._collection(target_id, False, None).readings

    def invalidate(self, target_id: str) -> None:
        """Forget cached data and detach any running collection (its config is stale)."""
        if self._shared is not None:
            self._shared.invalidate(target_id)
        with self._lock:
            self._cache.pop(target_id, None)
            self._flights.pop(target_id, None)

    def _scoped(
        self, target_id: str, collection: Collection, scope: str
    ) -> CapacitySnapshot:
        with self._lock:
            found = collection.snapshots.get(scope)
            if found is None:
                found = build_snapshot(
                    target_id, collection.readings, self._limits,
                    collection.collected_at, scope,
                )  # fmt: skip
                collection.snapshots[scope] = found
        return found

    def _latest(self, target_id: str) -> Collection | None:
        """The last collection landed, fresh or not."""
        if self._shared is None:
            with self._lock:
                return self._cache.get(target_id)
        return self._latest_shared(target_id)

    def _collection(
        self,
        target_id: str,
        refresh: bool,
        max_age: float | None,
        timeout: float | None = None,
        seen: Collection | None = None,
    ) -> Collection | None:
        """A fresh collection, joining or starting the flight; None if `timeout` passes
        first (the flight goes on). Without `timeout` the flight's deadline bounds it."""
        ends = None if timeout is None else time.monotonic() + timeout
        if seen is None and self._shared is not None:
            seen = self._latest(target_id)
        while True:
            with self._lock:
                cached = self._cache.get(target_id) if self._shared is None else seen
                if cached and not refresh and self._fresh(cached, max_age):
                    return cached
                if cached and refresh and self._just_forced(cached):
                    return cached  # a burst of "refresh now" is one collection
                flight = self._flights.get(target_id)
                if flight is None:
                    flight = self._start(target_id, refresh, cached)
            try:
                left = None if ends is None else max(0.0, ends - time.monotonic())
                joined = flight.result(timeout=left)
            except FutureTimeout:
                return None
            # a forced refresh rescans every Region: a run that skipped some won't do
            if not refresh or flight.forced:
                return joined
            seen = joined

    def _start(self, target_id: str, forced: bool, seen: Collection | None) -> Future:
        """A new flight on a thread of its own, watched by the deadline (lock held)."""
        flight = self._flights[target_id] = Future()
        flight.forced = forced
        flight.began = self._clock()
        flight.token = None  # the shared lock's, while this process holds it
        run = self._fly_shared if self._shared is not None else self._fly
        seen_id = None if seen is None else seen.id
        threading.Thread(
            target=run, args=(target_id, flight, seen_id),
            name=f"collection-{target_id}", daemon=True,
        ).start()  # fmt: skip
        deadline = self._settings.collection_deadline_seconds
        watchdog = threading.Timer(deadline, self._expire, (target_id, flight))
        watchdog.daemon = True
        watchdog.start()
        flight.add_done_callback(lambda _: watchdog.cancel())
        return flight

    def _fly(self, target_id: str, flight: Future, _seen_id) -> None:
        try:
            collection = self._collect(target_id, flight.forced)
        except BaseException as exc:
            self._finish(target_id, flight, error=exc)
            return
        self._finish(target_id, flight, collection, cache=True)

    def _finish(self, target_id, flight, collection=None, *, cache=False, error=None):
        """End a flight and cache its result in one step, unless it was invalidated
        or given up: no asker can find neither the flight nor the cache in between."""
        with self._lock:
            if self._flights.get(target_id) is flight:
                del self._flights[target_id]
                if error is not None:
                    self._failures[target_id] = error_info(error)
                elif collection is not None:
                    self._failures.pop(target_id, None)
                    if cache:
                        self._cache[target_id] = collection
        try:
            if error is not None:
                flight.set_exception(error)
            else:
                flight.set_result(collection)
        except InvalidStateError:  # the deadline came first
            pass

    def _expire(self, target_id: str, flight: Future) -> None:
        """The deadline: report the collection and stop waiting for it."""
        if flight.done():
            return
        seconds = self._settings.collection_deadline_seconds
        log.error("collection of %s exceeded its %g s deadline; dropped", target_id,
                  seconds)  # fmt: skip
        error = CollectionTimeout(
            f"The collection of {target_id} took longer than {seconds:g} s and was "
            "given up; the figures shown are the last complete ones."
        )
        if self._shared is not None and flight.token is not None:
            self._shared.release(target_id, flight.token, error.info)
        self._finish(target_id, flight, error=error)

    def _just_forced(self, collection: Collection) -> bool:
        """A forced collection started less than `refresh_coalesce_seconds` ago: it
        answers another forced refresh (many clients, one click each: one rescan)."""
        window = self._settings.refresh_coalesce_seconds
        return collection.forced and self._clock() - collection.started < window

    def _fresh(self, collection: Collection, max_age: float | None) -> bool:
        now = self._clock()
        if max_age is not None and now - collection.started >= max_age:
            return False
        return now - collection.finished < self._settings.cache_ttl_seconds

    def _collect(self, target_id: str, force: bool, token: str = "") -> Collection:
        target = self._store.get_target(target_id)
        collected_at, started = self._wall_clock(), self._clock()
        readings = self._collector.collect(target, force=force)  # logs the collection
        with self._lock:
            self.collections += 1
        return Collection(readings, collected_at, started, self._clock(), force,
                           token or uuid.uuid4().hex,
                           version=getattr(target, "version", None))  # fmt: skip

    def _follow_store(self, target_id: str) -> None:
        """Without a shared cache, a write through another worker (or the CLI) is seen
        in the store: a collection of an older version of the target is dropped, as if
        invalidated here. At most one read of the target per `store_follow_seconds`."""
        if self._shared is not None:
            return  # the shared cache is invalidated by the writer itself
        now = self._clock()
        with self._lock:
            cached = self._cache.get(target_id)
            if cached is None or cached.version is None:
                return
            # the collection read the version itself as it started
            last = max(self._followed.get(target_id, cached.started), cached.started)
            if now - last < self._settings.store_follow_seconds:
                return
            self._followed[target_id] = now
        if self._store.get_target(target_id).version != cached.version:
            with self._lock:
                if self._cache.get(target_id) is cached:
                    del self._cache[target_id]
