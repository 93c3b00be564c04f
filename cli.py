"""Command line over the same operations as the REST API (SPEC §7).

    python cli.py [--scenario FILE | --api-url URL [--token-file F]] [--format ...] COMMAND

Commands: targets list|show|add, staging list|add|remove|validate, capacity, history,
watch, alerts mutes|mute|unmute, serve;
users add|list|remove and tokens create|list|revoke edit the sign-in files.
With --api-url the token comes from --token-file or DRS_CAPACITY_TOKEN.
The backend: --scenario/--demo/--aws, else DRS_CAPACITY_MODE (services/mode.py).
`--format json` prints exactly the API's JSON. Exit 0 ok, 1 error, 3 `--fail-on` reached.
Global options work before or after the command.
"""

from __future__ import annotations

import argparse
import sys

from services import alert_cli, cli_backend, credential_cli
from services.report import error_line, impact_text, render
from services.responses import Response, to_json
from services.settings import add_backend_options

FORMATS = ("table", "json", "csv")
LEVELS = ("INFO", "WARNING", "CRITICAL", "HYPER-CRITICAL")
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FAIL_ON = 0, 1, 2, 3
_GLOBALS = {"format": "table", "scenario": None, "api_url": None, "mode": "auto",
            "token_file": None}  # fmt: skip
SIGN_IN_GROUPS = credential_cli.GROUPS


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the command (SUPPRESS: no default overwrites)."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--format", choices=FORMATS, help="output (default: table)")
    add_backend_options(common)
    common.add_argument("--api-url", metavar="URL", help="use a running server's API")
    common.add_argument("--token-file", metavar="FILE",
                        help="API token for --api-url (else DRS_CAPACITY_TOKEN)")  # fmt: skip
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="cli.py", description=__doc__.split("\n\n")[0], parents=[common]
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    def command(sub, name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, parents=[common])

    targets = command(groups, "targets", "target accounts")
    t = targets.add_subparsers(dest="command", required=True, metavar="ACTION")
    command(t, "list", "list the target accounts")
    show = command(t, "show", "one target account and its staging accounts")
    show.add_argument("target")
    add = command(t, "add", "register a target account")
    add.add_argument("--account-id", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role-arn")
    add.add_argument("--external-id")

    staging = command(groups, "staging", "staging accounts of a target")
    s = staging.add_subparsers(dest="command", required=True, metavar="ACTION")
    command(s, "list", "the staging accounts of a target").add_argument("target")
    add = command(s, "add", "validate, then add a staging account")
    _staging_options(add, name=True)
    add.add_argument("--skip-validation", action="store_true")
    remove = command(s, "remove", "remove a staging account (shows the impact)")
    remove.add_argument("target")
    remove.add_argument("staging")
    remove.add_argument("--yes", action="store_true", help="do not ask to confirm")
    _staging_options(command(s, "validate", "check a staging account"), name=False)

    credential_cli.add_commands(groups, command)

    command(groups, "serve", "run the dashboard under gunicorn (as `make serve`; "
            "settings from DRS_CAPACITY_*, see services/gunicorn_settings.py)")  # fmt: skip

    cap = command(groups, "capacity", "the capacity report of a target")
    cap.add_argument("target")
    cap.add_argument("--region", help="one Region as scope (default: all)")
    cap.add_argument("--refresh", action="store_true", help="collect now")
    cap.add_argument("--fail-on", choices=LEVELS, type=str.upper, metavar="LEVEL",
                     help="exit 3 when the overall status reaches LEVEL "
                          "(an account not reporting counts as WARNING)")  # fmt: skip
    past = command(groups, "history", "capacity over time and forecasts of a target")
    past.add_argument("target")
    past.add_argument("--days", type=float, help="how far back (default 7, max 400)")
    watch = command(groups, "watch", "collect every N minutes and record the history; "
                    "SIGINT/SIGTERM stop between passes")  # fmt: skip
    watch.add_argument("targets", nargs="*", metavar="TARGET",
                       help="target account ids (default: every registered target)")  # fmt: skip
    watch.add_argument("--interval", type=_interval, metavar="MINUTES",
                       help="minutes between passes (default 5, max 1440)")  # fmt: skip
    watch.add_argument("--once", action="store_true", help="one pass, then exit")
    alert_cli.add_commands(groups, command)
    return parser


def _interval(text: str) -> int:
    from services.watch import interval_minutes

    try:
        return interval_minutes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _staging_options(parser: argparse.ArgumentParser, *, name: bool) -> None:
    parser.add_argument("target")
    parser.add_argument("--account-id", required=True)
    if name:
        parser.add_argument("--name", required=True)
    parser.add_argument("--role-arn", required=True)
    parser.add_argument("--external-id")
    parser.add_argument("--region", required=True, help="where DRS is checked")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in _GLOBALS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    if args.format == "csv" and args.group not in ("capacity", "history"):
        parser.error("--format csv applies to the capacity and history commands only")
    if args.api_url and (args.scenario or args.mode != "auto"):
        parser.error("--api-url runs on the server: leave out --scenario/--demo/--aws")
    if args.group in SIGN_IN_GROUPS and args.api_url:
        parser.error(f"{args.group} edits a local file: leave out --api-url")
    if args.group == "watch" and args.api_url:
        parser.error("watch collects and records here: leave out --api-url")
    if args.token_file and not args.api_url:
        parser.error("--token-file is sent with --api-url only")
    return args


class Output:
    """Where answers go: stdout for data, stderr for human remarks in JSON/CSV mode."""

    def __init__(self, fmt: str, stdout, stderr, stdin):
        self.format, self.out, self.err, self.stdin = fmt, stdout, stderr, stdin

    def answer(self, response: Response, view: str) -> int:
        if not response.success:
            self.out.write(to_json(response.body) + "\n")
            if self.format != "json":
                self.err.write(error_line(response.body) + "\n")
            return EXIT_ERROR
        if isinstance(response.body, str):
            self.out.write(response.body)
        elif self.format == "json":
            self.out.write(to_json(response.body) + "\n")
        else:
            self.out.write(render(view, response.body) + "\n")
        return EXIT_OK

    def remark(self, text: str) -> None:
        """Human text: on stdout for tables, on stderr when stdout carries data."""
        stream = self.out if self.format == "table" else self.err
        stream.write(text + "\n")
        stream.flush()


def main(argv=None, *, operations=None, stdin=None, stdout=None, stderr=None) -> int:
    """Run one command; `operations` (anything with `dispatch`) replaces the backend."""
    args = parse(argv)
    out = Output(
        args.format, stdout or sys.stdout, stderr or sys.stderr, stdin or sys.stdin
    )
    if args.group in SIGN_IN_GROUPS:
        return credential_cli.run(args, out, EXIT_OK, EXIT_ERROR)
    if args.group == "serve":
        return cli_backend.serve(args)
    backend = None
    if operations is None:
        operations, backend = cli_backend.operations_for(args, out)
        if operations is None:
            return EXIT_ERROR
    try:
        return COMMANDS[(args.group, getattr(args, "command", None))](
            args, operations, out
        )
    finally:
        if backend is not None:
            backend.close()


# -- commands -------------------------------------------------------------------------


def _targets_list(args, ops, out: Output) -> int:
    return out.answer(ops.dispatch("get_target_accounts", {}), "targets")


def _targets_show(args, ops, out: Output) -> int:
    payload = {"targetAccountId": args.target}
    return out.answer(ops.dispatch("get_target_account", payload), "target")


def _targets_add(args, ops, out: Output) -> int:
    payload = _clean(accountId=args.account_id, accountName=args.name,
                     roleArn=args.role_arn, externalId=args.external_id)  # fmt: skip
    return out.answer(ops.dispatch("add_target_account", payload), "created")


def _staging_list(args, ops, out: Output) -> int:
    payload = {"targetAccountId": args.target}
    return out.answer(ops.dispatch("get_target_account", payload), "staging")


def _staging_payload(args) -> dict:
    return _clean(targetAccountId=args.target, accountId=args.account_id,
                  roleArn=args.role_arn, externalId=args.external_id,
                  region=args.region)  # fmt: skip


def _staging_validate(args, ops, out: Output) -> int:
    response = ops.dispatch("validate_staging_account", _staging_payload(args))
    code = out.answer(response, "validation")
    return code if code or response.body["valid"] else EXIT_ERROR


def _staging_add(args, ops, out: Output) -> int:
    payload = _staging_payload(args)
    if not args.skip_validation:
        checked = ops.dispatch("validate_staging_account", payload)
        if not checked.success or not checked.body["valid"]:
            out.answer(checked, "validation")
            out.remark("Not added: the validation failed (see above).")
            return EXIT_ERROR
        out.remark(checked.body["message"])
    payload |= {"accountName": args.name, "addedBy": "cli"}
    return out.answer(ops.dispatch("add_staging_account", payload), "changed")


def _staging_remove(args, ops, out: Output) -> int:
    payload = {"targetAccountId": args.target, "stagingAccountId": args.staging}
    if not args.yes:
        found = ops.dispatch("get_removal_impact", payload)
        if not found.success:
            return out.answer(found, "impact")
        out.remark(impact_text(found.body["impact"]))
        if not out.stdin.isatty():
            out.err.write(
                "Not removed: confirmation needs a terminal; pass --yes to remove "
                "without asking.\n"
            )
            return EXIT_ERROR
        out.remark("Remove? [y/N] ")
        if out.stdin.readline().strip().lower() not in ("y", "yes"):
            out.remark("Not removed.")
            return EXIT_ERROR
    return out.answer(ops.dispatch("remove_staging_account", payload), "changed")


def _capacity(args, ops, out: Output) -> int:
    # a command answers with the collection, even from a server that would not wait
    payload = _clean(targetAccountId=args.target, region=args.region,
                     refresh=args.refresh or None, wait=True)  # fmt: skip
    snapshot = ops.dispatch("get_combined_capacity", payload)
    if args.format == "csv" and snapshot.success:
        payload.pop("refresh", None)  # the CSV comes from the collection just made
        payload.pop("wait")
        code = out.answer(ops.dispatch("export_capacity_csv", payload), "capacity")
    else:
        code = out.answer(snapshot, "capacity")
    if code == EXIT_OK and args.fail_on and _reaches(snapshot.body, args.fail_on):
        return EXIT_FAIL_ON
    return code


def _history(args, ops, out: Output) -> int:
    payload = _clean(targetAccountId=args.target, days=args.days)
    operation = "export_history_csv" if args.format == "csv" else "get_capacity_history"
    return out.answer(ops.dispatch(operation, payload), "history")


def _watch(args, ops, out: Output) -> int:
    from services.watch import run_watch

    ok = run_watch(ops, args.targets, interval_minutes=args.interval, once=args.once,
                   json_lines=args.format == "json", out=out.out, err=out.err)  # fmt: skip
    return EXIT_OK if ok else EXIT_ERROR


def _reaches(snapshot: dict, level: str) -> bool:
    """Whether the snapshot's overall status (SPEC §4.3) reaches `level`.

    An account that is not reporting (UNKNOWN) counts as a WARNING: its servers could
    be anywhere, and a monitor must not stay green on missing data. The overall status
    ranks UNKNOWN lowest, so it never shows this by itself.
    """
    from services.models import Status, worst

    overall = Status(snapshot["status"])
    missing = overall is Status.UNKNOWN or any(
        not a["accessible"] or a["status"] == Status.UNKNOWN
        for a in snapshot["accounts"]
    )
    reached = worst((overall, Status.WARNING)) if missing else overall
    return reached.severity >= Status(level).severity


def _clean(**values) -> dict:
    return {k: v for k, v in values.items() if v is not None}


COMMANDS = {
    ("targets", "list"): _targets_list,
    ("targets", "show"): _targets_show,
    ("targets", "add"): _targets_add,
    ("staging", "list"): _staging_list,
    ("staging", "add"): _staging_add,
    ("staging", "remove"): _staging_remove,
    ("staging", "validate"): _staging_validate,
    ("capacity", None): _capacity,
    ("history", None): _history,
    ("watch", None): _watch,
    **alert_cli.COMMANDS,
}


if __name__ == "__main__":
    sys.exit(main())
