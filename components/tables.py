"""Tables: the sortable accounts table and one account's Region and state breakdowns.

The accounts table is a dbc.Table (dash_table.DataTable is deprecated in Dash 4): each
header is a sort button (`ids.accounts_sort_id(column)`) and each account name a
button (`ids.account_details_id(accountId)`) that opens the details modal. Sorting is
done here, in Python, from the sort state `{"column": key, "descending": bool}` that a
callback keeps.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.format import MISSING, fmt_count, fmt_percent
from components.status import severity, status_badge
from services.settings import REPLICATION_STATES, Settings
from services.thresholds import (
    band_status,
    band_thresholds,
    operational_limit,
    percent,
    plain_number,
    staging_accounts_needed,
)

DEFAULT_NON_COUNTING = Settings.non_replicating_states

# (snapshot key, header, numeric)
ACCOUNT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("accountId", "ID", False),
    ("accountName", "Name", False),
    ("accountType", "Type", False),
    ("replicatingServers", "Replicating", True),
    ("totalServers", "Total", True),
    ("maxReplicating", "Maximum", True),
    ("percentUsed", "% used", True),
    ("availableSlots", "Available", True),
    ("status", "Status", False),
    ("regions", "Regions", True),
)
SORTABLE = frozenset(key for key, _, _ in ACCOUNT_COLUMNS)


def region_count(account: dict) -> int | None:
    if not account.get("accessible"):
        return None
    return len(account.get("regionalBreakdown") or ())


def _sort_value(account: dict, column: str):
    if column == "status":
        return severity(account.get("status"))
    if column == "regions":
        return region_count(account)
    value = account.get(column)
    return value.casefold() if isinstance(value, str) else value


def sort_accounts(accounts: list[dict], sort: dict | None) -> list[dict]:
    """Accounts in the order of `sort`; unknown (None) values always last."""
    if not sort or sort.get("column") not in SORTABLE:
        return list(accounts)
    column, descending = sort["column"], bool(sort.get("descending"))
    known = [a for a in accounts if _sort_value(a, column) is not None]
    unknown = [a for a in accounts if _sort_value(a, column) is None]
    known.sort(key=lambda a: _sort_value(a, column), reverse=descending)
    return known + unknown


def next_sort(current: dict | None, column: str) -> dict:
    """The sort state after clicking `column`: numbers start descending, then toggle."""
    if current and current.get("column") == column:
        return {"column": column, "descending": not current.get("descending")}
    numeric = {key: num for key, _, num in ACCOUNT_COLUMNS}
    return {"column": column, "descending": numeric.get(column, False)}


def _header(key: str, label: str, sort: dict | None) -> html.Th:
    active = bool(sort) and sort.get("column") == key
    descending = active and sort.get("descending")
    arrow = (" ▼" if descending else " ▲") if active else ""
    aria = ("descending" if descending else "ascending") if active else "none"
    button = dbc.Button(
        f"{label}{arrow}",
        id=ids.accounts_sort_id(key),
        color="link",
        size="sm",
        class_name="p-0 fw-semibold text-decoration-none text-reset",
        title=f"Sort by {label}",
    )
    return html.Th(button, scope="col", **{"aria-sort": aria})


def _count_cell(account: dict, key: str) -> html.Td:
    value = account.get(key)
    lower_bound = key == "replicatingServers" and account.get("accessible")
    prefix = "≥ " if lower_bound and not account.get("complete") else ""
    return html.Td(f"{prefix}{fmt_count(value)}", className="text-end")


def _account_row(account: dict) -> html.Tr:
    regions = [r["region"] for r in account.get("regionalBreakdown") or ()]
    name = dbc.Button(
        account.get("accountName") or account.get("accountId"),
        id=ids.account_details_id(account["accountId"]),
        color="link",
        size="sm",
        class_name="p-0 text-start",
        title="Show details",
    )
    return html.Tr(
        [
            html.Td(account["accountId"], className="font-monospace"),
            html.Td(name),
            html.Td(account.get("accountType")),
            _count_cell(account, "replicatingServers"),
            _count_cell(account, "totalServers"),
            _count_cell(account, "maxReplicating"),
            html.Td(fmt_percent(account.get("percentUsed")), className="text-end"),
            _count_cell(account, "availableSlots"),
            html.Td(status_badge(account.get("status"))),
            html.Td(
                fmt_count(region_count(account)),
                title=", ".join(regions) or None,
                className="text-end",
            ),
        ],
        className="" if account.get("accessible") else "table-secondary",
    )


def accounts_table(snapshot: dict, sort: dict | None = None) -> dbc.Table:
    """One row per snapshot account, sorted by `sort` (snapshot order if None)."""
    accounts = sort_accounts(list(snapshot.get("accounts") or ()), sort)
    head = html.Thead(
        html.Tr([_header(k, label, sort) for k, label, _ in ACCOUNT_COLUMNS])
    )
    body = html.Tbody([_account_row(a) for a in accounts])
    return dbc.Table([head, body], hover=True, responsive=True, size="sm")


def _simple_table(headers: list[str], rows: list[list]) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    body = html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows])
    return dbc.Table([head, body], size="sm", striped=True, responsive=True)


def _unknown(account: dict) -> html.P:
    error = account.get("error") or {}
    reason = (
        f"{error.get('code')}: {error.get('message')}" if error else "not reporting"
    )
    return html.P(f"Unknown — the account is not reporting ({reason}).")


def region_breakdown_table(account: dict):
    """The account's Regions (those holding servers or in error) with their status."""
    if not account.get("accessible"):
        return _unknown(account)
    rows = account.get("regionalBreakdown") or []
    if not rows:
        return html.P("No Region in scope holds source servers.")
    headers = [
        "Region", "State", "Replicating", "Total", "Extended", "Maximum",
        "% used", "Available", "Status", "Error",
    ]  # fmt: skip
    return _simple_table(
        headers,
        [
            [
                r["region"],
                r.get("state"),
                fmt_count(r.get("replicatingServers")),
                fmt_count(r.get("totalServers")),
                fmt_count(r.get("extendedServers")),
                fmt_count(r.get("maxReplicating")),
                fmt_percent(r.get("percentUsed")),
                fmt_count(r.get("availableSlots")),
                status_badge(r.get("status")),
                (r.get("error") or {}).get("message") or "",
            ]
            for r in rows
        ],
    )


def state_breakdown_table(account: dict, non_counting=DEFAULT_NON_COUNTING):
    """Servers per replication state, and whether each state counts toward the limit."""
    if not account.get("accessible"):
        return _unknown(account)
    by_state = account.get("byState") or {}
    rows = [
        [
            state,
            fmt_count(by_state.get(state, 0)),
            "No" if state in non_counting else "Yes",
        ]
        for state in REPLICATION_STATES
    ]
    rows.append([html.Strong("All states"), fmt_count(sum(by_state.values())), MISSING])
    return _simple_table(["State", "Servers", "Counts toward the limit"], rows)


def planning_summary(account: dict, limit: int = Settings.replication_limit):
    """How many more servers fit before each band starts and before the hard limit."""
    used = account.get("replicatingServers") if account.get("accessible") else None
    marks = [(s.value, t) for s, t in band_thresholds(limit).items()]
    marks.append(("Hard limit", limit))
    rows = []
    for name, threshold in marks:
        if used is None:
            room = MISSING
        elif used >= threshold:
            room = "reached"
        else:
            room = fmt_count(threshold - used)
        rows.append([name, fmt_count(threshold), room])
    caption = f"Replicating now: {fmt_count(used)} of {fmt_count(limit)}"
    table = _simple_table(["Level", "Starts at", "Servers that still fit"], rows)
    return html.Div([html.P(caption, className="mb-1"), table])


def staging_accounts_for(
    additional_servers, snapshot: dict, limit: int = Settings.replication_limit
) -> str:
    """Combined capacity after adding servers, and the staging accounts it needs."""
    combined = snapshot.get("combined") or {}
    accounts = combined.get("reportingAccounts") or 0
    if not isinstance(additional_servers, int | float) or additional_servers < 0:
        return "Enter how many servers you plan to add (0 or more)."
    if accounts == 0:
        return "No account is reporting: capacity cannot be planned."
    added = int(additional_servers)
    after = (combined.get("totalReplicating") or 0) + added
    maximum = accounts * limit
    status = band_status(after, maximum)
    needed = staging_accounts_needed(after, accounts, limit)
    per_account = plain_number(operational_limit(limit))
    text = (
        f"With {added:,} more servers the combined total is {after:,} of "
        f"{maximum:,} ({percent(after, maximum)} %, {status.value})."
    )
    if needed == 0:
        text += " It stays under the operational limit: no staging account needed."
    else:
        noun = "staging account" if needed == 1 else "staging accounts"
        text += (
            f" Add {needed} {noun} to stay under the operational limit "
            f"({per_account:,} per account)."
        )
    if accounts < (combined.get("configuredAccounts") or 0):
        text += " Accounts not reporting are not included."
    return text
