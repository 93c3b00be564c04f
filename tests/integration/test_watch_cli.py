"""cli.py watch (issue 12, item 2): one line per target and pass, --once exits, a bad
--interval is a usage error naming it, and a running watch stops cleanly on SIGTERM or
SIGINT (a real process, a real signal)."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import cli
from tests.conftest import STAGING_SCENARIO

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(STAGING_SCENARIO)
TARGET = "111111111111"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_once_collects_every_registered_target_records_it_and_exits_0(cli_env):
    code, out, _ = run("watch", "--once", "--scenario", SCENARIO, "--format", "json")
    assert code == 0
    [line] = out.splitlines()
    result = json.loads(line)
    assert result["targetAccountId"] == TARGET
    assert result["collected"] is True and result["recorded"] is True
    assert (result["accounts"], result["accountsReporting"]) == (3, 3)
    assert result["status"] in ("OK", "INFO", "WARNING", "CRITICAL", "HYPER-CRITICAL")


def test_once_reports_a_target_it_cannot_collect_and_exits_1(cli_env):
    code, out, _ = run(
        "watch", "999999999999", TARGET, "--once", "--scenario", SCENARIO
    )
    assert code == 1
    unknown, known = out.splitlines()
    assert " 999999999999 FAILED " in unknown and "NOT_FOUND" in unknown
    assert f" {TARGET} " in known and " recorded yes " in known


def test_the_backend_follows_the_mode_variables_like_every_command(
    cli_env, monkeypatch
):
    monkeypatch.setenv("DRS_CAPACITY_MODE", "scenario")
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", SCENARIO)
    code, out, _ = run("watch", "--once", "--format", "json")
    assert code == 0 and json.loads(out)["targetAccountId"] == TARGET
    monkeypatch.setenv("DRS_CAPACITY_MODE", "aws")  # contradicts the scenario file
    code, out, _ = run("watch", "--once", "--format", "json")
    assert code == 1 and json.loads(out)["error"]["code"] == "CONFIG_INVALID"


@pytest.mark.parametrize("interval", ["0", "1441", "2.5", "soon"])
def test_a_bad_interval_is_a_usage_error_naming_the_option(interval, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.parse(["watch", "--interval", interval])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert (
        "argument --interval: must be a whole number of minutes from 1 to 1440" in error
    )
    assert repr(interval) in error


@pytest.mark.parametrize(
    "argv",
    [["watch", "--api-url", "http://x"], ["watch", "--format", "csv"]],
    ids=["api-url", "csv"],
)
def test_watch_runs_here_and_prints_lines_only(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.parse(argv)
    assert stopped.value.code == 2


def test_interval_defaults_to_the_histories_spacing():
    from services.history import MIN_SPACING
    from services.watch import DEFAULT_INTERVAL_MINUTES

    assert cli.parse(["watch"]).interval is None  # resolved by the watch
    assert MIN_SPACING.total_seconds() == DEFAULT_INTERVAL_MINUTES * 60


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=str)
def test_a_running_watch_stops_cleanly_on_a_signal_between_passes(cli_env, signum):
    env = {**cli_env, "DRS_CAPACITY_DEMO_STORE_FILE": ""}  # no shared demo store
    argv = [
        sys.executable,
        "cli.py",
        "watch",
        "--scenario",
        SCENARIO,
        "--interval",
        "1",
    ]
    watch = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    guard = threading.Timer(60, watch.kill)  # a hung watch fails the test, not the run
    guard.start()
    try:
        first = watch.stdout.readline()  # the first pass is out: now between passes
        assert f" {TARGET} " in first and " recorded yes " in first, first
        watch.send_signal(signum)
        out, err = watch.communicate(timeout=30)
    finally:
        guard.cancel()
        watch.kill()
    assert watch.returncode == 0, err
    assert out == ""  # no second pass started
    name = signal.Signals(signum).name
    assert f"watch: stopped by {name} after 1 pass(es)" in err
    assert "Traceback" not in err
