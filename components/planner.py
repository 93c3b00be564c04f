"""The details dialog's planner: how much still fits in an account's busiest Region
before each band, and what adding servers there would need (SPEC §4: the account ×
Region is the unit, so an account plans against its own limit there)."""

from __future__ import annotations

from dash import html

from components.format import (
    MISSING,
    busiest_unit,
    count_noun,
    fmt_count,
    limit_source_text,
    of_limit,
)
from components.tables import simple_table
from services.models import Status
from services.thresholds import band_status, band_thresholds, operational_count, percent


def planning_summary(account: dict):
    """How many more servers fit in the account's busiest Region (its own limit)
    before each band starts and before the hard limit."""
    unit = busiest_unit(account) if account.get("accessible") else None
    limit = account.get("maxReplicating")
    if not account.get("accessible"):
        used, where = None, "not reporting"
    elif unit is None:
        used, where = 0, "no Region in scope holds servers"
    else:
        used = unit.get("replicatingServers")
        where = f"busiest Region {unit['region']}"
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
    source = f" ({limit_source_text(unit.get('limitSource'))})" if unit else ""
    caption = f"Replicating now, {where}: {of_limit(used, limit)}{source}"
    table = simple_table(["Level", "Starts at", "Servers that still fit"], rows)
    return html.Div([html.P(caption, className="mb-1"), table])


def account_plan(servers, account: dict | None, new_limit: int) -> str:
    """The account's busiest Region after `servers` more there, against that unit's own
    limit, and the staging accounts (each `new_limit`) the excess would need."""
    if account is None:
        return "Open an account to plan for it."
    if not isinstance(servers, int | float) or servers < 0:
        return "Enter how many servers you plan to add (0 or more)."
    name = account.get("accountName") or account.get("accountId")
    if not account.get("accessible"):
        return f"{name} is not reporting: its capacity cannot be planned."
    unit = busiest_unit(account)
    region = account.get("busiestRegion")
    used = (unit or {}).get("replicatingServers") or 0
    maximum = account.get("maxReplicating") or new_limit
    operational = account.get("operationalLimit") or operational_count(maximum)
    added = int(servers)
    after = used + added
    status = band_status(after, maximum)
    where = f"in {region}, its busiest Region" if region else "in the Region they go to"
    text = (
        f"With {count_noun(added, 'more server')} {where}, {name} would replicate "
        f"{after:,} of "
        f"{maximum:,} there ({percent(after, maximum)} %, {status.value})."
    )
    if status.severity < Status.CRITICAL.severity:
        text += (
            f" That stays under its operational limit ({operational:,}): no staging "
            "account needed."
        )
    else:
        text += _beyond(after, used, maximum, operational, region, new_limit)
    if not account.get("complete"):
        text += " Some Regions could not be read: its counts are a lower bound."
    return text


def _beyond(after, used, maximum, operational, region, new_limit) -> str:
    """Past the operational limit: what fits below it here, and how many new staging
    accounts (each kept below its own operational limit) the rest needs."""
    fits = max(operational - 1 - used, 0)
    rest = after - used - fits
    per_account = operational_count(new_limit) - 1
    needed = -(-rest // per_account)
    noun = "staging account" if needed == 1 else "staging accounts"
    where = f" in {region}" if region else ""
    hard = (
        f" AWS replicates at most {maximum:,} servers there." if after > maximum else ""
    )
    return (
        f" That is past its operational limit ({operational:,}).{hard} To stay "
        f"below that, replicate {fits:,} more here and the other {rest:,} in {needed} new "
        f"{noun}{where} (each with its own limit, {new_limit:,} by default)."
    )
