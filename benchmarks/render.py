"""Dashboard refresh benchmark: server time and bytes sent per refresh.

One refresh is what a poll costs the server once the snapshot is cached: the refresh
callback (dispatch, snapshot → dict, gauge, KPIs, recovery, warnings, Region bars) and the
two callbacks it triggers (account bars, accounts table), each serialised as Dash does.

    python benchmarks/render.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dash._utils import to_json  # noqa: E402

from components.charts import account_bars  # noqa: E402
from components.tables import accounts_table  # noqa: E402
from dashboard.callbacks.refresh import refresh_outputs  # noqa: E402
from dashboard.context import DashboardContext  # noqa: E402
from services.capacity import Limits, build_snapshot  # noqa: E402
from services.models import (  # noqa: E402
    AccountReading,
    RegionCapacity,
    RegionState,
    TargetAccount,
    zero_by_state,
)
from services.operations import Operations  # noqa: E402
from services.settings import Settings, drs_regions  # noqa: E402


def readings(
    accounts: int, regions: tuple[str, ...], seed: int = 7
) -> list[AccountReading]:
    rng = random.Random(seed)
    out = []
    for n in range(accounts):
        parts = []
        for region in regions:
            by_state = zero_by_state()
            by_state["CONTINUOUS"] = rng.randint(0, 8)
            by_state["STOPPED"] = rng.randint(0, 2)
            total = sum(by_state.values())
            parts.append(
                RegionCapacity(
                    region, RegionState.OK, total, by_state["CONTINUOUS"], 0, by_state
                )
            )
        kind = "target" if n == 0 else "staging"
        out.append(
            AccountReading(
                f"{100000000000 + n:012d}", f"acct-{n:03d}", kind, True, tuple(parts)
            )
        )
    return out


class CachedService:
    """The capacity service with its cache warm: returns one prepared snapshot."""

    def __init__(self, snapshot):
        self._snapshot = snapshot

    def snapshot(self, target_id, scope="all", *, refresh=False):
        return self._snapshot


class OneTarget:
    def __init__(self, target_id):
        self._target = TargetAccount(target_id, "bench")

    def get_target(self, target_id):
        return self._target


def one_refresh(context: DashboardContext, target_id: str) -> tuple[float, int]:
    start = time.perf_counter()
    outputs = refresh_outputs(context, target_id, "all", False, None)
    store = outputs[0]
    snapshot = context.snapshot_for(store)
    bars = account_bars(snapshot, "region")
    table = accounts_table(snapshot, None)
    payload = to_json(list(outputs)) + to_json(bars) + to_json(table)
    return time.perf_counter() - start, len(payload.encode())


def measure(accounts: int, regions: tuple[str, ...], repeats: int = 7) -> dict:
    settings = Settings(regions=regions)
    target_id = f"{100000000000:012d}"
    fleet = readings(accounts, regions)

    def collected():
        limits = Limits.from_settings(settings)
        return build_snapshot(target_id, fleet, limits, "2026-11-26T09:00:00Z")

    service = CachedService(collected())
    operations = Operations(OneTarget(target_id), service, None, settings)
    context = DashboardContext(operations, settings, demo=True)
    one_refresh(context, target_id)  # warm imports and caches
    first = []
    for _ in range(repeats):  # the first poll after a collection builds the wire form
        service._snapshot = collected()
        first.append(one_refresh(context, target_id))
    next_polls = [one_refresh(context, target_id) for _ in range(repeats)]
    return {
        "accounts": accounts,
        "regions": len(regions),
        "first_ms": statistics.median(t for t, _ in first) * 1000,
        "next_ms": statistics.median(t for t, _ in next_polls) * 1000,
        "max_ms": max(t for t, _ in first + next_polls) * 1000,
        "bytes": next_polls[-1][1],
    }


def main() -> None:
    all_regions = drs_regions()
    rows = [
        measure(4, all_regions[:3]),
        measure(10, all_regions),
        measure(100, all_regions),
    ]
    print(
        "| accounts | Regions holding servers | first poll after a collection, ms "
        "| next polls, ms | worst, ms | bytes sent |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['accounts']} | {r['regions']} | {r['first_ms']:.0f} "
            f"| {r['next_ms']:.0f} | {r['max_ms']:.0f} | {r['bytes'] / 1e6:.2f} MB |"
        )
    print(
        "\nTargets (issue 4): ≤ 300 ms of server time and ≤ 1.5 MB for 100 accounts × every Region."
    )


if __name__ == "__main__":
    main()
