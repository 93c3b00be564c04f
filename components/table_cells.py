"""Cells of the accounts table: sort headers with their arrows, counts, the account name
(truncated on a phone, full in its title) and the busiest unit with its console links.

Below Bootstrap's md breakpoint (768 px) only the name, the busiest unit (used of its
limit) and the status are shown, so a phone needs no horizontal scrolling.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.console_links import drs_link, quota_link
from components.format import MISSING, busiest_unit, fmt_count, limit_source_text

PHONE_COLUMNS = frozenset({"accountName", "busiestRegion", "status"})
SECONDARY = "d-none d-md-table-cell"  # hidden below md, a table cell from md up
SORT_ARROWS = {"ascending": "▲", "descending": "▼"}
UNSORTED_ARROW = "⇅"


def column_class(key: str, class_name: str = "") -> str | None:
    """`class_name` plus, for a column a phone does not show, the classes hiding it."""
    extra = "" if key in PHONE_COLUMNS else SECONDARY
    return " ".join(c for c in (class_name, extra) if c) or None


def sort_direction(sort: dict | None, column: str) -> str | None:
    """ "ascending" / "descending" if the table is sorted by `column`, else None."""
    if not sort or sort.get("column") != column:
        return None
    return "descending" if sort.get("descending") else "ascending"


def sort_header(
    key: str, label: str, sort: dict | None, numeric: bool = False
) -> html.Th:
    """A header cell whose button sorts by `key`: ▲/▼ on the sorted column (and
    `aria-sort` on its cell, on that one only), a faint ⇅ on the others; a numeric
    column's header is right-aligned over its numbers."""
    direction = sort_direction(sort, key)
    arrow = html.Span(
        SORT_ARROWS.get(direction, UNSORTED_ARROW),
        className="drs-sort-arrow" + ("" if direction else " drs-sort-idle"),
        **{"aria-hidden": "true"},
    )
    title = (
        f"Sorted by {label}, {direction}: click to reverse"
        if direction
        else f"Sort by {label}"
    )
    button = dbc.Button(
        [label, "\u00a0", arrow],  # the label may wrap, the arrow stays with it
        id=ids.accounts_sort_id(key),
        color="link",
        size="sm",
        class_name="p-0 fw-semibold text-decoration-none text-reset text-start",
        title=title,
    )
    sorted_by = {"aria-sort": direction} if direction else {}
    align = "text-end" if numeric else ""
    return html.Th(button, scope="col", className=column_class(key, align), **sorted_by)


def count_cell(account: dict, key: str) -> html.Td:
    """A count; "≥ n" for an incomplete account's replicating servers; "—" unknown."""
    value = account.get(key)
    lower_bound = key == "replicatingServers" and account.get("accessible")
    prefix = "≥ " if lower_bound and not account.get("complete") else ""
    return html.Td(f"{prefix}{fmt_count(value)}", className="text-end")


def name_cell(account: dict) -> html.Td:
    """The name as text (never markup), a button opening the details; a long name is cut
    with an ellipsis and shown in full in its title."""
    name = account.get("accountName") or account.get("accountId")
    button = dbc.Button(
        name,
        id=ids.account_details_id(account["accountId"]),
        color="link",
        class_name="p-0 text-start align-baseline drs-account-name",
        title=f"{name} (show details)",
    )
    return html.Td(button, className="drs-name-cell")


def limit_title(unit: dict) -> str:
    """Hover text of a unit's limit: its value and where it came from."""
    source = limit_source_text(unit.get("limitSource"))
    return f"limit {fmt_count(unit.get('maxReplicating'))}: {source}"


def busiest_cell(account: dict) -> html.Td:
    """ "us-east-1: 247 of 300": the Region linked to its DRS console, the limit to its
    Service Quotas page; on a phone the count wraps under the Region."""
    unit = busiest_unit(account)
    if unit is None:
        return html.Td(MISSING)
    region = unit["region"]
    limit = fmt_count(unit.get("maxReplicating"))
    region_part = drs_link(account, region, region, arrow=False) or region
    limit_part = quota_link(account, region, limit, arrow=False) or limit
    used = fmt_count(unit.get("replicatingServers"))
    return html.Td(
        [
            html.Span([region_part, ":"], className="text-nowrap"),
            " ",
            html.Span([used, " of ", limit_part], className="text-nowrap"),
        ],
        title=limit_title(unit),
    )
