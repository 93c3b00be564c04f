"""Unattended collection (issue 12, item 2): passes that collect every target now and
keep the collection in the history, for `cli.py watch` and the scheduled Lambda entry.

Everything goes through the dispatcher (`record_history`), so a pass records exactly as
a read does; one failing target is a line of its own and never stops the others.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from services.clock import utc_now_iso
from services.history import MIN_SPACING

RECORD_HISTORY = "record_history"
NO_TARGETS = {"code": "NO_TARGETS", "message": "No target account is registered."}
# passes closer than the history's spacing could not all be recorded
DEFAULT_INTERVAL_MINUTES = int(MIN_SPACING.total_seconds() // 60)
MAX_INTERVAL_MINUTES = 24 * 60
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassResult:
    """One target in one pass: what was collected and whether it was recorded."""

    time: str
    target_account_id: str | None  # None: the list of targets could not be read
    collected: bool
    status: str | None
    accounts: int
    accounts_reporting: int
    regions: int
    recorded: bool
    duration_seconds: float
    errors: tuple[Mapping, ...]

    def to_wire(self) -> dict:
        return {
            "time": self.time,
            "targetAccountId": self.target_account_id,
            "collected": self.collected,
            "status": self.status,
            "accounts": self.accounts,
            "accountsReporting": self.accounts_reporting,
            "regions": self.regions,
            "recorded": self.recorded,
            "durationSeconds": self.duration_seconds,
            "errors": [dict(e) for e in self.errors],
        }

    def text(self) -> str:
        status = self.status if self.collected else "FAILED"
        return (
            f"{self.time} {self.target_account_id or 'targets'} {status} "
            f"accounts {self.accounts_reporting}/{self.accounts} "
            f"Regions {self.regions} recorded {'yes' if self.recorded else 'no'} "
            f"{self.duration_seconds:.1f}s errors "
            + ("; ".join(map(_error_text, self.errors)) or "none")
        )


def _error_text(error: Mapping) -> str:
    where = "/".join(error[k] for k in ("accountId", "region") if error.get(k))
    text = f"{where} {error['code']}" if where else error["code"]
    return f"{text}: {error['message']}" if error.get("message") else text


def _failed(target: str | None, at: str, seconds: float, error: Mapping) -> PassResult:
    found = {
        "code": error.get("code", "INTERNAL_ERROR"),
        "message": error.get("message"),
    }
    return PassResult(at, target, False, None, 0, 0, 0, False, round(seconds, 3),
                      ({k: v for k, v in found.items() if v},))  # fmt: skip


def _collected(body: Mapping, at: str, seconds: float) -> PassResult:
    accounts = body.get("accounts") or ()
    regions = [c for c in body.get("combinedByRegion") or () if c["reportingAccounts"]]
    return PassResult(
        at, body["targetAccountId"], True, body["status"], len(accounts),
        sum(1 for a in accounts if a["accessible"]), len(regions),
        bool(body.get("recorded")), round(seconds, 3), tuple(_unit_errors(accounts)),
    )  # fmt: skip


def _unit_errors(accounts: Iterable[Mapping]) -> Iterable[dict]:
    """Codes only: an account's messages can be long, and the API has them."""
    for account in accounts:
        if account.get("error"):
            yield {"accountId": account["accountId"], "code": account["error"]["code"]}
        for row in account.get("regionalBreakdown") or ():
            if row.get("error"):
                yield {"accountId": account["accountId"], "region": row["region"],
                       "code": row["error"]["code"]}  # fmt: skip


def collect_target(
    operations, target_id: str, *, clock=time.monotonic, wall_clock=utc_now_iso
) -> PassResult:
    """Collect one target now (waiting for it) and record it in the history."""
    at, started = wall_clock(), clock()
    try:
        response = operations.dispatch(RECORD_HISTORY, {"targetAccountId": target_id})
    except Exception as exc:  # the loop goes on; the name of the failure, no trace
        log.error("watch: %s failed: %s", target_id, type(exc).__name__)
        return _failed(target_id, at, clock() - started, {})
    if not response.success:
        return _failed(target_id, at, clock() - started, response.body["error"])
    return _collected(response.body, at, clock() - started)


def run_pass(
    operations,
    targets: Iterable[str] = (),
    *,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], str] = utc_now_iso,
) -> list[PassResult]:
    """One pass over `targets`, by default every registered target (read each pass, so
    a target added meanwhile is collected too)."""
    chosen = list(targets)
    if not chosen:
        at, started = wall_clock(), clock()
        listed = operations.dispatch("get_target_accounts", {})
        if not listed.success:
            return [_failed(None, at, clock() - started, listed.body["error"])]
        chosen = [t["accountId"] for t in listed.body["targetAccounts"]]
        if not chosen:  # a watch with nothing to watch says so every pass
            return [_failed(None, at, clock() - started, NO_TARGETS)]
    return [
        collect_target(operations, target, clock=clock, wall_clock=wall_clock)
        for target in chosen
    ]


def pass_summary(results: list[PassResult]) -> dict:
    """The small answer of the scheduled Lambda entry."""
    return {
        "success": True,
        "operation": RECORD_HISTORY,
        "targets": sum(r.target_account_id is not None for r in results),
        "collected": sum(r.collected for r in results),
        "recorded": sum(r.recorded for r in results),
        "results": [r.to_wire() for r in results],
    }


class StopFlag:
    """Set by SIGINT/SIGTERM (or a test): the pass under way ends, no new one starts.

    The handler only sets a flag, and the wait between passes sleeps in short slices:
    nothing runs inside a signal handler that could deadlock or interrupt a write.
    """

    SLICE_SECONDS = 0.2

    def __init__(self, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):  # fmt: skip
        self._sleep, self._clock = sleep, clock
        self.signal_name: str | None = None
        self.requested = False

    def set(self, signum: int | None = None, frame=None) -> None:
        self.requested = True
        if signum is not None:
            self.signal_name = signal.Signals(signum).name

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, or less when a stop is asked for meanwhile."""
        deadline = self._clock() + seconds
        while not self.requested:
            left = deadline - self._clock()
            if left <= 0:
                return
            self._sleep(min(left, self.SLICE_SECONDS))

    @contextmanager
    def on_signals(self, signums=(signal.SIGINT, signal.SIGTERM)):
        """Set the flag on these signals while inside; the old handlers afterwards."""
        if threading.current_thread() is not threading.main_thread():
            yield self  # only the main thread may handle signals
            return
        previous = {s: signal.signal(s, self.set) for s in signums}
        try:
            yield self
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


class Watch:
    """Passes every `interval_seconds` (counted from the end of the previous pass, so
    two collections are never closer than the interval) until `stop` is set."""

    def __init__(
        self,
        operations,
        emit: Callable[[PassResult], None],
        *,
        interval_seconds: float,
        targets: Iterable[str] = (),
        stop: StopFlag | None = None,
        wait: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], str] = utc_now_iso,
    ):
        self._operations, self._emit = operations, emit
        self._interval, self._targets = interval_seconds, tuple(targets)
        self.stop = stop or StopFlag()
        self._wait = wait or self.stop.wait
        self._clock, self._wall_clock = clock, wall_clock
        self.passes = 0

    def run(self, *, once: bool = False) -> bool:
        """Run until stopped (or one pass); whether the last pass collected every target."""
        while True:
            results = run_pass(self._operations, self._targets, clock=self._clock,
                               wall_clock=self._wall_clock)  # fmt: skip
            self.passes += 1
            for result in results:
                self._emit(result)
            if once or self.stop.requested:
                return all(r.collected for r in results)
            self._wait(self._interval)
            if self.stop.requested:
                return all(r.collected for r in results)


def interval_minutes(text: str) -> int:
    """`--interval`: whole minutes from 1 to a day."""
    try:
        minutes = int(text)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= MAX_INTERVAL_MINUTES:
        raise ValueError(
            f"must be a whole number of minutes from 1 to {MAX_INTERVAL_MINUTES}; "
            f"got {text!r}"
        )
    return minutes


def run_watch(
    operations, targets: Iterable[str], *, interval_minutes: int | None, once: bool,
    json_lines: bool, out: TextIO, err: TextIO,
) -> bool:  # fmt: skip
    """`cli.py watch`: lines on `out` until SIGINT/SIGTERM (or one pass with `once`);
    False when `once` found a target it could not collect."""
    minutes = interval_minutes or DEFAULT_INTERVAL_MINUTES

    def emit(result: PassResult) -> None:
        out.write(
            (json.dumps(result.to_wire()) if json_lines else result.text()) + "\n"
        )
        out.flush()

    watch = Watch(operations, emit, interval_seconds=minutes * 60, targets=targets)
    with watch.stop.on_signals():
        ok = watch.run(once=once)
    if watch.stop.requested:
        err.write(f"watch: stopped by {watch.stop.signal_name or 'request'} after "
                  f"{watch.passes} pass(es)\n")  # fmt: skip
        return True
    return ok
