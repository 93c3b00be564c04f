"""Collection benchmark: what a user waits for, over HTTP, on the real app.

`app.py` runs as a subprocess on a generated scenario (N accounts × every DRS Region,
~300 servers per account in 3 Regions, every simulated AWS call delayed by 100 ms, the
product's retry settings), and the stdlib measures:

- first request: `GET /api/accounts/{target}/capacity` on a fresh app, right after it
  answers `/api/openapi.json` (a new process per sample);
- forced refresh: `?refresh=true` on a running app (every Region read again);
- pruned refresh: an unforced request once the cache has expired (Regions known to be
  empty are skipped until their rescan: not what "Refresh now" does);

with the CPU seconds of the server and the processes it started (the reading processes
of a big target), for that request, and their peak RSS added up.

    python benchmarks/collect.py              # the standard table (5 samples each)
    python benchmarks/collect.py --quick      # 10 accounts only, 3 samples: a smoke run
    python benchmarks/collect.py --json FILE  # also write the rows as JSON
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from appserver import AppServer, conditions, write_scenario

TARGET = "100000000000"
LATENCY_MS = 100
SERVERS = 300
REQUEST_TIMEOUT_S = 180.0
CACHE_TTL_S = 1.0  # short, so that an unforced request soon finds the cache expired
CAPACITY = f"/api/accounts/{TARGET}/capacity"
BUDGET_S = 30.0  # per measure: slow builds stop sampling early, and the table says so


def _checked(body: dict, accounts: int) -> None:
    """A timing only counts if the answer is the whole fleet."""
    if body.get("success") is False or len(body.get("accounts") or ()) != accounts:
        raise RuntimeError(f"unexpected answer: {str(body)[:300]}")


def first_requests(scenario: Path, accounts: int, samples: int, logs: Path) -> dict:
    """The first capacity request on a fresh app, one new process per sample."""
    walls, cpus, sims, rss, starts = [], [], [], [], []
    for _ in _within_budget(samples):
        with AppServer(scenario, logs) as app:
            starts.append(app.wait_ready())
            cpu0, sim0 = app.cpu_seconds(), app.simulator_cpu_seconds()
            wall, body = app.get(CAPACITY, REQUEST_TIMEOUT_S)
            cpus.append(app.cpu_seconds() - cpu0)
            sims.append(app.simulator_cpu_seconds() - sim0)
            rss.append(app.peak_rss_mb())
            _checked(body, accounts)
            walls.append(wall)
    row = _row("first request on a fresh app", accounts, walls, (cpus, sims), rss,
               starts)  # fmt: skip
    return {**row, "planned": samples}


def running_app(scenario: Path, accounts: int, samples: int, logs: Path) -> list[dict]:
    """Forced refreshes, then unforced (pruned) ones once the cache expired."""
    # every forced sample a real rescan: back-to-back forced refreshes would otherwise
    # share one collection (the product's coalescing of a burst of "Refresh now")
    env = {"DRS_CAPACITY_CACHE_TTL_SECONDS": str(CACHE_TTL_S),
           "DRS_CAPACITY_REFRESH_COALESCE_SECONDS": "0"}  # fmt: skip
    with AppServer(scenario, logs, env) as app:
        _, body = app.get(CAPACITY, REQUEST_TIMEOUT_S)  # the first collection
        _checked(body, accounts)
        forced = _timed(app, f"{CAPACITY}?refresh=true", accounts, samples)
        pruned = ([], ([], []))
        for _ in _within_budget(samples):
            time.sleep(CACHE_TTL_S + 0.1)
            wall, (cpu, sim) = _timed(app, CAPACITY, accounts, 1)
            pruned[0].extend(wall)
            pruned[1][0].extend(cpu)
            pruned[1][1].extend(sim)
        rss = app.peak_rss_mb()
    rows = [
        _row("forced refresh (`?refresh=true`)", accounts, *forced, [rss]),
        _row("pruned refresh (cache expired)", accounts, *pruned, [rss]),
    ]
    return [{**row, "planned": samples} for row in rows]


def _timed(app: AppServer, path: str, accounts: int, samples: int):
    """Wall seconds of each of up to `samples` requests, and (server CPU seconds, of
    which the simulated AWS's) of each."""
    walls, cpus, sims = [], [], []
    for _ in _within_budget(samples):
        cpu0, sim0 = app.cpu_seconds(), app.simulator_cpu_seconds()
        wall, body = app.get(path, REQUEST_TIMEOUT_S)
        _checked(body, accounts)
        walls.append(wall)
        cpus.append(app.cpu_seconds() - cpu0)
        sims.append(app.simulator_cpu_seconds() - sim0)
    return walls, (cpus, sims)


def _within_budget(samples: int):
    """Up to `samples` iterations; fewer (at least one) once BUDGET_S has passed."""
    deadline = time.monotonic() + BUDGET_S
    for n in range(samples):
        if n and time.monotonic() > deadline:
            return
        yield n


def big_fleet_rss(
    accounts: int, servers: int, logs: Path, folder: Path, processes: int | None = None
) -> dict:
    """Peak RSS of the app through a first request and a forced refresh, with the
    product's reading processes (None: as many as it chooses) or that many."""
    scenario = write_scenario(folder, accounts, servers, LATENCY_MS)
    env = (
        {} if processes is None else {"DRS_CAPACITY_COLLECT_PROCESSES": str(processes)}
    )
    with AppServer(scenario, logs, env) as app:
        cpu0, sim0 = app.cpu_seconds(), app.simulator_cpu_seconds()
        first, body = app.get(CAPACITY, REQUEST_TIMEOUT_S)
        _checked(body, accounts)
        forced, body = app.get(f"{CAPACITY}?refresh=true", REQUEST_TIMEOUT_S)
        _checked(body, accounts)
        return {
            "accounts": accounts,
            "servers": servers,
            "setting": "default" if processes is None else str(processes),
            "processes": len(app.processes()),
            "first_s": first,
            "forced_s": forced,
            "cpu_s": app.cpu_seconds() - cpu0,
            "simulator_cpu_s": app.simulator_cpu_seconds() - sim0,
            "rss_mb": app.peak_rss_mb(),
        }


def _row(measure, accounts, walls, cpu, rss, starts=()) -> dict:
    cpus, sims = cpu
    return {
        "measure": measure,
        "accounts": accounts,
        "samples": len(walls),
        "min_s": min(walls),
        "median_s": statistics.median(walls),
        "max_s": max(walls),
        "cpu_s": statistics.median(cpus),
        "simulator_cpu_s": statistics.median(sims),
        "rss_mb": max(rss),
        "start_s": statistics.median(starts) if starts else None,
    }


def table(rows: list[dict], regions: int) -> str:
    lines = [
        "| measure | accounts × Regions | samples | min s | median s | max s "
        "| server CPU s (median) | of which simulated AWS | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['measure']} | {r['accounts']} × {regions} | {_samples(r)} "
            f"| {r['min_s']:.2f} | {r['median_s']:.2f} | {r['max_s']:.2f} "
            f"| {r['cpu_s']:.2f} | {r['simulator_cpu_s']:.2f} | {r['rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def _samples(row: dict) -> str:
    if row["samples"] < row["planned"]:
        return f"{row['samples']} of {row['planned']} (time budget)"
    return str(row["samples"])


def big_table(bigs: list[dict], regions: int) -> str:
    lines = [
        "| accounts × Regions | servers/account | DRS_CAPACITY_COLLECT_PROCESSES "
        "| the app's processes | first request s | forced refresh s "
        "| server CPU s (both) | of which simulated AWS | peak RSS MB (added up) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for big in bigs:
        lines.append(
            f"| {big['accounts']} × {regions} | {big['servers']:,} | {big['setting']} "
            f"| {big['processes']} | {big['first_s']:.2f} | {big['forced_s']:.2f} "
            f"| {big['cpu_s']:.1f} | {big['simulator_cpu_s']:.1f} "
            f"| {big['rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 accounts, 3 samples")
    parser.add_argument("--samples", type=int, default=5, help="samples per measure")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from services.settings import drs_regions

    regions = len(drs_regions())
    samples = 3 if args.quick else args.samples
    fleets = (10,) if args.quick else (10, 100)
    rows, big = [], None
    began, before = time.monotonic(), conditions()
    with tempfile.TemporaryDirectory(prefix="drs-bench-") as tmp:
        folder = Path(tmp)
        for accounts in fleets:
            scenario = write_scenario(folder, accounts, SERVERS, LATENCY_MS)
            rows.append(first_requests(scenario, accounts, samples, folder))
            rows.extend(running_app(scenario, accounts, samples, folder))
        if not args.quick:  # as shipped, and in the app's process alone
            big = [big_fleet_rss(100, 3000, folder, folder, p) for p in (None, 1)]
    print(table(rows, regions))
    if big:
        print()
        print(big_table(big, regions))
    print(
        f"\n{LATENCY_MS} ms per simulated AWS call; ~{SERVERS} servers per account in 3 "
        f"Regions; product retry settings; {samples} samples each; "
        f"{time.monotonic() - began:.0f} s in all."
    )
    if args.json:
        results = {"regions": regions, "latency_ms": LATENCY_MS, "rows": rows}
        runs = {"before": before, "after": conditions()}
        args.json.write_text(json.dumps({**results, "big": big, **runs}, indent=1))


if __name__ == "__main__":
    main()
