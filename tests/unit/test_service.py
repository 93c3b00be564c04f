"""CapacityService: TTL cache per target and scope, single-flight refresh, invalidation."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.errors import NotFoundError
from services.models import (
    AccountReading,
    LimitSource,
    Quota,
    RegionCapacity,
    RegionState,
    StagingAccount,
    TargetAccount,
    zero_by_state,
)
from services.service import CapacityService, CollectionTimeout
from services.settings import Settings
from services.shared_cache import readings_from_json, readings_to_json
from tests.strategies import NO_QUOTA, account_readings, applied_quotas

TARGET = "111111111111"
OTHER = "999999999999"
TTL = 30.0


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Store:
    def __init__(self):
        self.targets = {
            TARGET: TargetAccount(TARGET, "target"),
            OTHER: TargetAccount(OTHER, "other"),
        }

    def get_target(self, account_id: str) -> TargetAccount:
        if account_id not in self.targets:
            raise NotFoundError(f"Target account {account_id} not found")
        return self.targets[account_id]

    def add_staging(self, target_id: str, staging_id: str) -> None:
        target = self.targets[target_id]
        staging = StagingAccount(
            staging_id, "staging", f"arn:aws:iam::{staging_id}:role/R"
        )
        self.targets[target_id] = replace(
            target, staging_accounts=(*target.staging_accounts, staging)
        )


def reading(account_id: str, kind: str, replicating: int) -> AccountReading:
    by_state = zero_by_state() | {"CONTINUOUS": replicating}
    region = RegionCapacity(
        "us-east-1", RegionState.OK, replicating, replicating, 0, by_state
    )
    return AccountReading(account_id, account_id, kind, True, (region,))


class Collector:
    """Every account holds 10 replicating servers; `gate` holds collections back."""

    def __init__(self, gate: threading.Event | None = None, error=None):
        self.gate = gate
        self.error = error
        self.forced: list[bool] = []
        self.started = threading.Event()
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        return len(self.forced)

    def collect(self, target: TargetAccount, *, force: bool = False):
        with self._lock:
            self.forced.append(force)
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(timeout=10)
        if self.error is not None:
            raise self.error
        readings = [reading(target.account_id, "target", 10)]
        return readings + [
            reading(s.account_id, "staging", 10) for s in target.staging_accounts
        ]


def service_with(collector: Collector, store=None, clock=None) -> CapacityService:
    settings = Settings(regions=("us-east-1",), cache_ttl_seconds=TTL)
    return CapacityService(
        store or Store(), collector, settings, clock=clock or Clock(),
        wall_clock=lambda: "2026-11-26T08:30:00Z",
    )  # fmt: skip


def test_default_cache_ttl_is_30_seconds():
    assert Settings.cache_ttl_seconds == 30.0


def test_snapshot_is_reused_within_the_ttl():
    clock, collector = Clock(), Collector()
    service = service_with(collector, clock=clock)
    first = service.snapshot(TARGET)
    clock.now += TTL - 0.001
    assert service.snapshot(TARGET) is first
    assert collector.calls == 1


def test_snapshot_is_collected_again_once_the_ttl_has_passed():
    clock, collector = Clock(), Collector()
    service = service_with(collector, clock=clock)
    first = service.snapshot(TARGET)
    clock.now += TTL
    assert service.snapshot(TARGET) is not first
    assert collector.calls == 2


def test_refresh_collects_now_and_forces_a_full_read():
    collector = Collector()
    service = service_with(collector)
    service.snapshot(TARGET)
    service.snapshot(TARGET, refresh=True)
    assert collector.forced == [False, True]


def test_forced_refreshes_within_the_coalescing_window_are_one_collection():
    clock, collector = Clock(), Collector()
    service = service_with(collector, clock=clock)
    forced = service.snapshot(TARGET, refresh=True)
    clock.now += Settings.refresh_coalesce_seconds - 0.001
    assert service.snapshot(TARGET, refresh=True) is forced
    clock.now += 0.001  # the window has passed: a click rescans again
    assert service.snapshot(TARGET, refresh=True) is not forced
    assert collector.forced == [True, True]


def test_an_unforced_collection_never_answers_a_forced_refresh():
    clock, collector = Clock(), Collector()
    service = service_with(collector, clock=clock)
    service.snapshot(TARGET)
    service.snapshot(TARGET, refresh=True)
    assert collector.forced == [False, True]


def test_every_scope_is_derived_from_one_collection_and_cached():
    collector = Collector()
    service = service_with(collector)
    everything = service.snapshot(TARGET)
    one_region = service.snapshot(TARGET, "us-east-1")
    assert (everything.scope, one_region.scope) == ("all", "us-east-1")
    assert service.snapshot(TARGET, "us-east-1") is one_region
    assert collector.calls == 1


def test_each_target_has_its_own_cache():
    collector = Collector()
    service = service_with(collector)
    assert service.snapshot(TARGET).target_account_id == TARGET
    assert service.snapshot(OTHER).target_account_id == OTHER
    service.snapshot(TARGET)
    assert collector.calls == 2


def test_concurrent_askers_share_exactly_one_collection():
    gate = threading.Event()
    collector = Collector(gate)
    service = service_with(collector)
    askers = 24
    ready = threading.Barrier(askers + 1)

    def ask():
        ready.wait()
        return service.snapshot(TARGET)

    with ThreadPoolExecutor(askers) as pool:
        futures = [pool.submit(ask) for _ in range(askers)]
        ready.wait()
        assert collector.started.wait(timeout=10)
        gate.set()
        results = [f.result(timeout=10) for f in futures]
    assert collector.calls == 1
    assert service.collections == 1
    assert all(r is results[0] for r in results)


def test_a_failed_collection_reaches_every_waiter_and_is_not_cached():
    gate = threading.Event()
    collector = Collector(gate, error=RuntimeError("boom"))
    service = service_with(collector)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(service.snapshot, TARGET) for _ in range(8)]
        assert collector.started.wait(timeout=10)
        gate.set()
        for future in futures:
            with pytest.raises(RuntimeError):
                future.result(timeout=10)
    collector.error = None
    assert service.snapshot(TARGET).combined.configured_accounts == 1
    assert collector.calls >= 2


def test_unknown_target_is_not_found():
    service = service_with(Collector())
    with pytest.raises(NotFoundError):
        service.snapshot("123456789012")


def test_invalidate_makes_the_next_read_reflect_the_change_at_once():
    store, collector = Store(), Collector()
    service = service_with(collector, store)
    assert service.snapshot(TARGET).combined.configured_accounts == 1
    store.add_staging(TARGET, "222222222222")
    assert service.snapshot(TARGET).combined.configured_accounts == 1  # cached
    service.invalidate(TARGET)
    after = service.snapshot(TARGET)
    assert after.combined.configured_accounts == 2
    assert after.combined.total_replicating == 20


def test_invalidate_leaves_other_targets_cached():
    collector = Collector()
    service = service_with(collector)
    other = service.snapshot(OTHER)
    service.snapshot(TARGET)
    service.invalidate(TARGET)
    assert service.snapshot(OTHER) is other


def test_a_collection_running_during_invalidate_is_not_cached():
    store, gate = Store(), threading.Event()
    collector = Collector(gate)
    service = service_with(collector, store)
    with ThreadPoolExecutor(1) as pool:
        stale = pool.submit(service.snapshot, TARGET)
        assert collector.started.wait(timeout=10)
        store.add_staging(TARGET, "222222222222")
        service.invalidate(TARGET)
        gate.set()
        assert stale.result(timeout=10).combined.configured_accounts == 1
    assert service.snapshot(TARGET).combined.configured_accounts == 2
    assert collector.calls == 2


def test_a_forced_refresh_does_not_settle_for_a_running_unforced_one():
    gate = threading.Event()
    collector = Collector(gate)
    service = service_with(collector)
    with ThreadPoolExecutor(2) as pool:
        polled = pool.submit(service.snapshot, TARGET)
        assert collector.started.wait(timeout=10)
        forced = pool.submit(service.snapshot, TARGET, refresh=True)
        gate.set()
        polled.result(timeout=10), forced.result(timeout=10)
    assert collector.forced == [False, True]  # "Refresh now" rescans every Region


def test_max_age_asks_for_data_collected_no_longer_ago_than_that():
    """The dashboard's polls: with a 15 s interval, data older than 15 s is collected
    again even though the 30 s cache TTL would still serve it."""
    clock, collector = Clock(), Collector()
    service = service_with(collector, clock=clock)
    first = service.snapshot(TARGET)
    clock.now += 10
    assert service.snapshot(TARGET, max_age=15) is first
    clock.now += 5
    assert service.snapshot(TARGET, max_age=15) is not first
    assert collector.calls == 2
    clock.now += 20  # within the TTL: a caller without max_age keeps the cache
    assert service.snapshot(TARGET) is service.snapshot(TARGET, max_age=25)
    assert collector.calls == 2


# -- stale-while-revalidate and the collection deadline (in-process) ---------------------

BOUND = 0.3  # refresh_wait_seconds of the tests below


def swr_service(collector: Collector, clock=None, **changes) -> CapacityService:
    values = {"regions": ("us-east-1",), "cache_ttl_seconds": TTL,
              "refresh_wait_seconds": BOUND} | changes  # fmt: skip
    return CapacityService(
        Store(), collector, Settings(**values), clock=clock or Clock(),
        wall_clock=lambda: "2026-11-26T08:30:00Z",
    )  # fmt: skip


def test_default_settings_wait_for_the_collection():
    assert Settings.refresh_wait_seconds is None
    assert Settings.collection_deadline_seconds == 60.0
    assert Settings.cache_url is None


def test_without_refresh_wait_an_answer_is_todays_blocking_snapshot():
    collector = Collector()
    service = service_with(collector)
    answer = service.answer(TARGET)
    assert (answer.refreshing, answer.error) == (False, None)
    assert answer.snapshot is service.snapshot(TARGET)


def test_a_stale_snapshot_is_answered_at_once_marked_refreshing():
    clock, gate = Clock(), threading.Event()
    gate.set()
    collector = Collector(gate)
    service = swr_service(collector, clock)
    first = service.snapshot(TARGET)
    gate.clear()
    clock.now += TTL
    try:
        began = time.monotonic()
        stale = service.answer(TARGET)
        assert time.monotonic() - began < BOUND  # not even the bound: at once
        assert (stale.snapshot, stale.refreshing) == (first, True)
        assert collector.calls == 2  # the collection runs behind the answer
        assert service.answer(TARGET).snapshot is first  # joins, does not start one
        assert collector.calls == 2
    finally:
        gate.set()
    assert service.answer(TARGET, wait=True).snapshot is not first


def test_a_cold_start_answers_refreshing_without_a_snapshot_within_the_bound():
    gate = threading.Event()
    collector = Collector(gate)
    service = swr_service(collector)
    try:
        began = time.monotonic()
        cold = service.answer(TARGET)
        assert BOUND - 0.05 <= time.monotonic() - began < BOUND + 1.0
        assert (cold.snapshot, cold.refreshing, cold.error) == (None, True, None)
    finally:
        gate.set()
    assert service.answer(TARGET, wait=True).snapshot.combined.configured_accounts == 1
    assert collector.calls == 1


def test_a_quick_collection_is_answered_in_full_within_the_bound():
    service = swr_service(Collector())
    answer = service.answer(TARGET, refresh=True)
    assert (answer.refreshing, answer.snapshot.target_account_id) == (False, TARGET)


def test_a_forced_refresh_waits_no_longer_than_the_bound_when_a_snapshot_exists():
    gate = threading.Event()
    gate.set()
    collector = Collector(gate)
    service = swr_service(collector)
    first = service.snapshot(TARGET)
    gate.clear()
    try:
        began = time.monotonic()
        forced = service.answer(TARGET, refresh=True)
        assert time.monotonic() - began < BOUND + 1.0
        assert (forced.snapshot, forced.refreshing) == (first, True)
    finally:
        gate.set()


def test_the_readings_under_stale_while_revalidate_are_the_last_ones():
    clock = Clock()
    collector = Collector()
    service = swr_service(collector, clock)
    service.snapshot(TARGET)
    clock.now += 10 * TTL
    assert service.readings(TARGET)[0].account_id == TARGET
    assert collector.calls == 1


def test_a_hung_collection_is_given_up_at_the_deadline_and_logged(caplog):
    gate = threading.Event()
    collector = Collector(gate)
    settings = Settings(regions=("us-east-1",), collection_deadline_seconds=0.3)
    service = CapacityService(Store(), collector, settings)
    try:
        began = time.monotonic()
        with caplog.at_level(logging.ERROR), pytest.raises(CollectionTimeout) as hung:
            service.snapshot(TARGET)
        assert time.monotonic() - began < 2.0
        assert hung.value.code == "COLLECTION_TIMEOUT"
        assert "exceeded its 0.3 s deadline" in caplog.text
    finally:
        gate.set()
    assert service.snapshot(TARGET).combined.configured_accounts == 1  # a new one


def test_a_hung_collection_is_reported_with_the_stale_snapshot():
    clock, gate = Clock(), threading.Event()
    gate.set()
    collector = Collector(gate)
    service = swr_service(collector, clock, collection_deadline_seconds=0.1)
    first = service.snapshot(TARGET)
    gate.clear()
    try:
        forced = service.answer(TARGET, refresh=True)  # the deadline comes first
        assert (forced.snapshot, forced.refreshing) == (first, False)
        assert forced.error.code == "COLLECTION_TIMEOUT"
        clock.now += TTL
        polled = service.answer(TARGET)  # tries again, and says the last one failed
        assert (polled.snapshot, polled.refreshing) == (first, True)
        assert polled.error.code == "COLLECTION_TIMEOUT"
    finally:
        gate.set()


def test_a_late_result_of_a_given_up_collection_is_not_cached():
    gate = threading.Event()
    collector = Collector(gate)
    settings = Settings(regions=("us-east-1",), collection_deadline_seconds=0.1)
    service = CapacityService(Store(), collector, settings)
    with pytest.raises(CollectionTimeout):
        service.snapshot(TARGET)
    gate.set()
    service.snapshot(TARGET)
    assert collector.calls == 2


# -- the answer of get_combined_capacity ------------------------------------------------


def capacity_operations(service: CapacityService, settings: Settings):
    from services.operations import Operations

    return Operations(Store(), service, None, settings)


def test_a_cold_start_answers_202_refreshing_with_no_figures():
    gate = threading.Event()
    service = swr_service(Collector(gate))
    operations = capacity_operations(service, service._settings)
    try:
        cold = operations.dispatch("get_combined_capacity", {"targetAccountId": TARGET})
    finally:
        gate.set()
    assert cold.status == 202
    assert cold.headers == {"Retry-After": "1"}
    assert cold.body == {"success": True, "targetAccountId": TARGET, "scope": "all",
                         "collectedAt": None, "refreshing": True}  # fmt: skip


def test_a_snapshot_answer_says_whether_it_is_refreshing_and_why_one_failed():
    clock, gate = Clock(), threading.Event()
    gate.set()
    service = swr_service(Collector(gate), clock, collection_deadline_seconds=0.1)
    operations = capacity_operations(service, service._settings)
    ask = {"targetAccountId": TARGET}
    fresh = operations.dispatch("get_combined_capacity", ask)
    assert (fresh.status, fresh.body["refreshing"]) == (200, False)
    assert "refreshError" not in fresh.body
    gate.clear()
    try:
        failed = operations.dispatch("get_combined_capacity", ask | {"refresh": True})
    finally:
        gate.set()
    assert failed.status == 200
    assert failed.body["collectedAt"] == fresh.body["collectedAt"]
    assert failed.body["refreshError"]["code"] == "COLLECTION_TIMEOUT"


def test_wait_true_answers_todays_shape_even_under_stale_while_revalidate():
    service = swr_service(Collector())
    operations = capacity_operations(service, service._settings)
    answer = operations.dispatch(
        "get_combined_capacity", {"targetAccountId": TARGET, "wait": True}
    )
    assert answer.status == 200
    assert "refreshing" not in answer.body
    assert answer.body["combined"]["configuredAccounts"] == 1


# -- readings as JSON for the shared cache ----------------------------------------------


@settings(max_examples=150, deadline=None)
@given(account_readings(quotas=st.one_of(NO_QUOTA, applied_quotas,
                                         st.just(Quota(4000, LimitSource.AWS_DEFAULT)))))  # fmt: skip
def test_readings_survive_the_json_of_the_shared_cache(readings):
    text = readings_to_json(readings)
    assert readings_from_json(text) == readings
    assert "external" not in text.lower()


def test_last_snapshot_never_collects():
    clock, collector = Clock(), Collector()
    service = service_with(collector, clock=clock)
    assert service.last_snapshot(TARGET) is None and collector.calls == 0
    collected = service.snapshot(TARGET)
    clock.now += 10 * TTL  # long stale: still the last one, and still no collection
    snapshot, seconds = service.last_snapshot(TARGET)
    assert snapshot is collected and seconds == 0.0 and collector.calls == 1


def test_another_workers_write_is_followed_through_the_store_version():
    """No shared cache: the target's version in the store, read at most every
    store_follow_seconds, tells this worker its cached collection is stale."""
    clock, store, collector = Clock(), Store(), Collector()
    service = service_with(collector, store, clock=clock)
    assert service.snapshot(TARGET).combined.configured_accounts == 1
    store.add_staging(TARGET, "222222222222")  # through another worker
    store.targets[TARGET] = replace(store.targets[TARGET], version=2)
    clock.now += Settings.store_follow_seconds - 0.001  # read the version just now
    assert service.snapshot(TARGET).combined.configured_accounts == 1
    clock.now += 0.001
    assert service.snapshot(TARGET).combined.configured_accounts == 2
    assert collector.calls == 2
