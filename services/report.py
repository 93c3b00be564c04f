"""Terminal text for the CLI's `--format table`: one renderer per kind of answer."""

from __future__ import annotations

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
         "yes" if s.get("externalId") else "no", s.get("addedAt"))
        for s in accounts
    ]  # fmt: skip
    headers = ("ACCOUNT ID", "NAME", "REGION", "ROLE ARN", "EXTERNAL ID", "ADDED")
    return table(headers, rows)


def target(body: dict) -> str:
    t = body["targetAccount"]
    role = t.get("roleArn") or "(dashboard credentials)"
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


def capacity(snapshot: dict) -> str:
    combined, recovery = snapshot["combined"], snapshot["recoveryCapacity"]
    state = (
        "complete" if snapshot["complete"] else "PARTIAL: some data could not be read"
    )
    parts = [
        f"DRS capacity of target {snapshot['targetAccountId']} | scope "
        f"{snapshot['scope']} | collected {snapshot['collectedAt']} | {state}",
        "",
        f"Combined  {combined['status']:<14}  {combined['totalReplicating']} / "
        f"{combined['maxReplicating']} replicating ({_pct(combined['percentUsed'])}), "
        f"operational limit {combined['operationalLimit']}, "
        f"{combined['reportingAccounts']} of {combined['configuredAccounts']} "
        "accounts reporting",
        f"          {combined['message']}",
        f"Recovery  {recovery['status']:<14}  {_cell(recovery['currentServers'])} / "
        f"{recovery['maxRecoveryInstances']} source servers in the target "
        f"({_pct(recovery['percentUsed'])})",
        "",
        _accounts_table(snapshot["accounts"]),
        "",
        _warnings(snapshot["warnings"]),
    ]
    return "\n".join(parts)


def _accounts_table(accounts: Sequence[dict]) -> str:
    rows = [
        (a["accountId"], a["accountName"], a["accountType"], a["status"],
         a["replicatingServers"], a["maxReplicating"], _pct(a["percentUsed"]),
         a["availableSlots"], _regions(a))
        for a in accounts
    ]  # fmt: skip
    headers = ("ACCOUNT ID", "NAME", "TYPE", "STATUS", "REPLICATING", "MAX", "USED",
               "FREE", "REGIONS")  # fmt: skip
    return table(headers, rows)


def _regions(account: dict) -> str:
    if not account["accessible"]:
        error = account.get("error") or {}
        return f"not readable: {error.get('code')}: {error.get('message')}"
    parts = []
    for r in account["regionalBreakdown"]:
        if r["state"] == "error":
            parts.append(f"{r['region']} ERROR ({(r.get('error') or {}).get('code')})")
        else:
            parts.append(f"{r['region']} {r['replicatingServers']} {r['status']}")
    return ", ".join(parts) or "no servers"


def _warnings(warnings: Sequence[dict]) -> str:
    if not warnings:
        return "No warnings."
    lines = [f"Warnings ({len(warnings)}):"]
    for w in warnings:
        lines.append(f"  {w['level']:<14}  {w['message']}")
        lines.append(f"  {'':<14}  action: {w['action']}")
    return "\n".join(lines)


VIEWS: dict[str, Callable[[dict], str]] = {
    "targets": targets,
    "target": target,
    "staging": staging,
    "created": created,
    "changed": changed,
    "impact": impact,
    "validation": validation,
    "capacity": capacity,
}


def render(view: str, body: dict) -> str:
    return VIEWS[view](body)
