"""How a CLI command reaches the product: in this process on the mode's backend (a
demo's commands on the store of the demo running on this machine), over --api-url with
a bearer token, or, for `serve`, by becoming gunicorn serving `app:server`."""

from __future__ import annotations

import logging
import os
import sys

from services.errors import InputError
from services.responses import failure


def serve(args) -> int:
    """Replace this process with gunicorn serving `app:server`; the flags become the
    mode variables (services/mode.py), so they mean what they mean everywhere."""
    env = dict(os.environ)
    if args.scenario:
        env |= {"DRS_CAPACITY_MODE": "scenario",
                "DRS_CAPACITY_SCENARIO_PATH": os.path.abspath(args.scenario)}  # fmt: skip
    elif args.mode != "auto":
        env["DRS_CAPACITY_MODE"] = args.mode
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:services.gunicorn_settings",
            "app:server"]  # fmt: skip
    os.execve(sys.executable, argv, env)
    return 1  # not reached


def operations_for(args, out):
    """The dispatcher this command talks to, and the backend to close after it (None
    over --api-url); (None, None) after saying why there is none."""
    from services.logs import configure_logging

    if args.api_url:
        configure_logging()
        from services.api_client import ApiClient

        try:
            token = _api_token(args)
        except (OSError, ValueError) as exc:
            out.err.write(f"cli.py: error: {exc}\n")
            return None, None
        return ApiClient(args.api_url, token=token), None
    from services.backend import build_backend, build_operations
    from services.mode import resolve_mode
    from services.settings import Settings
    from services.simulator import ScenarioError

    try:
        settings = Settings.from_env(scenario_path=args.scenario)
        configure_logging(logging.WARNING, settings)
        flag = "scenario" if args.scenario else args.mode
        settings = resolve_mode(settings, flag)
        settings = _demo_store(settings, args, out)
        backend = build_backend(settings)
    except (ScenarioError, ValueError) as exc:
        code = (
            "SCENARIO_INVALID" if isinstance(exc, ScenarioError) else "CONFIG_INVALID"
        )
        out.answer(failure(InputError(str(exc), code=code)), "")
        return None, None
    return build_operations(backend), backend


WRITES = {("targets", "add"), ("staging", "add"), ("staging", "remove")}


def _demo_store(settings, args, out):
    """A demo's commands use the store of the demo running on this machine; without
    one, say that a change lasts only for this command."""
    from services.demo_store import reach

    shared = reach(settings)
    command = (args.group, getattr(args, "command", None))
    if shared.demo and not shared.dynamodb_endpoint and command in WRITES:
        out.err.write(
            "note: no demo dashboard runs on this machine, so this change is kept only "
            "for this command (start `make run`, and the CLI uses the demo's store)\n"
        )
    return shared


def _api_token(args) -> str | None:
    """The bearer token for --api-url: --token-file, else DRS_CAPACITY_TOKEN."""
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as source:
            token = source.read().strip()
        if not token:
            raise ValueError(f"--token-file {args.token_file} is empty")
        return token
    return os.environ.get("DRS_CAPACITY_TOKEN", "").strip() or None
