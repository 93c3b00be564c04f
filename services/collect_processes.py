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

A reading process is a Python of its own (not a multiprocessing pool, whose spawn
starts a resource tracker, one more process of 12 MB, beside it). It answers one share
at a time over a socket pair, and ends when the app closes its end of the pair, which
happens however the app ends (SIGKILL, an out-of-memory kill, a crash).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

from services.collector import accounts_of
from services.models import AccountReading
from services.settings import Settings

log = logging.getLogger(__name__)
PROCESSES_FROM_ACCOUNTS = 20  # a target this big is read in reading processes
MOST_PROCESSES = 4  # by default: one per CPU this process may use, at most this many
_ROOT = Path(__file__).resolve().parent.parent  # where `services` is imported from
_SERVE = (
    "import sys; from services.collect_processes import serve; serve(int(sys.argv[1]))"
)


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


class ReadingProcessFailed(Exception):
    """A reading process ended, or could not read the share it was sent."""


class ProcessReader:
    """Reads a target's accounts in `count` processes: the first share in this one,
    every other share in a reading process of its own."""

    def __init__(self, settings: Settings, count: int):
        self._settings = settings
        self._count = count
        self._lock = threading.Lock()
        self._processes: dict[int, ReadingProcess] = {}
        # a thread waits for each reading process's answer while this one reads
        self._asking = ThreadPoolExecutor(
            max_workers=max(1, count - 1), thread_name_prefix="reading-process"
        )
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
                self._process(i)

    def pids(self) -> dict[int, int]:
        """The running reading processes' ids, by share."""
        with self._lock:
            return {i: process.pid for i, process in self._processes.items()}

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
            (i, share, self._asking.submit(self._ask, i, share, tuple(regions), force))
            for i, share in enumerate(others, start=1)
            if share
        ]
        readings = {r.account_id: r for r in here(first, regions, force=force)}
        for i, share, future in asked:
            try:
                got, simulator_cpu = future.result()
                with self._lock:
                    self._simulator_cpu += simulator_cpu
            except Exception as exc:  # the process died, could not start, or failed
                log.warning(
                    "reading process %d failed (%s): its %d accounts are read in "
                    "this process", i, exc, len(share),
                )  # fmt: skip
                self._retire(i)
                got = here(share, regions, force=force)
            readings.update((r.account_id, r) for r in got)
        return [readings[ref.account_id] for ref in refs]

    def close(self) -> None:
        with self._lock:
            processes, self._processes = list(self._processes.values()), {}
        for process in processes:
            process.close()
        self._asking.shutdown(wait=False, cancel_futures=True)

    def _ask(self, i: int, share: list, regions: tuple, force: bool):
        return self._process(i).read(share, regions, force)

    def _process(self, i: int) -> ReadingProcess:
        with self._lock:
            process = self._processes.get(i)
            if process is None:
                level = logging.getLogger().getEffectiveLevel()
                process = self._processes[i] = ReadingProcess(self._settings, level)
            return process

    def _retire(self, i: int) -> None:
        with self._lock:
            process = self._processes.pop(i, None)
        if process is not None:
            process.close()


class ReadingProcess:
    """One reading process, seen from the app: it reads the shares it is sent, one at
    a time, over a socket pair (pickles: the settings first, then each share)."""

    def __init__(self, settings: Settings, level: int):
        ours, theirs = socket.socketpair()
        path = os.pathsep.join(filter(None, (str(_ROOT), os.environ.get("PYTHONPATH"))))
        with ours, theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path},
            )  # fmt: skip
            self._connection = Connection(ours.detach())
        self._lock = threading.Lock()  # one share at a time
        self._connection.send((settings, level))

    @property
    def pid(self) -> int:
        return self._process.pid

    def read(self, refs: list, regions: tuple, force: bool):
        """The share's readings, and the CPU its simulated AWS spent (0 on AWS)."""
        with self._lock:
            try:
                self._connection.send((refs, regions, force))
                answer = self._connection.recv()
            except (OSError, EOFError) as exc:
                raise ReadingProcessFailed("it ended") from exc
        if isinstance(answer, str):  # what failed there, by name
            raise ReadingProcessFailed(answer)
        return answer

    def close(self) -> None:
        """End it now (a share it was reading is read by the app instead)."""
        self._process.kill()
        self._process.wait()
        with self._lock:
            self._connection.close()


def serve(fd: int) -> None:
    """A reading process's life: a collector for the settings it is sent first, then
    each share it is sent, read and answered, until the app's end of the pair closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the app; this follows
    connection = Connection(fd)
    try:
        collector, simulator = _reading_collector(*connection.recv())
        while True:
            refs, regions, force = connection.recv()
            try:
                answer = _read(collector, simulator, refs, regions, force)
            except Exception as exc:  # the app reads this share itself
                log.warning("reading a share failed here (%s)", type(exc).__name__)
                answer = type(exc).__name__
            connection.send(answer)
    except (EOFError, OSError):  # the app is gone, or closed its end
        pass


def _reading_collector(settings: Settings, level: int):
    """The app's log format, then a collector of this process's own with every client
    made before the first share arrives."""
    from services.allocator import share_arenas_between_threads
    from services.backend import build_gateway
    from services.collector import Collector
    from services.logs import configure_logging, hide_external_ids_in_aws_logs

    share_arenas_between_threads()
    configure_logging(level, settings)
    hide_external_ids_in_aws_logs()
    gateway, simulator = build_gateway(settings)
    memory = None
    if settings.cache_url:
        from services.backend import shared_cache

        memory = shared_cache(settings).region_memory()
    collector = Collector(gateway, settings, empty_regions=memory)
    gateway.warm()
    return collector, simulator


def _read(collector, simulator, refs: list, regions: tuple[str, ...], force: bool):
    """One share's readings, and what the simulated AWS spent on them."""
    spent = simulator.cpu_seconds if simulator is not None else 0.0
    readings = collector.read_accounts(refs, regions, force=force)
    used = (simulator.cpu_seconds - spent) if simulator is not None else 0.0
    return readings, used
