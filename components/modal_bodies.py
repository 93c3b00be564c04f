"""What the modals show: details, staging list, validation result, removal impact."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.format import (
    account_label,
    busiest_unit,
    fmt_count,
    fmt_percent,
    fmt_time,
    limit_source_text,
    of_limit,
)
from components.planner import planning_summary
from components.status import status_badge
from components.tables import region_breakdown_table, state_breakdown_table

# What to do about each validation error code (SPEC §6).
ERROR_FIXES = {
    "ROLE_NOT_ACCESSIBLE": "Check the role's trust policy allows the dashboard's "
    "principal and that the external ID matches.",
    "CREDENTIALS_INVALID": "The dashboard's own AWS credentials are invalid or "
    "expired: renew them.",
    "DRS_NOT_INITIALIZED": "Initialize DRS in that Region (in the DRS console, set "
    "the default replication settings), then validate again.",
    "AWS_UNREACHABLE": "AWS could not be reached: check the network, then retry.",
    "AWS_THROTTLED": "AWS throttled the request: wait a moment, then retry.",
    "VALIDATION_ERROR": "Correct the field named in the message.",
}


def _busiest_summary(account: dict) -> str:
    """The account's busiest unit against its own limit (what its status bands use)."""
    unit = busiest_unit(account)
    if not account.get("accessible"):
        return "not reporting"
    if unit is None:
        return f"no servers in scope · limit {fmt_count(account.get('maxReplicating'))}"
    used = of_limit(unit.get("replicatingServers"), unit.get("maxReplicating"))
    return (
        f"busiest Region {unit['region']}: {used} replicating "
        f"({fmt_percent(unit.get('percentUsed'))}, limit: "
        f"{limit_source_text(unit.get('limitSource'))}), "
        f"{fmt_count(unit.get('availableSlots'))} slots available there"
    )


def details_body(account: dict) -> html.Div:
    """One account: its busiest unit against its own limit, error or lower-bound note,
    the Region and state breakdowns and the busiest unit's headroom."""
    summary = html.Div(
        [
            status_badge(account.get("status"), class_name="me-2"),
            html.Span(
                f"{account.get('accountType', '')} account · "
                f"{_busiest_summary(account)} · all Regions in scope: "
                f"{fmt_count(account.get('replicatingServers'))} replicating, "
                f"{fmt_count(account.get('totalServers'))} source servers, "
                f"{fmt_count(account.get('extendedServers'))} extended"
            ),
        ],
        className="mb-2",
    )
    notes = []
    error = account.get("error")
    if not account.get("accessible"):
        reason = f"{error['code']}: {error['message']}" if error else "unknown error"
        notes.append(
            dbc.Alert(f"✖ Not reporting ({reason}). Its servers are not counted.",
                      color="danger")
        )  # fmt: skip
    elif not account.get("complete"):
        notes.append(
            dbc.Alert(
                "⚠ Some Regions could not be read: the counts are a lower bound.",
                color="warning",
            )
        )
    return html.Div(
        [
            html.H5(account_label(account)),
            summary,
            *notes,
            html.H6("By Region"),
            region_breakdown_table(account),
            html.H6("By replication state"),
            state_breakdown_table(account),
            html.H6("Headroom in the busiest Region"),
            planning_summary(account),
        ]
    )


def _counts(entry: dict | None) -> str:
    if entry is None:
        return "not in the last snapshot"
    if not entry.get("accessible"):
        return "servers unknown (not reporting)"
    return (
        f"{fmt_count(entry.get('replicatingServers'))} replicating / "
        f"{fmt_count(entry.get('totalServers'))} servers"
    )


def _staging_item(staging: dict, entry: dict | None) -> dbc.ListGroupItem:
    account_id = staging["accountId"]
    details = " · ".join(
        part
        for part in (
            staging.get("roleArn"),
            staging.get("region"),
            f"added {fmt_time(staging['addedAt'])}" if staging.get("addedAt") else "",
        )
        if part
    )
    return dbc.ListGroupItem(
        html.Div(
            [
                html.Div(
                    [
                        html.Strong(f"{staging.get('accountName')} ({account_id})"),
                        html.Div(_counts(entry), className="small"),
                        html.Div(details, className="small text-muted text-break"),
                    ],
                    className="me-auto",
                ),
                status_badge(entry.get("status") if entry else None, class_name="me-2"),
                dbc.Button(
                    "Remove",
                    id=ids.remove_staging_id(account_id),
                    color="danger",
                    outline=True,
                    size="sm",
                    title=f"Remove staging account {account_id}",
                ),
            ],
            className="d-flex align-items-center gap-2",
        )
    )


def staging_list(target_account: dict, snapshot: dict | None) -> html.Div:
    """The target's staging accounts with status, server counts and a Remove button."""
    by_id = {a["accountId"]: a for a in (snapshot or {}).get("accounts") or ()}
    stagings = target_account.get("stagingAccounts") or []
    heading = html.P(
        f"Target {target_account.get('accountName')} "
        f"({target_account.get('accountId')}): {len(stagings)} staging "
        f"account{'' if len(stagings) == 1 else 's'}."
    )
    if not stagings:
        return html.Div(
            [heading, html.P("No staging accounts yet: add one to extend capacity.")]
        )
    items = [_staging_item(s, by_id.get(s["accountId"])) for s in stagings]
    return html.Div([heading, dbc.ListGroup(items)])


def _check(ok: bool | None, yes: str, no: str) -> html.Li:
    return html.Li(f"✓ {yes}" if ok else f"✖ {no}")


def _checks(result: dict) -> list:
    """The checks that were made (a check not reached is left out, not "not checked")."""
    checks = [
        (result.get("roleAccessible"), "Role accessible", "Role not accessible"),
        (result.get("drsInitialized"), "DRS initialized", "DRS not initialized"),
    ]
    made = [_check(ok, yes, no) for ok, yes, no in checks if ok is not None]
    return [html.Ul(made, className="list-unstyled mb-1")] if made else []


def _failure(error: dict) -> list:
    """The error in words, what to do about it, and its code for whoever supports it."""
    code = error.get("code", "")
    children = [html.Div(error.get("message", ""))]
    if code in ERROR_FIXES and code != "VALIDATION_ERROR":
        children.append(html.Div(f"To fix: {ERROR_FIXES[code]}"))
    if code and code != "VALIDATION_ERROR":
        children.append(html.Div(f"Error code: {code}", className="small"))
    return children


def validation_result(result: dict) -> dbc.Alert:
    """Checks (role, DRS), current servers and the projected combined capacity; or what
    stands in the way, in words."""
    valid = bool(result.get("valid"))
    error = result.get("error") or {}
    if valid:
        heading = "✓ Valid: ready to add."
    elif error.get("code") == "VALIDATION_ERROR":
        heading = "✖ Not checked yet: correct the fields marked in red."
    else:
        heading = "✖ Not valid."
    children = [html.Strong(heading), *_checks(result)]
    if result.get("currentServers") is not None:
        children.append(
            html.Div(
                f"Source servers now: {fmt_count(result.get('currentServers'))}, "
                f"replicating: {fmt_count(result.get('replicatingServers'))}"
            )
        )
    if result.get("totalAfter") is not None:
        children.append(
            html.Div(
                [
                    f"After adding: {fmt_count(result.get('totalAfter'))} of "
                    f"{fmt_count(result.get('maxAfter'))} replicating "
                    f"({fmt_percent(result.get('percentAfter'))}) ",
                    status_badge(result.get("statusAfter")),
                ]
            )
        )
    if error:
        children.extend(_failure(error))
    return dbc.Alert(children, color="success" if valid else "danger")


def _change(before, after) -> str:
    return f"{fmt_count(before)} → {fmt_count(after)}"


def _impact_table(regions: list[dict]) -> dbc.Table:
    """One row per Region: the combined limit and total before → after, the servers
    that stop counting there, and the status before → after."""
    head = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Region", "Combined maximum", "Combined replicating",
                          "Stop counting", "Status")
            ]
        )
    )  # fmt: skip
    rows = [
        html.Tr(
            [
                html.Td(r.get("region"), className="text-nowrap"),
                html.Td(
                    _change(r.get("maxBefore"), r.get("maxAfter")),
                    className="text-nowrap",
                ),
                html.Td(
                    _change(r.get("totalBefore"), r.get("totalAfter")),
                    className="text-nowrap",
                ),
                html.Td(fmt_count(r.get("serversLost")), className="text-end"),
                html.Td(
                    [
                        status_badge(r.get("statusBefore")),
                        " → ",
                        status_badge(r.get("statusAfter")),
                    ],
                    className="text-nowrap",
                ),
            ]
        )
        for r in regions
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, responsive=True)


def removal_impact(impact: dict, account_name: str | None = None) -> html.Div:
    """The question naming the account; per Region: combined max before → after and
    servers that stop counting; the binding Region's status after; and a warning if
    servers still replicate."""
    account_id = impact.get("accountId")
    named = f"{account_name} ({account_id})" if account_name else account_id
    lost = impact.get("replicatingServers")
    region_after = impact.get("regionAfter")
    binding = (
        f"Binding Region after removal: {region_after}, "
        if region_after
        else "After removal no Region holds servers: "
    )
    regions = impact.get("regions") or []
    children = [
        html.P(html.Strong(f"Remove {named}?")),
        html.P(
            [
                binding,
                f"{fmt_count(impact.get('totalAfter'))} of "
                f"{fmt_count(impact.get('maxAfter'))} replicating "
                f"({fmt_percent(impact.get('percentAfter'))}) ",
                status_badge(impact.get("statusAfter")),
                f" (now: {impact.get('regionBefore') or 'none'}, ",
                status_badge(impact.get("statusBefore")),
                ")",
            ]
        ),
        _impact_table(regions)
        if regions
        else html.P(
            "No Region holds servers yet · combined maximum "
            + _change(impact.get("maxBefore"), impact.get("maxAfter"))
        ),
        html.P(
            "Servers that stop counting: "
            + (fmt_count(lost) if lost is not None else "unknown")
        ),
    ]  # fmt: skip
    if impact.get("hasReplicatingServers") or (lost or 0) > 0:
        children.append(
            dbc.Alert(
                [
                    html.Strong("⚠ WARNING: "),
                    f"{named} still has {fmt_count(lost)} replicating servers. "
                    "They stop counting toward this target's capacity but keep "
                    "replicating in that account.",
                ],
                color="warning",
            )
        )
    return html.Div(children)
