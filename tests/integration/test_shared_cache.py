"""Two CapacityService instances (two gunicorn workers) sharing one real redis-server:
one collection for all, invalidation seen by all, a dead worker's lock expires,
stale-while-revalidate within its bound, and a deadline for a hung collection."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from services.errors import ProductError
from services.service import CapacityService, CollectionTimeout
from services.settings import Settings
from services.shared_cache import SharedCache
from tests.redis_server import redis_server
from tests.unit.test_service import TARGET, TTL, Collector, Store

BOUND = 0.5  # refresh_wait_seconds of these tests


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def shared(redis_url, request):
    """A fresh key prefix per test on the module's redis-server."""
    client = redis.Redis.from_url(redis_url)
    yield lambda: SharedCache(client, prefix=f"test:{request.node.name}")
    client.close()


class WallClock:
    """Distinct collectedAt values: every collection tells which one it was."""

    def __init__(self):
        self._seconds = itertools.count()

    def __call__(self) -> str:
        return f"2026-11-26T08:{next(self._seconds) % 60:02d}:00Z"


def workers(shared, collector, store=None, count=2, **changes):
    """`count` services (workers) on one store, one fleet and one Redis."""
    values = {"regions": ("us-east-1",), "cache_ttl_seconds": TTL} | changes
    settings = Settings(**values)
    store, wall_clock = store or Store(), WallClock()
    return [
        CapacityService(store, collector, settings, wall_clock=wall_clock,
                        shared=shared())
        for _ in range(count)
    ]  # fmt: skip


def test_forty_concurrent_forced_refreshes_on_two_workers_make_one_collection(shared):
    gate = threading.Event()
    collector = Collector(gate)
    first, second = workers(shared, collector)
    askers = 40
    ready = threading.Barrier(askers + 1)

    def ask(i):
        ready.wait()
        worker = first if i % 2 else second
        return worker.snapshot(TARGET, refresh=True).collected_at

    with ThreadPoolExecutor(askers) as pool:
        futures = [pool.submit(ask, i) for i in range(askers)]
        ready.wait()
        assert collector.started.wait(timeout=10)
        time.sleep(0.2)  # let every asker reach its wait (none may start its own)
        gate.set()
        collected_at = {f.result(timeout=10) for f in futures}
    assert collector.calls == 1
    assert first.collections + second.collections == 1
    assert len(collected_at) == 1


def test_one_workers_collection_serves_the_other(shared):
    collector = Collector()
    first, second = workers(shared, collector)
    shown = first.snapshot(TARGET)
    assert second.snapshot(TARGET).collected_at == shown.collected_at
    assert collector.calls == 1


def test_an_invalidation_by_one_worker_is_seen_by_the_other(shared):
    store, collector = Store(), Collector()
    first, second = workers(shared, collector, store)
    assert second.snapshot(TARGET).combined.configured_accounts == 1
    store.add_staging(TARGET, "222222222222")
    first.invalidate(TARGET)  # after an add through the first worker
    after = second.snapshot(TARGET)
    assert after.combined.configured_accounts == 2
    assert after.combined.total_replicating == 20
    assert first.snapshot(TARGET).collected_at == after.collected_at


def test_a_collection_running_during_an_invalidation_is_not_shared(shared):
    store, gate = Store(), threading.Event()
    collector = Collector(gate)
    first, second = workers(shared, collector, store)
    with ThreadPoolExecutor(1) as pool:
        stale = pool.submit(first.snapshot, TARGET)
        assert collector.started.wait(timeout=10)
        store.add_staging(TARGET, "222222222222")
        second.invalidate(TARGET)
        gate.set()
        assert stale.result(timeout=10).combined.configured_accounts == 1
    assert second.snapshot(TARGET).combined.configured_accounts == 2
    assert first.snapshot(TARGET).combined.configured_accounts == 2
    assert collector.calls == 2


def test_a_dead_workers_lock_expires_and_another_worker_collects(shared):
    collector = Collector()
    (survivor,) = workers(shared, collector, count=1)
    dead = shared()
    assert dead.acquire(TARGET, forced=True, seconds=0.4) is not None  # never released
    began = time.monotonic()
    snapshot = survivor.snapshot(TARGET)
    assert time.monotonic() - began >= 0.3  # it waited for the lock to expire
    assert snapshot.combined.configured_accounts == 1
    assert collector.calls == 1


def test_stale_snapshot_comes_at_once_marked_refreshing_while_one_collects(shared):
    gate = threading.Event()
    gate.set()
    collector = Collector(gate)
    first, second = workers(shared, collector, refresh_wait_seconds=BOUND)
    old = first.snapshot(TARGET)
    gate.clear()
    began = time.monotonic()
    forced = first.answer(TARGET, refresh=True)
    assert BOUND - 0.05 <= time.monotonic() - began < BOUND + 1.0
    assert (forced.snapshot.collected_at, forced.refreshing) == (old.collected_at, True)
    began = time.monotonic()
    polled = second.answer(TARGET, max_age=0.001)  # older than the page's interval
    assert time.monotonic() - began < 0.3  # at once: stale, not waited for
    assert (polled.snapshot.collected_at, polled.refreshing) == (old.collected_at, True)
    running = first._flights[TARGET]  # the forced collection, still held by the gate
    gate.set()
    running.result(timeout=10)
    fresh = first.answer(TARGET, wait=True)
    assert fresh.snapshot.collected_at != old.collected_at
    assert not fresh.refreshing
    assert second.answer(TARGET).snapshot.collected_at == fresh.snapshot.collected_at
    assert collector.calls == 2  # the forced one, shared by both workers


def test_a_cold_start_answers_refreshing_without_a_snapshot_within_the_bound(shared):
    gate = threading.Event()
    collector = Collector(gate)
    first, second = workers(shared, collector, refresh_wait_seconds=BOUND)
    for worker in (first, second):
        began = time.monotonic()
        cold = worker.answer(TARGET)
        assert time.monotonic() - began < BOUND + 1.0
        assert (cold.snapshot, cold.refreshing, cold.error) == (None, True, None)
    gate.set()
    done = second.answer(TARGET, wait=True)
    assert done.snapshot.combined.configured_accounts == 1
    assert first.answer(TARGET).snapshot.collected_at == done.snapshot.collected_at
    assert collector.calls == 1


def test_a_hung_collection_is_reported_at_the_deadline_to_every_worker(shared, caplog):
    gate = threading.Event()
    collector = Collector(gate)
    first, second = workers(shared, collector, collection_deadline_seconds=0.5)
    try:
        with ThreadPoolExecutor(2) as pool, caplog.at_level(logging.ERROR):
            holder = pool.submit(first.snapshot, TARGET)
            assert collector.started.wait(timeout=10)
            waiter = pool.submit(second.snapshot, TARGET)
            began = time.monotonic()
            with pytest.raises(CollectionTimeout):
                holder.result(timeout=5)
            with pytest.raises(ProductError) as waited:
                waiter.result(timeout=5)
            assert time.monotonic() - began < 2.0
        assert waited.value.code == "COLLECTION_TIMEOUT"
        assert "exceeded its 0.5 s deadline" in caplog.text
        assert collector.calls == 1  # the waiter was told, it did not start over
    finally:
        gate.set()


def test_a_waiter_that_never_saw_the_holder_still_gets_its_failure(shared):
    """A busy machine may not let the waiter look at the lock before the holder gives
    up: a failure since the waiter asked is the one it waited on (not a reason to
    collect all over again)."""
    gate = threading.Event()
    collector = Collector(gate)
    (first,) = workers(shared, collector, count=1, collection_deadline_seconds=0.5)
    # a longer deadline of its own: only the holder's failure can end its wait early
    (second,) = workers(shared, collector, count=1, collection_deadline_seconds=3)
    second._shared.holder = lambda target_id: None  # it never sees the lock
    try:
        with ThreadPoolExecutor(2) as pool:
            holder = pool.submit(first.snapshot, TARGET)
            assert collector.started.wait(timeout=10)
            waiter = pool.submit(second.snapshot, TARGET)
            with pytest.raises(CollectionTimeout):
                holder.result(timeout=5)
            with pytest.raises(ProductError) as waited:
                waiter.result(timeout=5)
        assert waited.value.code == "COLLECTION_TIMEOUT"
        assert collector.calls == 1
    finally:
        gate.set()


def test_after_a_hung_collection_the_stale_snapshot_says_so(shared):
    gate = threading.Event()
    gate.set()
    collector = Collector(gate)
    (worker,) = workers(shared, collector, count=1, refresh_wait_seconds=BOUND,
                        collection_deadline_seconds=0.3)  # fmt: skip
    old = worker.snapshot(TARGET)
    gate.clear()
    try:
        began = time.monotonic()
        forced = worker.answer(TARGET, refresh=True)  # the deadline comes first
        assert time.monotonic() - began < BOUND + 1.0
        assert forced.snapshot.collected_at == old.collected_at
        assert (forced.refreshing, forced.error.code) == (False, "COLLECTION_TIMEOUT")
        polled = worker.answer(TARGET, max_age=0.001)  # tries again, says why
        assert polled.snapshot.collected_at == old.collected_at
        assert (polled.refreshing, polled.error.code) == (True, "COLLECTION_TIMEOUT")
    finally:
        gate.set()


def test_a_region_one_worker_found_empty_is_skipped_by_every_worker(shared):
    from services.collector import Collector as FleetCollector
    from services.models import RegionState
    from services.simulator.testing import collector_harness

    regions = ("us-east-1", "us-west-2", "me-south-1")
    fleet = {TARGET: {"us-east-1": {"CONTINUOUS": 1}, "me-south-1": "not-enabled"}}
    scenario = {"target": {"accountId": TARGET, "accountName": "dr-target"},
                "staging": [], "fleet": fleet, "latencyMs": 0}  # fmt: skip
    settings = Settings(regions=regions, aws_max_attempts=1)
    memory = shared().region_memory()
    first, second = (collector_harness(scenario, settings) for _ in range(2))
    one = FleetCollector(first.gateway, settings, empty_regions=memory)
    other = FleetCollector(second.gateway, settings, empty_regions=memory)
    one.collect(first.target)
    read = other.collect(second.target)
    scanned = {
        r for (op, _, r) in second.simulator.calls if op == "DescribeSourceServers"
    }
    assert scanned == {"us-east-1"}  # us-west-2 uninitialized, me-south-1 not enabled
    states = {r.region: r.state for r in read[0].regions}
    assert states == {"us-east-1": RegionState.OK, "us-west-2": RegionState.UNINITIALIZED,
                      "me-south-1": RegionState.NOT_ENABLED}  # fmt: skip
    second.simulator.reset_calls()
    other.collect(second.target, force=True)  # "Refresh now" rescans every Region
    scanned = {
        r for (op, _, r) in second.simulator.calls if op == "DescribeSourceServers"
    }
    assert scanned == set(regions)


def test_the_readiness_of_the_cache_says_shared_and_reachable(shared, redis_url):
    (worker,) = workers(shared, Collector(), count=1)
    assert worker.cache_state() == {"shared": True, "reachable": True}
    nowhere = SharedCache(redis.Redis(port=1, socket_connect_timeout=0.2))
    lost = CapacityService(Store(), Collector(), Settings(regions=("us-east-1",)),
                           shared=nowhere)  # fmt: skip
    assert lost.cache_state() == {"shared": True, "reachable": False}
    local = CapacityService(Store(), Collector(), Settings(regions=("us-east-1",)))
    assert local.cache_state() == {"shared": False, "reachable": True}


def test_ready_is_503_when_the_shared_cache_cannot_be_reached(redis_url):
    from dashboard import create_app
    from tests.conftest import STAGING_SCENARIO, demo_backend

    with demo_backend(STAGING_SCENARIO, cache_url=redis_url) as backend:
        client = create_app(backend.settings, backend).server.test_client()
        answer = client.get("/api/ready")
        assert answer.status_code == 200
        assert answer.get_json()["cache"] == {"shared": True, "reachable": True}
        backend.service._shared = SharedCache(
            redis.Redis(port=1, socket_connect_timeout=0.2)
        )
        answer = client.get("/api/ready")
        assert answer.status_code == 503
        body = answer.get_json()
        assert body["status"] == "not-ready" and body["store"]["reachable"] is True
        assert body["cache"] == {"shared": True, "reachable": False}
        assert "redis://" not in answer.get_data(as_text=True)  # no URL
