"""Concurrent collection: every account × Region of one target in one bounded pool,
counting DescribeSourceServers pages as they stream (SPEC §3)."""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from services.aws import (
    CREDENTIALS_INVALID,
    DRS_NOT_INITIALIZED,
    REGION_NOT_ENABLED,
    classify,
)
from services.errors import AwsError
from services.gateway import AwsGateway
from services.models import (
    AccountReading,
    ErrorInfo,
    RegionCapacity,
    RegionState,
    TargetAccount,
    zero_by_state,
)
from services.quotas import QuotaReader
from services.settings import Settings

log = logging.getLogger(__name__)
_SIDE_WORKERS = 16  # a target's Regions with servers, read at once (threads on demand)
_EMPTY_STATES = {
    DRS_NOT_INITIALIZED: RegionState.UNINITIALIZED,
    REGION_NOT_ENABLED: RegionState.NOT_ENABLED,
}


@dataclass(frozen=True)
class AccountRef:
    """An account to read: who it is and how to get in."""

    account_id: str
    account_name: str
    account_type: str  # "target" | "staging"
    role_arn: str | None = None
    external_id: str | None = field(default=None, repr=False)  # write-only (SPEC §2)


def accounts_of(target: TargetAccount) -> list[AccountRef]:
    refs = [
        AccountRef(
            target.account_id,
            target.account_name,
            "target",
            target.role_arn,
            target.external_id,
        )
    ]
    seen = {target.account_id}
    for s in target.staging_accounts:
        if s.account_id not in seen:  # an old item may repeat one: count it once
            seen.add(s.account_id)
            refs.append(
                AccountRef(s.account_id, s.account_name, "staging", s.role_arn,
                           s.external_id)
            )  # fmt: skip
    return refs


def count_servers(
    pages: Iterable[dict], region: str, non_replicating: frozenset[str]
) -> RegionCapacity:
    """Count one Region's servers page by page; no page outlives its loop iteration."""
    by_state = zero_by_state()
    total = replicating = extended = 0
    for page in pages:
        for server in page.get("items", ()):
            total += 1
            state = (server.get("dataReplicationInfo") or {}).get(
                "dataReplicationState"
            )
            if state in by_state:
                by_state[state] += 1
            is_extended = (server.get("stagingArea") or {}).get("status") == "EXTENDED"
            extended += is_extended
            if not is_extended and state not in non_replicating:
                replicating += 1
    return RegionCapacity(
        region, RegionState.OK, total, replicating, extended, by_state
    )


class Collector:
    """Reads accounts for the capacity service; keeps a pruning memory of empty Regions."""

    def __init__(
        self,
        gateway: AwsGateway,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        quotas: QuotaReader | None = None,
        empty_regions=None,
        processes=None,  # services.collect_processes.ProcessReader: big targets there
    ):
        self._aws = gateway
        self.processes = processes
        self._settings = settings
        self._clock = clock
        self.quotas = quotas or QuotaReader(gateway, settings, clock)
        self._pool = ThreadPoolExecutor(
            max_workers=settings.max_workers, thread_name_prefix="collect"
        )
        # the target's recovery quota, read beside its replication quota (not queued
        # behind the pool's Region reads, which a task waiting on it could starve)
        self._side = ThreadPoolExecutor(
            max_workers=_SIDE_WORKERS, thread_name_prefix="collect-quota"
        )
        self._empty: dict[tuple[str, str], tuple[RegionState, float]] = {}
        # when each target's last collection in this process ended (the clock's time)
        self.last_collections: dict[str, float] = {}
        self._empty_lock = threading.Lock()
        self._shared_empty = empty_regions  # every worker's memory (shared_cache.py)
        # told (target id, seconds, readings) after each collection: /metrics' histogram
        self.listeners: list[Callable[[str, float, list[AccountReading]], None]] = []

    def collection_ages(self) -> dict[str, float]:
        """Seconds since each target's last collection in this process ended."""
        now = self._clock()
        return {t: now - ended for t, ended in list(self.last_collections.items())}

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._side.shutdown(wait=False, cancel_futures=True)
        if self.processes is not None:
            self.processes.close()

    def collect(
        self, target: TargetAccount, *, force: bool = False
    ) -> list[AccountReading]:
        """Read the target and its staging accounts at once, every Region of the set."""
        started = self._clock()
        refs = accounts_of(target)
        regions = self._settings.regions
        if self.processes is not None and self.processes.wanted(refs):
            readings = self.processes.read_accounts(
                refs, regions, force, here=self.read_accounts
            )
        else:
            readings = self.read_accounts(refs, regions, force=force)
        finished = self._clock()
        self.last_collections[target.account_id] = finished
        _log_collection(target.account_id, readings, finished - started, force)
        for listener in self.listeners:
            try:
                listener(target.account_id, finished - started, readings)
            except Exception as exc:  # an observer never fails a collection
                log.warning("collection listener failed (%s)", type(exc).__name__)
        return readings

    def read_accounts(
        self, refs: list[AccountRef], regions: Iterable[str], *, force: bool = False
    ) -> list[AccountReading]:
        self._aws.warm()  # before the pool fans out
        self._aws.forget_idle()
        regions = tuple(regions)
        logins = {self._pool.submit(self._login, ref): ref for ref in refs}
        region_tasks: dict[str, list[Future]] = {}
        failures: dict[str, AwsError] = {}
        for done in as_completed(logins):
            ref = logins[done]
            try:
                access = done.result()
            except Exception as exc:  # one account's failure never stops the others
                failures[ref.account_id] = classify(exc, operation="assume_role")
                continue
            region_tasks[ref.account_id] = [
                self._pool.submit(self._read_region, ref, access, region, force)
                for region in regions
            ]
        return [
            self._reading(
                ref, failures.get(ref.account_id), region_tasks.get(ref.account_id, [])
            )
            for ref in refs
        ]

    @staticmethod
    def _reading(
        ref: AccountRef, failure: AwsError | None, tasks: list[Future]
    ) -> AccountReading:
        if failure is not None:
            return AccountReading(
                ref.account_id,
                ref.account_name,
                ref.account_type,
                False,
                (),
                failure.info,
            )
        return AccountReading(
            ref.account_id,
            ref.account_name,
            ref.account_type,
            True,
            tuple(t.result() for t in tasks),
        )

    def _login(self, ref: AccountRef):
        if ref.role_arn:
            return self._aws.access(ref.role_arn, ref.external_id)
        own = self._aws.own_account_id()
        if own != ref.account_id:
            raise AwsError(
                CREDENTIALS_INVALID,
                f"No role is set for {ref.account_id} and the dashboard's own credentials belong to "
                f"another account ({own}); set a roleArn for this account.",
            )
        return None

    def _rescan_after(self, key: tuple[str, str]) -> float:
        """The rescan period plus up to a quarter more, fixed per account and Region, so
        that a fleet's empty Regions do not all come due in the same refresh."""
        spread = zlib.crc32("/".join(key).encode()) % 1000 / 4000
        return self._settings.region_rescan_seconds * (1 + spread)

    def _read_region(
        self, ref: AccountRef, access, region: str, force: bool
    ) -> RegionCapacity:
        key = (ref.account_id, region)
        if not force:
            known = self._recall(key)
            if known is not None:
                return RegionCapacity(region, known)
        # bound here, in the task: pool threads do not inherit the submitter's context
        with self._aws.acting_as(access):
            return self._read_bound_region(ref, access, region, key)

    def _read_bound_region(
        self, ref: AccountRef, access, region: str, key: tuple[str, str]
    ) -> RegionCapacity:
        try:
            paginator = self._aws.paginator("drs", region, "describe_source_servers")
            pages = paginator.paginate(
                filters={}, PaginationConfig={"PageSize": self._settings.page_size}
            )
            counted = count_servers(
                pages, region, self._settings.non_replicating_states
            )
        except Exception as exc:  # classified below: one Region never stops the others
            error = classify(exc, region=region)
            state = _EMPTY_STATES.get(error.code)
            if state is None:
                return RegionCapacity(
                    region,
                    RegionState.ERROR,
                    error=ErrorInfo(error.code, error.message),
                )
            self._remember(key, state)
            return RegionCapacity(region, state)
        self._forget(key)
        return self._with_limits(ref, access, counted)

    def _recall(self, key: tuple[str, str]) -> RegionState | None:
        """The state of a Region remembered empty and not yet due for a rescan."""
        if self._shared_empty is not None:
            return self._shared_empty.recall(key)
        known = self._empty.get(key)
        return known[0] if known and known[1] > self._clock() else None

    def _remember(self, key: tuple[str, str], state: RegionState) -> None:
        if self._shared_empty is not None:
            self._shared_empty.remember(key, state, self._rescan_after(key))
            return
        with self._empty_lock:
            self._empty[key] = (state, self._clock() + self._rescan_after(key))

    def _forget(self, key: tuple[str, str]) -> None:
        if self._shared_empty is not None:
            self._shared_empty.forget(key)
            return
        with self._empty_lock:
            self._empty.pop(key, None)

    def _with_limits(
        self, ref: AccountRef, access, counted: RegionCapacity
    ) -> RegionCapacity:
        """The live limits of a Region read as `ok`: both for the target, the replication
        limit alone for a staging account (its recovery capacity does not count).

        The target's two are read at once: on a first collection each is a round trip
        or two (applied, then AWS's default), on the target's critical path."""
        region = counted.region
        recovery = None
        if ref.account_type == "target":
            recovery = self._side.submit(
                self.quotas.recovery_limit, ref.account_id, region, access
            )
        limits = {
            "replication_limit": self.quotas.replication_limit(
                ref.account_id, region, access
            )
        }
        if recovery is not None:
            limits["recovery_limit"] = recovery.result()
        return replace(counted, **limits)


def _log_collection(
    target_id: str, readings: list[AccountReading], seconds: float, forced: bool
) -> None:
    """One line per collection: what was read, how long it took, what failed."""
    regions = {r.region for reading in readings for r in reading.regions}
    failed_regions = sum(
        r.state is RegionState.ERROR for reading in readings for r in reading.regions
    )
    fields = {
        "event": "collection",
        "target": target_id,
        "accounts": len(readings),
        "inaccessible_accounts": sum(not r.accessible for r in readings),
        "regions": len(regions),
        "region_errors": failed_regions,
        "duration_ms": round(seconds * 1000, 1),
        "forced": forced,
    }
    fields["errors"] = fields["inaccessible_accounts"] + failed_regions
    log.info(
        "collection of %s: %d accounts, %d Regions, %d errors in %.0f ms",
        target_id, fields["accounts"], fields["regions"], fields["errors"],
        fields["duration_ms"], extra={"fields": fields},
    )  # fmt: skip
