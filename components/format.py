"""Text formatting shared by components: counts, percents, account labels, times."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

MISSING = "—"  # an unknown value; never rendered as 0
# The same count format for Plotly (d3-format): axis `tickformat`, `valueformat` and
# hovertemplates ("%{y:,d}"), so a chart says "1,200" where the page does.
COUNT_D3_FORMAT = ",d"


def fmt_count(value: int | float | None) -> str:
    """1234 -> "1,234"; None (unknown) -> "—"."""
    if value is None:
        return MISSING
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def count_noun(value: int | None, singular: str, plural: str | None = None) -> str:
    """(1, "account") -> "1 account"; (1200, "server") -> "1,200 servers"."""
    noun = singular if value == 1 else plural or f"{singular}s"
    return f"{fmt_count(value)} {noun}"


def fmt_percent(value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:.1f}\u00a0%"  # no-break space: "74.8 %" never wraps


def account_label(account: dict) -> str:
    """The label used for an account on charts and lists: "name (id)"."""
    return f"{account.get('accountName') or '?'} ({account.get('accountId')})"


def chart_label(account: dict) -> str:
    """`account_label` for Plotly text, which reads tags (<b>, <br>, <a href=…>) in axis
    labels, legends and hovers: a name is shown as the text it is, never as markup."""
    return escape(account_label(account), quote=False)


def fmt_time(iso: str | None) -> str:
    """An ISO 8601 UTC time as "2026-11-26 08:30:00 UTC"; unparsable text is kept."""
    if not iso:
        return MISSING
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def reporting_text(reporting: int | None, configured: int | None) -> str:
    """Text like "3 of 4 accounts reporting"."""
    return f"{fmt_count(reporting)} of {count_noun(configured, 'account')} reporting"


# Where a limit came from (SPEC §4.1), in the words a reader expects.
LIMIT_SOURCES = {
    "applied": "applied quota",
    "aws-default": "AWS default",
    "setting": "setting: quota not read",
}


def limit_source_text(source: str | None) -> str:
    """ "applied" -> "applied quota"; an unknown source is shown as it is."""
    return LIMIT_SOURCES.get(source or "", source or "source unknown")


def of_limit(used: int | None, limit: int | None, source: str | None = None) -> str:
    """ "247 of 300", or "247 of 500 (applied quota)" when the source is given."""
    text = f"{fmt_count(used)} of {fmt_count(limit)}"
    return f"{text} ({limit_source_text(source)})" if source else text


def unread_regions(snapshot: dict) -> dict[str, int]:
    """Region -> how many accounts could not be read there (their counts are missing:
    what is shown there is a lower bound)."""
    unread: dict[str, int] = {}
    for account in snapshot.get("accounts") or ():
        for row in account.get("regionalBreakdown") or ():
            if row.get("state") != "ok":
                unread[row.get("region")] = unread.get(row.get("region"), 0) + 1
    return unread


def busiest_unit(account: dict) -> dict | None:
    """The account's busiest account × Region (its `busiestRegion`), if any."""
    region = account.get("busiestRegion")
    units = account.get("regionalBreakdown") or ()
    return next((u for u in units if u.get("region") == region), None)


def busiest_text(account: dict) -> str:
    """ "us-east-1: 247 of 300": the busiest unit against its own limit; "—" if none."""
    unit = busiest_unit(account)
    if unit is None:
        return MISSING
    used = of_limit(unit.get("replicatingServers"), unit.get("maxReplicating"))
    return f"{unit['region']}: {used}"
