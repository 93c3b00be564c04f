"""Unattended collection (issue 12, item 2): the watch loop collects every target each
pass, records it in the history, reports a failing target and goes on, and stops between
passes. Time is injected: no test sleeps."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.clock import iso_utc
from services.operations import Operations
from services.responses import Response
from services.service import CapacityService
from services.watch import (
    MAX_INTERVAL_MINUTES,
    RECORD_HISTORY,
    PassResult,
    StopFlag,
    Watch,
    interval_minutes,
    pass_summary,
    run_pass,
)
from tests.conftest import demo_backend

TARGET = "111111111111"


class FakeTime:
    """Wall clock and monotonic clock in one; waiting moves both forward."""

    def __init__(self, start: datetime):
        self.now = start
        self.waits: list[float] = []

    def iso(self) -> str:
        return iso_utc(self.now)

    def monotonic(self) -> float:
        return self.now.timestamp()

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)


def stop_after(passes: int, watch_results: list, stop: StopFlag, targets: int = 1):
    """An emit that keeps the results and asks to stop once `passes` passes are out."""

    def emit(result: PassResult) -> None:
        watch_results.append(result)
        if len(watch_results) >= passes * targets:
            stop.set()

    return emit


@pytest.fixture
def recorded(aws_env):
    """Operations over the staging scenario whose service runs on a fake clock (its
    collections stamped from an hour ago), and the history they record into."""
    with demo_backend() as backend:
        clock = FakeTime(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))
        service = CapacityService(
            backend.store, backend.collector, backend.settings,
            clock=clock.monotonic, wall_clock=clock.iso,
        )  # fmt: skip
        operations = Operations(
            backend.store, service, None, backend.settings, history=backend.history
        )
        yield operations, backend.history, clock


def watch_for(operations, clock: FakeTime, passes: int, minutes: float = 5,
              per_pass: int = 1, **options):  # fmt: skip
    """A watch that stops itself once `passes` passes of `per_pass` lines are out."""
    results: list[PassResult] = []
    stop = StopFlag()
    watch = Watch(
        operations, stop_after(passes, results, stop, per_pass),
        interval_seconds=minutes * 60, stop=stop, wait=clock.wait,
        clock=clock.monotonic, wall_clock=clock.iso, **options,
    )  # fmt: skip
    return watch, results


def times_in_history(history) -> list[str]:
    units, regions = history.points(TARGET, days=1)
    return sorted({p.time for p in units} | {p.time for p in regions})


# -- the loop over the real dispatcher and history ----------------------------------------


def test_every_pass_five_minutes_apart_is_collected_and_recorded(recorded):
    operations, history, clock = recorded
    watch, results = watch_for(operations, clock, passes=3, minutes=5)
    assert watch.run() is True
    assert [r.target_account_id for r in results] == [TARGET] * 3
    assert [r.recorded for r in results] == [True, True, True]
    assert all(r.collected and r.status and r.accounts == 3 for r in results)
    assert clock.waits == [300, 300]  # no wait after the pass that was stopped
    first = datetime.fromisoformat(results[0].time.replace("Z", "+00:00"))
    assert times_in_history(history) == [
        iso_utc(first + timedelta(minutes=5 * n)) for n in range(3)
    ]


def test_passes_closer_than_five_minutes_are_collected_but_recorded_every_five(
    recorded,
):
    operations, history, clock = recorded
    watch, results = watch_for(operations, clock, passes=7, minutes=1)
    watch.run()
    assert [r.collected for r in results] == [True] * 7
    assert [r.recorded for r in results] == [True, False, False, False, False, True,
                                             False]  # fmt: skip
    assert len(times_in_history(history)) == 2


def test_once_is_one_pass_without_waiting(recorded):
    operations, history, clock = recorded
    watch, results = watch_for(operations, clock, passes=99, minutes=5)
    assert watch.run(once=True) is True
    assert len(results) == 1 and results[0].recorded
    assert clock.waits == [] and watch.passes == 1
    assert len(times_in_history(history)) == 1


def test_an_unknown_target_fails_alone_and_the_loop_goes_on(recorded):
    operations, history, clock = recorded
    targets = ("999999999999", TARGET)
    watch, results = watch_for(operations, clock, 2, per_pass=2, targets=targets)
    assert watch.run() is False  # the last pass had a target it could not collect
    assert [(r.target_account_id, r.collected, r.recorded) for r in results] == [
        ("999999999999", False, False), (TARGET, True, True),
    ] * 2  # fmt: skip
    assert results[0].errors[0]["code"] == "NOT_FOUND"
    assert len(times_in_history(history)) == 2


def test_the_lines_name_no_external_id_or_role(recorded):
    operations, _, clock = recorded
    [result] = run_pass(operations, clock=clock.monotonic, wall_clock=clock.iso)
    text = json.dumps(result.to_wire()) + result.text()
    assert "ext-" not in text and "arn:" not in text
    assert result.target_account_id == TARGET  # every registered target by default


# -- the loop over a scripted dispatcher ----------------------------------------------------


class ScriptedOperations:
    """A dispatcher whose targets fail as told: an error envelope or an exception."""

    def __init__(self, targets, failing=(), raising=()):
        self.targets, self.failing, self.raising = list(targets), failing, raising
        self.calls: list[tuple[str, str | None]] = []

    def dispatch(self, name, payload):
        self.calls.append((name, payload.get("targetAccountId")))
        if name == "get_target_accounts":
            listed = [{"accountId": t} for t in self.targets]
            return Response(200, {"success": True, "targetAccounts": listed})
        assert name == RECORD_HISTORY
        target = payload["targetAccountId"]
        if target in self.raising:
            raise RuntimeError("secret-looking detail")
        if target in self.failing:
            error = {
                "code": "ROLE_NOT_ACCESSIBLE",
                "message": "The role cannot be assumed",
            }
            return Response(403, {"success": False, "error": error})
        return Response(200, {
            "success": True, "targetAccountId": target, "status": "OK",
            "recorded": True, "combinedByRegion": [{"reportingAccounts": 1}],
            "accounts": [{"accountId": target, "accessible": True, "error": None,
                          "regionalBreakdown": [{"region": "us-west-2", "error": {
                              "code": "AWS_THROTTLED", "message": "throttled"}}]}],
        })  # fmt: skip


def scripted(operations, emit, stop: StopFlag):
    clock = FakeTime(datetime(2026, 12, 1, tzinfo=UTC))
    watch = Watch(operations, emit, interval_seconds=300, stop=stop, wait=clock.wait,
                  clock=clock.monotonic, wall_clock=clock.iso)  # fmt: skip
    return watch, clock


def test_a_target_that_raises_or_fails_is_reported_and_the_others_are_collected():
    operations = ScriptedOperations(
        ["111111111111", "222222222222", "333333333333"],
        failing={"111111111111"}, raising={"222222222222"},
    )  # fmt: skip
    results, stop = [], StopFlag()
    watch, _ = scripted(operations, stop_after(2, results, stop, 3), stop)
    watch.run()
    assert [(r.target_account_id, r.collected) for r in results] == [
        ("111111111111", False), ("222222222222", False), ("333333333333", True),
    ] * 2  # fmt: skip
    assert results[0].errors == ({"code": "ROLE_NOT_ACCESSIBLE",
                                  "message": "The role cannot be assumed"},)  # fmt: skip
    assert results[1].errors == ({"code": "INTERNAL_ERROR"},)  # no exception text
    assert "secret-looking" not in results[1].text()


def test_once_is_false_when_a_target_could_not_be_collected():
    operations = ScriptedOperations(["111111111111"], failing={"111111111111"})
    watch, _ = scripted(operations, lambda result: None, StopFlag())
    assert watch.run(once=True) is False


def test_the_registered_targets_are_read_again_every_pass():
    operations = ScriptedOperations(["111111111111"])
    results, stop = [], StopFlag()

    def emit(result):
        results.append(result)
        if len(results) == 1:
            operations.targets.append("222222222222")  # registered meanwhile
        if len(results) == 3:
            stop.set()

    watch, _ = scripted(operations, emit, stop)
    watch.run()
    assert [r.target_account_id for r in results] == [
        "111111111111", "111111111111", "222222222222"
    ]  # fmt: skip
    assert operations.calls.count(("get_target_accounts", None)) == 2


def test_a_stop_during_a_pass_lets_the_pass_finish_then_ends_without_waiting():
    operations = ScriptedOperations(["111111111111", "222222222222"])
    results, stop = [], StopFlag()
    watch, clock = scripted(operations, lambda r: (results.append(r), stop.set()), stop)
    assert watch.run() is True
    assert [r.target_account_id for r in results] == ["111111111111", "222222222222"]
    assert clock.waits == []


def test_a_line_names_target_accounts_regions_status_recorded_duration_and_errors():
    operations = ScriptedOperations(["111111111111"])
    [result] = run_pass(operations, ["111111111111"], clock=iter([0.0, 1.25]).__next__,
                        wall_clock=lambda: "2026-12-01T00:00:00Z")  # fmt: skip
    assert result.text() == (
        "2026-12-01T00:00:00Z 111111111111 OK accounts 1/1 Regions 1 recorded yes "
        "1.2s errors 111111111111/us-west-2 AWS_THROTTLED"
    )
    assert result.to_wire() == {
        "time": "2026-12-01T00:00:00Z", "targetAccountId": "111111111111",
        "collected": True, "status": "OK", "accounts": 1, "accountsReporting": 1,
        "regions": 1, "recorded": True, "durationSeconds": 1.25,
        "errors": [{"accountId": "111111111111", "region": "us-west-2",
                    "code": "AWS_THROTTLED"}],
    }  # fmt: skip


def test_a_target_list_that_cannot_be_read_is_one_failed_line():
    class Broken:
        def dispatch(self, name, payload):
            error = {"code": "AWS_UNREACHABLE", "message": "DynamoDB did not answer"}
            return Response(503, {"success": False, "error": error})

    [result] = run_pass(Broken(), wall_clock=lambda: "2026-12-01T00:00:00Z")
    assert result.target_account_id is None and not result.collected
    assert result.text().startswith("2026-12-01T00:00:00Z targets FAILED")


# -- stopping and the interval --------------------------------------------------------------


def test_the_wait_between_passes_ends_early_when_a_stop_is_asked():
    clock = FakeTime(datetime(2026, 12, 1, tzinfo=UTC))
    stop = StopFlag(sleep=clock.wait, clock=clock.monotonic)
    stop.wait(1.0)
    assert sum(clock.waits) == pytest.approx(1.0)  # slept the whole second, in slices
    clock.waits.clear()

    def sleep(seconds):
        clock.wait(seconds)
        stopping.set(signal.SIGTERM)  # arrives during the first slice

    stopping = StopFlag(sleep=sleep, clock=clock.monotonic)
    stopping.wait(300)
    assert clock.waits == [StopFlag.SLICE_SECONDS]
    assert stopping.requested and stopping.signal_name == "SIGTERM"


@given(st.integers(1, MAX_INTERVAL_MINUTES))
def test_every_whole_number_of_minutes_up_to_a_day_is_an_interval(minutes):
    assert interval_minutes(str(minutes)) == minutes


@pytest.mark.parametrize("text", ["0", "-5", "1441", "2.5", "five", ""])
def test_an_interval_outside_whole_minutes_up_to_a_day_is_refused(text):
    with pytest.raises(
        ValueError, match=f"whole number of minutes from 1 to 1440; got {text!r}"
    ):
        interval_minutes(text)


def test_a_pass_with_no_registered_target_says_so_and_counts_as_failed():
    results, stop = [], StopFlag()
    watch, _ = scripted(ScriptedOperations([]), results.append, stop)
    assert watch.run(once=True) is False
    [result] = results
    assert result.target_account_id is None and result.errors[0]["code"] == "NO_TARGETS"
    assert pass_summary(results)["targets"] == 0
