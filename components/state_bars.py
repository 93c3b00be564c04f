"""The "by replication state" view of the account chart: each account × Region's
source servers by state, what counts toward its limit (solid, against the unit's own
limit) apart from what does not (hatched: stopped, disconnected, extended servers).

Beyond `MAX_UNIT_COLUMNS` units, one column per account (sums over its Regions, which
are not a unit, so without a limit) keeps the figure small and readable.
"""

from __future__ import annotations

from components.chart_parts import (
    EXTENDED_COLOR,
    HARD_LIMIT_COLOR,
    NOT_READ,
    NOT_READ_HOVER,
    OFF_SCALE_FACTOR,
    OPERATIONAL_COLOR,
    STATE_COLORS,
    limit_markers,
    plain,
    short_names,
    stack_tops,
    stacked_layout,
    text_markers,
    unit_error_code,
    unit_read,
    y_top,
)
from components.format import chart_label, count_noun
from services.settings import REPLICATION_STATES, Settings

DEFAULT_NON_COUNTING = Settings.non_replicating_states
NOT_COUNTED = "not counted"
EXTENDED_NAME = "Extended (count in staging)"
MAX_UNIT_COLUMNS = 80
UNIT_NAME_CHARS = 16  # a column's label is two lines (name, Region), often upright


def state_name(state: str) -> str:
    """ "INITIAL_SYNC" -> "Initial sync": shorter in a legend, as the console says it."""
    return state.replace("_", " ").capitalize()


def _unit_columns(accounts: list[dict]) -> list[tuple[dict, dict | None]]:
    """One column per account × Region unit (account, unit), and (account, None) for
    an account that is not reporting."""
    columns = []
    for account in accounts:
        if not account.get("accessible"):
            columns.append((account, None))
            continue
        columns += [(account, unit) for unit in account.get("regionalBreakdown") or ()]
    return columns


def _account_columns(accounts: list[dict]) -> list[tuple[dict, dict | None]]:
    """One column per account: its sums over the Regions in scope, with no limit."""
    return [
        (a, {**a, "region": "all Regions", "maxReplicating": None})
        if a.get("accessible") else (a, None)
        for a in accounts
    ]  # fmt: skip


def _counted_split(unit: dict, non_counting) -> dict[str, int]:
    """A unit's servers per state, with its extended servers in replicating states
    taken out as "extended": they replicate in, and count for, their staging account
    (SPEC §3). The collector counts them apart but not by state; they are taken from
    CONTINUOUS first, the state of a healthy extended server. The counted states then
    add up to exactly `replicatingServers`."""
    by_state = dict(unit.get("byState") or {})
    counting = [s for s in REPLICATION_STATES if s not in non_counting]
    extended = sum(by_state.get(s, 0) for s in counting) - unit["replicatingServers"]
    by_state["extended"] = max(extended, 0)
    for state in sorted(counting, key=lambda s: s != "CONTINUOUS"):
        taken = min(extended, by_state.get(state, 0))
        by_state[state] = by_state.get(state, 0) - taken
        extended -= taken
    return by_state


def _state_trace(name: str, y: list, color: str, counted: bool) -> dict:
    return {
        "type": "bar",
        "name": plain(name),
        "x0": 0,
        "dx": 1,
        "y": [n or None for n in y],  # no empty segment in the hover
        "marker": {
            "color": color,
            "opacity": 1 if counted else 0.55,
            "pattern": {"shape": "" if counted else "/", "solidity": 0.4},
        },
        "hovertemplate": "%{y:,}" if counted else f"%{{y:,}} ({NOT_COUNTED})",
    }


def _state_traces(columns, non_counting) -> list[dict]:
    """One trace per state that holds servers somewhere: counted states, then the
    extended servers, then the states that do not count."""
    splits = [
        _counted_split(unit, non_counting) if unit_read(unit) else {}
        for _, unit in columns
    ]
    counting = [s for s in REPLICATION_STATES if s not in non_counting]
    stopped = [s for s in REPLICATION_STATES if s in non_counting]
    layers = [(s, STATE_COLORS[s], True) for s in counting]
    layers.append(("extended", EXTENDED_COLOR, False))
    layers += [(s, STATE_COLORS[s], False) for s in stopped]
    traces = []
    for state, color, counted in layers:
        y = [split.get(state) for split in splits]
        if any(y):
            name = EXTENDED_NAME if state == "extended" else state_name(state)
            traces.append(_state_trace(name, y, color, counted))
    return traces


def _unit_limits(columns, labels) -> list[dict]:
    """Each unit's own hard and operational limits, as ticks against its counted part;
    the hover names the unit and says how full it is ("247 of 300 (82 %)")."""
    units = [unit if unit_read(unit) else None for _, unit in columns]
    if not any(u and u.get("maxReplicating") is not None for u in units):
        return []
    hard = limit_markers(
        "Hard limit (the unit's own)",
        None,
        [u and u["maxReplicating"] for u in units],
        HARD_LIMIT_COLOR,
        3,
        "%{customdata[0]} · %{customdata[1]}: %{customdata[2]:,} of %{y:,}"
        " (%{customdata[3]:.0f} %) counted<extra></extra>",
        size=14,
    )
    hard["customdata"] = [
        u and [label, plain(u["region"]), u["replicatingServers"], u["percentUsed"]]
        for label, u in zip(labels, units, strict=True)
    ]
    operational = limit_markers(
        "Operational limit (5/6)",
        None,
        [u and u["operationalLimit"] for u in units],
        OPERATIONAL_COLOR,
        2,
        "operational limit %{y:,}<extra></extra>",
        size=14,
    )
    for trace in (hard, operational):
        del trace["x"]
        trace.update(x0=0, dx=1)
    return [hard, operational]


def _state_markers(columns, labels) -> tuple[list, list[str]]:
    unread = [i for i, (_, unit) in enumerate(columns) if unit and not unit_read(unit)]
    missing = [i for i, (_, unit) in enumerate(columns) if unit is None]
    markers, notes = [], []
    if unread:
        markers.append(
            text_markers(
                "Region not read", unread, [0] * len(unread), NOT_READ,
                NOT_READ_HOVER, "x-thin-open",
                [[labels[i], plain(columns[i][1]["region"]),
                  unit_error_code(columns[i][1])] for i in unread],
            )
        )  # fmt: skip
        notes.append(f"{count_noun(len(unread), 'Region')} {NOT_READ}")
    if missing:
        markers.append(
            text_markers(
                "Account not reporting", missing, [0] * len(missing),
                "not reporting",
                "%{customdata}<br>not reporting: servers unknown<extra></extra>",
                "x", [labels[i] for i in missing],
            )
        )  # fmt: skip
        notes.append(f"{count_noun(len(missing), 'account')} not reporting")
    for marker in markers:  # columns are narrow: the label under each says it
        marker["mode"] = "markers"
        del marker["text"]
    return markers, notes


def _column_status(unit: dict | None) -> str:
    """The second line of a column's label: its Region, and whether it was read."""
    if unit is None:
        return "not reporting"
    region = plain(unit["region"])
    return region if unit_read(unit) else f"{region}: {NOT_READ}"


def _x_axis(columns, accounts) -> dict:
    """Linear positions (no category arrays in every trace), labelled with the unit:
    its account's short name over its Region."""
    short = short_names(accounts, UNIT_NAME_CHARS)
    names = dict(zip((id(a) for a in accounts), short, strict=True))
    return {
        "type": "linear",
        "range": [-0.5, max(len(columns), 1) - 0.5],
        "tickmode": "array",
        "tickvals": list(range(len(columns))),
        "ticktext": [
            f"{names[id(account)]}<br>{_column_status(unit)}"
            for account, unit in columns
        ],
        "showgrid": False,
        "zeroline": False,
        "automargin": True,
        "tickfont": {"size": 11},
    }


def state_bars(snapshot: dict, non_counting=DEFAULT_NON_COUNTING) -> dict:
    """Each account × Region's source servers by replication state: the states that
    count toward its limit solid at the bottom, against that unit's own limit; the
    ones that do not (stopped, disconnected, extended servers) hatched above."""
    accounts = list(snapshot.get("accounts") or ())
    columns = _unit_columns(accounts)
    notes = []
    if len(columns) > MAX_UNIT_COLUMNS:
        columns = _account_columns(accounts)
        notes.append("per account (choose a Region for its units)")
    labels = [chart_label(account) for account, _ in columns]
    traces = _state_traces(columns, non_counting)
    limits = _unit_limits(columns, labels)
    markers, marker_notes = _state_markers(columns, labels)
    tallest = max([0, *stack_tops(traces, len(columns))])
    caps = [y for t in limits[:1] for y in t["y"] if y is not None]
    top = y_top(tallest, *caps)
    if tallest and top > OFF_SCALE_FACTOR * tallest * 1.2:
        top = y_top(tallest * 1.2)
        notes.append("limits off scale")
    layout = stacked_layout(
        "By state · hatched: not counted",
        top,
        notes + marker_notes,
        "Solid: states that count toward the unit's limit (its tick). Hatched:"
        " stopped or disconnected servers, and extended ones (they count in their"
        " staging account).",
    )
    layout["xaxis"] = _x_axis(columns, accounts)
    layout["hovermode"] = "x unified"
    layout["yaxis"]["title"] = {"text": "source servers"}
    return {"data": [*traces, *limits, *markers], "layout": layout}
