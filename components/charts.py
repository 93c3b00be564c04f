"""Bars: each account × Region against its own limit (by Region, or by replication
state with what counts toward the limit apart from what does not), and replicating
servers per Region (stacked by account) against that Region's combined limits.

Each draws one trace per Region, state or account (never one per bar) and no per-bar
shapes, so a fleet of 100 accounts × 34 Regions stays a small figure. Every text that
comes from data is escaped (`plain`, `chart_label`) and never put inside a template:
names reach hovers through `customdata` or `meta`.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc

from components import ids
from components.chart_parts import (
    HARD_LIMIT_COLOR,
    NOT_READ,
    NOT_READ_HOVER,
    OFF_SCALE_FACTOR,
    OPERATIONAL_COLOR,
    UNKNOWN_GREY,
    category_ticks,
    limit_line,
    limit_markers,
    palette_color,
    plain,
    short_names,
    stack_tops,
    stacked_layout,
    text_markers,
    unit_error_code,
    unit_read,
    y_top,
)
from components.format import chart_label, count_noun, of_limit
from components.state_bars import DEFAULT_NON_COUNTING, state_bars
from components.status import status_text
from services.settings import CRITICAL_SHARE

STACK_BY_REGION = "region"
STACK_BY_STATE = "state"
UNIT_HOVER = (
    "%{customdata[0]}<br>%{meta}: %{customdata[1]:,} of %{customdata[2]:,}"
    " (%{y:.0f} %)<br>%{customdata[4]} · limit: %{customdata[3]}<extra></extra>"
)


def stack_toggle(value: str = STACK_BY_REGION) -> dbc.RadioItems:
    """The control that switches the account chart between Region and state stacks."""
    return dbc.RadioItems(
        id=ids.ACCOUNT_BARS_STACK,
        options=[
            {"label": "By Region", "value": STACK_BY_REGION},
            {"label": "By replication state", "value": STACK_BY_STATE},
        ],
        value=value,
        inline=True,
    )


def region_rows(account: dict) -> dict[str, int | None]:
    """Region -> replicating servers of one account (None where unreadable)."""
    return {
        r["region"]: r.get("replicatingServers")
        for r in account.get("regionalBreakdown") or ()
    }


def _account_keys(accounts: list[dict]) -> list[str]:
    """The x categories of the per-account charts: account IDs (unique; the axis
    shows short names)."""
    return [plain(a.get("accountId")) for a in accounts]


def _unit_cell(label: str, unit: dict | None) -> tuple[float | None, list | None]:
    """One account × Region bar: its share of its own limit, and its hover data."""
    if not unit_read(unit):
        return None, None
    return unit.get("percentUsed"), [
        label,
        unit["replicatingServers"],
        unit.get("maxReplicating"),
        plain(unit.get("limitSource")),
        plain(unit.get("status")),
    ]


def _units_by_region(accounts, keys, labels) -> list[dict]:
    units = [
        {r["region"]: r for r in a.get("regionalBreakdown") or ()} for a in accounts
    ]
    regions = sorted({region for row in units for region in row})
    traces = []
    for i, region in enumerate(regions):
        cells = [
            _unit_cell(label, row.get(region))
            for label, row in zip(labels, units, strict=True)
        ]
        group = {"offsetgroup": plain(region), "legendgroup": plain(region)}
        if any(share is not None for share, _ in cells):
            traces.append(
                {
                    "type": "bar",
                    "name": plain(region),
                    "meta": plain(region),
                    "x": keys,
                    "y": [share for share, _ in cells],
                    "customdata": [hover for _, hover in cells],
                    "marker": {"color": palette_color(i)},
                    "hovertemplate": UNIT_HOVER,
                    **group,
                }
            )
        unread = [
            (key, label, row[region])
            for key, label, row in zip(keys, labels, units, strict=True)
            if region in row and not unit_read(row[region])
        ]
        if unread:
            traces.append(_not_read_markers(region, unread, group))
    return traces


def _not_read_markers(region: str, unread: list, group: dict) -> dict:
    """ "not read" where a unit's bar would stand, in its Region's slot: unknown,
    never an empty zero column."""
    marker = text_markers(
        "Region not read",
        [key for key, _, _ in unread],
        [0] * len(unread),
        NOT_READ,
        NOT_READ_HOVER,
        "x-thin-open",
        [[label, plain(region), unit_error_code(unit)] for _, label, unit in unread],
    )
    marker["marker"]["line"] = {"width": 2, "color": UNKNOWN_GREY}
    # grouped slots are narrow: the mark and its legend entry say "not read"
    marker.update(mode="markers", offsetgroup=group["offsetgroup"])
    marker.update(legendgroup=NOT_READ)
    del marker["text"]
    return marker


def _not_reporting(accounts, keys, labels) -> tuple[list, list[str]]:
    """'not reporting' on accounts whose role could not be assumed, and its note."""
    missing = [i for i, a in enumerate(accounts) if not a.get("accessible")]
    if not missing:
        return [], []
    marker = text_markers(
        "Account not reporting",
        [keys[i] for i in missing],
        [0] * len(missing),
        "not reporting",
        "%{customdata}<br>not reporting: servers unknown, not counted<extra></extra>",
        "x",
        [labels[i] for i in missing],
    )
    return [marker], [f"{count_noun(len(missing), 'account')} not reporting"]


def _share_lines() -> list[dict]:
    """The operational and hard limits as shares: true for every unit, whatever its L."""
    operational = float(CRITICAL_SHARE * 100)
    return [
        limit_line(operational, "Operational limit (5/6)", OPERATIONAL_COLOR, "dash"),
        limit_line(100, "Hard limit (100 %)", HARD_LIMIT_COLOR, "solid"),
    ]


def _single_legend(traces: list[dict], group: str) -> None:
    """One legend entry for a group drawn as several traces."""
    shown = False
    for trace in traces:
        if trace.get("legendgroup") == group:
            trace["showlegend"] = not shown
            shown = True


def account_bars(
    snapshot: dict,
    stack_by: str = STACK_BY_REGION,
    non_counting=DEFAULT_NON_COUNTING,
) -> dict:
    """Per account: its account × Region units, by Region or by replication state.

    By Region, each unit is its own bar (bars grouped by account, one colour per
    Region), drawn as its replicating servers' share of its OWN limit L(a, r): with
    raised or lowered quotas, counts against one common line would be false, while
    "5/6 of its limit" and "100 % of its limit" are each unit's operational and hard
    limits whatever L is (SPEC §4.2). The hover gives the counts ("247 of 300 (82 %)").
    """
    if stack_by == STACK_BY_STATE:
        return state_bars(snapshot, non_counting)
    accounts = list(snapshot.get("accounts") or ())
    keys, labels = _account_keys(accounts), [chart_label(a) for a in accounts]
    markers, notes = _not_reporting(accounts, keys, labels)
    traces = _units_by_region(accounts, keys, labels)
    _single_legend(traces, NOT_READ)
    unread = sum(1 for t in traces if t.get("legendgroup") == NOT_READ for _ in t["x"])
    if unread:
        notes.append(f"{count_noun(unread, 'Region')} {NOT_READ}")
    tallest = max(
        [100.0, *(y or 0 for t in traces if t["type"] == "bar" for y in t["y"])]
    )
    layout = stacked_layout(
        "Each unit against its own limit",
        y_top(tallest),
        notes,
        "Bars: replicating servers as a share of that account's own limit in that"
        " Region. Unknown counts are marked, never drawn as zero.",
    )
    layout.update(barmode="group", scattermode="group", shapes=_share_lines())
    layout["xaxis"] = category_ticks(keys, short_names(accounts))
    layout["yaxis"].update(
        title={"text": "% of own limit"}, ticksuffix=" %", tickformat=""
    )
    return {"data": traces + markers, "layout": layout}


def _combined_limits(snapshot: dict, regions: list[str]) -> tuple[list, list, list]:
    """Each Region's combined hard and operational limits from `combinedByRegion` (the
    sum of the accounts' own limits there), and its status; None where not listed."""
    by_region = {c["region"]: c for c in snapshot.get("combinedByRegion") or ()}
    rows = [by_region.get(region) or {} for region in regions]
    return (
        [row.get("maxReplicating") for row in rows],
        [row.get("operationalLimit") for row in rows],
        [
            [of_limit(row.get("totalReplicating"), row.get("maxReplicating")),
             status_text(row.get("status"))] if row else None
            for row in rows
        ],
    )  # fmt: skip


def _region_notunit_read(accounts, rows, regions, tops) -> list[dict]:
    """ "n not read" on each Region where some account's unit could not be read, at
    the top of what was read (a Region read nowhere shows the mark, not a zero)."""
    names = {
        region: [
            chart_label(a)
            for a, row in zip(accounts, rows, strict=True)
            if region in row and row[region] is None
        ]
        for region in regions
    }
    hit = [j for j, region in enumerate(regions) if names[region]]
    if not hit:
        return []
    marker = text_markers(
        "Region not read",
        [plain(regions[j]) for j in hit],
        [tops[j] for j in hit],
        NOT_READ,
        "%{x}: not read in<br>%{customdata}<br>servers unknown, not counted"
        "<extra></extra>",
        "x-thin-open",
        ["<br>".join(names[regions[j]]) for j in hit],
    )
    marker["text"] = [f"{len(names[regions[j]])} {NOT_READ}" for j in hit]
    marker["marker"]["line"] = {"width": 2, "color": UNKNOWN_GREY}
    return [marker]


def region_bars(snapshot: dict) -> dict:
    """One bar per Region, stacked by account, with that Region's combined limits.

    A Region's combined limits are the snapshot's `combinedByRegion` figures: the sum
    over the accessible accounts of each one's own limit in that Region (SPEC §4.3),
    never N × one setting. An account whose Region could not be read is marked there.
    """
    accounts = list(snapshot.get("accounts") or ())
    rows = [region_rows(a) for a in accounts]
    regions = sorted(
        {r for row in rows for r in row}
        | {c["region"] for c in snapshot.get("combinedByRegion") or ()}
    )
    x = [plain(region) for region in regions]
    drawn = [
        (account, row)
        for account, row in zip(accounts, rows, strict=True)
        if any(n is not None for n in row.values())
    ]
    legend = short_names([account for account, _ in drawn])
    traces = [
        {
            "type": "bar",
            "name": name,
            "meta": chart_label(account),
            "x": x,
            "y": [row.get(region) for region in regions],
            "marker": {"color": palette_color(i)},
            "hovertemplate": "%{meta}<br>%{x}: %{y:,} replicating<extra></extra>",
        }
        for i, (name, (account, row)) in enumerate(zip(legend, drawn, strict=True))
    ]
    caps, operational_caps, hover = _combined_limits(snapshot, regions)
    hard = limit_markers(
        "Region's hard limit",
        x,
        caps,
        HARD_LIMIT_COLOR,
        3,
        "%{x}: %{customdata[0]} · %{customdata[1]}<br>hard limit %{y:,}"
        "<extra>the accounts' own limits there, added</extra>",
    )
    hard["customdata"] = hover
    operational = limit_markers(
        "Region's operational limit",
        x,
        operational_caps,
        OPERATIONAL_COLOR,
        2,
        "%{x}<br>operational limit %{y:,}<extra></extra>",
    )
    tops = stack_tops(traces, len(regions))
    unread = _region_notunit_read(accounts, rows, regions, tops)
    notes = []
    missing = sum(1 for a in accounts if not a.get("accessible"))
    if missing:
        notes.append(f"{count_noun(missing, 'account')} not reporting")
    tallest = max([0, *tops])
    known_caps = [c for c in caps if c is not None]
    top = y_top(tallest, *known_caps)
    if tallest and top > OFF_SCALE_FACTOR * tallest * 1.2:
        # Many accounts make the limits dwarf the bars: scale to the bars instead.
        top = y_top(tallest * 1.2)
        notes.append(f"limits up to {max(known_caps):,} off scale")
    layout = stacked_layout(
        "Against each Region's limits",
        top,
        notes,
        "Each Region's limits are its accounts' own limits there, added. Autoscale"
        " (toolbar) shows limits above the scale.",
    )
    return {"data": [*traces, hard, operational, *unread], "layout": layout}
