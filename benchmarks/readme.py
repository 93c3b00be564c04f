"""Write the README's "Performance" section from the benchmarks' JSON results.

    python benchmarks/readme.py COLLECT_JSON POLL_JSON [--readme README.md]

Replaces what lies between `<!-- bench:start -->` and `<!-- bench:end -->` (the first time,
the whole body of the "## Performance" section): the issue's targets beside the measured
numbers, then the tables of collect.py and poll.py and what each number means.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collect import BUDGET_S, big_table  # noqa: E402
from collect import table as collect_table  # noqa: E402
from poll import tables as poll_tables  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# The dashboard poll before its figures became plain dicts (commit fb98684, same script,
# same machine, the better of two runs): the "before" of issue 10's poll rows.
POLL_BEFORE = {"polls_per_s": 6.4, "poll_100_ms": 309}


def _row(rows: list[dict], measure: str, accounts: int) -> dict | None:
    return next(
        (
            r
            for r in rows
            if r["measure"].startswith(measure) and r["accounts"] == accounts
        ),
        None,
    )


def _s(row: dict | None) -> str:
    if row is None:
        return "not measured"
    return (
        f"{row['median_s']:.2f} s (median; {row['min_s']:.2f}–{row['max_s']:.2f}), "
        f"{row['cpu_s']:.1f} s CPU (of it {row['simulator_cpu_s']:.1f} s the "
        "simulated AWS)"
    )


def _rss(bigs: list[dict]) -> str:
    """The memory row: as shipped, and in the app's own process alone."""
    said = [
        f"{b['rss_mb']:.0f} MB added up over its {b['processes']} processes "
        f"(forced refresh {b['forced_s']:.1f} s)"
        if b["setting"] == "default"
        else f"{b['rss_mb']:.0f} MB with DRS_CAPACITY_COLLECT_PROCESSES={b['setting']} "
        f"(forced refresh {b['forced_s']:.1f} s)"
        for b in bigs
    ]
    return "; ".join(said) + " |"


def targets(collect: dict, poll: dict) -> str:
    """Issue 10's targets table with the numbers measured now beside it."""
    rows = collect["rows"]
    by_label = {r["accounts"]: r for r in poll["rows"]}
    big, load = collect.get("big"), poll.get("load")
    hundred = by_label.get(100)
    lines = [
        "| measure | issue 10: before | target | measured now |",
        "|---|---|---|---|",
        "| forced refresh, 10 accounts × every Region, 100 ms, over HTTP | 4.5 s "
        f"| ≤ 0.6 s (3× critical path); aim 0.3 s | {_s(_row(rows, 'forced', 10))} |",
        "| first request on a fresh app, same fleet | 4–11 s | ≤ 1.2 s "
        f"| {_s(_row(rows, 'first', 10))} |",
        "| 100 accounts: first request | ~55 s CPU | ≤ 3.5 s "
        f"| {_s(_row(rows, 'first', 100))} |",
        "| 100 accounts: forced refresh | ~55 s CPU | ≤ 3 s "
        f"| {_s(_row(rows, 'forced', 100))} |",
        "| peak RSS of the app, 100 accounts × 3,000 servers | — | < 300 MB | "
        + (_rss(big) if big else "not measured |"),
        "| dashboard poll, 100 accounts, server time incl. snapshot "
        "(refresh callback, first poll after a collection) | 280–390 ms first "
        "| ≤ 150 ms | "
        + (
            f"{hundred['first_refresh_ms']:.0f} ms (whole poll with account bars and "
            f"table: {hundred['first_poll_ms']:.0f} ms first, "
            f"{hundred['poll_ms']:.0f} ms next; before {POLL_BEFORE['poll_100_ms']} ms) |"
            if hundred
            else "not measured |"
        ),
        f"| polls per second, 20 pollers on the demo | {POLL_BEFORE['polls_per_s']} "
        f"| ≥ 3× before ({3 * POLL_BEFORE['polls_per_s']:.1f}) | "
        + (f"{load['polls_per_s']:.1f} |" if load else "not measured |"),
    ]
    return "\n".join(lines)


def section(collect: dict, poll: dict) -> str:
    regions = collect["regions"]
    load = poll.get("load")
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    runs = [r[k] for r in (collect, poll) for k in ("before", "after") if k in r]
    loads = [r["load"] for r in runs] or [os.getloadavg()[0]]
    commits = sorted({r["commit"] + (" with local changes" if r["dirty"] else "")
                      for r in runs}) or ["unknown"]  # fmt: skip
    parts = [
        START,
        f"Measured {when} with `make bench` at commit {', '.join(commits)} on the "
        f"{os.cpu_count()}-core development machine, the 1-minute load average "
        f"{min(loads):.1f}–{max(loads):.1f} during the runs: other work shares these "
        "cores, so single numbers are noisy (compare medians). Every number is "
        "measured over HTTP against `python app.py` started as a subprocess on a "
        "generated simulated fleet; the simulated AWS runs inside the app's processes, "
        "so its CPU (answering, checking signatures) and memory count in the server's. "
        "A target of 20 accounts or more is read in reading processes, one per core "
        "(services/collect_processes.py): their CPU and memory count too.",
        "",
        "**Targets** (issue 10) beside what was measured:",
        "",
        targets(collect, poll),
        "",
        f"**Collection** (`python benchmarks/collect.py`): N accounts × all {regions} DRS "
        f"Regions, ~300 source servers per account in 3 of them, "
        f"{collect['latency_ms']} ms per simulated AWS call, the product's retry "
        "settings.",
        "",
        collect_table(collect["rows"], regions),
        "",
        "- *First request on a fresh app*: what someone opening the dashboard right "
        "after a start waits for: `GET /api/accounts/{id}/capacity` as soon as the app "
        "answers `/api/openapi.json`, a new process per sample (credentials, every "
        "account × Region read).",
        "- *Forced refresh*: what “Refresh now” (`?refresh=true`) costs on a running "
        "app: every account × Region read again.",
        "- *Pruned refresh*: an unforced request once the cache expired (what the "
        "periodic poll triggers): Regions known to be empty are skipped until their "
        "rescan, so this is **not** what “Refresh now” costs.",
        "- Server CPU: the user + system seconds of the app's processes during that "
        "request (the app, and for 100 accounts its reading process); peak RSS: "
        "their high-water resident sets (VmHWM) added up, an upper bound, as pages "
        "they share count in each. Five samples of each; sampling "
        f"stops early (at least one) once a measure has taken {BUDGET_S:.0f} s, and the "
        "table says so. Each request has a timeout; every app process is stopped.",
    ]
    if collect.get("big"):
        parts += [
            "",
            "Memory with 3,000 servers per account (a first request, then a forced "
            "refresh), as shipped and with the reading processes turned off:",
            "",
            big_table(collect["big"], regions),
        ]
    parts += [
        "",
        "**Dashboard poll** (`python benchmarks/poll.py`): the app's own "
        "`/_dash-update-component` requests as the page sends them on an interval "
        "tick (payloads built from `/_dash-dependencies` and `/_dash-layout`): the "
        "refresh callback, then the account bars and the accounts table its new "
        "snapshot store triggers. Fleets without AWS latency and with a long cache TTL, "
        "so polls are served from the cached collection.",
        "",
        poll_tables(poll["rows"], load),
        "",
        "- *Refresh callback*: gauge, KPIs, recovery, warnings, Region bars and the "
        "snapshot for the page, including Dash's own handling and JSON; *first poll "
        "after a collection* also builds the snapshot and its wire form.",
        "- *Whole poll*: the three requests one after the other, as a page makes them.",
        "- *Concurrent*: 20 pollers on the demo, each polling back to back for "
        f"{load['seconds']:.0f} s; polls/s counts whole polls (3 requests each). "
        f"Before the figures were plain dicts: {POLL_BEFORE['polls_per_s']} polls/s."
        if load
        else "",
        END,
    ]
    return "\n".join(parts)


def replace_section(readme: str, body: str) -> str:
    if START in readme and END in readme:
        head, rest = readme.split(START, 1)
        return head + body + rest.split(END, 1)[1]
    found = re.search(r"^## Performance\n(.*?)(?=^## )", readme, re.S | re.M)
    if not found:
        raise SystemExit("README.md has no '## Performance' section")
    return readme[: found.start(1)] + "\n" + body + "\n\n" + readme[found.end(1) :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collect", type=Path)
    parser.add_argument("poll", type=Path)
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args()
    collect = json.loads(args.collect.read_text())
    poll = json.loads(args.poll.read_text())
    text = args.readme.read_text()
    args.readme.write_text(replace_section(text, section(collect, poll)))
    print(f"{args.readme}: Performance section written")


if __name__ == "__main__":
    main()
