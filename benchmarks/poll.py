"""Dashboard poll benchmark: the refresh callback's time as a browser sees it.

`app.py` runs as a subprocess (the demo, or a generated fleet with no AWS latency and a
long cache TTL, so polls are served from the cached collection) and the stdlib POSTs to
`/_dash-update-component` the payloads the page sends on an interval tick: the refresh
callback (snapshot, gauge, KPIs, recovery, warnings, Region bars, badge, banner), then
the two callbacks its new store triggers (account bars, accounts table). The payloads are
built from the app's own `/_dash-dependencies` and `/_dash-layout`, as the page does.

- next polls: the collection cached and its snapshot already on screen;
- first poll after a collection: a new collection was just made (through the API, for
  one Region), so the poll builds the all-Regions snapshot and its wire form;
- concurrent: 20 pollers on the demo for 10 s, each polling as a page does.

    python benchmarks/poll.py             # the standard tables
    python benchmarks/poll.py --quick     # demo and 10 accounts, 5 s of concurrency
    python benchmarks/poll.py --profile   # cProfile of refresh polls in-process
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from appserver import ROOT, AppServer, conditions, write_scenario

UPDATE = "/_dash-update-component"
REFRESH_OUTPUT = "..snapshot-store.data..."  # the refresh callback's output starts so
CHAINED = ("account-bars.figure", "accounts-table.children")
POLL_ENV = {"DRS_CAPACITY_CACHE_TTL_SECONDS": "86400"}
TIMEOUT_S = 120.0
COLLECTION_TIMEOUT_S = 600.0  # a collection of 100 accounts by a slow build
BUDGET_S = 30.0  # first polls stop early (at least one) past this, and say so


class Page:
    """The payloads one open page sends, built from the app's dependencies and layout."""

    def __init__(self, app: AppServer):
        self.app = app
        deps = _get_json(app.base + "/_dash-dependencies")
        self.callbacks = {
            d["output"]: d
            for d in deps
            if d["output"].startswith(REFRESH_OUTPUT) or d["output"] in CHAINED
        }
        self.values = _layout_values(_get_json(app.base + "/_dash-layout"))
        self.store = None  # the snapshot store's data, as the page keeps it
        self.ticks = 0

    def _payload(self, output: str, changed: str, values: dict) -> dict:
        spec = self.callbacks[output]
        outputs = [
            dict(zip(("id", "property"), part.split(".", 1), strict=True))
            for part in output.strip(".").split("...")
        ]

        def filled(items):  # as the page: a value the page does not have is left out
            out = []
            for item in items:
                value = values.get((item["id"], item["property"]))
                out.append(item if value is None else {**item, "value": value})
            return out

        payload = {
            "output": output,
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": filled(spec["inputs"]),
            "changedPropIds": [changed],
            "parsedChangedPropsIds": [changed],
        }
        if spec["state"]:  # the page leaves "state" out when a callback has none
            payload["state"] = filled(spec["state"])
        return payload

    def refresh(self) -> tuple[float, int]:
        """One interval tick: the refresh callback; its wall seconds and bytes."""
        self.ticks += 1
        values = {
            **self.values,
            ("refresh-interval", "n_intervals"): self.ticks,
            ("snapshot-store", "data"): self.store,
        }
        output = next(o for o in self.callbacks if o.startswith(REFRESH_OUTPUT))
        payload = self._payload(output, "refresh-interval.n_intervals", values)
        wall, raw = self.app.post(UPDATE, payload, TIMEOUT_S)
        answer = json.loads(raw)["response"]
        self.store = answer["snapshot-store"]["data"]
        if not self.store:
            raise RuntimeError(f"the poll drew no snapshot: {raw[:300]!r}")
        return wall, len(raw)

    def chained(self) -> tuple[float, int]:
        """The two callbacks the new store triggers, one after the other."""
        values = {**self.values, ("snapshot-store", "data"): self.store}
        wall = size = 0
        for output in CHAINED:
            seconds, raw = self.app.post(
                UPDATE, self._payload(output, "snapshot-store.data", values), TIMEOUT_S
            )
            wall, size = wall + seconds, size + len(raw)
        return wall, size

    def poll(self) -> tuple[float, float, int]:
        """(refresh callback s, whole poll s, bytes) of one tick."""
        refresh, size = self.refresh()
        rest, more = self.chained()
        return refresh, refresh + rest, size + more


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
        return json.loads(answer.read())


def _layout_values(node, found=None) -> dict:
    """(component id, property) -> value of every component with an id in the layout."""
    found = {} if found is None else found
    if isinstance(node, list):
        for child in node:
            _layout_values(child, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                for name, value in props.items():
                    found[(props["id"], name)] = value
            for value in props.values():
                _layout_values(value, found)
    return found


def sequential(label: str, app: AppServer, samples: int, firsts: int) -> dict:
    """Next polls (cached, on screen), and first polls after a new collection."""
    page = Page(app)
    target = page.values[("target-select", "value")]
    capacity = f"/api/accounts/{target}/capacity"
    accounts = len(app.get(capacity, COLLECTION_TIMEOUT_S)[1]["accounts"])
    for _ in range(3):  # the first snapshot on screen, imports and caches warm
        page.poll()
    cpu0 = app.cpu_seconds()
    nexts = [page.poll() for _ in range(samples)]
    cpu = (app.cpu_seconds() - cpu0) / samples
    first = []
    deadline = time.monotonic() + BUDGET_S
    while len(first) < firsts and (not first or time.monotonic() < deadline):
        # a new collection, drawn for one Region: the poll builds the all-Regions
        # snapshot and its wire form, as the first poll after a collection does
        app.get(f"{capacity}?refresh=true&region=us-east-1", COLLECTION_TIMEOUT_S)
        first.append(page.poll())
    return {
        "label": label,
        "accounts": accounts,
        "samples": samples,
        "firsts": len(first),
        "planned_firsts": firsts,
        "first_refresh_ms": _ms(statistics.median(p[0] for p in first)),
        "first_poll_ms": _ms(statistics.median(p[1] for p in first)),
        "refresh_ms": _ms(statistics.median(p[0] for p in nexts)),
        "refresh_max_ms": _ms(max(p[0] for p in nexts)),
        "poll_ms": _ms(statistics.median(p[1] for p in nexts)),
        "cpu_ms": _ms(cpu),
        "mb": nexts[-1][2] / 1e6,
    }


def concurrent(app: AppServer, pollers: int, seconds: float) -> dict:
    """`pollers` pages polling back to back for `seconds`: throughput and latency."""
    pages = [Page(app) for _ in range(pollers)]
    for page in pages:
        page.poll()
    results: list[list[tuple[float, float, int]]] = [[] for _ in pages]
    start = threading.Barrier(pollers + 1)
    stop_at = [0.0]

    def run(page: Page, out: list) -> None:
        start.wait()
        while time.monotonic() < stop_at[0]:
            out.append(page.poll())

    threads = [
        threading.Thread(target=run, args=(p, out), daemon=True)
        for p, out in zip(pages, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    cpu0 = app.cpu_seconds()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + TIMEOUT_S)
    elapsed = time.monotonic() - began
    polls = [p for out in results for p in out]
    refresh = sorted(p[0] for p in polls)
    whole = sorted(p[1] for p in polls)
    return {
        "pollers": pollers,
        "seconds": elapsed,
        "polls": len(polls),
        "polls_per_s": len(polls) / elapsed,
        "requests_per_s": 3 * len(polls) / elapsed,
        "refresh_p50_ms": _ms(_pct(refresh, 50)),
        "refresh_p99_ms": _ms(_pct(refresh, 99)),
        "poll_p50_ms": _ms(_pct(whole, 50)),
        "poll_p99_ms": _ms(_pct(whole, 99)),
        "cpu_per_poll_ms": _ms((app.cpu_seconds() - cpu0) / max(1, len(polls))),
    }


def _pct(ordered: list[float], percent: float) -> float:
    index = min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))
    return ordered[index]


def _ms(seconds: float) -> float:
    return seconds * 1000


def profile(folder: Path, accounts: int, polls: int) -> None:
    """cProfile of the refresh callback and its two followers, in this process."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from dashboard import create_app
    from services.settings import Settings

    scenario = write_scenario(folder, accounts, 300, 0)
    app = create_app(Settings(scenario_path=str(scenario), cache_ttl_seconds=86400))
    client = app.server.test_client()

    class Local:  # AppServer's post over the Flask test client
        base = ""

        def post(self, path, payload, timeout):
            started = time.perf_counter()
            raw = client.post(path, json=payload).data
            return time.perf_counter() - started, raw

    page = Page.__new__(Page)
    page.app = Local()
    deps = client.get("/_dash-dependencies").get_json()
    page.callbacks = {
        d["output"]: d
        for d in deps
        if d["output"].startswith(REFRESH_OUTPUT) or d["output"] in CHAINED
    }
    page.values = _layout_values(client.get("/_dash-layout").get_json())
    page.store, page.ticks = None, 0
    page.poll()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(polls):
        page.poll()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def _of(row: dict) -> str:
    """Says when the time budget cut the first polls short."""
    if row["firsts"] < row["planned_firsts"]:
        return f" ({row['firsts']} of {row['planned_firsts']}, time budget)"
    return ""


def tables(rows: list[dict], load: dict | None) -> str:
    lines = [
        "| fleet | accounts | refresh callback, first poll after a collection, ms "
        "| refresh callback, next polls, ms (median / max) | whole poll "
        "(+ account bars, table), first / next, ms | server CPU per poll, ms "
        "| bytes per poll |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['accounts']} | {r['first_refresh_ms']:.0f}{_of(r)} "
            f"| {r['refresh_ms']:.0f} / {r['refresh_max_ms']:.0f} "
            f"| {r['first_poll_ms']:.0f} / {r['poll_ms']:.0f} | {r['cpu_ms']:.0f} "
            f"| {r['mb']:.2f} MB |"
        )
    if load:
        lines += [
            "",
            "| pollers (demo) | seconds | polls/s | requests/s "
            "| refresh callback p50 / p99, ms | whole poll p50 / p99, ms "
            "| server CPU per poll, ms |",
            "|---|---|---|---|---|---|---|",
            f"| {load['pollers']} | {load['seconds']:.0f} | {load['polls_per_s']:.1f} "
            f"| {load['requests_per_s']:.1f} "
            f"| {load['refresh_p50_ms']:.0f} / {load['refresh_p99_ms']:.0f} "
            f"| {load['poll_p50_ms']:.0f} / {load['poll_p99_ms']:.0f} "
            f"| {load['cpu_per_poll_ms']:.1f} |",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--samples", type=int, default=20, help="next polls per fleet")
    parser.add_argument("--firsts", type=int, default=5, help="first polls per fleet")
    parser.add_argument("--seconds", type=float, default=10.0, help="concurrent run")
    parser.add_argument("--pollers", type=int, default=20)
    parser.add_argument("--profile", type=int, metavar="ACCOUNTS", help="profile only")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    fleets = (10,) if args.quick else (10, 100)
    seconds = 5.0 if args.quick else args.seconds
    with tempfile.TemporaryDirectory(prefix="drs-poll-") as tmp:
        folder = Path(tmp)
        if args.profile:
            profile(folder, args.profile, args.samples)
            return
        rows, before = [], conditions()
        with AppServer(None, folder, POLL_ENV) as app:
            rows.append(sequential("demo", app, args.samples, args.firsts))
            load = concurrent(app, args.pollers, seconds)
        for accounts in fleets:
            scenario = write_scenario(folder, accounts, 300, 0)
            with AppServer(scenario, folder, POLL_ENV) as app:
                label = f"{accounts} × every Region"
                rows.append(sequential(label, app, args.samples, args.firsts))
    print(tables(rows, load))
    print(
        f"\nNext polls: median of {args.samples}; first polls: median of "
        f"{args.firsts}; {args.pollers} pollers for {seconds:.0f} s, each polling "
        "as a page does (refresh callback, then account bars and table)."
    )
    if args.json:
        runs = {"before": before, "after": conditions()}
        args.json.write_text(json.dumps({"rows": rows, "load": load, **runs}, indent=1))


if __name__ == "__main__":
    main()
