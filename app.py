"""Entry point: the dashboard and its REST API on one Flask server.

    python app.py [--scenario FILE | --demo | --aws] [--host 127.0.0.1] [--port 8050]
                  [--insecure-no-auth]

Without --scenario and without AWS configuration it runs the shipped demo scenario.
Without sign-in (DRS_CAPACITY_AUTH=none) it listens on a loopback address only.
For gunicorn use `app:server`: the backend is built on first access, not at import.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
import threading

from services.settings import add_backend_options

log = logging.getLogger("app")
_lock = threading.Lock()


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.split("\n")[0])
    add_backend_options(parser)
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8050)")
    parser.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="listen beyond loopback without sign-in: anyone who reaches the port "
        "can add and remove accounts",
    )
    parser.set_defaults(mode="auto")
    args = parser.parse_args(argv)
    if args.scenario and args.mode == "aws":
        parser.error("--scenario runs on a simulated fleet: leave out --aws")
    return args


def settings_for(args: argparse.Namespace):
    from services.backend import resolve_settings
    from services.settings import Settings

    settings = Settings.from_env(
        scenario_path=args.scenario, host=args.host, port=args.port
    )
    return resolve_settings(settings, args.mode)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (a name other than
    localhost counts as reachable from elsewhere: it may resolve to anything)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def open_door(settings, insecure_no_auth: bool) -> str | None:
    """Why the app must not start as configured (None: it may)."""
    if settings.auth != "none" or is_loopback(settings.host) or insecure_no_auth:
        return None
    return (
        f"refusing to serve {settings.host} without sign-in: anyone who reaches it "
        "could add and remove accounts. Set DRS_CAPACITY_AUTH=basic with "
        "DRS_CAPACITY_USERS_FILE (cli.py users add NAME --role admin), or "
        "DRS_CAPACITY_AUTH=proxy with DRS_CAPACITY_TRUSTED_PROXIES behind a load "
        "balancer that signs users in (docs/security.md); or pass --insecure-no-auth"
    )


def main(argv: list[str] | None = None) -> int:
    from services.logs import configure_logging

    args = parse(argv)
    configure_logging(logging.INFO)
    from dashboard import create_app, prewarm
    from services.simulator import ScenarioError

    try:
        settings = settings_for(args)
        refused = open_door(settings, args.insecure_no_auth)
        if refused:
            raise ValueError(refused)
        app = create_app(settings)
    except (ScenarioError, ValueError) as exc:
        print(f"app.py: error: {exc}", file=sys.stderr)
        return 2
    if settings.auth == "none" and not is_loopback(settings.host):
        log.warning("No sign-in on %s (--insecure-no-auth)", settings.host)
    where = f"scenario {settings.scenario_path}" if settings.demo else "AWS"
    log.info("Serving on http://%s:%s (%s)", settings.host, settings.port, where)
    prewarm(app)
    try:
        app.run(host=settings.host, port=settings.port, debug=False)
    finally:
        app.drs_backend.close()
    return 0


def __getattr__(name: str):
    """`server` for gunicorn, built on first access (never at import)."""
    if name != "server":
        raise AttributeError(name)
    with _lock:
        if "server" not in globals():
            from dashboard import create_app, prewarm
            from services.logs import configure_logging

            configure_logging(logging.INFO)
            settings = settings_for(parse([]))
            app = create_app(settings)
            if settings.auth == "none":  # gunicorn binds itself: it may be public
                log.warning(
                    "No sign-in (DRS_CAPACITY_AUTH=none): whoever reaches this server "
                    "can add and remove accounts; see docs/security.md"
                )
            prewarm(app)
            globals().update(server=app.server, _dash_app=app)
    return globals()["server"]


if __name__ == "__main__":
    sys.exit(main())
