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

from components.console_links import drs_link, quota_link
from components.format import (
    MISSING,
    fmt_count,
    fmt_percent,
    limit_source_text,
)
from components.status import severity, status_badge
from components.table_cells import (
    busiest_cell,
    column_class,
    count_cell,
    name_cell,
    sort_header,
)
from services.settings import RECOVERY_QUOTA_CODE, REPLICATION_STATES, Settings

DEFAULT_NON_COUNTING = Settings.non_replicating_states

# (snapshot key, header, numeric)
ACCOUNT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("accountId", "ID", False),
    ("accountName", "Name", False),
    ("accountType", "Type", False),
    ("replicatingServers", "Replicating", True),
    ("totalServers", "Total", True),
    ("busiestRegion", "Busiest Region", False),
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


def _account_cells(account: dict) -> dict[str, html.Td]:
    regions = [r["region"] for r in account.get("regionalBreakdown") or ()]
    return {
        "accountId": html.Td(account["accountId"], className="font-monospace"),
        "accountName": name_cell(account),
        "accountType": html.Td(account.get("accountType")),
        "replicatingServers": count_cell(account, "replicatingServers"),
        "totalServers": count_cell(account, "totalServers"),
        "busiestRegion": busiest_cell(account),
        "percentUsed": html.Td(
            fmt_percent(account.get("percentUsed")), className="text-end"
        ),
        "availableSlots": count_cell(account, "availableSlots"),
        "status": html.Td(status_badge(account.get("status"))),
        "regions": html.Td(
            fmt_count(region_count(account)),
            title=", ".join(regions) or None,
            className="text-end",
        ),
    }


def _account_row(account: dict) -> html.Tr:
    """The account's cells in column order; a phone shows only the PHONE_COLUMNS."""
    cells = _account_cells(account)
    for key, cell in cells.items():
        cell.className = column_class(key, getattr(cell, "className", None) or "")
    return html.Tr(
        [cells[key] for key, _, _ in ACCOUNT_COLUMNS],
        className="" if account.get("accessible") else "table-secondary",
    )


TABLE_CAPTION = (
    "Status is the account's worst Region. Busiest Region, % used and Available are "
    "that Region's replicating servers against its own limit; Replicating and Total "
    "add up every Region in scope."
)


def accounts_table(snapshot: dict, sort: dict | None = None) -> html.Div:
    """One row per snapshot account, sorted by `sort` (snapshot order if None), and
    what its columns measure (a note outside the table: it wraps on a phone)."""
    accounts = sort_accounts(list(snapshot.get("accounts") or ()), sort)
    head = html.Thead(
        html.Tr([sort_header(k, label, sort, num) for k, label, num in ACCOUNT_COLUMNS])
    )
    body = html.Tbody([_account_row(a) for a in accounts])
    table = dbc.Table(
        [head, body],
        hover=True,
        responsive=True,
        size="sm",
        class_name="drs-accounts mb-1",
    )
    return html.Div([table, html.P(TABLE_CAPTION, className="small text-muted mb-0")])


def simple_table(headers: list[str], rows: list[list]) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    body = html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows])
    return dbc.Table([head, body], size="sm", striped=True, responsive=True)


def _unknown(account: dict) -> html.P:
    error = account.get("error") or {}
    reason = (
        f"{error.get('code')}: {error.get('message')}" if error else "not reporting"
    )
    return html.P(f"Unknown — the account is not reporting ({reason}).")


def _region_with_links(account: dict, region) -> html.Div | str:
    """The Region, and under it links to its DRS console and its quotas' pages (the
    target's recovery quota too); the Region alone if it is not a Region."""
    links = [drs_link(account, region, "DRS"), quota_link(account, region)]
    if account.get("accountType") == "target":
        links.append(quota_link(account, region, "Recovery quota", RECOVERY_QUOTA_CODE))
    links = [link for link in links if link is not None]
    if not links:
        return region
    items = [  # "DRS ↗ · Quota ↗": a line may break after a dot, never before
        html.Span([link, "\u00a0· " if i < len(links) - 1 else ""])
        for i, link in enumerate(links)
    ]
    return html.Div([html.Div(region), html.Div(items, className="small")])


def region_breakdown_table(account: dict):
    """The account's units (Regions holding servers or in error), each against its own
    limit, with that limit's source and status."""
    if not account.get("accessible"):
        return _unknown(account)
    rows = account.get("regionalBreakdown") or []
    if not rows:
        return html.P("No Region in scope holds source servers.")
    headers = [
        "Region", "State", "Replicating", "Total", "Extended", "Limit",
        "Limit source", "Critical from", "% used", "Available", "Status", "Error",
    ]  # fmt: skip
    return simple_table(
        headers,
        [
            [
                _region_with_links(account, r["region"]),
                r.get("state"),
                fmt_count(r.get("replicatingServers")),
                fmt_count(r.get("totalServers")),
                fmt_count(r.get("extendedServers")),
                fmt_count(r.get("maxReplicating")),
                limit_source_text(r.get("limitSource")),
                fmt_count(r.get("operationalLimit")),
                fmt_percent(r.get("percentUsed")),
                fmt_count(r.get("availableSlots")),
                status_badge(r.get("status")),
                (r.get("error") or {}).get("message") or "",
            ]
            for r in rows
        ],
    )


def state_breakdown_table(account: dict, non_counting=DEFAULT_NON_COUNTING):
    """Servers per replication state, and whether a server in that state counts toward
    this account's limit (extended servers never do: they count in their staging
    account)."""
    if not account.get("accessible"):
        return _unknown(account)
    by_state = account.get("byState") or {}
    extended = account.get("extendedServers") or 0
    counts = "Yes, unless extended *" if extended else "Yes"
    rows = [
        [
            state,
            fmt_count(by_state.get(state, 0)),
            "No" if state in non_counting else counts,
        ]
        for state in REPLICATION_STATES
    ]
    rows.append([html.Strong("All states"), fmt_count(sum(by_state.values())), MISSING])
    table = simple_table(["State", "Servers", "Counts toward the limit"], rows)
    if not extended:
        return table
    note = (
        f"* {fmt_count(extended)} of these are extended source servers: they "
        "replicate in, and count toward, their staging account, not this one."
    )
    return html.Div([table, html.P(note, className="small text-muted")])
