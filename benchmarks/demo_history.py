"""What the demo's synthetic history costs: building the demo backend with and without
it, the first read (which writes it) and later reads for the page's ranges.

    python benchmarks/demo_history.py [--samples 7]

Builds the shipped demo's backend in demo mode (which registers the 90-day backfill) and
in scenario mode on the same file (which does not), alternately, and prints min / median
/ max of each; then the first read of 7 days (which writes the backfill first) and later
reads of 7 and 90 days from moto's DynamoDB (what the history chart asks for).

Measured 2026-12-07 on a 2-core machine shared with other test runs: writing the backfill
took 0.25-0.8 s (too much for every demo build, budget 0.3 s), so it is written lazily, on
the history's first use; the build itself costs the same with or without it. Reading 7
days takes ~0.4 s and 90 days ~1.3 s, nearly all of it moto serialising the items, which
is why the backfill is every 3 hours for 14 days and daily beyond rather than hourly.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.backend import DEMO_SCENARIO, build_backend  # noqa: E402
from services.settings import Settings  # noqa: E402

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def build_seconds(mode: str) -> tuple[float, object]:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        scenario_path=str(DEMO_SCENARIO),
        mode=mode,
        table_name=name,
        history_table_name=f"{name}-history",
    )
    start = time.perf_counter()
    backend = build_backend(settings)
    return time.perf_counter() - start, backend


def row(label: str, values: list[float]) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"| {label:<28} | {low:6.3f} | {mid:6.3f} | {high:6.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=7)
    args = parser.parse_args()
    os.environ.update(FAKE_AWS)
    times: dict[str, list[float]] = defaultdict(list)
    build_seconds("scenario")[1].close()  # warm: models parsed, moto imported
    for _ in range(args.samples):
        for mode in ("scenario", "demo"):
            seconds, backend = build_seconds(mode)
            times[mode].append(seconds)
            if mode == "demo":
                target = backend.store.list_targets()[0].account_id
                for label, days in (("first", 7), ("7d", 7), ("90d", 90)):
                    start = time.perf_counter()
                    backend.history.points(target, days)
                    times[label].append(time.perf_counter() - start)
            backend.close()
    print("| seconds                      |    min | median |    max |")
    print("|------------------------------|--------|--------|--------|")
    print(row("build, no history (scenario)", times["scenario"]))
    print(row("build, seeded (demo)", times["demo"]))
    print(row("first read (backfill + 7 d)", times["first"]))
    print(row("read 7 days", times["7d"]))
    print(row("read 90 days", times["90d"]))
    added = statistics.median(times["demo"]) - statistics.median(times["scenario"])
    print(f"\nthe backfill adds {added:.3f} s to the median build")


if __name__ == "__main__":
    main()
