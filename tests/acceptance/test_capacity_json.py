"""Acceptance: `python cli.py --scenario FILE capacity TARGET --format json` on scenario files
the product has not seen, against numbers computed by hand from SPEC §3–§5, §7–§9, for the
account × Region model of SPEC §4 (issue 7).

Every expected number below is a literal with its arithmetic in a comment. Rules used:
  replicating = servers not STOPPED/DISCONNECTED and not extended; total = every server
  (extended included).
  The unit is the account × Region (a, r) with its limit L(a, r) (quota L-C1D14A2B): applied
  value where the scenario's "quotas" gives one (limitSource "applied"), else AWS's default
  300 ("aws-default"); the setting 300 ("setting") where Service Quotas is denied, and for
  every Region not read as `ok` (limits are read for `ok` Regions only, SPEC §4.1).
  Bands on r / L, reached at the threshold: INFO ≥ 2/3, WARNING ≥ 3/4, CRITICAL ≥ 5/6,
  HYPER-CRITICAL ≥ 14/15 (200/225/250/280 at L = 300; 334/375/417/467 at 500; 67/75/84/94
  at 100); operationalLimit = ceil(5/6 L); percentUsed = r / L × 100 to one decimal;
  availableSlots = max(L − r, 0).
  Account: status = worst of its Regions (UNKNOWN < OK < INFO …); busiestRegion = highest
  r / L (ties alphabetical), whose L, operational limit, percent and slots the account shows;
  replicating/total/extended/byState are sums (informational).
  Combined per Region: Σ replicating of accessible accounts vs Σ L(a, r) (the setting's 300
  where r is not `ok` for a); listed where a Region holds servers or is in error; `combined`
  = the binding Region (highest total / max, ties alphabetical).
  Recovery per Region: the target's totalServers in r vs RL(t, r) (L-E28BE5E0, default
  4,000): WARNING ≥ 80 %, CRITICAL ≥ 90 %; recoveryCapacity = the busiest such Region.
  Overall status = worst of combined, every account and recovery.
  Warnings: one per account × Region at INFO+, one per Region for combined at INFO+ (at
  CRITICAL+ "add k" with k the smallest k ≥ 1 such that total × 6 < 5 × (max + k × 300)),
  recovery per Region at WARNING+, data per inaccessible account and per error Region.
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

import botocore.session
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
# SPEC §4.2's rank for "worst of"
RANK = {"UNKNOWN": 0, "OK": 1, "INFO": 2, "WARNING": 3, "CRITICAL": 4,
        "HYPER-CRITICAL": 5}  # fmt: skip
DEFAULT = "aws-default"
APPLIED = "applied"
SETTING = "setting"


# -- running the CLI ------------------------------------------------------------------


def _env(regions: str | None, extra_env: tuple) -> dict:
    """The caller's environment without product settings, with fake AWS credentials."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DRS_CAPACITY_")
        and k not in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB",
                      "LIMITS_SOURCE", "QUOTA_TTL_SECONDS")
    }  # fmt: skip
    env |= FAKE_AWS_ENV
    if regions is not None:
        env["DRS_CAPACITY_REGIONS"] = regions
    env |= dict(extra_env)
    return env


@cache
def cli(scenario: str, regions: str | None, *extra: str,
        env: tuple = ()) -> subprocess.CompletedProcess:  # fmt: skip
    """`python cli.py --scenario FILE capacity TARGET --format json [extra]` (cached)."""
    argv = [sys.executable, "cli.py", "--scenario", str(SCENARIOS / scenario),
            "capacity", TARGET, "--format", "json", *extra]  # fmt: skip
    return subprocess.run(
        argv, cwd=ROOT, env=_env(regions, env), capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip


def snapshot(scenario: str, regions: str | None, *extra: str, env: tuple = ()) -> dict:
    done = cli(scenario, regions, *extra, env=env)
    assert done.returncode == 0, (done.returncode, done.stdout[-2000:], done.stderr)
    body = json.loads(done.stdout)
    assert body["success"] is True, body
    return body


# -- assertions -------------------------------------------------------------------------

UNIT_KEYS = ("replicatingServers", "totalServers", "extendedServers", "maxReplicating",
             "limitSource", "operationalLimit", "percentUsed", "availableSlots",
             "status")  # fmt: skip


def account(snap, account_id) -> dict:
    found = [a for a in snap["accounts"] if a["accountId"] == account_id]
    assert len(found) == 1, [a["accountId"] for a in snap["accounts"]]
    return found[0]


def regions(snap, account_id) -> dict:
    """regionalBreakdown as {region: row}; also checks it is listed once per Region."""
    rows = account(snap, account_id)["regionalBreakdown"]
    names = [r["region"] for r in rows]
    assert len(names) == len(set(names)), names
    return {r["region"]: r for r in rows}


def full_states(counts: dict) -> dict:
    return {s: counts.get(s, 0) for s in STATES}


def check_region(row, replicating, total, extended, limit, source, operational, percent,
                 available, status, by_state=None):  # fmt: skip
    """One account × Region row (state ok)."""
    got = {k: row[k] for k in ("state", *UNIT_KEYS)}
    assert got == {
        "state": "ok", "replicatingServers": replicating, "totalServers": total,
        "extendedServers": extended, "maxReplicating": limit, "limitSource": source,
        "operationalLimit": operational, "percentUsed": percent,
        "availableSlots": available, "status": status,
    }, row["region"]  # fmt: skip
    if by_state is not None:
        assert row["byState"] == full_states(by_state), row["region"]
    assert sum(row["byState"].values()) == total, row["region"]


def check_error_region(row):
    """A Region in error: counts unknown, never zero; not read, so the setting's limit."""
    assert row["state"] == "error", row
    for key in ("replicatingServers", "totalServers", "extendedServers", "byState",
                "percentUsed", "availableSlots"):  # fmt: skip
        assert row[key] is None, (row["region"], key)
    assert row["status"] == "UNKNOWN", row
    assert (row["maxReplicating"], row["limitSource"], row["operationalLimit"]) == (
        300, SETTING, 250), row  # fmt: skip
    assert row["error"] and row["error"]["code"], row


def check_account(snap, account_id, *, type_, replicating, total, extended, status,
                  busiest, limit, operational, percent, available, complete=True,
                  by_state=None, empty=None):  # fmt: skip
    """An account: sums over its Regions, the worst status, the busiest Region's figures."""
    a = account(snap, account_id)
    got = {k: a[k] for k in ("accountType", "accessible", "complete", "replicatingServers",
                             "totalServers", "extendedServers", "status", "busiestRegion",
                             "maxReplicating", "operationalLimit", "percentUsed",
                             "availableSlots")}  # fmt: skip
    assert got == {
        "accountType": type_, "accessible": True, "complete": complete,
        "replicatingServers": replicating, "totalServers": total,
        "extendedServers": extended, "status": status, "busiestRegion": busiest,
        "maxReplicating": limit, "operationalLimit": operational, "percentUsed": percent,
        "availableSlots": available,
    }, account_id  # fmt: skip
    if by_state is not None:
        assert a["byState"] == full_states(by_state), account_id
    if a["byState"] is not None and complete:
        # byState counts every server, extended ones (CONTINUOUS) included
        assert sum(a["byState"].values()) == total, account_id
    if empty is not None:
        got_empty = {k: v for k, v in (a["emptyRegions"] or {}).items() if v}
        assert got_empty == empty, account_id
    # the account is the worst of its Regions (SPEC §4.3), whatever the scenario
    rows = a["regionalBreakdown"]
    if rows:
        assert RANK[a["status"]] == max(RANK[r["status"]] for r in rows), account_id
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


COMBINED_KEYS = ("totalReplicating", "maxReplicating", "operationalLimit", "percentUsed",
                 "availableSlots", "status")  # fmt: skip


def combined_regions(snap) -> dict:
    rows = snap["combinedByRegion"]
    names = [r["region"] for r in rows]
    assert len(names) == len(set(names)) and None not in names, names
    return {r["region"]: r for r in rows}


def check_combined_region(snap, region, total, maximum, operational, percent, available,
                          status):  # fmt: skip
    row = combined_regions(snap)[region]
    assert {k: row[k] for k in COMBINED_KEYS} == dict(
        zip(COMBINED_KEYS, (total, maximum, operational, percent, available, status),
            strict=True)
    ), region  # fmt: skip


def check_combined(snap, region, total, maximum, operational, percent, available, status,
                   configured, reporting, *, listed=True):  # fmt: skip
    """The headline combined figures: the binding Region's (also its combinedByRegion row,
    unless the Region holds no servers and is not in error: then it is not listed)."""
    c = snap["combined"]
    got = {k: c[k] for k in ("region", *COMBINED_KEYS, "configuredAccounts",
                             "reportingAccounts")}  # fmt: skip
    assert got == {
        "region": region, "totalReplicating": total, "maxReplicating": maximum,
        "operationalLimit": operational, "percentUsed": percent,
        "availableSlots": available, "status": status,
        "configuredAccounts": configured, "reportingAccounts": reporting,
    }  # fmt: skip
    if region is not None and listed:
        check_combined_region(snap, region, total, maximum, operational, percent,
                              available, status)  # fmt: skip


RECOVERY_KEYS = ("region", "currentServers", "maxRecoveryInstances", "limitSource",
                 "percentUsed", "availableSlots", "status")  # fmt: skip


def recovery_regions(snap) -> dict:
    rows = snap["recoveryByRegion"]
    names = [r["region"] for r in rows]
    assert len(names) == len(set(names)), names
    return {r["region"]: r for r in rows}


def check_recovery_region(snap, region, current, maximum, source, percent, available,
                          status):  # fmt: skip
    row = recovery_regions(snap)[region]
    expected = (region, current, maximum, source, percent, available, status)
    assert {k: row[k] for k in RECOVERY_KEYS} == dict(
        zip(RECOVERY_KEYS, expected, strict=True)), region  # fmt: skip


def check_recovery(snap, region, current, maximum, source, percent, available, status):
    """recoveryCapacity: the target's busiest Region."""
    row = snap["recoveryCapacity"]
    expected = (region, current, maximum, source, percent, available, status)
    assert {k: row[k] for k in RECOVERY_KEYS} == dict(
        zip(RECOVERY_KEYS, expected, strict=True))  # fmt: skip


def warning_keys(snap) -> list[tuple]:
    """(level, scope, accountId, region) of every warning, sorted; data warnings without a
    level and combined/recovery ones without an account (SPEC fixes neither). Also checks
    the order (most severe first) and that every warning has a message and an action."""
    warnings = snap["warnings"]
    levels = [RANK[w["level"]] for w in warnings]
    assert levels == sorted(levels, reverse=True), "warnings not most severe first"
    for w in warnings:
        assert w["message"] and w["action"], w
        assert w["scope"] in ("account", "combined", "recovery", "data"), w
        if w["scope"] != "data":
            assert w["region"], w  # per account × Region, per Region
    keys = [
        (None if w["scope"] == "data" else w["level"], w["scope"],
         w.get("accountId") if w["scope"] in ("account", "data") else None,
         w.get("region"))
        for w in warnings
    ]  # fmt: skip
    return sorted(keys, key=repr)


def expect_warnings(snap, *expected):
    assert warning_keys(snap) == sorted(expected, key=repr)


def one_warning(snap, scope, account_id=None, region=None) -> dict:
    found = [
        w for w in snap["warnings"]
        if w["scope"] == scope
        and (scope not in ("account", "data") or w.get("accountId") == account_id)
        and (region is None or w.get("region") == region)
    ]  # fmt: skip
    assert len(found) == 1, (scope, account_id, region, snap["warnings"])
    return found[0]


def staging_to_add(action: str) -> int:
    """The number the combined action asks to add ("Add 2 staging accounts …")."""
    found = re.search(r"\badd\D*?(\d+)", action, re.IGNORECASE)
    assert found and "staging account" in action.lower(), action
    return int(found.group(1))


def check_account_action(snap, account_id, region, level, slots):
    action = one_warning(snap, "account", account_id, region)["action"].lower()
    if level == "INFO":
        assert "monitor" in action, action
    elif level == "WARNING":
        assert "plan" in action and "staging account" in action, action
    elif level == "CRITICAL":
        assert "add" in action and "now" in action, action
    else:  # HYPER-CRITICAL: immediate action with the slots left
        assert "immediate" in action, action
        assert str(slots) in re.findall(r"\d+", action), action


def check_limit_noted(snap, account_id, region, limit, direction):
    """SPEC §5: where the limit was raised or is below AWS's default, the message says so."""
    w = one_warning(snap, "account", account_id, region)
    text = f"{w['message']} {w['action']}"
    assert str(limit) in re.findall(r"\d+", text.replace(",", "")), text
    words = (
        r"rais|increas|above" if direction == "raised" else r"below|lower|reduc|decreas"
    )
    assert re.search(words, text, re.IGNORECASE), text


# -- (a) SPEC §9 example -------------------------------------------------------------------


def test_spec_example():
    snap = snapshot("spec_example.json", THREE)
    assert snap["targetAccountId"] == TARGET and snap["scope"] == "all"
    assert snap["complete"] is False  # 222 has us-west-2 in error
    # 333333333333 is in the fleet but not registered: not configured, not reported
    assert [a["accountId"] for a in snap["accounts"]].count("333333333333") == 0
    # target us-east-1: 120 CONTINUOUS + 3 STALLED + 4 STOPPED + 50 extended (CONTINUOUS)
    # = 177 servers; replicating 120 + 3 = 123 (STOPPED and extended out); no "quotas":
    # L = AWS's default 300; 123/300 = 41.0 %, 300 − 123 = 177 slots, OK
    t = regions(snap, TARGET)
    assert set(t) == {"us-east-1"}  # eu-west-1 uninitialized, us-west-2 absent
    check_region(t["us-east-1"], 123, 177, 50, 300, DEFAULT, 250, 41.0, 177, "OK",
                 by_state={"CONTINUOUS": 170, "STALLED": 3, "STOPPED": 4})  # fmt: skip
    check_account(snap, TARGET, type_="target", replicating=123, total=177, extended=50,
                  status="OK", busiest="us-east-1", limit=300, operational=250,
                  percent=41.0, available=177,
                  empty={"uninitialized": 2})  # fmt: skip
    # staging 222: us-east-1 50 (16.67 %, 250 slots); us-west-2 throttled: unknown
    s = regions(snap, "222222222222")
    assert set(s) == {"us-east-1", "us-west-2"}
    check_region(s["us-east-1"], 50, 50, 0, 300, DEFAULT, 250, 16.7, 250, "OK",
                 by_state={"CONTINUOUS": 50})  # fmt: skip
    check_error_region(s["us-west-2"])
    # worst of OK and UNKNOWN is OK (UNKNOWN never hides a known level); busiest: the
    # only Region read
    check_account(snap, "222222222222", type_="staging", replicating=50, total=50,
                  extended=0, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=16.7, available=250, complete=False,
                  empty={"uninitialized": 1})  # fmt: skip
    # combined per Region (N = 2):
    #  us-east-1: 123 + 50 = 173 of 300 + 300 = 600; op ceil(5/6 × 600) = 500;
    #    28.83 % → 28.8; 427 slots; OK (INFO from 400)
    #  us-west-2 (listed: in error for 222): 0 counted of 300 (target, not read: setting)
    #    + 300 (222, error: setting) = 600; 0.0 %
    #  eu-west-1: no servers, no error → not listed
    assert set(combined_regions(snap)) == {"us-east-1", "us-west-2"}
    check_combined_region(snap, "us-west-2", 0, 600, 500, 0.0, 600, "OK")
    # binding: us-east-1 (28.8 % > 0 %)
    check_combined(snap, "us-east-1", 173, 600, 500, 28.8, 427, "OK", 2, 2)
    # recovery: us-east-1 177 of 4,000 (AWS default) = 4.425 % → 4.4; 3823 slots
    assert set(recovery_regions(snap)) == {"us-east-1"}
    check_recovery(snap, "us-east-1", 177, 4000, DEFAULT, 4.4, 3823, "OK")
    assert snap["status"] == "OK"
    expect_warnings(snap, (None, "data", "222222222222", "us-west-2"))


# -- (b) one Region: the seed's numbers ------------------------------------------------------


@pytest.mark.parametrize("scope", [(), ("--region", "us-east-1")])
def test_one_region_estate_gives_the_seeds_numbers(scope):
    snap = snapshot("one_region.json", THREE, *scope)
    assert snap["scope"] == ("us-east-1" if scope else "all")
    # target: 250 CONTINUOUS + 100 STOPPED + 50 DISCONNECTED + 1500 + 1300 extended
    #   = 3200 servers, replicating 250 → CRITICAL (250 = 5/6 × 300), 83.33 %, 50 slots
    check_account(snap, TARGET, type_="target", replicating=250, total=3200,
                  extended=2800, status="CRITICAL", busiest="us-east-1", limit=300,
                  operational=250, percent=83.3, available=50,
                  by_state={"CONTINUOUS": 3050, "STOPPED": 100,
                            "DISCONNECTED": 50})  # fmt: skip
    check_region(regions(snap, TARGET)["us-east-1"], 250, 3200, 2800, 300, DEFAULT, 250,
                 83.3, 50, "CRITICAL")  # fmt: skip
    # 260 → CRITICAL (86.67 %, 40 slots); 240 → WARNING (80.0 %, 60 slots)
    check_account(snap, "222222222222", type_="staging", replicating=260, total=260,
                  extended=0, status="CRITICAL", busiest="us-east-1", limit=300,
                  operational=250, percent=86.7, available=40)  # fmt: skip
    check_account(snap, "333333333333", type_="staging", replicating=240, total=240,
                  extended=0, status="WARNING", busiest="us-east-1", limit=300,
                  operational=250, percent=80.0, available=60)  # fmt: skip
    # the seed's combined: 250 + 260 + 240 = 750 of N × 300 = 900, op N × 250 = 750:
    # CRITICAL reached exactly; 83.33 %; 150 slots
    assert set(combined_regions(snap)) == {"us-east-1"}
    check_combined(snap, "us-east-1", 750, 900, 750, 83.3, 150, "CRITICAL", 3, 3)
    # recovery: 3200 / 4000 = 80.0 % → WARNING reached at 80 %; 800 slots
    check_recovery(snap, "us-east-1", 3200, 4000, DEFAULT, 80.0, 800, "WARNING")
    assert snap["status"] == "CRITICAL"
    expect_warnings(
        snap,
        ("CRITICAL", "combined", None, "us-east-1"),
        ("CRITICAL", "account", TARGET, "us-east-1"),
        ("CRITICAL", "account", "222222222222", "us-east-1"),
        ("WARNING", "recovery", None, "us-east-1"),
        ("WARNING", "account", "333333333333", "us-east-1"),
    )
    # k: 750 × 6 = 4500 < 5 × (900 + 1 × 300) = 6000 → k = 1 (the seed's: smallest k
    # with 750 < (3 + k) × 250)
    assert staging_to_add(one_warning(snap, "combined")["action"]) == 1
    recovery = one_warning(snap, "recovery")
    assert "L-E28BE5E0" in recovery["message"] + recovery["action"]
    check_account_action(snap, TARGET, "us-east-1", "CRITICAL", 50)
    check_account_action(snap, "222222222222", "us-east-1", "CRITICAL", 40)
    check_account_action(snap, "333333333333", "us-east-1", "WARNING", 60)


# -- (c) issue 7: servers split over Regions -----------------------------------------------


def test_split_regions_are_judged_per_region():
    snap = snapshot("split_regions.json", THREE)
    assert snap["complete"] is True
    # 222: 140 + 10 BACKLOG = 150 in us-east-1, 150 in us-west-2: each 50.0 % of its own
    # 300, OK; the seed's sum (300 ≥ 280) said HYPER-CRITICAL. Busiest: a tie at 150/300,
    # us-east-1 first alphabetically; 150 slots
    r = regions(snap, "222222222222")
    assert set(r) == {"us-east-1", "us-west-2"}
    check_region(r["us-east-1"], 150, 150, 0, 300, DEFAULT, 250, 50.0, 150, "OK",
                 by_state={"CONTINUOUS": 140, "BACKLOG": 10})  # fmt: skip
    check_region(r["us-west-2"], 150, 150, 0, 300, DEFAULT, 250, 50.0, 150, "OK")
    check_account(snap, "222222222222", type_="staging", replicating=300, total=300,
                  extended=0, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=50.0, available=150,
                  empty={"uninitialized": 1})  # fmt: skip
    # staging-west-01: us-west-2 160 + 4 INITIAL_SYNC + 2 INITIATING = 166 (3 STOPPED out,
    # 169 servers): 55.33 %, 134 slots; us-east-1 44 (50 STOPPED out, 94 servers):
    # 14.67 %, 256 slots; both OK → OK, busiest us-west-2; sums 210 of 263
    r = regions(snap, "333333333333")
    assert set(r) == {"us-west-2", "us-east-1"}
    check_region(r["us-west-2"], 166, 169, 0, 300, DEFAULT, 250, 55.3, 134, "OK",
                 by_state={"CONTINUOUS": 160, "INITIAL_SYNC": 4, "INITIATING": 2,
                           "STOPPED": 3})  # fmt: skip
    check_region(r["us-east-1"], 44, 94, 0, 300, DEFAULT, 250, 14.7, 256, "OK")
    check_account(snap, "333333333333", type_="staging", replicating=210, total=263,
                  extended=0, status="OK", busiest="us-west-2", limit=300,
                  operational=250, percent=55.3, available=134)  # fmt: skip
    # target: us-east-1 52 (17.33 %), eu-west-1 31 (10.33 %); ap-northeast-3 not in the set
    t = regions(snap, TARGET)
    assert set(t) == {"us-east-1", "eu-west-1"}
    check_region(t["eu-west-1"], 31, 31, 0, 300, DEFAULT, 250, 10.3, 269, "OK")
    check_account(snap, TARGET, type_="target", replicating=83, total=83, extended=0,
                  status="OK", busiest="us-east-1", limit=300, operational=250,
                  percent=17.3, available=248, empty={"uninitialized": 1})  # fmt: skip
    # combined per Region, each of 3 × 300 = 900 (op 750):
    #  us-east-1: 52 + 150 + 44 = 246 (27.33 %, 654); us-west-2: 0 + 150 + 166 = 316
    #  (35.11 %, 584; the target is uninitialized there: the setting's 300 still counts);
    #  eu-west-1: 31 (3.44 %, 869). Binding: us-west-2. (The seed: 593 of 900, INFO.)
    assert set(combined_regions(snap)) == {"us-east-1", "us-west-2", "eu-west-1"}
    check_combined_region(snap, "us-east-1", 246, 900, 750, 27.3, 654, "OK")
    check_combined_region(snap, "eu-west-1", 31, 900, 750, 3.4, 869, "OK")
    check_combined(snap, "us-west-2", 316, 900, 750, 35.1, 584, "OK", 3, 3)
    # recovery: us-east-1 52 / 4000 = 1.3 %; eu-west-1 31 → 0.775 % → 0.8
    check_recovery_region(snap, "eu-west-1", 31, 4000, DEFAULT, 0.8, 3969, "OK")
    check_recovery(snap, "us-east-1", 52, 4000, DEFAULT, 1.3, 3948, "OK")
    assert snap["status"] == "OK"
    assert snap["warnings"] == []


def test_default_region_set_finds_regions_outside_a_small_set():
    snap = snapshot("split_regions.json", FULL)
    assert snap["complete"] is True
    every = botocore.session.get_session().get_available_regions("drs")
    # target: + ap-northeast-3 45 (15.0 %); busiest still us-east-1 (17.33 %)
    t = regions(snap, TARGET)
    assert set(t) == {"us-east-1", "eu-west-1", "ap-northeast-3"}
    check_region(t["ap-northeast-3"], 45, 45, 0, 300, DEFAULT, 250, 15.0, 255, "OK")
    check_account(snap, TARGET, type_="target", replicating=128, total=128, extended=0,
                  status="OK", busiest="us-east-1", limit=300, operational=250,
                  percent=17.3, available=248,
                  empty={"uninitialized": len(every) - 3})  # fmt: skip
    # staging-west-01: 166 + 44 + 50 (ap-southeast-4) + 25 (sa-east-1) = 285 replicating
    # (the seed's sum: HYPER-CRITICAL); per Region all OK, busiest us-west-2 (55.33 %)
    r = regions(snap, "333333333333")
    assert set(r) == {"us-west-2", "us-east-1", "ap-southeast-4", "sa-east-1"}
    check_region(r["ap-southeast-4"], 50, 50, 0, 300, DEFAULT, 250, 16.7, 250, "OK")
    check_region(r["sa-east-1"], 25, 25, 0, 300, DEFAULT, 250, 8.3, 275, "OK")
    check_account(snap, "333333333333", type_="staging", replicating=285, total=338,
                  extended=0, status="OK", busiest="us-west-2", limit=300,
                  operational=250, percent=55.3, available=134)  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=300, total=300,
                  extended=0, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=50.0, available=150)  # fmt: skip
    # combined adds three Regions of 900: ap-northeast-3 45 (5.0 %), ap-southeast-4 50
    # (5.56 %), sa-east-1 25 (2.78 %); binding still us-west-2 (316, 35.11 %)
    assert set(combined_regions(snap)) == {
        "us-east-1", "us-west-2", "eu-west-1", "ap-northeast-3", "ap-southeast-4",
        "sa-east-1"}  # fmt: skip
    check_combined_region(snap, "ap-northeast-3", 45, 900, 750, 5.0, 855, "OK")
    check_combined_region(snap, "ap-southeast-4", 50, 900, 750, 5.6, 850, "OK")
    check_combined_region(snap, "sa-east-1", 25, 900, 750, 2.8, 875, "OK")
    check_combined(snap, "us-west-2", 316, 900, 750, 35.1, 584, "OK", 3, 3)
    # recovery: ap-northeast-3 45 / 4000 = 1.125 % → 1.1; busiest us-east-1 (52)
    assert set(recovery_regions(snap)) == {"us-east-1", "eu-west-1", "ap-northeast-3"}
    check_recovery_region(snap, "ap-northeast-3", 45, 4000, DEFAULT, 1.1, 3955, "OK")
    check_recovery(snap, "us-east-1", 52, 4000, DEFAULT, 1.3, 3948, "OK")
    assert snap["status"] == "OK"
    assert snap["warnings"] == []


def test_region_scope():
    snap = snapshot("split_regions.json", THREE, "--region", "us-east-1")
    assert snap["scope"] == "us-east-1"
    # only us-east-1 counts: target 52 (17.33 %), 222 150 (50.0 %),
    # 333 44 replicating of 94 (14.67 %)
    check_account(snap, TARGET, type_="target", replicating=52, total=52, extended=0,
                  status="OK", busiest="us-east-1", limit=300, operational=250,
                  percent=17.3, available=248)  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=150, total=150,
                  extended=0, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=50.0, available=150)  # fmt: skip
    check_account(snap, "333333333333", type_="staging", replicating=44, total=94,
                  extended=0, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=14.7, available=256,
                  by_state={"CONTINUOUS": 44, "STOPPED": 50})  # fmt: skip
    for account_id in (TARGET, "222222222222", "333333333333"):
        assert set(regions(snap, account_id)) == {"us-east-1"}
    # 52 + 150 + 44 = 246 of 900 = 27.33 %
    assert set(combined_regions(snap)) == {"us-east-1"}
    check_combined(snap, "us-east-1", 246, 900, 750, 27.3, 654, "OK", 3, 3)
    check_recovery(snap, "us-east-1", 52, 4000, DEFAULT, 1.3, 3948, "OK")
    assert snap["status"] == "OK"
    assert snap["warnings"] == []


def test_region_scope_where_the_target_has_no_servers():
    snap = snapshot("split_regions.json", THREE, "--region", "us-west-2")
    assert snap["scope"] == "us-west-2"
    # the target has nothing in us-west-2 (uninitialized): OK, no busiest Region, the
    # setting's L (300, op 250), 0 replicating → 0.0 %, 300 slots
    check_account(snap, TARGET, type_="target", replicating=0, total=0, extended=0,
                  status="OK", busiest=None, limit=300, operational=250, percent=0.0,
                  available=300)  # fmt: skip
    assert regions(snap, TARGET) == {}
    # 0 + 150 + 166 = 316 of 300 (setting, target not read) + 300 + 300 = 900
    check_combined(snap, "us-west-2", 316, 900, 750, 35.1, 584, "OK", 3, 3)
    # recovery: the scoped Region even when empty: 0 of the setting's 4,000 (not read)
    check_recovery(snap, "us-west-2", 0, 4000, SETTING, 0.0, 4000, "OK")
    assert snap["status"] == "OK"
    assert snap["warnings"] == []


# -- (d) band edges per account × Region -----------------------------------------------------

# account: {Region: (replicating, total, percent, slots, status)}, account status, busiest
EDGES = {
    "100000000200": (
        {
            # 190 + 9 BACKLOG = 199 (7 STOPPED out): 66.33 %, OK
            "us-east-1": (199, 206, 66.3, 101, "OK"),
            # 195 + 5 PAUSED = 200 (6 DISCONNECTED out): INFO reached at 200; 66.67 %
            "us-west-2": (200, 206, 66.7, 100, "INFO"),
        },
        "INFO",
        "us-west-2",
    ),
    "100000000225": (
        {
            # 224: 74.67 %, INFO
            "us-east-1": (224, 224, 74.7, 76, "INFO"),
            # 220 + 5 STALLED = 225 (30 STOPPED out): WARNING reached at 225; 75.0 %
            "eu-west-1": (225, 255, 75.0, 75, "WARNING"),
        },
        "WARNING",
        "eu-west-1",
    ),
    "100000000250": (
        {
            # 249 (1 DISCONNECTED out): 83.0 %, WARNING
            "us-west-2": (249, 250, 83.0, 51, "WARNING"),
            # 248 + 2 INITIAL_SYNC = 250: CRITICAL (operational limit) reached; 83.33 %
            "eu-west-1": (250, 250, 83.3, 50, "CRITICAL"),
        },
        "CRITICAL",
        "eu-west-1",
    ),
    "100000000280": (
        {
            # 279 (1 STOPPED out): 93.0 %, CRITICAL
            "us-east-1": (279, 280, 93.0, 21, "CRITICAL"),
            # 270 + 10 RESCAN = 280: HYPER-CRITICAL (14/15 × 300); 93.33 %
            "us-west-2": (280, 280, 93.3, 20, "HYPER-CRITICAL"),
        },
        "HYPER-CRITICAL",
        "us-west-2",
    ),
    "100000000310": (
        {
            # 310 > the hard limit: 103.33 %, slots max(300 − 310, 0) = 0
            "us-east-1": (310, 310, 103.3, 0, "HYPER-CRITICAL"),
            # 12 STOPPED only: listed (it holds servers), 0 replicating, 0.0 %
            "eu-west-1": (0, 12, 0.0, 300, "OK"),
        },
        "HYPER-CRITICAL",
        "us-east-1",
    ),
}


def test_band_edges_per_account_and_region():
    snap = snapshot("band_edges.json", THREE)
    assert snap["complete"] is True
    for account_id, (rows, status, busiest) in EDGES.items():
        got = regions(snap, account_id)
        assert set(got) == set(rows), account_id
        for region, (repl, total, percent, slots, row_status) in rows.items():
            check_region(got[region], repl, total, 0, 300, DEFAULT, 250, percent, slots,
                         row_status)  # fmt: skip
        # the account takes its worst Region and shows its busiest Region's figures
        repl, total, percent, slots, _ = rows[busiest]
        check_account(snap, account_id, type_="staging",
                      replicating=sum(v[0] for v in rows.values()),
                      total=sum(v[1] for v in rows.values()), extended=0, status=status,
                      busiest=busiest, limit=300, operational=250, percent=percent,
                      available=slots)  # fmt: skip
    # target: 186 + 2 CREATING_SNAPSHOT = 188 (3 STOPPED out, 191 servers): 62.67 %
    check_account(snap, TARGET, type_="target", replicating=188, total=191, extended=0,
                  status="OK", busiest="us-east-1", limit=300, operational=250,
                  percent=62.7, available=112)  # fmt: skip
    # combined, N = 6, every Region 6 × 300 = 1800, op 1500:
    #  us-east-1: 188 + 199 + 224 + 279 + 310 = 1200 = 2/3 × 1800 → INFO reached; 66.67 %
    #  us-west-2: 200 + 249 + 280 = 729 → 40.5 %, OK; eu-west-1: 225 + 250 + 0 = 475 →
    #  26.39 %, OK. Binding us-east-1. (The seed's sums: 2404 of 1800, HYPER-CRITICAL.)
    assert set(combined_regions(snap)) == {"us-east-1", "us-west-2", "eu-west-1"}
    check_combined_region(snap, "us-west-2", 729, 1800, 1500, 40.5, 1071, "OK")
    check_combined_region(snap, "eu-west-1", 475, 1800, 1500, 26.4, 1325, "OK")
    check_combined(snap, "us-east-1", 1200, 1800, 1500, 66.7, 600, "INFO", 6, 6)
    # recovery: 191 / 4000 = 4.775 % → 4.8
    check_recovery(snap, "us-east-1", 191, 4000, DEFAULT, 4.8, 3809, "OK")
    assert snap["status"] == "HYPER-CRITICAL"
    expected = [("INFO", "combined", None, "us-east-1")]
    for account_id, (rows, _, _) in EDGES.items():
        for region, (_, _, _, slots, row_status) in rows.items():
            if row_status != "OK":
                expected.append((row_status, "account", account_id, region))
                check_account_action(snap, account_id, region, row_status, slots)
    expect_warnings(snap, *expected)
    assert "monitor" in one_warning(snap, "combined")["action"].lower()


# -- (e) raised, lowered and unreadable quotas ----------------------------------------------


def test_raised_lowered_and_unreadable_quotas():
    snap = snapshot("quotas.json", THREE)
    assert snap["complete"] is True
    # staging-raised us-east-1: 330 + 10 BACKLOG = 340 (5 STOPPED out, 345 servers) of an
    # applied 500: 68.0 %, INFO (2/3 × 500 = 333.3 ≤ 340 < 375), op ceil(416.7) = 417,
    # 160 slots. us-west-2: 210 of AWS's default 300: 70.0 %, INFO.
    # Busiest by ratio: us-west-2 (0.70 > 0.68) though us-east-1 holds more servers.
    r = regions(snap, "222222222222")
    check_region(r["us-east-1"], 340, 345, 0, 500, APPLIED, 417, 68.0, 160, "INFO")
    check_region(r["us-west-2"], 210, 210, 0, 300, DEFAULT, 250, 70.0, 90, "INFO")
    check_account(snap, "222222222222", type_="staging", replicating=550, total=555,
                  extended=0, status="INFO", busiest="us-west-2", limit=300,
                  operational=250, percent=70.0, available=90)  # fmt: skip
    # staging-lowered us-west-2: 80 + 4 PAUSED = 84 (2 DISCONNECTED out) of an applied 100:
    # 84 ≥ 5/6 × 100 = 83.3 → CRITICAL, 84.0 %, op ceil(83.3) = 84, 16 slots.
    # us-east-1: 150 of 300, 50.0 %, OK. Worst CRITICAL, busiest us-west-2 (0.84 > 0.5).
    r = regions(snap, "333333333333")
    check_region(r["us-west-2"], 84, 86, 0, 100, APPLIED, 84, 84.0, 16, "CRITICAL")
    check_region(r["us-east-1"], 150, 150, 0, 300, DEFAULT, 250, 50.0, 150, "OK")
    check_account(snap, "333333333333", type_="staging", replicating=234, total=236,
                  extended=0, status="CRITICAL", busiest="us-west-2", limit=100,
                  operational=84, percent=84.0, available=16)  # fmt: skip
    # staging-no-sq: Service Quotas denied → the setting, 300; 100 → 33.33 %
    r = regions(snap, "444444444444")
    check_region(r["us-east-1"], 100, 100, 0, 300, SETTING, 250, 33.3, 200, "OK")
    check_account(snap, "444444444444", type_="staging", replicating=100, total=100,
                  extended=0, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=33.3, available=200)  # fmt: skip
    # target us-east-1: 120 replicating, 120 + 300 + 100 extended = 520 servers; 40.0 %
    check_region(regions(snap, TARGET)["us-east-1"], 120, 520, 400, 300, DEFAULT, 250,
                 40.0, 180, "OK")  # fmt: skip
    # combined per Region (N = 4):
    #  us-east-1: 120 + 340 + 150 + 100 = 710 of 300 + 500 + 300 + 300 (setting) = 1400:
    #    50.71 % → 50.7; op ceil(5/6 × 1400 = 1166.7) = 1167; 690 slots; OK
    #  us-west-2: 0 + 210 + 84 + 0 = 294 of 300 (target: not read, setting) + 300 + 100
    #    (applied) + 300 (444: not read, setting) = 1000: 29.4 %; op ceil(833.3) = 834
    assert set(combined_regions(snap)) == {"us-east-1", "us-west-2"}
    check_combined_region(snap, "us-west-2", 294, 1000, 834, 29.4, 706, "OK")
    check_combined(snap, "us-east-1", 710, 1400, 1167, 50.7, 690, "OK", 4, 4)
    # recovery: 520 / 4000 = 13.0 %
    check_recovery(snap, "us-east-1", 520, 4000, DEFAULT, 13.0, 3480, "OK")
    # overall: the worst unit is staging-lowered's us-west-2
    assert snap["status"] == "CRITICAL"
    expect_warnings(
        snap,
        ("CRITICAL", "account", "333333333333", "us-west-2"),
        ("INFO", "account", "222222222222", "us-east-1"),
        ("INFO", "account", "222222222222", "us-west-2"),
    )
    check_account_action(snap, "333333333333", "us-west-2", "CRITICAL", 16)
    check_account_action(snap, "222222222222", "us-east-1", "INFO", 160)
    check_limit_noted(snap, "222222222222", "us-east-1", 500, "raised")
    check_limit_noted(snap, "333333333333", "us-west-2", 100, "lowered")


LIMITS_FROM_SETTING = (("LIMITS_SOURCE", "setting"),
                       ("DRS_CAPACITY_LIMITS_SOURCE", "setting"))  # fmt: skip


def test_limits_source_setting_skips_service_quotas():
    snap = snapshot("quotas.json", THREE, env=LIMITS_FROM_SETTING)
    for a in snap["accounts"]:
        for row in a["regionalBreakdown"]:
            assert (row["maxReplicating"], row["limitSource"]) == (300, SETTING), row
    # staging-raised us-east-1: 340 of 300 → HYPER-CRITICAL, 113.33 %, 0 slots; busiest
    r = regions(snap, "222222222222")
    check_region(r["us-east-1"], 340, 345, 0, 300, SETTING, 250, 113.3, 0,
                 "HYPER-CRITICAL")  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=550, total=555,
                  extended=0, status="HYPER-CRITICAL", busiest="us-east-1", limit=300,
                  operational=250, percent=113.3, available=0)  # fmt: skip
    # staging-lowered us-west-2: 84 of 300 = 28.0 %, OK; busiest us-east-1 (150, 50.0 %)
    check_account(snap, "333333333333", type_="staging", replicating=234, total=236,
                  extended=0, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=50.0, available=150)  # fmt: skip
    # us-east-1: 710 of 4 × 300 = 1200 (59.17 %); us-west-2: 294 of 1200 (24.5 %)
    check_combined_region(snap, "us-west-2", 294, 1200, 1000, 24.5, 906, "OK")
    check_combined(snap, "us-east-1", 710, 1200, 1000, 59.2, 490, "OK", 4, 4)
    check_recovery(snap, "us-east-1", 520, 4000, SETTING, 13.0, 3480, "OK")
    assert snap["status"] == "HYPER-CRITICAL"


# -- (f) the binding Region --------------------------------------------------------------------


def test_binding_region_by_ratio_with_an_alphabetical_tie():
    snap = snapshot("binding.json", THREE)
    # us-east-1: target 100 (33.33 %), staging-mid 200 (66.67 %, INFO), staging-big
    #   690 + 10 RESCAN = 700 (20 STOPPED out) of an applied 1000: 70.0 %, INFO
    #   (666.7 ≤ 700 < 750), op ceil(833.3) = 834, 300 slots
    # us-west-2: target 150 (2 STOPPED out), staging-mid 440 + 10 BACKLOG = 450 of an
    #   applied 500: 90.0 %, CRITICAL (416.7 ≤ 450 < 466.7), op 417, 50 slots;
    #   staging-big 225: 75.0 %, WARNING
    # eu-west-1: target 240 (80.0 %, WARNING), staging-mid 235 (78.33 %, WARNING),
    #   staging-big 200 (66.67 %, INFO)
    r = regions(snap, "333333333333")
    check_region(r["us-east-1"], 700, 720, 0, 1000, APPLIED, 834, 70.0, 300, "INFO")
    check_region(r["us-west-2"], 225, 225, 0, 300, DEFAULT, 250, 75.0, 75, "WARNING")
    check_region(r["eu-west-1"], 200, 200, 0, 300, DEFAULT, 250, 66.7, 100, "INFO")
    # busiest: us-west-2 (0.75 > 0.70 > 0.667) though us-east-1 holds 700
    check_account(snap, "333333333333", type_="staging", replicating=1125, total=1145,
                  extended=0, status="WARNING", busiest="us-west-2", limit=300,
                  operational=250, percent=75.0, available=75)  # fmt: skip
    r = regions(snap, "222222222222")
    check_region(r["us-west-2"], 450, 450, 0, 500, APPLIED, 417, 90.0, 50, "CRITICAL")
    check_region(r["eu-west-1"], 235, 235, 0, 300, DEFAULT, 250, 78.3, 65, "WARNING")
    check_account(snap, "222222222222", type_="staging", replicating=885, total=885,
                  extended=0, status="CRITICAL", busiest="us-west-2", limit=500,
                  operational=417, percent=90.0, available=50)  # fmt: skip
    # target: 100 + 150 + 240 = 490 replicating; 100 + 152 + (240 + 435 extended) = 927
    check_account(snap, TARGET, type_="target", replicating=490, total=927,
                  extended=435, status="WARNING", busiest="eu-west-1", limit=300,
                  operational=250, percent=80.0, available=60)  # fmt: skip
    # combined per Region (N = 3):
    #  us-east-1: 100 + 200 + 700 = 1000 (the most servers) of 300 + 300 + 1000 = 1600:
    #    62.5 %, OK; op ceil(1333.3) = 1334
    #  us-west-2: 150 + 450 + 225 = 825 of 300 + 500 + 300 = 1100: exactly 3/4 → WARNING,
    #    75.0 %; op ceil(916.7) = 917
    #  eu-west-1: 240 + 235 + 200 = 675 of 900: exactly 3/4 → WARNING, 75.0 %; op 750
    # binding: the highest ratio, 3/4, a tie of eu-west-1 and us-west-2 → eu-west-1
    # (alphabetical), not us-east-1 (count) nor us-west-2 (count among the tied)
    check_combined_region(snap, "us-east-1", 1000, 1600, 1334, 62.5, 600, "OK")
    check_combined_region(snap, "us-west-2", 825, 1100, 917, 75.0, 275, "WARNING")
    check_combined(snap, "eu-west-1", 675, 900, 750, 75.0, 225, "WARNING", 3, 3)
    # recovery: us-east-1 100 (2.5 %), us-west-2 152 (3.8 %), eu-west-1 675 (16.875 %
    # → 16.9); busiest eu-west-1
    check_recovery_region(snap, "us-west-2", 152, 4000, DEFAULT, 3.8, 3848, "OK")
    check_recovery(snap, "eu-west-1", 675, 4000, DEFAULT, 16.9, 3325, "OK")
    assert snap["status"] == "CRITICAL"
    expect_warnings(
        snap,
        ("CRITICAL", "account", "222222222222", "us-west-2"),
        ("WARNING", "combined", None, "eu-west-1"),
        ("WARNING", "combined", None, "us-west-2"),
        ("WARNING", "account", TARGET, "eu-west-1"),
        ("WARNING", "account", "222222222222", "eu-west-1"),
        ("WARNING", "account", "333333333333", "us-west-2"),
        ("INFO", "account", "222222222222", "us-east-1"),
        ("INFO", "account", "333333333333", "us-east-1"),
        ("INFO", "account", "333333333333", "eu-west-1"),
    )
    check_limit_noted(snap, "222222222222", "us-west-2", 500, "raised")
    check_limit_noted(snap, "333333333333", "us-east-1", 1000, "raised")


# -- (g) recovery per Region; "add k" in a CRITICAL Region ---------------------------------------


def test_recovery_per_region_and_staging_accounts_to_add():
    snap = snapshot("recovery_regions.json", THREE)
    # target recovery: us-east-1 250 + 100 STOPPED + 50 DISCONNECTED + 4600 extended =
    #   5000 of an applied 6000: 83.33 %, WARNING (≥ 80 %, < 90 %), 1000 slots
    # us-west-2: 50 + 3550 extended = 3600 of AWS's default 4000: exactly 90 % → CRITICAL
    # eu-west-1: 12 STOPPED of 4000: 0.3 %
    # busiest (by ratio): us-west-2 (0.90 > 0.83) although us-east-1 holds more
    assert set(recovery_regions(snap)) == {"us-east-1", "us-west-2", "eu-west-1"}
    check_recovery_region(snap, "us-east-1", 5000, 6000, APPLIED, 83.3, 1000, "WARNING")
    check_recovery_region(snap, "eu-west-1", 12, 4000, DEFAULT, 0.3, 3988, "OK")
    check_recovery(snap, "us-west-2", 3600, 4000, DEFAULT, 90.0, 400, "CRITICAL")
    # target replication: us-east-1 250 of 300 → CRITICAL (83.33 %, 50); us-west-2 50
    # (16.67 %); eu-west-1 0 of 12 servers (0.0 %); busiest us-east-1
    t = regions(snap, TARGET)
    check_region(t["eu-west-1"], 0, 12, 0, 300, DEFAULT, 250, 0.0, 300, "OK")
    check_account(snap, TARGET, type_="target", replicating=300, total=8612,
                  extended=8150, status="CRITICAL", busiest="us-east-1", limit=300,
                  operational=250, percent=83.3, available=50)  # fmt: skip
    # staging-raised: 2200 + 30 BACKLOG = 2230 of an applied 2400: 92.92 %, CRITICAL
    # (2000 ≤ 2230 < 2240), op ceil(2000) = 2000, 170 slots
    check_region(regions(snap, "222222222222")["us-east-1"], 2230, 2230, 0, 2400, APPLIED,
                 2000, 92.9, 170, "CRITICAL")  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=2230, total=2230,
                  extended=0, status="CRITICAL", busiest="us-east-1", limit=2400,
                  operational=2000, percent=92.9, available=170)  # fmt: skip
    # staging-west: us-east-1 280 → HYPER-CRITICAL (93.33 %, 20); us-west-2 240 →
    # WARNING (80.0 %, 60); busiest us-east-1
    check_account(snap, "333333333333", type_="staging", replicating=520, total=520,
                  extended=0, status="HYPER-CRITICAL", busiest="us-east-1", limit=300,
                  operational=250, percent=93.3, available=20)  # fmt: skip
    # combined: us-east-1 250 + 2230 + 280 = 2760 of 300 + 2400 + 300 = 3000: 92.0 %,
    #   CRITICAL (2500 ≤ 2760 < 2800), op 2500, 240 slots
    # us-west-2: 50 + 0 + 240 = 290 of 300 + 300 (222 not read there: setting) + 300 =
    #   900: 32.22 %; eu-west-1: 0 of 900 (listed: the target holds 12 servers there)
    check_combined_region(snap, "us-west-2", 290, 900, 750, 32.2, 610, "OK")
    check_combined_region(snap, "eu-west-1", 0, 900, 750, 0.0, 900, "OK")
    check_combined(snap, "us-east-1", 2760, 3000, 2500, 92.0, 240, "CRITICAL", 3, 3)
    assert snap["status"] == "HYPER-CRITICAL"
    expect_warnings(
        snap,
        ("HYPER-CRITICAL", "account", "333333333333", "us-east-1"),
        ("CRITICAL", "combined", None, "us-east-1"),
        ("CRITICAL", "recovery", None, "us-west-2"),
        ("CRITICAL", "account", TARGET, "us-east-1"),
        ("CRITICAL", "account", "222222222222", "us-east-1"),
        ("WARNING", "recovery", None, "us-east-1"),
        ("WARNING", "account", "333333333333", "us-west-2"),
    )
    # k in us-east-1 (L = the setting's 300 for a new account): total × 6 = 16560;
    # k = 1: 5 × (3000 + 300) = 16500, not greater; k = 2: 5 × 3600 = 18000 > 16560 → 2
    # (a new account counted at the raised 2400 would give 1; the seed's count rule 9)
    assert (
        staging_to_add(one_warning(snap, "combined", region="us-east-1")["action"]) == 2
    )
    for region in ("us-east-1", "us-west-2"):
        w = one_warning(snap, "recovery", region=region)
        assert "L-E28BE5E0" in w["message"] + w["action"], w
    check_account_action(snap, "333333333333", "us-east-1", "HYPER-CRITICAL", 20)
    check_account_action(snap, "222222222222", "us-east-1", "CRITICAL", 170)
    check_limit_noted(snap, "222222222222", "us-east-1", 2400, "raised")


# -- extended servers and every replication state ---------------------------------------


def test_extended_servers_and_every_state():
    snap = snapshot("extended_states.json", "us-east-1,us-west-2")
    # target us-east-1: native 3+2+4+5+6+138+7+8+9+11 = 193, + 40 + 15 extended = 248
    #   replicating 193 − 3 STOPPED − 11 DISCONNECTED = 179 (59.67 %, 121 slots)
    # target us-west-2: 20 + 2 DISCONNECTED + 25 extended = 47; replicating 20 (6.67 %)
    # account: total 295, extended 80, replicating 199 (sums); busiest us-east-1
    # byState CONTINUOUS = 138 + 55 + 20 + 25 = 238, DISCONNECTED 11 + 2 = 13
    target_states = {"STOPPED": 3, "INITIATING": 2, "INITIAL_SYNC": 4, "BACKLOG": 5,
                     "CREATING_SNAPSHOT": 6, "CONTINUOUS": 238, "PAUSED": 7,
                     "RESCAN": 8, "STALLED": 9, "DISCONNECTED": 13}  # fmt: skip
    check_account(snap, TARGET, type_="target", replicating=199, total=295, extended=80,
                  status="OK", busiest="us-east-1", limit=300, operational=250,
                  percent=59.7, available=121, by_state=target_states)  # fmt: skip
    t = regions(snap, TARGET)
    assert set(t) == {"us-east-1", "us-west-2"}
    check_region(t["us-east-1"], 179, 248, 55, 300, DEFAULT, 250, 59.7, 121, "OK")
    check_region(t["us-west-2"], 20, 47, 25, 300, DEFAULT, 250, 6.7, 280, "OK",
                 by_state={"CONTINUOUS": 45, "DISCONNECTED": 2})  # fmt: skip
    # 222: 10+1+2+3+4+200+5+6+4+20 = 255 servers; 255 − 10 − 20 = 225 → WARNING (75.0 %)
    staging_states = {"STOPPED": 10, "INITIATING": 1, "INITIAL_SYNC": 2, "BACKLOG": 3,
                      "CREATING_SNAPSHOT": 4, "CONTINUOUS": 200, "PAUSED": 5,
                      "RESCAN": 6, "STALLED": 4, "DISCONNECTED": 20}  # fmt: skip
    check_account(snap, "222222222222", type_="staging", replicating=225, total=255,
                  extended=0, status="WARNING", busiest="us-east-1", limit=300,
                  operational=250, percent=75.0, available=75,
                  by_state=staging_states)  # fmt: skip
    # 333: us-west-2 40 (5 STOPPED out): 13.33 %, 260 slots; us-east-1 15: 5.0 %;
    # busiest us-west-2; sums 55 of 60
    r = regions(snap, "333333333333")
    check_region(r["us-east-1"], 15, 15, 0, 300, DEFAULT, 250, 5.0, 285, "OK")
    check_account(snap, "333333333333", type_="staging", replicating=55, total=60,
                  extended=0, status="OK", busiest="us-west-2", limit=300,
                  operational=250, percent=13.3, available=260)  # fmt: skip
    # combined: us-east-1 179 + 225 + 15 = 419 of 900 (46.56 %, 481); us-west-2 20 + 40
    # = 60 of 900 (222 uninitialized there: the setting's 300) = 6.67 %; binding us-east-1
    check_combined_region(snap, "us-west-2", 60, 900, 750, 6.7, 840, "OK")
    check_combined(snap, "us-east-1", 419, 900, 750, 46.6, 481, "OK", 3, 3)
    # recovery counts extended, per Region: us-east-1 248 / 4000 = 6.2 %; us-west-2 47
    # → 1.175 % → 1.2; busiest us-east-1 (the seed's 295 summed two Regions)
    check_recovery_region(snap, "us-west-2", 47, 4000, DEFAULT, 1.2, 3953, "OK")
    check_recovery(snap, "us-east-1", 248, 4000, DEFAULT, 6.2, 3752, "OK")
    assert snap["status"] == "WARNING"
    expect_warnings(snap, ("WARNING", "account", "222222222222", "us-east-1"))
    check_account_action(snap, "222222222222", "us-east-1", "WARNING", 75)


# -- (h) faulty Regions and an inaccessible staging account ---------------------------------


def test_region_faults_and_inaccessible_account():
    snap = snapshot("region_faults.json", FAULT_REGIONS)
    assert snap["complete"] is False
    # target: us-east-1 81 + 30 + 10 extended = 121 (81 replicating: 27.0 %, 219 slots),
    # eu-west-1 20 (6.67 %) → total 141, replicating 101, extended 40 (extended from the
    # locked account still count); us-west-2, eu-central-1, af-south-1 absent:
    # uninitialized
    t = regions(snap, TARGET)
    assert set(t) == {"us-east-1", "eu-west-1"}
    check_region(t["us-east-1"], 81, 121, 40, 300, DEFAULT, 250, 27.0, 219, "OK")
    check_account(snap, TARGET, type_="target", replicating=101, total=141, extended=40,
                  status="OK", busiest="us-east-1", limit=300, operational=250,
                  percent=27.0, available=219,
                  empty={"uninitialized": 3})  # fmt: skip
    # 222: only us-east-1 read: 180 + 25 PAUSED = 205 → INFO (68.33 %, 95), a lower bound;
    # throttled + timed out listed (error, UNKNOWN); not-enabled and uninitialized counted
    # in emptyRegions; worst of INFO, UNKNOWN, UNKNOWN = INFO
    r = regions(snap, "222222222222")
    assert set(r) == {"us-east-1", "us-west-2", "eu-west-1"}
    check_region(r["us-east-1"], 205, 205, 0, 300, DEFAULT, 250, 68.3, 95, "INFO",
                 by_state={"CONTINUOUS": 180, "PAUSED": 25})  # fmt: skip
    check_error_region(r["us-west-2"])
    check_error_region(r["eu-west-1"])
    check_account(snap, "222222222222", type_="staging", replicating=205, total=205,
                  extended=0, status="INFO", busiest="us-east-1", limit=300,
                  operational=250, percent=68.3, available=95, complete=False,
                  by_state={"CONTINUOUS": 180, "PAUSED": 25},
                  empty={"not-enabled": 1, "uninitialized": 1})  # fmt: skip
    # 333: registered, AssumeRole denied
    check_inaccessible(snap, "333333333333")
    # 444: us-west-2 100 read (33.33 %), eu-central-1 AccessDenied → incomplete
    r = regions(snap, "444444444444")
    assert set(r) == {"us-west-2", "eu-central-1"}
    check_error_region(r["eu-central-1"])
    check_account(snap, "444444444444", type_="staging", replicating=100, total=100,
                  extended=0, status="OK", busiest="us-west-2", limit=300,
                  operational=250, percent=33.3, available=200, complete=False,
                  empty={"uninitialized": 3})  # fmt: skip
    # combined, N = 3 accessible (target, 222, 444) of 4 configured; every L is 300
    # (read, or the setting where not read), so every Region's max is 900, op 750:
    #  us-east-1: 81 + 205 + 0 = 286 (31.78 %, 614)
    #  us-west-2: 0 + (222 error: not counted) + 100 = 100 (11.11 %): a lower bound
    #  eu-west-1: 20 + (222 error) + 0 = 20 (2.22 %)
    #  eu-central-1: listed for 444's error: 0 (0.0 %)
    #  af-south-1: no servers, no error → not listed
    assert set(combined_regions(snap)) == {
        "us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}  # fmt: skip
    check_combined_region(snap, "us-west-2", 100, 900, 750, 11.1, 800, "OK")
    check_combined_region(snap, "eu-west-1", 20, 900, 750, 2.2, 880, "OK")
    check_combined_region(snap, "eu-central-1", 0, 900, 750, 0.0, 900, "OK")
    check_combined(snap, "us-east-1", 286, 900, 750, 31.8, 614, "OK", 4, 3)
    # recovery: us-east-1 121 / 4000 = 3.025 % → 3.0; eu-west-1 20 → 0.5 %
    assert set(recovery_regions(snap)) == {"us-east-1", "eu-west-1"}
    check_recovery_region(snap, "eu-west-1", 20, 4000, DEFAULT, 0.5, 3980, "OK")
    check_recovery(snap, "us-east-1", 121, 4000, DEFAULT, 3.0, 3879, "OK")
    # overall: worst of OK, OK, INFO, UNKNOWN, OK, OK = INFO
    assert snap["status"] == "INFO"
    expect_warnings(
        snap,
        ("INFO", "account", "222222222222", "us-east-1"),
        (None, "data", "222222222222", "us-west-2"),
        (None, "data", "222222222222", "eu-west-1"),
        (None, "data", "333333333333", None),
        (None, "data", "444444444444", "eu-central-1"),
    )
    check_account_action(snap, "222222222222", "us-east-1", "INFO", 95)


def test_inaccessible_target():
    snap = snapshot("locked_target.json", THREE)
    check_inaccessible(snap, TARGET)
    check_inaccessible(snap, "333333333333")
    # staging-a us-east-1: 255 + 5 STALLED = 260 (9 STOPPED out, 269 servers): 86.67 %,
    # CRITICAL, 40 slots; us-west-2 100: 33.33 %, OK; busiest us-east-1
    r = regions(snap, "222222222222")
    check_region(r["us-east-1"], 260, 269, 0, 300, DEFAULT, 250, 86.7, 40, "CRITICAL")
    check_region(r["us-west-2"], 100, 100, 0, 300, DEFAULT, 250, 33.3, 200, "OK")
    check_account(snap, "222222222222", type_="staging", replicating=360, total=369,
                  extended=0, status="CRITICAL", busiest="us-east-1", limit=300,
                  operational=250, percent=86.7, available=40)  # fmt: skip
    # combined: N = 1 (only staging-a answers): us-east-1 260 of 300, CRITICAL, op 250;
    # us-west-2 100 of 300 (33.33 %); 3 configured, 1 reporting
    check_combined_region(snap, "us-west-2", 100, 300, 250, 33.3, 200, "OK")
    check_combined(snap, "us-east-1", 260, 300, 250, 86.7, 40, "CRITICAL", 3, 1)
    # recovery: the target is inaccessible → UNKNOWN, its count unknown (never 0)
    assert snap["recoveryCapacity"]["status"] == "UNKNOWN"
    assert snap["recoveryCapacity"]["currentServers"] is None
    # overall: worst of CRITICAL, UNKNOWN (×2), CRITICAL, UNKNOWN = CRITICAL
    assert snap["status"] == "CRITICAL"
    assert snap["complete"] is False
    expect_warnings(
        snap,
        ("CRITICAL", "combined", None, "us-east-1"),
        ("CRITICAL", "account", "222222222222", "us-east-1"),
        (None, "data", TARGET, None),
        (None, "data", "333333333333", None),
    )
    # k: 260 × 6 = 1560 < 5 × (300 + 1 × 300) = 3000 → 1
    assert staging_to_add(one_warning(snap, "combined")["action"]) == 1


def test_no_servers_anywhere():
    snap = snapshot("empty.json", THREE)
    # no Region holds servers or is in error: nothing listed; combined total 0 of
    # N × L = 2 × 300 = 600 (op 500), OK, region null
    assert snap["combinedByRegion"] == []
    check_combined(snap, None, 0, 600, 500, 0.0, 600, "OK", 2, 2)
    for account_id, type_ in ((TARGET, "target"), ("222222222222", "staging")):
        # no servers in scope: OK, busiestRegion null, the setting's L (300, op 250)
        check_account(snap, account_id, type_=type_, replicating=0, total=0,
                      extended=0, status="OK", busiest=None, limit=300,
                      operational=250, percent=0.0, available=300)  # fmt: skip
        assert regions(snap, account_id) == {}
    # recovery: no target servers in any Region: 0 of the setting's 4,000, region null
    assert snap["recoveryByRegion"] == []
    check_recovery(snap, None, 0, 4000, SETTING, 0.0, 4000, "OK")
    assert snap["status"] == "OK"
    assert snap["warnings"] == []


def test_no_servers_in_a_scoped_region():
    snap = snapshot("empty.json", THREE, "--region", "us-east-1")
    # one-Region scope with no servers: that Region, max Σ L(a, r): the target's
    # us-east-1 is ok (read: AWS's default 300), staging-empty's is uninitialized (not
    # read: the setting's 300) → 600, op 500; not listed per Region (no servers, no error)
    check_combined(snap, "us-east-1", 0, 600, 500, 0.0, 600, "OK", 2, 2, listed=False)
    assert snap["combinedByRegion"] == []
    # recovery: the scoped Region even when empty; the target's us-east-1 is ok, so its
    # L-E28BE5E0 was read: AWS's default 4,000
    check_recovery(snap, "us-east-1", 0, 4000, DEFAULT, 0.0, 4000, "OK")
    assert snap["status"] == "OK"
    assert snap["warnings"] == []


# -- the demo's story (scenarios/demo.json) ---------------------------------------------------

DEMO = ROOT / "scenarios" / "demo.json"
DEMO_REGIONS = "us-east-1,us-east-2,us-west-2,eu-west-1"


def test_demo_shows_an_account_across_two_regions_and_a_raised_quota():
    snap = snapshot(str(DEMO), DEMO_REGIONS)
    # staging-east-01: us-east-1 238 + 4 + 2 + 2 + 1 = 247 (5 STOPPED + 3 DISCONNECTED
    # out, 255 servers) of 300: 82.33 %, WARNING, 3 short of CRITICAL (250), 53 slots;
    # us-east-2 331 + 6 INITIAL_SYNC + 3 PAUSED = 340 (4 STOPPED out, 344) of an applied
    # 500: 68.0 %, INFO, op 417, 160 slots (at 300 it would be HYPER-CRITICAL).
    # Busiest by ratio: us-east-1 (0.823 > 0.68) though us-east-2 holds more.
    r = regions(snap, "222222222222")
    assert set(r) == {"us-east-1", "us-east-2"}
    check_region(r["us-east-1"], 247, 255, 0, 300, DEFAULT, 250, 82.3, 53, "WARNING")
    check_region(r["us-east-2"], 340, 344, 0, 500, APPLIED, 417, 68.0, 160, "INFO")
    check_account(snap, "222222222222", type_="staging", replicating=587, total=599,
                  extended=0, status="WARNING", busiest="us-east-1", limit=300,
                  operational=250, percent=82.3, available=53)  # fmt: skip
    # staging-west-01: 166 in us-west-2 (55.33 %), 44 in us-east-1: OK in both rows
    check_account(snap, "333333333333", type_="staging", replicating=210, total=213,
                  extended=0, status="OK", busiest="us-west-2", limit=300,
                  operational=250, percent=55.3, available=134)  # fmt: skip
    # staging-eu-01: 112 + 3 RESCAN + 2 PAUSED = 117 (12 out, 129): 39.0 %
    check_account(snap, "666666666666", type_="staging", replicating=117, total=129,
                  extended=0, status="OK", busiest="eu-west-1", limit=300,
                  operational=250, percent=39.0, available=183)  # fmt: skip
    # target: us-east-1 90 + 2 PAUSED + 1 STALLED = 93 (31.0 %) of 319 servers (220
    # extended); us-east-2 12 of 303; us-west-2 50 of 170; eu-west-1 31 of 91
    check_account(snap, TARGET, type_="target", replicating=186, total=883,
                  extended=690, status="OK", busiest="us-east-1", limit=300,
                  operational=250, percent=31.0, available=207)  # fmt: skip
    # combined (N = 4): us-east-1 93 + 247 + 44 = 384 of 1200 (32.0 %); us-east-2
    # 12 + 340 = 352 of 300 + 500 + 300 + 300 = 1400 (25.14 %, op 1167); us-west-2
    # 50 + 166 = 216 of 1200 (18.0 %); eu-west-1 31 + 117 = 148 of 1200 (12.33 %)
    check_combined_region(snap, "us-east-2", 352, 1400, 1167, 25.1, 1048, "OK")
    check_combined_region(snap, "us-west-2", 216, 1200, 1000, 18.0, 984, "OK")
    check_combined_region(snap, "eu-west-1", 148, 1200, 1000, 12.3, 1052, "OK")
    check_combined(snap, "us-east-1", 384, 1200, 1000, 32.0, 816, "OK", 4, 4)
    # recovery: us-east-1 319 / 4000 = 7.975 % → 8.0 (the busiest); us-east-2 303 →
    # 7.575 % → 7.6
    check_recovery_region(snap, "us-east-2", 303, 4000, DEFAULT, 7.6, 3697, "OK")
    check_recovery(snap, "us-east-1", 319, 4000, DEFAULT, 8.0, 3681, "OK")
    # some warnings, not everything red
    assert snap["status"] == "WARNING"
    expect_warnings(
        snap,
        ("WARNING", "account", "222222222222", "us-east-1"),
        ("INFO", "account", "222222222222", "us-east-2"),
    )
    check_limit_noted(snap, "222222222222", "us-east-2", 500, "raised")


# -- CSV and exit codes ------------------------------------------------------------------

CSV_COLUMNS = [
    "targetAccountId", "accountId", "accountName", "accountType", "region",
    "regionState", "totalServers", "replicatingServers", "extendedServers", *STATES,
    "maxReplicating", "limitSource", "operationalLimit", "percentUsed", "availableSlots",
    "status", "error", "collectedAt",
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
        "ok", "205", "205")  # fmt: skip
    assert (ok["CONTINUOUS"], ok["PAUSED"], ok["STOPPED"]) == ("180", "25", "0")
    # the row's own unit: 205 of 300 (AWS default), op 250, INFO, 95 slots, 68.33 %
    assert (ok["maxReplicating"], ok["limitSource"], ok["operationalLimit"],
            ok["status"], ok["availableSlots"]) == (
        "300", DEFAULT, "250", "INFO", "95")  # fmt: skip
    assert float(ok["percentUsed"]) == 68.3
    throttled = by_key[("222222222222", "us-west-2")]
    assert throttled["regionState"] == "error" and throttled["error"]
    assert throttled["replicatingServers"] == "" and throttled["totalServers"] == ""
    assert throttled["status"] == "UNKNOWN"
    target = by_key[(TARGET, "us-east-1")]
    # 81 + 30 + 10 extended = 121 servers, 81 replicating, 40 extended
    assert (target["totalServers"], target["replicatingServers"],
            target["extendedServers"]) == ("121", "81", "40")  # fmt: skip
    # SPEC §8: a Region's combined figures are the sums of its rows (us-east-1: 81 + 205)
    east = [r for r in rows if r["region"] == "us-east-1" and r["replicatingServers"]]
    assert sum(int(r["replicatingServers"]) for r in east) == 286


@pytest.mark.parametrize(
    ("scenario", "regions_", "extra", "code"),
    [
        # worst status WARNING (staging-all-states at 225 in us-east-1): reached → 3
        ("extended_states.json", "us-east-1,us-west-2", ("--fail-on", "WARNING"), 3),
        # … CRITICAL not reached → 0
        ("extended_states.json", "us-east-1,us-west-2", ("--fail-on", "CRITICAL"), 0),
        # issue 7: 150 + 150 and 166 + 44 are OK per Region; nothing reaches INFO → 0
        ("split_regions.json", THREE, ("--fail-on", "INFO"), 0),
        # only us-east-1 in scope: every status OK → 0
        ("split_regions.json", THREE, ("--region", "us-east-1", "--fail-on", "WARNING"),
         0),
        # a raised quota keeps 340 out of HYPER-CRITICAL; the worst is CRITICAL → 0 …
        ("quotas.json", THREE, ("--fail-on", "HYPER-CRITICAL"), 0),
        # … and CRITICAL is reached (84 of an applied 100) → 3
        ("quotas.json", THREE, ("--fail-on", "CRITICAL"), 3),
        # staging-west us-east-1 at 280: HYPER-CRITICAL → 3
        ("recovery_regions.json", THREE, ("--fail-on", "HYPER-CRITICAL"), 3),
    ],
)  # fmt: skip
def test_fail_on_exit_codes(scenario, regions_, extra, code):
    done = cli(scenario, regions_, *extra)
    assert done.returncode == code, done.stderr
    assert json.loads(done.stdout)["success"] is True  # the report is still printed
