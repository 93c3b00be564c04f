"""Bars: each account × Region against its own limit (or an account's servers by
state), and replicating servers per Region (stacked by account) against that Region's
combined limits.

Both draw one trace per Region, state or account (never one per bar) and no per-bar
shapes, so a fleet of 100 accounts × 34 Regions stays a small figure.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc

from components import ids
from components.chart_parts import (
    HARD_LIMIT_COLOR,
    OPERATIONAL_COLOR,
    STATE_COLORS,
    UNKNOWN_GREY,
    limit_line,
    limit_markers,
    palette_color,
    stack_tops,
    stacked_layout,
    text_markers,
)
from components.format import chart_label, of_limit
from components.status import status_text
from services.settings import CRITICAL_SHARE, REPLICATION_STATES, Settings

STACK_BY_REGION = "region"
STACK_BY_STATE = "state"
DEFAULT_NON_COUNTING = Settings.non_replicating_states
ACTIVE_GROUP = "Active states"
NOT_COUNTING_GROUP = "Not counting"
OFF_SCALE_FACTOR = 5  # scale to the bars when the limits are this much taller
UNIT_HOVER = (
    "%{customdata[0]:,} of %{customdata[1]:,} (limit: %{customdata[2]})"
    "<br>%{y:.1f} % of its limit · %{customdata[3]}<extra></extra>"
)
ACCOUNT_COLOR_OFFSET = 24  # accounts take the light palette, Regions the dark one


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


def _unit_cell(unit: dict | None) -> tuple[float | None, list | None]:
    """One account × Region bar: its share of its own limit, and its hover data (raw
    numbers and codes: a fleet of 3,400 units must stay a small figure)."""
    if unit is None or unit.get("replicatingServers") is None:
        return None, None
    return unit.get("percentUsed"), [
        unit["replicatingServers"],
        unit.get("maxReplicating"),
        unit.get("limitSource"),
        unit.get("status"),
    ]


def _units_by_region(accounts: list[dict], labels: list[str]) -> list[dict]:
    units = [
        {r["region"]: r for r in a.get("regionalBreakdown") or ()} for a in accounts
    ]
    known = (u for row in units for u in row.values())
    regions = sorted({u["region"] for u in known if _unit_cell(u)[0] is not None})
    traces = []
    for i, region in enumerate(regions):
        cells = [_unit_cell(row.get(region)) for row in units]
        traces.append(
            {
                "type": "bar",
                "name": region,
                "x": labels,
                "y": [share for share, _ in cells],
                "customdata": [hover for _, hover in cells],
                "marker": {"color": palette_color(i)},
                "hovertemplate": f"%{{x}}<br>{region}: {UNIT_HOVER}",
            }
        )
    return traces


def _state_counts(accounts: list[dict], state: str) -> list[int | None]:
    return [
        (a.get("byState") or {}).get(state) if a.get("accessible") else None
        for a in accounts
    ]


def _stack_by_state(accounts, labels, non_counting) -> list[dict]:
    active = [s for s in REPLICATION_STATES if s not in non_counting]
    stopped = [s for s in REPLICATION_STATES if s in non_counting]
    traces = []
    for state in active + stopped:  # non-counting states on top, hatched grey
        group = NOT_COUNTING_GROUP if state in non_counting else ACTIVE_GROUP
        traces.append(
            {
                "type": "bar",
                "name": state,
                "x": labels,
                "y": _state_counts(accounts, state),
                "marker": {
                    "color": STATE_COLORS.get(state, UNKNOWN_GREY),
                    "pattern": {"shape": "/" if state in non_counting else ""},
                },
                "legendgroup": group,
                "legendgrouptitle": {"text": group},
                "hovertemplate": f"%{{x}}<br>{state}: %{{y}} servers<extra>{group}</extra>",
            }
        )
    return traces


def _not_reporting(accounts, labels) -> tuple[list, list[str]]:
    """'unknown' on accounts not reporting, and its note."""
    missing = [i for i, a in enumerate(accounts) if not a.get("accessible")]
    if not missing:
        return [], []
    marker = text_markers(
        "Not reporting (unknown)",
        [labels[i] for i in missing],
        [0] * len(missing),
        "unknown",
        "%{x}<br>not reporting: servers unknown, not counted<extra></extra>",
        "x",
    )
    return [marker], [f"{len(missing)} not reporting: marked 'unknown', no bar drawn"]


def _unreadable_regions(accounts, labels) -> tuple[list, list[str]]:
    """'?' on accounts with Regions that could not be read: those units are unknown."""
    unread = {
        i: [r["region"] for r in a.get("regionalBreakdown") or ()
            if r.get("replicatingServers") is None]
        for i, a in enumerate(accounts)
        if a.get("accessible")
    }  # fmt: skip
    unread = {i: names for i, names in unread.items() if names}
    if not unread:
        return [], []
    marker = text_markers(
        "Region unreadable (unknown)",
        [labels[i] for i in unread],
        [0] * len(unread),
        "?",
        "%{x}<br>not read: %{customdata} (unknown, no bar)<extra></extra>",
        "triangle-up-open",
        [", ".join(names) for names in unread.values()],
    )
    return [marker], [f"{len(unread)} with unreadable Regions: marked '?'"]


def _share_lines() -> list[dict]:
    """The operational and hard limits as shares: true for every unit, whatever its L."""
    operational = float(CRITICAL_SHARE * 100)
    return [
        limit_line(
            operational,
            f"Operational limit ({CRITICAL_SHARE})",
            OPERATIONAL_COLOR,
            "dash",
        ),
        limit_line(100, "Hard limit (100 %)", HARD_LIMIT_COLOR, "solid"),
    ]


def account_bars(
    snapshot: dict,
    stack_by: str = STACK_BY_REGION,
    non_counting=DEFAULT_NON_COUNTING,
) -> dict:
    """Per account ("name (id)"): its account × Region units, or its servers by state.

    By Region, each unit is its own bar (bars grouped by account, one colour per
    Region), drawn as its replicating servers' share of its OWN limit L(a, r): with
    raised or lowered quotas, counts against one common line would be false, while
    "5/6 of its limit" and "100 % of its limit" are each unit's operational and hard
    limits whatever L is (SPEC §4.2). The hover gives the counts ("247 of 300").
    By state, the bars stack every source server of the account, extended ones
    included: a sum over Regions is not a unit, so no limit is drawn against it.
    """
    accounts = list(snapshot.get("accounts") or ())
    labels = [chart_label(a) for a in accounts]
    markers, notes = _not_reporting(accounts, labels)
    if stack_by == STACK_BY_STATE:
        traces = _stack_by_state(accounts, labels, non_counting)
        notes.append("all source servers in scope, extended ones included")
        top = max([1, *stack_tops(traces, len(accounts))])
        layout = stacked_layout("Source servers per account, by state", top, notes)
        layout["yaxis"]["title"] = {"text": "source servers"}
        return {"data": traces + markers, "layout": layout}
    traces = _units_by_region(accounts, labels)
    unread, unread_notes = _unreadable_regions(accounts, labels)
    tallest = max([100.0, *(y or 0 for t in traces for y in t["y"])])
    layout = stacked_layout(
        "Each account × Region against its own limit",
        tallest * 1.06,  # room for the hard limit's label above its line
        notes + unread_notes,
    )
    layout["barmode"] = "group"
    layout["yaxis"].update(title={"text": "% of the unit's own limit"}, ticksuffix=" %")
    layout["shapes"] = _share_lines()
    return {"data": traces + markers + unread, "layout": layout}


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


def region_bars(snapshot: dict) -> dict:
    """One bar per Region, stacked by account, with that Region's combined limits.

    A Region's combined limits are the snapshot's `combinedByRegion` figures: the sum
    over the accessible accounts of each one's own limit in that Region (SPEC §4.3),
    never N × one setting. An account whose Region could not be read is not drawn.
    """
    accounts = list(snapshot.get("accounts") or ())
    rows = [region_rows(a) for a in accounts]
    regions = sorted(
        {r for row in rows for r in row}
        | {c["region"] for c in snapshot.get("combinedByRegion") or ()}
    )
    traces = [
        {
            "type": "bar",
            "name": chart_label(account),
            "x": regions,
            "y": [row.get(region) for region in regions],
            "marker": {"color": palette_color(i + ACCOUNT_COLOR_OFFSET)},
            "hovertemplate": "%{x}<br>%{fullData.name}: %{y} replicating<extra></extra>",
        }
        for i, (account, row) in enumerate(zip(accounts, rows, strict=True))
        if any(n is not None for n in row.values())
    ]
    caps, operational_caps, hover = _combined_limits(snapshot, regions)
    hard = limit_markers(
        "Combined hard limit (the accounts' limits added)",
        regions,
        caps,
        HARD_LIMIT_COLOR,
        3,
        "%{x}: %{customdata[0]} · %{customdata[1]}<br>hard limit %{y:,}"
        "<extra>the accounts' own limits there, added</extra>",
    )
    hard["customdata"] = hover
    operational = limit_markers(
        "Combined operational limit",
        regions,
        operational_caps,
        OPERATIONAL_COLOR,
        2,
        "%{x}<br>operational limit %{y:,}<extra></extra>",
    )
    notes = []
    missing = sum(1 for a in accounts if not a.get("accessible"))
    if missing:
        notes.append(f"{missing} accounts not reporting: not drawn")
    if any(n is None for row in rows for n in row.values()):
        notes.append("unreadable account × Region pairs: not drawn")
    tallest = max([0, *stack_tops(traces, len(regions))])
    known_caps = [c for c in caps if c is not None]
    top = max([1, tallest, *known_caps])
    if tallest and top > OFF_SCALE_FACTOR * tallest:
        # Many accounts make the limits dwarf the bars: scale to the bars instead.
        top = tallest * 1.2
        notes.append(
            f"limits up to {max(known_caps):,} are above the scale (Autoscale)"
        )
    layout = stacked_layout("Replicating servers per Region, by account", top, notes)
    return {"data": [*traces, hard, operational], "layout": layout}
