"""Prometheus metrics of every registered target's last capacity snapshot (issue 12,
item 7), on a registry of the app's own (dashboard/metrics.py serves it at /metrics).

A scrape reads the cache and never waits on AWS: a target with no snapshot yet asks for
one background collection (and shows `drs_capacity_snapshot_available 0`); an old one is
served as it is, its age in `drs_capacity_snapshot_age_seconds`, unless
`metrics_refresh_seconds` is set. Collections stay as rare as the page's and the API's.

Status levels (SPEC §4.2's rank): UNKNOWN -1, OK 0, INFO 1, WARNING 2, CRITICAL 3,
HYPER-CRITICAL 4. A unit that was not read has no servers series, only UNKNOWN.
Labels carry account ids, account types and Regions; account names only in
`drs_capacity_account_info`, made printable; never an external ID or a role ARN.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

from services.capacity import ALL_REGIONS
from services.clock import parse_iso, utc_now
from services.metrics import CapacitySnapshot
from services.models import AccountReading, RegionState, Status

log = logging.getLogger(__name__)
STATUS_LEVELS = {
    Status.UNKNOWN: -1,
    Status.OK: 0,
    Status.INFO: 1,
    Status.WARNING: 2,
    Status.CRITICAL: 3,
    Status.HYPER_CRITICAL: 4,
}
_LEVELS_HELP = (
    "; level: -1 UNKNOWN, 0 OK, 1 INFO, 2 WARNING, 3 CRITICAL, 4 HYPER-CRITICAL"
)
DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
MAX_NAME = 64
TARGET = ("target_account_id",)
ACCOUNT = (*TARGET, "account_id", "account_type")
UNIT = (*ACCOUNT, "region")
REGION = (*TARGET, "region")
# name (after drs_capacity_): labels, help
FAMILIES = {
    "unit_replicating_servers": (UNIT, "Replicating servers of one account × Region"),
    "unit_replication_limit": (
        (*UNIT, "limit_source"),
        "Replication quota (maxReplicating) of one account × Region that was read",
    ),
    "unit_status": (UNIT, "Status of one account × Region" + _LEVELS_HELP),
    "account_status": (
        ACCOUNT,
        "Worst status of an account's Regions (UNKNOWN: not readable)" + _LEVELS_HELP,
    ),
    "account_info": ((*ACCOUNT, "account_name"), "An account's name (always 1)"),
    "region_replicating_servers": (REGION, "Replicating servers of every account"),
    "region_replication_limit": (REGION, "Sum of the accounts' replication quotas"),
    "region_status": (REGION, "Combined status of a Region" + _LEVELS_HELP),
    "region_complete": (REGION, "1 when every account was read in the Region"),
    "recovery_servers": (REGION, "The target's source servers in a Region"),
    "recovery_limit": (REGION, "The target's recovery quota in a Region"),
    "recovery_status": (REGION, "Recovery status of a Region" + _LEVELS_HELP),
    "status": (TARGET, "Overall status of the target's snapshot" + _LEVELS_HELP),
    "snapshot_available": (TARGET, "1 when a snapshot is held for the target"),
    "snapshot_age_seconds": (TARGET, "Seconds since the snapshot was collected"),
    "last_collection_seconds": (TARGET, "How long the last collection took"),
    "unit_errors": (
        (*TARGET, "code"),
        "Accounts and account × Regions not read in the last snapshot, by error code",
    ),
    "store_readable": ((), "1 when the list of target accounts could be read"),
}


def level(status: Status) -> int:
    return STATUS_LEVELS[status]


def label_text(text: str | None) -> str:
    """User text as a label value: printable characters only, at most MAX_NAME."""
    shown = "".join(c if c.isprintable() else " " for c in (text or ""))
    return shown[:MAX_NAME]


class _Families:
    """One gauge family per name, filled snapshot after snapshot."""

    def __init__(self) -> None:
        self._gauges = {
            name: GaugeMetricFamily(f"drs_capacity_{name}", help_text, labels=labels)
            for name, (labels, help_text) in FAMILIES.items()
        }

    def add(self, name: str, labels: Iterable[str], value: float | None) -> None:
        if value is not None:
            self._gauges[name].add_metric(list(labels), float(value))

    def __iter__(self) -> Iterator[Metric]:
        return iter(self._gauges.values())


def add_snapshot(families: _Families, snapshot: CapacitySnapshot) -> None:
    """Every unit, account, Region and recovery figure of one snapshot."""
    target = snapshot.target_account_id
    errors: Counter[str] = Counter()
    for account in snapshot.accounts:
        ids = (target, account.account_id, account.account_type)
        families.add("account_status", ids, level(account.status))
        families.add("account_info", (*ids, label_text(account.account_name)), 1)
        if account.error is not None:
            errors[account.error.code] += 1
        for unit in account.regional_breakdown:
            labels = (*ids, unit.region)
            families.add("unit_status", labels, level(unit.status))
            if unit.error is not None:
                errors[unit.error.code] += 1
            if unit.state is not RegionState.OK or unit.replicating_servers is None:
                continue  # not read: no figure rather than an invented zero
            families.add("unit_replicating_servers", labels, unit.replicating_servers)
            families.add("unit_replication_limit", (*labels, unit.limit_source),
                         unit.max_replicating)  # fmt: skip
    for region in snapshot.combined_by_region:
        labels = (target, region.region)
        families.add("region_replicating_servers", labels, region.total_replicating)
        families.add("region_replication_limit", labels, region.max_replicating)
        families.add("region_status", labels, level(region.status))
        families.add("region_complete", labels, _complete(snapshot, region.region))
    for recovery in snapshot.recovery_by_region:
        labels = (target, recovery.region)
        families.add("recovery_servers", labels, recovery.current_servers)
        families.add("recovery_limit", labels, recovery.max_recovery_instances)
        families.add("recovery_status", labels, level(recovery.status))
    families.add("status", (target,), level(snapshot.status))
    for code, count in sorted(errors.items()):
        families.add("unit_errors", (target, code), count)


def _complete(snapshot: CapacitySnapshot, region: str) -> int:
    """Whether every account was read in `region` (else its total is a lower bound)."""
    for account in snapshot.accounts:
        if not account.accessible:
            return 0
        if any(u.region == region and u.error for u in account.regional_breakdown):
            return 0
    return 1


class CapacityMetrics:
    """The custom collector: one pass over the registered targets per scrape."""

    def __init__(
        self,
        store,
        service,
        *,
        refresh_after: float | None = None,
        now: Callable[[], datetime] = utc_now,
        start: Callable[[Callable[[], None]], None] | None = None,
    ):
        self._store = store
        self._service = service
        self._refresh_after = refresh_after
        self._now = now
        self._start = start or _on_a_thread
        self._lock = threading.Lock()
        self._pending: set[str] = set()

    def describe(self) -> list[Metric]:
        return []  # nothing known before a scrape; register() must not collect

    def collect(self) -> Iterator[Metric]:
        families = _Families()
        try:
            targets = [t.account_id for t in self._store.list_targets()]
        except Exception as exc:  # the scrape still answers, saying so
            log.warning("metrics: the target accounts cannot be read (%s)",
                        type(exc).__name__)  # fmt: skip
            targets = None
        families.add("store_readable", (), targets is not None)
        for target_id in targets or ():
            self._add_target(families, target_id)
        yield from families

    def _add_target(self, families: _Families, target_id: str) -> None:
        held = last_collection(self._service, target_id)
        families.add("snapshot_available", (target_id,), held is not None)
        if held is None:
            self._refresh(target_id)
            return
        snapshot, seconds = held
        age = (self._now() - parse_iso(snapshot.collected_at)).total_seconds()
        families.add("snapshot_age_seconds", (target_id,), max(age, 0.0))
        families.add("last_collection_seconds", (target_id,), seconds)
        add_snapshot(families, snapshot)
        if self._refresh_after is not None and age >= self._refresh_after:
            self._refresh(target_id)

    def _refresh(self, target_id: str) -> None:
        """One background collection per target at a time; the scrape never waits."""
        with self._lock:
            if target_id in self._pending:
                return
            self._pending.add(target_id)

        def collect() -> None:
            try:
                self._service.snapshot(target_id)
            except Exception as exc:  # counted by the next snapshot, if any
                log.warning("metrics: the collection of %s failed (%s)", target_id,
                            type(exc).__name__)  # fmt: skip
            finally:
                with self._lock:
                    self._pending.discard(target_id)

        self._start(collect)


def last_collection(service, target_id: str) -> tuple[CapacitySnapshot, float] | None:
    """The service's last snapshot (all Regions) and how long its collection took,
    without collecting."""
    return service.last_snapshot(target_id, ALL_REGIONS)


def _on_a_thread(job: Callable[[], None]) -> None:
    threading.Thread(target=job, name="metrics-collection", daemon=True).start()


def metrics_registry(backend, **options) -> CollectorRegistry:
    """A registry of the app's own: the snapshot collector, and a histogram of the
    collections this process ran (fed by the collector; per process, like every
    counter under several workers)."""
    registry = CollectorRegistry()
    registry.register(CapacityMetrics(backend.store, backend.service, **options))
    durations = Histogram(
        "drs_capacity_collection_duration_seconds",
        "Collections this process ran, by how long they took",
        TARGET,
        registry=registry,
        buckets=DURATION_BUCKETS,
    )

    def observe(target_id: str, seconds: float, _readings: list[AccountReading]):
        durations.labels(target_id).observe(seconds)

    backend.collector.listeners.append(observe)
    return registry
