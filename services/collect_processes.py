"""A big target's accounts read in reading processes: one GIL per core (issue 10).

A forced refresh of 100 accounts × 34 Regions is about 3,400 AWS calls. In one process
their signing, parsing and botocore's per-call machinery run under one GIL: the refresh
takes as long as its CPU (about 4 s here) while the other cores idle. Here the accounts
are dealt in `Settings.collect_processes` shares (one per core by default): the app's
process reads the first itself, and each other share has a reading process of its own,
with its own shared clients, credentials, quota cache and memory of empty Regions. An
account is read by the same process at every collection while the set of accounts stays
the same, so those caches stay warm; and the app itself is one of the processes, so
two cores cost one more process, not two.

Only targets of at least PROCESSES_FROM_ACCOUNTS accounts go there: a small target is
read in the app's own process faster than a round trip to another would save. A
process that fails (killed, out of memory) costs no data: its share is read here, the
log says why, and the next collection starts a new process.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from services.collector import accounts_of
from services.models import AccountReading
from services.settings import Settings

log = logging.getLogger(__name__)
PROCESSES_FROM_ACCOUNTS = 20  # a target this big is read in reading processes
MOST_PROCESSES = 4  # by default: one per CPU this process may use, at most this many

# the reading process's own collector (set by _start, in that process only)
_reader = None


def process_count(settings: Settings) -> int:
    """How many processes a big target's accounts are dealt to, the app's own
    included (1: the app's alone)."""
    if settings.collect_processes is not None:
        return settings.collect_processes
    return max(1, min(len(os.sched_getaffinity(0)), MOST_PROCESSES))


def shares(refs: Sequence, count: int) -> list[list]:
    """The accounts dealt round the processes in account-id order: even shares, and the
    same share for an account as long as the set of accounts stays the same."""
    ordered = sorted(refs, key=lambda ref: ref.account_id)
    return [ordered[i::count] for i in range(count)]


class ProcessReader:
    """Reads a target's accounts in `count` processes: the first share in this one,
    every other share in a reading process of its own."""

    def __init__(self, settings: Settings, count: int):
        self._settings = settings
        self._count = count
        self._lock = threading.Lock()
        self._pools: dict[int, ProcessPoolExecutor] = {}
        self._simulator_cpu = 0.0  # CPU the reading processes' simulated AWS spent

    @classmethod
    def for_settings(cls, settings: Settings) -> ProcessReader | None:
        count = process_count(settings)
        return cls(settings, count) if count > 1 else None

    def wanted(self, refs: Sequence) -> bool:
        return len(refs) >= PROCESSES_FROM_ACCOUNTS

    def start(self, targets: Sequence) -> None:
        """Start the reading processes now if a target is big enough to use them: each
        takes about half a second of CPU to start (and its first clients), better spent
        while the app starts than in its first collection."""
        if any(self.wanted(accounts_of(target)) for target in targets):
            for i in range(1, self._count):
                self._pool(i).submit(_ready)

    @property
    def simulator_cpu_seconds(self) -> float:
        """What the reading processes' simulated AWS spent answering (demo only)."""
        return self._simulator_cpu

    def read_accounts(
        self,
        refs: Sequence,
        regions: Sequence[str],
        force: bool,
        here: Callable[..., list[AccountReading]],
    ) -> list[AccountReading]:
        """Every account's reading, in the order of `refs`. The first share is read by
        `here` (the collector's own, in this process) while the reading processes read
        theirs; a share whose process fails is read by `here` too."""
        first, *others = shares(refs, self._count)
        asked = [
            (i, share, self._submit(i, share, tuple(regions), force))
            for i, share in enumerate(others, start=1)
            if share
        ]
        readings = {r.account_id: r for r in here(first, regions, force=force)}
        for i, share, future in asked:
            try:
                got, simulator_cpu = future.result()
                with self._lock:
                    self._simulator_cpu += simulator_cpu
            except Exception as exc:  # the process died or could not start
                log.warning(
                    "reading process %d failed (%s): its %d accounts are read in "
                    "this process", i, type(exc).__name__, len(share),
                )  # fmt: skip
                self._retire(i)
                got = here(share, regions, force=force)
            readings.update((r.account_id, r) for r in got)
        return [readings[ref.account_id] for ref in refs]

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, i: int, share: list, regions: tuple, force: bool) -> Future:
        try:
            return self._pool(i).submit(_read, share, regions, force)
        except Exception as exc:  # a pool already known broken refuses at once
            refused = Future()
            refused.set_exception(exc)
            return refused

    def _pool(self, i: int) -> ProcessPoolExecutor:
        with self._lock:
            pool = self._pools.get(i)
            if pool is None:
                context = multiprocessing.get_context("spawn")
                level = logging.getLogger().getEffectiveLevel()
                pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=context, initializer=_start,
                    initargs=(self._settings, level),
                )  # fmt: skip
                self._pools[i] = pool
            return pool

    def _retire(self, i: int) -> None:
        with self._lock:
            pool = self._pools.pop(i, None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _start(settings: Settings, level: int) -> None:
    """In a new reading process: the app's log format, then a collector of its own
    with every client made before the first share arrives."""
    from services.backend import build_gateway
    from services.collector import Collector
    from services.logs import configure_logging, hide_external_ids_in_aws_logs

    global _reader
    _leave_with_the_app()
    configure_logging(level, settings)
    hide_external_ids_in_aws_logs()
    gateway, simulator = build_gateway(settings)
    memory = None
    if settings.cache_url:
        from services.backend import shared_cache

        memory = shared_cache(settings).region_memory()
    collector = Collector(gateway, settings, empty_regions=memory)
    gateway.warm()
    _reader = (collector, simulator)


def _leave_with_the_app() -> None:
    """End this reading process when the app that started it ends, however it ends.

    A pool's worker waits on its task queue, whose pipe it holds both ends of: an app
    killed (SIGKILL, an out-of-memory kill, a crash) would leave it waiting for ever,
    and its resource tracker with it. The app's end of the pipe this process was started
    through closes only when the app is gone: a thread waits for that."""
    app = multiprocessing.parent_process()
    if app is None:
        return

    def wait() -> None:
        multiprocessing.connection.wait([app.sentinel])
        os._exit(0)

    threading.Thread(target=wait, name="leave-with-the-app", daemon=True).start()


def _ready() -> int:
    return os.getpid()


def _read(refs: list, regions: tuple[str, ...], force: bool):
    """In a reading process: one share's readings, and what the simulated AWS spent."""
    collector, simulator = _reader
    spent = simulator.cpu_seconds if simulator is not None else 0.0
    readings = collector.read_accounts(refs, regions, force=force)
    used = (simulator.cpu_seconds - spent) if simulator is not None else 0.0
    return readings, used
