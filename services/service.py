"""CapacityService: cached snapshots per target, one collection at a time per target."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from services.capacity import ALL_REGIONS, Limits, build_snapshot
from services.clock import utc_now_iso
from services.collector import Collector
from services.errors import ProductError
from services.metrics import CapacitySnapshot
from services.models import AccountReading, ErrorInfo
from services.settings import Settings

log = logging.getLogger(__name__)
LOCK_GRACE_SECONDS = 5.0  # a dead worker's lock outlives its deadline by this much
POLL_SECONDS = 0.05  # how often a worker waiting on another's collection looks again


class CollectionTimeout(ProductError):
    """A collection ran past the deadline: reported and dropped, never waited on."""

    code = "COLLECTION_TIMEOUT"
    http_status = 504


@dataclass
class _Collection:
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


class CapacityService:
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
        self._cache: dict[str, _Collection] = {}  # shared: the last one read from it
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
                self._scoped(target_id, latest, scope), False, _info(exc)
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
        self, target_id: str, collection: _Collection, scope: str
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

    def _latest(self, target_id: str) -> _Collection | None:
        """The last collection landed, fresh or not."""
        if self._shared is None:
            with self._lock:
                return self._cache.get(target_id)
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
        collection = _from_meta(*loaded)
        with self._lock:
            self._cache[target_id] = collection
        return collection

    def _collection(
        self,
        target_id: str,
        refresh: bool,
        max_age: float | None,
        timeout: float | None = None,
        seen: _Collection | None = None,
    ) -> _Collection | None:
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

    def _start(self, target_id: str, forced: bool, seen: _Collection | None) -> Future:
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
            self._shared.release(target_id, token, _info(exc))
            self._finish(target_id, flight, error=exc)
            return
        landed = self._shared.land(target_id, token, _meta(collection),
                                   collection.readings)  # fmt: skip
        self._finish(target_id, flight, collection, cache=landed)

    def _finish(self, target_id, flight, collection=None, *, cache=False, error=None):
        """End a flight and cache its result in one step, unless it was invalidated
        or given up: no asker can find neither the flight nor the cache in between."""
        with self._lock:
            if self._flights.get(target_id) is flight:
                del self._flights[target_id]
                if error is not None:
                    self._failures[target_id] = _info(error)
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

    def _just_forced(self, collection: _Collection) -> bool:
        """A forced collection started less than `refresh_coalesce_seconds` ago: it
        answers another forced refresh (many clients, one click each: one rescan)."""
        window = self._settings.refresh_coalesce_seconds
        return collection.forced and self._clock() - collection.started < window

    def _fresh(self, collection: _Collection, max_age: float | None) -> bool:
        now = self._clock()
        if max_age is not None and now - collection.started >= max_age:
            return False
        return now - collection.finished < self._settings.cache_ttl_seconds

    def _collect(self, target_id: str, force: bool, token: str = "") -> _Collection:
        target = self._store.get_target(target_id)
        collected_at, started = self._wall_clock(), self._clock()
        readings = self._collector.collect(target, force=force)  # logs the collection
        with self._lock:
            self.collections += 1
        return _Collection(readings, collected_at, started, self._clock(), force,
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


def _meta(collection: _Collection) -> dict:
    return {
        "id": collection.id,
        "collectedAt": collection.collected_at,
        "started": collection.started,
        "finished": collection.finished,
        "forced": collection.forced,
    }


def _from_meta(meta: dict, readings: list[AccountReading]) -> _Collection:
    return _Collection(readings, meta["collectedAt"], float(meta["started"]),
                       float(meta["finished"]), bool(meta["forced"]), meta["id"])  # fmt: skip


def _info(error: BaseException) -> ErrorInfo:
    if isinstance(error, ProductError):
        return error.info
    return ErrorInfo(
        "INTERNAL_ERROR", f"The collection failed ({type(error).__name__})."
    )
