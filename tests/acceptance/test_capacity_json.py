"""Acceptance: `python cli.py --scenario FILE capacity TARGET --format json` on scenario files
the product has not seen, against numbers computed by hand from SPEC §3–§5, §7–§9.

Every expected number below is a literal with its arithmetic in a comment. Rules used
(SPEC, L = 300, recovery quota 4,000):
  replicating = servers not STOPPED/DISCONNECTED and not extended; total = every server
  (extended included); percentUsed = r / L × 100 to one decimal; availableSlots =
  max(L − r, 0); bands: INFO ≥ 200, WARNING ≥ 225, CRITICAL ≥ 250, HYPER-CRITICAL ≥ 280
  (scaled by N for combined: N × 300 × 200/300 …); combined N = accessible accounts;
  operational limit = N × 250; recovery = target totalServers / 4,000 (WARNING ≥ 80 %,
  CRITICAL ≥ 90 %); combined CRITICAL+ action: smallest k with total < (N + k) × 250.
Percentages were chosen so none is an exact half at the second decimal (no rounding-mode
ambiguity).

Each CLI run is a subprocess of `sys.executable cli.py`, with DRS_CAPACITY_REGIONS set to
the scenario's Regions (for speed), except one run with the default, full Region set.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import FAKE_AWS_ENV

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
TARGET = "111111111111"

THREE = "us-east-1,us-west-2,eu-west-1"
FAULT_REGIONS = "us-east-1,us-west-2,eu-west-1,eu-central-1,af-south-1"
FULL = None  # the product's default: every Region where DRS is offered

STATES = (
    "STOPPED", "INITIATING", "INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT",
    "CONTINUOUS", "PAUSED", "RESCAN", "STALLED", "DISCONNECTED",
)  # fmt: skip
SEVERITY = {"OK": 0, "UNKNOWN": 1, "INFO": 2, "WARNING": 3, "CRITICAL": 4,
            "HYPER-CRITICAL": 5}  # fmt: skip


# -- running the CLI ------------------------------------------------------------------


def _env(regions: str | None) -> dict:
    """The caller's environment without product settings, with fake AWS credentials."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DRS_CAPACITY_")
        and k not in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB")
    }
    env |= FAKE_AWS_ENV
    if regions is not None:
        env["DRS_CAPACITY_REGIONS"] = regions
    return env


@cache
def cli(scenario: str, regions: str | None, *extra: str) -> subprocess.CompletedProcess:
    """`python cli.py --scenario FILE capacity TARGET --format json [extra]` (cached)."""
    argv = [sys.executable, "cli.py", "--scenario", str(SCENARIOS / scenario),
            "capacity", TARGET, "--format", "json", *extra]  # fmt: skip
    return subprocess.run(
        argv, cwd=ROOT, env=_env(regions), capture_output=True, text=True, timeout=120
    )


def snapshot(scenario: str, regions: str | None, *extra: str) -> dict:
    done = cli(scenario, regions, *extra)
    assert done.returncode == 0, (done.returncode, done.stdout[-2000:], done.stderr)
    body = json.loads(done.stdout)
    assert body["success"] is True
    return body


# -- assertions -------------------------------------------------------------------------


def check_combined(snap, total, maximum, operational, percent, available, status,
                   configured, reporting):  # fmt: skip
    c = snap["combined"]
    got = {k: c[k] for k in ("totalReplicating", "maxReplicating", "operationalLimit",
                             "percentUsed", "availableSlots", "status",
                             "configuredAccounts", "reportingAccounts")}  # fmt: skip
    assert got == {
        "totalReplicating": total, "maxReplicating": maximum,
        "operationalLimit": operational, "percentUsed": percent,
        "availableSlots": available, "status": status,
        "configuredAccounts": configured, "reportingAccounts": reporting,
    }  # fmt: skip


def account(snap, account_id) -> dict:
    found = [a for a in snap["accounts"] if a["accountId"] == account_id]
    assert len(found) == 1, [a["accountId"] for a in snap["accounts"]]
    return found[0]


def check_account(snap, account_id, *, type_, replicating, total, extended, status,
                  percent, available, complete=True, by_state=None):  # fmt: skip
    a = account(snap, account_id)
    got = {k: a[k] for k in ("accountType", "accessible", "complete", "replicatingServers",
                             "totalServers", "extendedServers", "status", "percentUsed",
                             "availableSlots", "maxReplicating")}  # fmt: skip
    assert got == {
        "accountType": type_, "accessible": True, "complete": complete,
        "replicatingServers": replicating, "totalServers": total,
        "extendedServers": extended, "status": status, "percentUsed": percent,
        "availableSlots": available, "maxReplicating": 300,
    }, account_id  # fmt: skip
    if by_state is not None:
        assert a["byState"] == full_states(by_state), account_id
    if a["byState"] is not None and complete:
        # byState counts every server, extended ones (CONTINUOUS) included
        assert sum(a["byState"].values()) == total, account_id
    return a


def check_inaccessible(snap, account_id):
    a = account(snap, account_id)
    assert a["accessible"] is False
    for key in ("replicatingServers", "totalServers", "extendedServers", "byState",
                "percentUsed", "availableSlots"):  # fmt: skip
        assert a[key] is None, key
    assert a["status"] == "UNKNOWN"
    assert a["error"] and a["error"]["code"] and a["error"]["message"]
    assert a["regionalBreakdown"] == []


def full_states(counts: dict) -> dict:
    return {s: counts.get(s, 0) for s in STATES}


def regions(snap, account_id) -> dict:
    """regionalBreakdown as {region: row}; also checks it is listed once per Region."""
    rows = account(snap, account_id)["regionalBreakdown"]
    names = [r["region"] for r in rows]
    assert len(names) == len(set(names)), names
    return {r["region"]: r for r in rows}


def check_region(row, *, replicating, total, extended, status, percent, available,
                 by_state=None):  # fmt: skip
    got = {k: row[k] for k in ("state", "replicatingServers", "totalServers",
                               "extendedServers", "status", "percentUsed",
                               "availableSlots")}  # fmt: skip
    assert got == {
        "state": "ok", "replicatingServers": replicating, "totalServers": total,
        "extendedServers": extended, "status": status, "percentUsed": percent,
        "availableSlots": available,
    }, row["region"]  # fmt: skip
    if by_state is not None:
        assert row["byState"] == full_states(by_state), row["region"]


def check_error_region(row):
    assert row["state"] == "error", row
    for key in ("replicatingServers", "totalServers", "extendedServers", "byState",
                "percentUsed", "availableSlots"):  # fmt: skip
        assert row[key] is None, (row["region"], key)
    assert row["error"] and row["error"]["code"], row


def check_recovery(snap, current, percent, available, status):
    assert snap["recoveryCapacity"] == {
        "currentServers": current, "maxRecoveryInstances": 4000,
        "percentUsed": percent, "availableSlots": available, "status": status,
    }  # fmt: skip


def warning_keys(snap) -> list[tuple]:
    """(level, scope, accountId, region) of every warning but per-Region ones, sorted;
    data warnings without a level (SPEC does not fix it). Also checks the order."""
    warnings = snap["warnings"]
    levels = [SEVERITY[w["level"]] for w in warnings]
    assert levels == sorted(levels, reverse=True), "warnings not most severe first"
    for w in warnings:
        assert w["message"] and w["action"], w
        if w["scope"] == "region":  # optional: only for a Region that reached a band
            row = regions(snap, w["accountId"])[w["region"]]
            assert SEVERITY[row["status"]] >= SEVERITY["INFO"], w
    keys = [
        (None if w["scope"] == "data" else w["level"], w["scope"], w.get("accountId"),
         w.get("region"))
        for w in warnings
        if w["scope"] != "region"
    ]  # fmt: skip
    return sorted(keys, key=repr)


def expect_warnings(snap, *expected):
    assert warning_keys(snap) == sorted(expected, key=repr)


def one_warning(snap, scope, account_id=None, region=None) -> dict:
    found = [
        w for w in snap["warnings"]
        if w["scope"] == scope and w.get("accountId") == account_id
        and (region is None or w.get("region") == region)
    ]  # fmt: skip
    assert len(found) == 1, (scope, account_id, snap["warnings"])
    return found[0]


def staging_to_add(action: str) -> int:
    """The number the combined action asks to add ("Add 2 staging accounts …")."""
    found = re.search(r"\badd\D*?(\d+)", action, re.IGNORECASE)
    assert found and "staging account" in action.lower(), action
    return int(found.group(1))


def check_account_action(snap, account_id, level, slots):
    action = one_warning(snap, "account", account_id)["action"].lower()
    if level == "INFO":
        assert "monitor" in action, action
    elif level == "WARNING":
        assert "plan" in action and "staging account" in action, action
    elif level == "CRITICAL":
        assert "add" in action and "now" in action, action
    else:  # HYPER-CRITICAL: immediate action with the slots left
        assert "immediate" in action, action
        assert str(slots) in re.findall(r"\d+", action), action


# -- SPEC §9 example ---------------------------------------------------------------------


def test_spec_example():
    snap = snapshot("spec_example.json", THREE)
    assert snap["targetAccountId"] == TARGET and snap["scope"] == "all"
    assert snap["complete"] is False  # 222 has us-west-2 in error
    # 333333333333 is in the fleet but not registered: not configured, not reported
    assert [a["accountId"] for a in snap["accounts"]].count("333333333333") == 0
    # combined: 123 + 50 = 173 of 2 × 300 = 600; op 2 × 250 = 500; 173/600 = 28.83 %;
    # 600 − 173 = 427; INFO would need 400 → OK
    check_combined(snap, 173, 600, 500, 28.8, 427, "OK", 2, 2)
    # target us-east-1: 120 CONTINUOUS + 3 STALLED + 4 STOPPED + 50 extended (CONTINUOUS)
    # total 177; replicating 120 + 3 = 123 (STOPPED, extended out); 123/300 = 41.0 %
    check_account(snap, TARGET, type_="target", replicating=123, total=177, extended=50,
                  status="OK", percent=41.0, available=177,
                  by_state={"CONTINUOUS": 170, "STALLED": 3, "STOPPED": 4})  # fmt: skip
    t = regions(snap, TARGET)
    assert set(t) == {"us-east-1"}  # eu-west-1 uninitialized, us-west-2 absent
    check_region(t["us-east-1"], replicating=123, total=177, extended=50, status="OK",
                 percent=41.0, available=177)  # fmt: skip
    # staging 222: 50 read (lower bound), us-west-2 throttled → complete false
    # 50/300 = 16.67 %, 250 slots
    check_account(snap, "222222222222", type_="staging", replicating=50, total=50,
                  extended=0, status="OK", percent=16.7, available=250,
                  complete=False)  # fmt: skip
    s = regions(snap, "222222222222")
    assert set(s) == {"us-east-1", "us-west-2"}
    check_region(s["us-east-1"], replicating=50, total=50, extended=0, status="OK",
                 percent=16.7, available=250, by_state={"CONTINUOUS": 50})  # fmt: skip
    check_error_region(s["us-west-2"])
    assert s["us-west-2"]["status"] == "UNKNOWN"
    # recovery: 177 / 4000 = 4.425 % → 4.4; 4000 − 177 = 3823
    check_recovery(snap, 177, 4.4, 3823, "OK")
    expect_warnings(snap, (None, "data", "222222222222", "us-west-2"))


# -- band edges ------------------------------------------------------------------------

# account: (replicating, total, status, percent, available, Region)
EDGES = {
    # 190 CONTINUOUS + 9 BACKLOG = 199 (7 STOPPED out); 199/300 = 66.33 %; 300 − 199
    "100000000199": (199, 206, "OK", 66.3, 101, "us-east-1"),
    # 195 + 5 PAUSED = 200 (6 DISCONNECTED out): INFO reached at 200; 66.67 %
    "100000000200": (200, 206, "INFO", 66.7, 100, "us-east-1"),
    # 224/300 = 74.67 %
    "100000000224": (224, 224, "INFO", 74.7, 76, "us-west-2"),
    # 220 + 5 STALLED = 225 (30 STOPPED out): WARNING reached at 225; 75.0 %
    "100000000225": (225, 255, "WARNING", 75.0, 75, "us-west-2"),
    # 249 (1 DISCONNECTED out); 83.0 %
    "100000000249": (249, 250, "WARNING", 83.0, 51, "eu-west-1"),
    # 248 + 2 INITIAL_SYNC = 250: CRITICAL (operational limit) reached; 83.33 %
    "100000000250": (250, 250, "CRITICAL", 83.3, 50, "eu-west-1"),
    # 279 (1 STOPPED out); 93.0 %
    "100000000279": (279, 280, "CRITICAL", 93.0, 21, "us-east-1"),
    # 270 + 10 RESCAN = 280: HYPER-CRITICAL; 93.33 %
    "100000000280": (280, 280, "HYPER-CRITICAL", 93.3, 20, "us-west-2"),
    # 310 > hard limit: 103.33 %, slots max(300 − 310, 0) = 0
    "100000000310": (310, 310, "HYPER-CRITICAL", 103.3, 0, "eu-west-1"),
}


def test_band_edges():
    snap = snapshot("band_edges.json", THREE)
    assert snap["complete"] is True
    # 34 + 199 + 200 + 224 + 225 + 249 + 250 + 279 + 280 + 310 = 2250 of 10 × 300 = 3000
    # WARNING at 225/300 × 3000 = 2250 → reached exactly; 75.0 %; op 10 × 250 = 2500
    check_combined(snap, 2250, 3000, 2500, 75.0, 750, "WARNING", 10, 10)
    # target: 34 CONTINUOUS + 2 STOPPED; 34/300 = 11.33 %
    check_account(snap, TARGET, type_="target", replicating=34, total=36, extended=0,
                  status="OK", percent=11.3, available=266)  # fmt: skip
    for account_id, (repl, total, status, percent, available, region) in EDGES.items():
        check_account(snap, account_id, type_="staging", replicating=repl, total=total,
                      extended=0, status=status, percent=percent,
                      available=available)  # fmt: skip
        rows = regions(snap, account_id)
        assert set(rows) == {region}, account_id
        # the same band on the Region's own count (the unit AWS enforces)
        check_region(rows[region], replicating=repl, total=total, extended=0,
                     status=status, percent=percent, available=available)  # fmt: skip
    # recovery: 36 / 4000 = 0.9 %
    check_recovery(snap, 36, 0.9, 3964, "OK")
    expect_warnings(
        snap,
        ("WARNING", "combined", None, None),
        *[(EDGES[a][2], "account", a, None) for a in EDGES if EDGES[a][2] != "OK"],
    )
    for account_id, (_, _, status, _, available, _) in EDGES.items():
        if status != "OK":
            check_account_action(snap, account_id, status, available)
    combined = one_warning(snap, "combined")["action"].lower()
    assert "plan" in combined or "staging account" in combined, combined


# -- Regions split, Region scope, full Region set ------------------------------------------


def test_split_regions_cross_a_band_only_in_total():
    snap = snapshot("split_regions.json", THREE)
    # 222: 130 + 100 + 20 = 250 → CRITICAL; each Region alone is OK (< 200)
    check_account(snap, "222222222222", type_="staging", replicating=250, total=250,
                  extended=0, status="CRITICAL", percent=83.3, available=50,
                  by_state={"CONTINUOUS": 240, "BACKLOG": 10})  # fmt: skip
    r = regions(snap, "222222222222")
    assert set(r) == {"us-east-1", "us-west-2", "eu-west-1"}
    # 130/300 = 43.33 %; 100/300 = 33.33 %; 20/300 = 6.67 %
    check_region(r["us-east-1"], replicating=130, total=130, extended=0, status="OK",
                 percent=43.3, available=170)  # fmt: skip
    check_region(r["us-west-2"], replicating=100, total=100, extended=0, status="OK",
                 percent=33.3, available=200)  # fmt: skip
    check_region(r["eu-west-1"], replicating=20, total=20, extended=0, status="OK",
                 percent=6.7, available=280)  # fmt: skip
    # three Regions read: target 52 + 31 = 83 (27.67 %); ap-northeast-3 not in the set
    check_account(snap, TARGET, type_="target", replicating=83, total=83, extended=0,
                  status="OK", percent=27.7, available=217)  # fmt: skip
    assert set(regions(snap, TARGET)) == {"us-east-1", "eu-west-1"}
    # 333: 110 + 40 = 150 (50 STOPPED out; total 200); 50.0 %
    check_account(snap, "333333333333", type_="staging", replicating=150, total=200,
                  extended=0, status="OK", percent=50.0, available=150)  # fmt: skip
    assert set(regions(snap, "333333333333")) == {"us-east-1", "eu-west-1"}
    # 83 + 250 + 150 = 483 of 900 (53.67 %), op 750, INFO would need 600 → OK
    check_combined(snap, 483, 900, 750, 53.7, 417, "OK", 3, 3)
    # recovery: 83 / 4000 = 2.075 % → 2.1
    check_recovery(snap, 83, 2.1, 3917, "OK")
    expect_warnings(snap, ("CRITICAL", "account", "222222222222", None))
    check_account_action(snap, "222222222222", "CRITICAL", 50)


def test_default_region_set_finds_regions_outside_a_small_set():
    snap = snapshot("split_regions.json", FULL)
    # target: 52 + 31 + 45 (ap-northeast-3) = 128; 42.67 %
    check_account(snap, TARGET, type_="target", replicating=128, total=128, extended=0,
                  status="OK", percent=42.7, available=172)  # fmt: skip
    assert set(regions(snap, TARGET)) == {"us-east-1", "eu-west-1", "ap-northeast-3"}
    # 333: 110 + 40 + 50 (ap-southeast-4) + 25 (sa-east-1) = 225 → WARNING exactly
    # total 225 + 50 STOPPED = 275; 75.0 %
    check_account(snap, "333333333333", type_="staging", replicating=225, total=275,
                  extended=0, status="WARNING", percent=75.0, available=75)  # fmt: skip
    r = regions(snap, "333333333333")
    assert set(r) == {"us-east-1", "eu-west-1", "ap-southeast-4", "sa-east-1"}
    check_region(r["ap-southeast-4"], replicating=50, total=50, extended=0,
                 status="OK", percent=16.7, available=250)  # fmt: skip
    check_region(r["sa-east-1"], replicating=25, total=25, extended=0, status="OK",
                 percent=8.3, available=275)  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=250, total=250,
                  extended=0, status="CRITICAL", percent=83.3, available=50)  # fmt: skip
    # 128 + 250 + 225 = 603 of 900 = 67.0 %; INFO at 600 → INFO
    check_combined(snap, 603, 900, 750, 67.0, 297, "INFO", 3, 3)
    # recovery 128 / 4000 = 3.2 %
    check_recovery(snap, 128, 3.2, 3872, "OK")
    assert snap["complete"] is True
    expect_warnings(
        snap,
        ("CRITICAL", "account", "222222222222", None),
        ("WARNING", "account", "333333333333", None),
        ("INFO", "combined", None, None),
    )
    assert "monitor" in one_warning(snap, "combined")["action"].lower()


def test_region_scope():
    snap = snapshot("split_regions.json", THREE, "--region", "us-east-1")
    assert snap["scope"] == "us-east-1"
    # only us-east-1 counts: target 52 (17.33 %), 222 130 (43.33 %),
    # 333 110 replicating of 160 (36.67 %)
    check_account(snap, TARGET, type_="target", replicating=52, total=52, extended=0,
                  status="OK", percent=17.3, available=248)  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=130, total=130,
                  extended=0, status="OK", percent=43.3, available=170)  # fmt: skip
    check_account(snap, "333333333333", type_="staging", replicating=110, total=160,
                  extended=0, status="OK", percent=36.7, available=190,
                  by_state={"CONTINUOUS": 110, "STOPPED": 50})  # fmt: skip
    for account_id in (TARGET, "222222222222", "333333333333"):
        assert set(regions(snap, account_id)) == {"us-east-1"}
    # 52 + 130 + 110 = 292 of 900 = 32.44 %
    check_combined(snap, 292, 900, 750, 32.4, 608, "OK", 3, 3)
    # recovery in scope: 52 / 4000 = 1.3 %
    check_recovery(snap, 52, 1.3, 3948, "OK")
    assert snap["warnings"] == []


# -- extended servers and every replication state ---------------------------------------


def test_extended_servers_and_every_state():
    snap = snapshot("extended_states.json", "us-east-1,us-west-2")
    # target us-east-1: native 3+2+4+5+6+138+7+8+9+11 = 193, + 40 + 15 extended = 248
    #   replicating 193 − 3 STOPPED − 11 DISCONNECTED = 179 (59.67 %)
    # target us-west-2: 20 + 2 DISCONNECTED + 25 extended = 47; replicating 20 (6.67 %)
    # account: total 248 + 47 = 295, extended 80, replicating 179 + 20 = 199 → OK (66.33 %)
    # byState CONTINUOUS = 138 + 55 + 20 + 25 = 238, DISCONNECTED 11 + 2 = 13
    target_states = {"STOPPED": 3, "INITIATING": 2, "INITIAL_SYNC": 4, "BACKLOG": 5,
                     "CREATING_SNAPSHOT": 6, "CONTINUOUS": 238, "PAUSED": 7,
                     "RESCAN": 8, "STALLED": 9, "DISCONNECTED": 13}  # fmt: skip
    check_account(snap, TARGET, type_="target", replicating=199, total=295, extended=80,
                  status="OK", percent=66.3, available=101,
                  by_state=target_states)  # fmt: skip
    t = regions(snap, TARGET)
    assert set(t) == {"us-east-1", "us-west-2"}
    check_region(t["us-east-1"], replicating=179, total=248, extended=55, status="OK",
                 percent=59.7, available=121)  # fmt: skip
    check_region(t["us-west-2"], replicating=20, total=47, extended=25, status="OK",
                 percent=6.7, available=280,
                 by_state={"CONTINUOUS": 45, "DISCONNECTED": 2})  # fmt: skip
    # 222: 10+1+2+3+4+200+5+6+4+20 = 255 servers; 255 − 10 − 20 = 225 → WARNING (75.0 %)
    staging_states = {"STOPPED": 10, "INITIATING": 1, "INITIAL_SYNC": 2, "BACKLOG": 3,
                      "CREATING_SNAPSHOT": 4, "CONTINUOUS": 200, "PAUSED": 5,
                      "RESCAN": 6, "STALLED": 4, "DISCONNECTED": 20}  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=225, total=255,
                  extended=0, status="WARNING", percent=75.0, available=75,
                  by_state=staging_states)  # fmt: skip
    # 333: 40 + 15 = 55 (5 STOPPED out, total 60); 18.33 %
    check_account(snap, "333333333333", type_="staging", replicating=55, total=60,
                  extended=0, status="OK", percent=18.3, available=245)  # fmt: skip
    # 199 + 225 + 55 = 479 of 900 = 53.22 %
    check_combined(snap, 479, 900, 750, 53.2, 421, "OK", 3, 3)
    # recovery counts extended: 295 / 4000 = 7.375 % → 7.4
    check_recovery(snap, 295, 7.4, 3705, "OK")
    expect_warnings(snap, ("WARNING", "account", "222222222222", None))
    check_account_action(snap, "222222222222", "WARNING", 75)


# -- faulty Regions and an inaccessible staging account ---------------------------------


def test_region_faults_and_inaccessible_account():
    snap = snapshot("region_faults.json", FAULT_REGIONS)
    assert snap["complete"] is False
    # target: us-east-1 81 + 30 + 10 extended = 121, eu-west-1 20 → total 141,
    # replicating 81 + 20 = 101 (33.67 %); extended from the locked account still count
    check_account(snap, TARGET, type_="target", replicating=101, total=141, extended=40,
                  status="OK", percent=33.7, available=199)  # fmt: skip
    assert set(regions(snap, TARGET)) == {"us-east-1", "eu-west-1"}
    # 222: only us-east-1 read: 180 + 25 PAUSED = 205 → INFO (68.33 %), a lower bound
    check_account(snap, "222222222222", type_="staging", replicating=205, total=205,
                  extended=0, status="INFO", percent=68.3, available=95, complete=False,
                  by_state={"CONTINUOUS": 180, "PAUSED": 25})  # fmt: skip
    r = regions(snap, "222222222222")
    # throttled + timed out listed (error); not-enabled, uninitialized left out
    assert set(r) == {"us-east-1", "us-west-2", "eu-west-1"}
    check_region(r["us-east-1"], replicating=205, total=205, extended=0, status="INFO",
                 percent=68.3, available=95)  # fmt: skip
    check_error_region(r["us-west-2"])
    check_error_region(r["eu-west-1"])
    # 333: registered, AssumeRole denied
    check_inaccessible(snap, "333333333333")
    # 444: us-west-2 100 read (33.33 %), eu-central-1 AccessDenied → incomplete
    check_account(snap, "444444444444", type_="staging", replicating=100, total=100,
                  extended=0, status="OK", percent=33.3, available=200,
                  complete=False)  # fmt: skip
    r = regions(snap, "444444444444")
    assert set(r) == {"us-west-2", "eu-central-1"}
    check_error_region(r["eu-central-1"])
    # N = 3 accessible of 4 configured: 101 + 205 + 100 = 406 of 900 = 45.11 %
    check_combined(snap, 406, 900, 750, 45.1, 494, "OK", 4, 3)
    # recovery: 141 / 4000 = 3.525 % → 3.5
    check_recovery(snap, 141, 3.5, 3859, "OK")
    expect_warnings(
        snap,
        ("INFO", "account", "222222222222", None),
        (None, "data", "222222222222", "us-west-2"),
        (None, "data", "222222222222", "eu-west-1"),
        (None, "data", "333333333333", None),
        (None, "data", "444444444444", "eu-central-1"),
    )
    check_account_action(snap, "222222222222", "INFO", 95)


# -- recovery and combined CRITICAL ---------------------------------------------------


def test_recovery_warning_and_combined_critical():
    snap = snapshot("recovery_warning.json", THREE)
    # target us-east-1: 200 + 100 STOPPED + 50 DISCONNECTED + 1500 extended = 1850,
    #   replicating 200 → INFO (66.67 %); us-west-2: 50 + 1300 extended = 1350, 50
    # account: total 3200, extended 2800, replicating 250 → CRITICAL (83.33 %)
    check_account(snap, TARGET, type_="target", replicating=250, total=3200,
                  extended=2800, status="CRITICAL", percent=83.3, available=50,
                  by_state={"CONTINUOUS": 3050, "STOPPED": 100,
                            "DISCONNECTED": 50})  # fmt: skip
    t = regions(snap, TARGET)
    check_region(t["us-east-1"], replicating=200, total=1850, extended=1500,
                 status="INFO", percent=66.7, available=100)  # fmt: skip
    check_region(t["us-west-2"], replicating=50, total=1350, extended=1300,
                 status="OK", percent=16.7, available=250)  # fmt: skip
    # 260 → CRITICAL (86.67 %); 240 → WARNING (80.0 %)
    check_account(snap, "222222222222", type_="staging", replicating=260, total=260,
                  extended=0, status="CRITICAL", percent=86.7, available=40)  # fmt: skip
    check_account(snap, "333333333333", type_="staging", replicating=240, total=240,
                  extended=0, status="WARNING", percent=80.0, available=60)  # fmt: skip
    # 250 + 260 + 240 = 750 of 900: CRITICAL at exactly 750 = 3 × 250; 83.33 %
    check_combined(snap, 750, 900, 750, 83.3, 150, "CRITICAL", 3, 3)
    # recovery: 3200 / 4000 = 80.0 % → WARNING reached at 80 %
    check_recovery(snap, 3200, 80.0, 800, "WARNING")
    expect_warnings(
        snap,
        ("CRITICAL", "combined", None, None),
        ("CRITICAL", "account", TARGET, None),
        ("CRITICAL", "account", "222222222222", None),
        ("WARNING", "recovery", None, None),
        ("WARNING", "account", "333333333333", None),
    )
    # smallest k with 750 < (3 + k) × 250: k = 0 → 750 < 750 no; k = 1 → 750 < 1000
    assert staging_to_add(one_warning(snap, "combined")["action"]) == 1
    recovery = one_warning(snap, "recovery")
    assert "L-E28BE5E0" in recovery["message"] + recovery["action"]
    check_account_action(snap, TARGET, "CRITICAL", 50)
    check_account_action(snap, "222222222222", "CRITICAL", 40)
    check_account_action(snap, "333333333333", "WARNING", 60)


def test_recovery_critical_and_combined_hyper_critical():
    snap = snapshot("recovery_critical.json", THREE)
    # target us-east-1: 240 + 2000 extended = 2240, replicating 240 (WARNING, 80.0 %)
    # eu-west-1: 60 STOPPED + 1300 extended = 1360, replicating 0
    # account: total 3600, extended 3300, replicating 240 → WARNING
    check_account(snap, TARGET, type_="target", replicating=240, total=3600,
                  extended=3300, status="WARNING", percent=80.0, available=60,
                  by_state={"CONTINUOUS": 3540, "STOPPED": 60})  # fmt: skip
    t = regions(snap, TARGET)
    check_region(t["us-east-1"], replicating=240, total=2240, extended=2000,
                 status="WARNING", percent=80.0, available=60)  # fmt: skip
    check_region(t["eu-west-1"], replicating=0, total=1360, extended=1300,
                 status="OK", percent=0.0, available=300)  # fmt: skip
    # 222: 280 + 260 = 540 → HYPER-CRITICAL, 180.0 %, slots max(300 − 540, 0) = 0
    check_account(snap, "222222222222", type_="staging", replicating=540, total=540,
                  extended=0, status="HYPER-CRITICAL", percent=180.0,
                  available=0)  # fmt: skip
    r = regions(snap, "222222222222")
    check_region(r["us-east-1"], replicating=280, total=280, extended=0,
                 status="HYPER-CRITICAL", percent=93.3, available=20)  # fmt: skip
    check_region(r["us-west-2"], replicating=260, total=260, extended=0,
                 status="CRITICAL", percent=86.7, available=40,
                 by_state={"CONTINUOUS": 250, "BACKLOG": 10})  # fmt: skip
    # 333: 220 → INFO (73.33 %)
    check_account(snap, "333333333333", type_="staging", replicating=220, total=220,
                  extended=0, status="INFO", percent=73.3, available=80)  # fmt: skip
    # 240 + 540 + 220 = 1000 of 900 = 111.11 %, ≥ 840 → HYPER-CRITICAL; slots 0
    check_combined(snap, 1000, 900, 750, 111.1, 0, "HYPER-CRITICAL", 3, 3)
    # recovery: 3600 / 4000 = 90.0 % → CRITICAL reached at 90 %
    check_recovery(snap, 3600, 90.0, 400, "CRITICAL")
    expect_warnings(
        snap,
        ("HYPER-CRITICAL", "combined", None, None),
        ("HYPER-CRITICAL", "account", "222222222222", None),
        ("CRITICAL", "recovery", None, None),
        ("WARNING", "account", TARGET, None),
        ("INFO", "account", "333333333333", None),
    )
    # smallest k with 1000 < (3 + k) × 250: k = 1 → 1000 < 1000 no; k = 2 → 1000 < 1250
    assert staging_to_add(one_warning(snap, "combined")["action"]) == 2
    recovery = one_warning(snap, "recovery")
    assert "L-E28BE5E0" in recovery["message"] + recovery["action"]
    check_account_action(snap, "222222222222", "HYPER-CRITICAL", 0)
    check_account_action(snap, TARGET, "WARNING", 60)
    check_account_action(snap, "333333333333", "INFO", 80)


# -- CSV and exit codes ------------------------------------------------------------------

CSV_COLUMNS = [
    "targetAccountId", "accountId", "accountName", "accountType", "region",
    "regionState", "totalServers", "replicatingServers", "extendedServers", *STATES,
    "maxReplicating", "percentUsed", "availableSlots", "status", "error", "collectedAt",
]  # fmt: skip


def test_csv_rows_and_columns():
    done = cli("region_faults.json", FAULT_REGIONS, "--format", "csv")
    assert done.returncode == 0, done.stderr
    reader = csv.DictReader(io.StringIO(done.stdout))
    assert reader.fieldnames == CSV_COLUMNS
    rows = list(reader)
    # one row per account and listed Region: target 2, 222 3, 333 1 (inaccessible), 444 2
    assert sorted((r["accountId"], r["region"]) for r in rows) == [
        (TARGET, "eu-west-1"), (TARGET, "us-east-1"),
        ("222222222222", "eu-west-1"), ("222222222222", "us-east-1"),
        ("222222222222", "us-west-2"),
        ("333333333333", ""),
        ("444444444444", "eu-central-1"), ("444444444444", "us-west-2"),
    ]  # fmt: skip
    by_key = {(r["accountId"], r["region"]): r for r in rows}
    assert all(r["targetAccountId"] == TARGET for r in rows)
    locked = by_key[("333333333333", "")]
    assert (
        locked["error"]
        and locked["totalServers"] == ""
        and locked["status"] == "UNKNOWN"
    )
    ok = by_key[("222222222222", "us-east-1")]
    assert (ok["regionState"], ok["totalServers"], ok["replicatingServers"]) == (
        "ok",
        "205",
        "205",
    )
    assert (ok["CONTINUOUS"], ok["PAUSED"], ok["STOPPED"]) == ("180", "25", "0")
    assert (ok["status"], ok["availableSlots"]) == ("INFO", "95")
    assert float(ok["percentUsed"]) == 68.3
    throttled = by_key[("222222222222", "us-west-2")]
    assert throttled["regionState"] == "error" and throttled["error"]
    assert throttled["replicatingServers"] == "" and throttled["totalServers"] == ""
    target = by_key[(TARGET, "us-east-1")]
    # 81 + 30 + 10 extended = 121 servers, 81 replicating, 40 extended
    assert (target["totalServers"], target["replicatingServers"],
            target["extendedServers"]) == ("121", "81", "40")  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "regions_", "extra", "code"),
    [
        # worst status WARNING (staging-all-states at 225): reached → 3
        ("extended_states.json", "us-east-1,us-west-2", ("--fail-on", "WARNING"), 3),
        # … CRITICAL not reached → 0
        ("extended_states.json", "us-east-1,us-west-2", ("--fail-on", "CRITICAL"), 0),
        # only us-east-1 in scope: every status OK → 0
        (
            "split_regions.json",
            THREE,
            ("--region", "us-east-1", "--fail-on", "WARNING"),
            0,
        ),
        # recovery CRITICAL, combined HYPER-CRITICAL → 3
        ("recovery_critical.json", THREE, ("--fail-on", "HYPER-CRITICAL"), 3),
    ],
)
def test_fail_on_exit_codes(scenario, regions_, extra, code):
    done = cli(scenario, regions_, *extra)
    assert done.returncode == code, done.stderr
    assert json.loads(done.stdout)["success"] is True  # the report is still printed
