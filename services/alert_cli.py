"""`cli.py alerts mutes|mute|unmute`: the alert mutes of a target (issue 12, item 6),
through the same operations as the REST API (so `--api-url` works too)."""

from __future__ import annotations


def add_commands(groups, command) -> None:
    alerts = command(groups, "alerts", "alert mutes per account × Region or Region")
    a = alerts.add_subparsers(dest="command", required=True, metavar="ACTION")
    command(a, "mutes", "the mutes in force").add_argument("target")
    mute = command(a, "mute", "mute a unit's alerts for a while")
    _unit_options(mute)
    length = mute.add_mutually_exclusive_group(required=True)
    length.add_argument("--for", dest="duration", metavar="DURATION",
                        help="e.g. 30m, 2h, 7d (at most 90 days)")  # fmt: skip
    length.add_argument("--until", metavar="TIME", help="ISO 8601 time (UTC)")
    mute.add_argument("--reason", help="why, shown with the mute")
    _unit_options(command(a, "unmute", "lift a unit's mute"))


def _unit_options(parser) -> None:
    parser.add_argument("target")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--account", metavar="ACCOUNT_ID", help="a staging account")
    which.add_argument("--combined", action="store_true",
                       help="the Region's combined total")  # fmt: skip
    parser.add_argument("--region", required=True)


def _unit(args) -> dict:
    owner = "combined" if args.combined else args.account
    return {"targetAccountId": args.target, "unit": f"{owner}:{args.region}"}


def mutes_text(body: dict) -> str:
    mutes = body["mutes"]
    if not mutes:
        return f"No alerts muted on {body['targetAccountId']}."
    lines = [f"Alerts muted on {body['targetAccountId']}:"]
    for m in mutes:
        reason = f" ({m['reason']})" if m["reason"] else ""
        lines.append(f"  {m['unit']} until {m['until']} by {m['mutedBy']}{reason}")
    return "\n".join(lines)


def _answer(out, response, text) -> int:
    if out.format == "table" and response.success:
        out.out.write(text(response.body) + "\n")
        return 0
    return out.answer(response, "")


def _mutes(args, ops, out) -> int:
    answer = ops.dispatch("get_alert_mutes", {"targetAccountId": args.target})
    return _answer(out, answer, mutes_text)


def _mute(args, ops, out) -> int:
    payload = _unit(args) | {"addedBy": "cli"}
    for name, value in (("for", args.duration), ("until", args.until),
                        ("reason", args.reason)):  # fmt: skip
        if value is not None:
            payload[name] = value
    answer = ops.dispatch("mute_alerts", payload)
    return _answer(out, answer, lambda body: body["message"])


def _unmute(args, ops, out) -> int:
    answer = ops.dispatch("unmute_alerts", _unit(args))
    return _answer(out, answer, lambda body: body["message"])


COMMANDS = {
    ("alerts", "mutes"): _mutes,
    ("alerts", "mute"): _mute,
    ("alerts", "unmute"): _unmute,
}
