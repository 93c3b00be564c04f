"""cli.py's users and tokens commands: edit the files the server signs people in with
(services.credentials). Passwords come from a prompt or stdin, never from a flag."""

from __future__ import annotations

import getpass

from services import credentials
from services.credentials import MIN_PASSWORD_LENGTH, Credential

GROUPS = ("users", "tokens")


def add_commands(groups, command) -> None:
    """`users add|list|remove` and `tokens create|list|revoke` on cli.py's parser."""
    for group, noun, verbs in (
        ("users", "users file", ("add", "list", "remove")),
        ("tokens", "API tokens file", ("create", "list", "revoke")),
    ):
        parser = command(groups, group, f"the sign-in {noun}")
        actions = parser.add_subparsers(dest="command", required=True, metavar="ACTION")
        for verb in verbs:
            action = command(actions, verb, f"{verb} ({noun})")
            default = f"default: DRS_CAPACITY_{group.upper()}_FILE"
            action.add_argument(
                f"--{group}-file", dest="credentials_file", metavar="FILE", help=default
            )
            if verb == "list":
                continue
            action.add_argument("name")
            if verb in ("add", "create"):
                action.add_argument(
                    "--role", required=True, choices=("admin", "viewer")
                )
                action.add_argument(
                    "--replace", action="store_true", help="replace the same name's"
                )


def run(args, out, ok: int, error: int) -> int:
    """One users/tokens command; `out` is cli.py's Output. Exit `ok` or `error`."""
    try:
        path = args.credentials_file or _credentials_setting(args.group)
        if hasattr(args, "name"):
            credentials.check_name(args.name)
        _COMMANDS[(args.group, args.command)](args, path, out)
    except (OSError, ValueError) as exc:
        out.err.write(f"cli.py: error: {exc}\n")
        return error
    return ok


def _credentials_setting(group: str) -> str:
    from services.settings import Settings

    path = getattr(Settings.from_env(), f"{group}_file")
    if not path:
        variable = f"DRS_CAPACITY_{group.upper()}_FILE"
        raise ValueError(f"set {variable} or pass --{group}-file")
    return path


def _users_add(args, path, out) -> None:
    from werkzeug.security import generate_password_hash

    password = _read_password(out)
    secret_hash = generate_password_hash(password)
    entry = Credential(args.name, args.role, secret_hash)
    replaced = credentials.put_line(path, entry, replace=args.replace)
    done = "replaced" if replaced else "added"
    out.remark(f"User {args.name} ({args.role}) {done} in {path}.")


def _read_password(out) -> str:
    """From a prompt (twice) on a terminal, else the first line of stdin."""
    if out.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise ValueError("the two passwords differ")
    else:
        password = out.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    return password


def _tokens_create(args, path, out) -> None:
    token = credentials.new_token()
    entry = Credential(args.name, args.role, credentials.token_hash(token))
    credentials.put_line(path, entry, replace=args.replace)
    out.err.write(
        f"Token {args.name} ({args.role}) stored as a hash in {path}; "
        "it is shown only now:\n"
    )
    out.out.write(token + "\n")


def _list_entries(args, path, out) -> None:
    tokens = args.group == "tokens"
    variable = f"{args.group} file"
    for entry in credentials.load(path, variable, tokens=tokens).values():
        out.out.write(f"{entry.name}\t{entry.role}\n")


def _remove_entry(args, path, out) -> None:
    if not credentials.remove_line(path, args.name):
        raise ValueError(f"{args.name} is not in {path}")
    out.remark(f"{args.name} removed from {path}.")


_COMMANDS = {
    ("users", "add"): _users_add,
    ("users", "list"): _list_entries,
    ("users", "remove"): _remove_entry,
    ("tokens", "create"): _tokens_create,
    ("tokens", "list"): _list_entries,
    ("tokens", "revoke"): _remove_entry,
}
