"""Collector benchmark: N accounts × every DRS Region on the simulated fleet.

Each configuration runs in a fresh subprocess (so peak RSS is its own) and prints one row:
cold refresh (new credentials and clients, no Region pruning), warm refresh (reused clients,
empty Regions pruned), the critical-path floor at this latency, CPU seconds and peak RSS,
beside a sequential baseline (one worker).

    python benchmarks/collect.py            # the standard table
    python benchmarks/collect.py --quick    # smaller, for a smoke run
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER_REGIONS = (
    "us-east-1",
    "us-west-2",
    "eu-west-1",
)  # where the fleet's servers live


def fleet_scenario(accounts: int, servers: int, latency_ms: int) -> dict:
    """`accounts` accounts with `servers` servers each, spread over SERVER_REGIONS."""
    per_region = servers // len(SERVER_REGIONS)
    ids = [f"{100000000000 + i:012d}" for i in range(accounts)]
    spec = {"CONTINUOUS": per_region - per_region // 10, "STOPPED": per_region // 10}
    return {
        "target": {"accountId": ids[0], "accountName": "bench-target"},
        "staging": [
            {
                "accountId": i,
                "accountName": f"bench-{n:03d}",
                "roleArn": f"arn:aws:iam::{i}:role/DRSCapacityRead",
                "region": "us-east-1",
            }
            for n, i in enumerate(ids[1:], 1)
        ],
        "fleet": {i: dict.fromkeys(SERVER_REGIONS, spec) for i in ids},
        "latencyMs": latency_ms,
    }


def run_one(accounts: int, servers: int, latency_ms: int, workers: int) -> dict:
    """One configuration, in this process: cold then warm collection."""
    from services.settings import Settings, drs_regions
    from services.simulator.testing import collector_harness

    scenario = fleet_scenario(accounts, servers, latency_ms)
    settings = Settings(max_workers=workers, aws_max_attempts=1)
    harness = collector_harness(scenario, settings)
    collector, target = harness.collector, harness.target
    cpu0 = _cpu()
    start = time.perf_counter()
    cold = collector.collect(target)
    cold_s = time.perf_counter() - start
    start = time.perf_counter()
    warm = collector.collect(target)
    warm_s = time.perf_counter() - start
    cpu = _cpu() - cpu0
    counted = sum(r.total_servers for a in warm for r in a.regions)
    assert counted == accounts * (servers // len(SERVER_REGIONS)) * len(SERVER_REGIONS)
    assert all(a.accessible for a in cold)
    pages = math.ceil(servers / len(SERVER_REGIONS) / settings.page_size) or 1
    return {
        "accounts": accounts,
        "regions": len(drs_regions()),
        "servers": servers,
        "latency_ms": latency_ms,
        "workers": workers,
        "cold_s": cold_s,
        "warm_s": warm_s,
        "floor_s": latency_ms
        / 1000
        * (1 + pages),  # AssumeRole, then one Region's pages
        "cpu_s": cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(accounts: int, servers: int, latency_ms: int, workers: int) -> dict:
    args = [
        sys.executable,
        __file__,
        "--one",
        json.dumps([accounts, servers, latency_ms, workers]),
    ]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    head = (
        "| accounts | Regions | servers/account | latency | workers | cold s | "
        "cold − cold@0ms | floor s | (cold − cold@0) / floor | warm s | CPU s | peak RSS MB |"
    )
    lines = [head, "|---" * 12 + "|"]
    for r in rows:
        added = r["cold_s"] - r.get("cold_zero_s", 0.0)
        ratio = f"{added / r['floor_s']:.2f}" if r["floor_s"] else "—"
        lines.append(
            f"| {r['accounts']} | {r['regions']} | {r['servers']} | {r['latency_ms']} ms "
            f"| {r['workers']} | {r['cold_s']:.2f} | {added:.2f} | {r['floor_s']:.2f} "
            f"| {ratio} | {r['warm_s']:.3f} | {r['cpu_s']:.1f} | {r['rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="a smaller, faster table")
    parser.add_argument(
        "--workers", type=int, default=None, help="pool size (default: Settings)"
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*json.loads(args.one))))
        return
    from services.settings import Settings

    workers = args.workers or Settings().max_workers
    plan = [(10, 300, 100), (100, 300, 0), (100, 300, 100), (100, 3000, 0)]
    if args.quick:
        plan = [(10, 300, 100), (20, 300, 0)]
    rows = []
    for accounts, servers, latency in plan:
        row = measure(accounts, servers, latency, workers)
        row["cold_zero_s"] = (
            measure(accounts, servers, 0, workers)["cold_s"]
            if latency
            else row["cold_s"]
        )
        rows.append(row)
    baseline = measure(10, 300, 100, 1)
    baseline["cold_zero_s"] = measure(10, 300, 0, 1)["cold_s"]
    rows.append(baseline)
    print(table(rows))
    print(
        "\nLast row: the sequential baseline (one worker). floor = latency × (AssumeRole + pages of one Region)."
    )


if __name__ == "__main__":
    main()
