"""A big target's accounts read in reading processes (services/collect_processes.py):
the same readings as one process, every account once, and no data lost when a reading
process dies."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.backend import build_backend
from services.collect_processes import (
    PROCESSES_FROM_ACCOUNTS,
    ProcessReader,
    process_count,
    shares,
)
from services.collector import AccountRef
from services.models import RegionState
from services.settings import Settings

TARGET = "100000000000"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
STAGING = [f"{200000000000 + i:012d}" for i in range(PROCESSES_FROM_ACCOUNTS)]
DENIED = STAGING[3]  # its role may not be assumed


def fleet_file(tmp_path) -> str:
    fleet = {TARGET: {"us-east-1": {"CONTINUOUS": 40, "STOPPED": 2}}}
    for i, account in enumerate(STAGING):
        fleet[account] = {
            "us-east-1": {"CONTINUOUS": 10 + i, "INITIAL_SYNC": i % 3},
            "eu-west-1": {"error": "timeout"} if i == 5 else {"BACKLOG": i},
        }
    scenario = {
        "target": {"accountId": TARGET, "accountName": "dr-target"},
        "staging": [
            {
                "accountId": a,
                "accountName": f"staging-{i:02d}",
                "roleArn": f"arn:aws:iam::{a}:role/DRSCapacityRead",
            }
            for i, a in enumerate(STAGING)
        ],
        "fleet": {**fleet, DENIED: "inaccessible"},
        "quotas": {STAGING[7]: {"us-east-1": {"L-C1D14A2B": 500}}},
        "latencyMs": 1,
    }
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(scenario))
    return str(path)


def backend(path: str, processes: int):
    return build_backend(
        Settings(
            scenario_path=path, regions=REGIONS, aws_max_attempts=1,
            collect_processes=processes, history_table_name="",
        )
    )  # fmt: skip


@pytest.fixture
def two(tmp_path):
    """The same fleet read by one process and by two reading processes."""
    path = fleet_file(tmp_path)
    here, split = backend(path, 1), backend(path, 2)
    yield here, split
    here.close()
    split.close()


def target_of(b):
    return b.store.get_target(TARGET)


def test_reading_processes_give_the_readings_of_one_process(two):
    here, split = two
    assert here.collector.processes is None
    assert split.collector.processes is not None
    one = here.collector.collect(target_of(here), force=True)
    both = split.collector.collect(target_of(split), force=True)
    assert both == one
    assert [r.account_id for r in both] == [TARGET, *STAGING]
    denied = next(r for r in both if r.account_id == DENIED)
    assert not denied.accessible and denied.error is not None
    timed_out = {r.region: r for r in both[6].regions}["eu-west-1"]
    assert timed_out.state is RegionState.ERROR  # an error stays an error, never 0
    assert split.simulator.cpu_seconds > 0  # the first share, read in the app
    assert split.collector.processes.simulator_cpu_seconds > 0  # the other one


def test_a_reading_process_that_dies_costs_no_data(two, caplog):
    here, split = two
    reader = split.collector.processes
    first = split.collector.collect(target_of(split), force=True)
    for pid in reader.pids().values():
        os.kill(pid, signal.SIGKILL)
    caplog.set_level(logging.WARNING, logger="services.collect_processes")
    again = split.collector.collect(target_of(split), force=True)
    assert again == first
    assert "reading process 1 failed (it ended)" in caplog.text
    assert "accounts are read in this process" in caplog.text
    caplog.clear()
    third = split.collector.collect(target_of(split), force=True)  # new processes
    assert third == first
    assert "failed" not in caplog.text


def test_a_small_target_is_read_in_the_app_process(tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({
        "target": {"accountId": TARGET, "accountName": "t"},
        "staging": [],
        "fleet": {TARGET: {"us-east-1": {"CONTINUOUS": 3}}},
    }))  # fmt: skip
    small = backend(str(path), 2)
    try:
        (reading,) = small.collector.collect(target_of(small))
        assert reading.regions[0].replicating_servers == 3
        assert small.collector.processes.pids() == {}  # none started
        assert small.simulator.cpu_seconds > 0
    finally:
        small.close()


def test_the_reading_processes_start_early_only_for_a_big_target(tmp_path):
    b = backend(fleet_file(tmp_path), 2)
    try:
        reader = b.collector.processes
        reader.start([])
        assert reader.pids() == {}
        reader.start([target_of(b)])
        started = reader.pids()
        assert sorted(started) == [1]  # the app reads the first share itself
        assert alive(started[1]) and started[1] != os.getpid()
        b.collector.collect(target_of(b), force=True)
        assert reader.pids() == started  # the one started early read its share
    finally:
        b.close()


refs = st.lists(
    st.integers(min_value=0, max_value=10**12 - 1).map(lambda n: f"{n:012d}"),
    unique=True,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(ids=refs, count=st.integers(min_value=1, max_value=6), seed=st.randoms())
def test_shares_are_even_and_do_not_depend_on_the_order(ids, count, seed):
    accounts = [AccountRef(a, a, "staging") for a in ids]
    dealt = shares(accounts, count)
    assert len(dealt) == count
    assert sorted(r.account_id for share in dealt for r in share) == sorted(ids)
    sizes = [len(share) for share in dealt]
    assert max(sizes) - min(sizes) <= 1
    shuffled = list(accounts)
    seed.shuffle(shuffled)
    assert shares(shuffled, count) == dealt


def test_the_process_count_setting():
    assert process_count(Settings(collect_processes=3)) == 3
    assert 1 <= process_count(Settings()) <= 4
    assert ProcessReader.for_settings(Settings(collect_processes=1)) is None
    with pytest.raises(
        ValueError, match="DRS_CAPACITY_COLLECT_PROCESSES: must be at least 1"
    ):
        Settings(collect_processes=0)
    env = {"DRS_CAPACITY_COLLECT_PROCESSES": "2"}
    assert Settings.from_env(env).collect_processes == 2


APP = """
import json, sys, time
from services.backend import build_backend
from services.settings import Settings
backend = build_backend(Settings(scenario_path=sys.argv[1], collect_processes=2,
                                 history_table_name=""))
reader = backend.collector.processes
reader.start(backend.store.list_targets())
import psutil
children = [child.pid for child in psutil.Process().children(recursive=True)]
print(json.dumps({"readers": list(reader.pids().values()), "children": children}))
sys.stdout.flush()
time.sleep(120)
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_reading_processes_end_with_the_app_however_it_ends(tmp_path, how):
    """They used to outlive a killed app for ever (and a resource tracker with them):
    now the app's only children are its reading processes, and they end with it."""
    app = subprocess.Popen(
        [sys.executable, "-c", APP, fleet_file(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    try:
        seen = json.loads(app.stdout.readline())
        started = seen["readers"]
        assert len(started) == 1 and sorted(seen["children"]) == started
        assert alive(started[0])
    finally:
        app.send_signal(how)
        app.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if alive(pid)]


def alive(pid: int) -> bool:
    """Running (a zombie has ended: it only waits for its parent to read it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
