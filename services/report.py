"""Terminal text for the CLI's `--format table`: one renderer per kind of answer."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns, two spaces apart; None shows as "-"."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [headers, *cells]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _cell(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def _pct(value) -> str:
    return "-" if value is None else f"{value}%"


def error_line(body: dict) -> str:
    error = body.get("error") or {}
    field = f" (field: {error['field']})" if error.get("field") else ""
    return f"error: {error.get('code')}: {error.get('message')}{field}"


# -- accounts -----------------------------------------------------------------------


def targets(body: dict) -> str:
    rows = [
        (t["accountId"], t["accountName"], len(t.get("stagingAccounts", [])),
         t.get("roleArn") or "(dashboard credentials)")
        for t in body["targetAccounts"]
    ]  # fmt: skip
    if not rows:
        return "No target accounts registered."
    return table(("ACCOUNT ID", "NAME", "STAGING", "ROLE"), rows)


def staging_table(accounts: Sequence[dict]) -> str:
    if not accounts:
        return "No staging accounts."
    rows = [
        (s["accountId"], s["accountName"], s.get("region"), s["roleArn"],
         _yes_no(s.get("hasExternalId")), s.get("addedAt"))
        for s in accounts
    ]  # fmt: skip
    headers = ("ACCOUNT ID", "NAME", "REGION", "ROLE ARN", "EXTERNAL ID", "ADDED")
    return table(headers, rows)


def target(body: dict) -> str:
    t = body["targetAccount"]
    role = t.get("roleArn") or "(dashboard credentials)"
    if t.get("hasExternalId"):
        role += " (with an external ID)"
    return (
        f"Target account {t['accountId']} ({t['accountName']})\nRole: {role}\n\n"
        f"Staging accounts ({len(body['stagingAccounts'])}):\n"
        + staging_table(body["stagingAccounts"])
    )


def staging(body: dict) -> str:
    return staging_table(body["stagingAccounts"])


def created(body: dict) -> str:
    return body["message"]


def changed(body: dict) -> str:
    text = body["message"]
    if body.get("impact"):
        text += "\n" + impact_text(body["impact"])
    return text + "\n\n" + staging_table(body["stagingAccounts"])


def impact_text(impact: dict) -> str:
    return (
        f"Impact of removing {impact['accountId']}: combined maximum "
        f"{impact['maxBefore']} -> {impact['maxAfter']}, replicating "
        f"{impact['totalBefore']} -> {impact['totalAfter']} "
        f"({_pct(impact['percentAfter'])}, {impact['statusAfter']}).\n"
        f"{impact['message']}"
    )


def impact(body: dict) -> str:
    return impact_text(body["impact"])


def validation(body: dict) -> str:
    verdict = "VALID" if body["valid"] else "NOT VALID"
    lines = [
        f"Validation of {body['accountId']} in {body['region']}: {verdict}",
        f"  role accessible:     {_yes_no(body['roleAccessible'])}",
        f"  DRS initialized:     {_yes_no(body['drsInitialized'])}",
        f"  source servers:      {_cell(body['currentServers'])}",
        f"  replicating servers: {_cell(body['replicatingServers'])}",
    ]
    if body["valid"]:
        lines.append(
            f"  combined after:      {body['totalAfter']} / {body['maxAfter']} "
            f"({_pct(body['percentAfter'])}, {body['statusAfter']})"
        )
    if body.get("error"):
        lines.append(f"  {body['error']['code']}: {body['error']['message']}")
    elif body.get("message"):
        lines.append(f"  {body['message']}")
    return "\n".join(lines)


def _yes_no(value) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


# -- capacity -----------------------------------------------------------------------

WIDTH = 100  # the capacity report stays readable in a 100-column terminal
NAME_WIDTH = 16
LIMIT_SOURCES = {
    "applied": "applied quota",
    "aws-default": "AWS default quota",
    "setting": "setting",
}


def capacity(snapshot: dict) -> str:
    """Overall status and the binding Region first, then accounts (each with its busiest
    Region), combined per Region where several hold servers, recovery, warnings (which
    name every account and Region that could not be read)."""
    parts = [
        *_overall(snapshot),
        "",
        _accounts_table(snapshot["accounts"]),
    ]
    if len(snapshot["combinedByRegion"]) > 1:
        parts += ["", _combined_by_region(snapshot)]
    parts += ["", *_recovery(snapshot), "", _warnings(snapshot["warnings"])]
    return "\n".join(parts)


def _overall(snapshot: dict) -> list[str]:
    combined = snapshot["combined"]
    data = (
        "data complete"
        if snapshot["complete"]
        else "data PARTIAL: some could not be read, totals are lower bounds"
    )
    return [
        *_wrapped(
            f"Overall {snapshot['status']} | target {snapshot['targetAccountId']} | "
            f"scope {snapshot['scope']} | collected {snapshot['collectedAt']}",
            "  ",
        ),
        *_wrapped(
            f"Combined {combined['status']} {_where(snapshot)}: "
            f"{combined['totalReplicating']} / {combined['maxReplicating']} "
            f"replicating ({_pct(combined['percentUsed'])}), "
            f"{combined['availableSlots']} free",
            "  ",
        ),
        *_wrapped(
            f"operational limit {combined['operationalLimit']}; "
            f"{combined['reportingAccounts']} of {combined['configuredAccounts']} "
            f"accounts reporting; {data}",
            "  ",
            first="  ",
        ),
    ]


def _where(snapshot: dict) -> str:
    region = snapshot["combined"]["region"]
    if region is None:
        return "(no servers in any Region)"
    if snapshot["scope"] == region:
        return f"in {region}"
    return f"in {region} (binding Region)"


def _accounts_table(accounts: Sequence[dict]) -> str:
    rows = [
        (a["accountId"], _short(a["accountName"]), a["accountType"], a["status"],
         a["busiestRegion"], _busiest_use(a), _pct(a["percentUsed"]),
         a["availableSlots"])
        for a in accounts
    ]  # fmt: skip
    headers = ("ACCOUNT ID", "NAME", "TYPE", "STATUS", "BUSIEST REGION",
               "REPLICATING", "USED", "FREE")  # fmt: skip
    return table(headers, rows)


def _busiest_use(account: dict) -> str:
    """The busiest Region's replicating / its limit; without one, 0 of the setting's
    limit when nothing is held, "-" when nothing could be read."""
    region = account["busiestRegion"]
    if region is None:
        return (
            "-"
            if account["percentUsed"] is None
            else f"0 / {account['maxReplicating']}"
        )
    unit = next(r for r in account["regionalBreakdown"] if r["region"] == region)
    return f"{unit['replicatingServers']} / {unit['maxReplicating']}"


def _short(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 3] + "..."


def _combined_by_region(snapshot: dict) -> str:
    rows = [
        (c["region"], c["status"], f"{c['totalReplicating']} / {c['maxReplicating']}",
         _pct(c["percentUsed"]), c["availableSlots"], c["operationalLimit"])
        for c in snapshot["combinedByRegion"]
    ]  # fmt: skip
    headers = ("REGION", "COMBINED", "REPLICATING", "USED", "FREE", "OPERATIONAL LIMIT")
    return "Combined by Region:\n" + _indent(table(headers, rows))


def _recovery(snapshot: dict) -> list[str]:
    recovery = snapshot["recoveryCapacity"]
    source = LIMIT_SOURCES[recovery["limitSource"]]
    where = f"in {recovery['region']}" if recovery["region"] else "(no target servers)"
    lines = _wrapped(
        f"Recovery {recovery['status']} {where}: {_cell(recovery['currentServers'])} / "
        f"{recovery['maxRecoveryInstances']} source servers in the target "
        f"({_pct(recovery['percentUsed'])}); limit: {source}",
        "  ",
    )
    if len(snapshot["recoveryByRegion"]) > 1:
        each = [
            f"{r['region']} {_cell(r['currentServers'])} / {r['maxRecoveryInstances']}"
            f" {r['status']}"
            for r in snapshot["recoveryByRegion"]
        ]
        lines += _packed(each, "  by Region: ", "    ")
    return lines


def _packed(items: Sequence[str], first: str, indent: str) -> list[str]:
    """Items joined by ", " into lines of at most WIDTH, never splitting an item."""
    lines, line = [], first
    for i, item in enumerate(items):
        text = item + ("," if i < len(items) - 1 else "")
        fresh = line in (first, indent)
        if not fresh and len(line) + 1 + len(text) > WIDTH:
            lines.append(line)
            line, fresh = indent, True
        line += text if fresh else " " + text
    return [*lines, line]


def _warnings(warnings: Sequence[dict]) -> str:
    if not warnings:
        return "No warnings."
    lines = [f"Warnings ({len(warnings)}):"]
    pad = " " * 17
    for w in warnings:
        lines += _wrapped(w["message"], pad, first=f"  {w['level']:<14} ")
        lines += _wrapped(f"action: {w['action']}", pad, first=pad)
    return "\n".join(lines)


def _wrapped(text: str, indent: str, first: str = "") -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=indent,
        break_on_hyphens=False,
    )  # fmt: skip


def _indent(text: str) -> str:
    return textwrap.indent(text, "  ")


# -- history --------------------------------------------------------------------------


def history(body: dict) -> str:
    """Each series' growth and forecasts: what "when do I need another staging account?"
    comes down to."""
    soonest: dict[tuple, list[str]] = {}
    for f in body.get("forecasts") or ():
        soonest.setdefault((f["scope"], f["accountId"], f["region"]), []).append(
            f["text"]
        )
    rows = [
        [
            t["accountId"] or "combined",
            t["region"],
            "-" if t["growthPerWeek"] is None else f"{t['growthPerWeek']:+g}",
            "; ".join(soonest.get((t["scope"], t["accountId"], t["region"]), ()))
            or t["trend"],
        ]
        for t in body.get("trends") or ()
    ]
    points = len(body.get("points") or ())
    head = (
        f"History of {body['targetAccountId']}: the last {body['days']:g} days, "
        f"{points:,} account × Region points"
    )
    if not rows:
        return head + "\nNo history yet: it is recorded as capacity is collected."
    return head + "\n" + table(["Account", "Region", "Growth/week", "Forecast"], rows)


VIEWS: dict[str, Callable[[dict], str]] = {
    "targets": targets,
    "target": target,
    "staging": staging,
    "created": created,
    "changed": changed,
    "impact": impact,
    "validation": validation,
    "capacity": capacity,
    "history": history,
}


def render(view: str, body: dict) -> str:
    return VIEWS[view](body)
