"""Stacked bars: servers per account (by Region or state) and per Region (by account).

Both draw one trace per stack key (never one per bar) and no per-bar shapes, so a fleet
of 100 accounts × 34 Regions stays a small figure.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go

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
from components.format import account_label
from services.settings import REPLICATION_STATES, Settings
from services.thresholds import operational_limit

STACK_BY_REGION = "region"
STACK_BY_STATE = "state"
DEFAULT_NON_COUNTING = Settings.non_replicating_states
COUNTING_GROUP = "Counts toward the limit"
NOT_COUNTING_GROUP = "Not counting"
OFF_SCALE_FACTOR = 5  # scale to the bars when the limits are this much taller
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


def _stack_by_region(accounts: list[dict], labels: list[str]) -> list[go.Bar]:
    rows = [region_rows(a) for a in accounts]
    regions = sorted({r for row in rows for r, n in row.items() if n is not None})
    return [
        go.Bar(
            name=region,
            x=labels,
            y=[row.get(region) for row in rows],
            marker_color=palette_color(i),
            hovertemplate=f"%{{x}}<br>{region}: %{{y}} replicating<extra></extra>",
        )
        for i, region in enumerate(regions)
    ]


def _state_counts(accounts: list[dict], state: str) -> list[int | None]:
    return [
        (a.get("byState") or {}).get(state) if a.get("accessible") else None
        for a in accounts
    ]


def _stack_by_state(accounts, labels, non_counting) -> list[go.Bar]:
    counting = [s for s in REPLICATION_STATES if s not in non_counting]
    stopped = [s for s in REPLICATION_STATES if s in non_counting]
    traces = []
    for state in counting + stopped:  # non-counting states on top, hatched grey
        group = NOT_COUNTING_GROUP if state in non_counting else COUNTING_GROUP
        traces.append(
            go.Bar(
                name=state,
                x=labels,
                y=_state_counts(accounts, state),
                marker={
                    "color": STATE_COLORS.get(state, UNKNOWN_GREY),
                    "pattern": {"shape": "/" if state in non_counting else ""},
                },
                legendgroup=group,
                legendgrouptitle_text=group,
                hovertemplate=f"%{{x}}<br>{state}: %{{y}}<extra>{group}</extra>",
            )
        )
    return traces


def _account_markers(accounts, labels, tops) -> tuple[list, list[str]]:
    """'unknown' on accounts not reporting, '≥' on incomplete ones, and their notes."""
    missing = [i for i, a in enumerate(accounts) if not a.get("accessible")]
    partial = [
        i
        for i, a in enumerate(accounts)
        if a.get("accessible") and not a.get("complete")
    ]
    traces, notes = [], []
    if missing:
        traces.append(
            text_markers(
                "Not reporting (unknown)",
                [labels[i] for i in missing],
                [0] * len(missing),
                "unknown",
                "%{x}<br>not reporting: servers unknown, not counted<extra></extra>",
                "x",
            )
        )
        notes.append(f"{len(missing)} not reporting: marked 'unknown', no bar drawn")
    if partial:
        traces.append(
            text_markers(
                "Incomplete (lower bound)",
                [labels[i] for i in partial],
                [tops[i] for i in partial],
                "≥",
                "%{x}<br>some Regions unreadable: at least %{y}<extra></extra>",
                "triangle-up-open",
            )
        )
        notes.append(f"{len(partial)} incomplete: bar is a lower bound (≥)")
    return traces, notes


def account_bars(
    snapshot: dict,
    stack_by: str = STACK_BY_REGION,
    limit: int = Settings.replication_limit,
    non_counting=DEFAULT_NON_COUNTING,
) -> go.Figure:
    """One bar per account ("name (id)"), stacked by Region or by replication state.

    Region stacks show replicating servers (extended ones excluded); state stacks show
    every source server, the non-counting states grey and hatched on top.
    """
    accounts = list(snapshot.get("accounts") or ())
    labels = [account_label(a) for a in accounts]
    if stack_by == STACK_BY_STATE:
        traces = _stack_by_state(accounts, labels, non_counting)
        title = "Source servers per account, by replication state"
    else:
        traces = _stack_by_region(accounts, labels)
        title = "Replicating servers per account, by Region"
    tops = stack_tops(traces, len(accounts))
    markers, notes = _account_markers(accounts, labels, tops)
    if stack_by == STACK_BY_STATE:
        notes.append("all source servers, extended ones included")
    operational = float(operational_limit(limit))
    fig = go.Figure(traces + markers)
    stacked_layout(fig, title, max([limit, *tops]), notes)
    fig.update_layout(
        shapes=[
            limit_line(
                operational,
                f"Operational limit {operational:g}",
                OPERATIONAL_COLOR,
                "dash",
            ),
            limit_line(limit, f"Hard limit {limit:,}", HARD_LIMIT_COLOR, "solid"),
        ]
    )
    return fig


def region_reporting(accounts: list[dict], regions: list[str]) -> list[int]:
    """Accounts reporting each Region: accessible, and that Region not in error."""
    failed: dict[str, int] = {}
    for account in accounts:
        for region, count in region_rows(account).items():
            if count is None:
                failed[region] = failed.get(region, 0) + 1
    reporting = sum(1 for a in accounts if a.get("accessible"))
    return [reporting - failed.get(region, 0) for region in regions]


def region_bars(snapshot: dict, limit: int = Settings.replication_limit) -> go.Figure:
    """One bar per Region, stacked by account, with each Region's combined limit.

    A Region's combined limit is (accounts reporting in that Region) × `limit`. AWS
    enforces the quota per account and Region, so every accessible account holds
    `limit` slots in every Region, used yet or not: this is the per-Region form of the
    combined maximum N × L. An account whose Region could not be read is left out, as
    inaccessible accounts are left out of N.
    """
    accounts = list(snapshot.get("accounts") or ())
    rows = [region_rows(a) for a in accounts]
    regions = sorted({r for row in rows for r in row})
    traces = [
        go.Bar(
            name=account_label(account),
            x=regions,
            y=[row.get(region) for region in regions],
            marker_color=palette_color(i + ACCOUNT_COLOR_OFFSET),
            hovertemplate="%{x}<br>%{fullData.name}: %{y} replicating<extra></extra>",
        )
        for i, (account, row) in enumerate(zip(accounts, rows, strict=True))
        if any(n is not None for n in row.values())
    ]
    reporting = region_reporting(accounts, regions)
    caps = [n * limit for n in reporting]
    hard = limit_markers(
        f"Combined hard limit (accounts reporting × {limit:,})",
        regions,
        caps,
        HARD_LIMIT_COLOR,
        3,
        "%{x}<br>hard limit %{y:,}<extra>accounts reporting × limit</extra>",
    )
    operational = limit_markers(
        "Combined operational limit",
        regions,
        [float(n * operational_limit(limit)) for n in reporting],
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
    top = max([1, tallest, *caps])
    if tallest and top > OFF_SCALE_FACTOR * tallest:
        # Many accounts make the limits dwarf the bars: scale to the bars instead.
        top = tallest * 1.2
        notes.append(f"limits up to {max(caps):,} are above the scale (Autoscale)")
    fig = go.Figure([*traces, hard, operational])
    stacked_layout(fig, "Replicating servers per Region, by account", top, notes)
    return fig
