"""Entry point: the dashboard and its REST API on one Flask server.

    python app.py [--scenario FILE | --demo | --aws] [--host 127.0.0.1] [--port 8050]
                  [--insecure-no-auth]

The flags, else DRS_CAPACITY_MODE=aws|demo|scenario (services/mode.py), choose the
backend; with neither and no AWS configuration it runs the shipped demo scenario.
Without sign-in (DRS_CAPACITY_AUTH=none) it listens on a loopback address only.
For gunicorn use `app:server` (`make serve`): built on first access, not at import;
a server with no mode runs on AWS when botocore finds credentials, else refuses.
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


def settings_for(args: argparse.Namespace, *, server: bool = False):
    """The settings of the environment and flags, the backend mode decided."""
    from services.mode import resolve_mode

    return resolve_mode(raw_settings(args), flag_of(args), server=server)


def raw_settings(args: argparse.Namespace):
    from services.settings import Settings

    return Settings.from_env(
        scenario_path=args.scenario, host=args.host, port=args.port
    )


def flag_of(args: argparse.Namespace) -> str:
    """The command line's mode: "scenario" for --scenario FILE, else --demo/--aws."""
    return "scenario" if args.scenario else args.mode


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
    from dashboard import create_app, prewarm
    from services.backend import build_backend
    from services.simulator import ScenarioError

    try:
        configure_logging(logging.INFO, raw_settings(args))
        settings = loopback_names(settings_for(args))
        refused = open_door(settings, args.insecure_no_auth)
        if refused:
            raise ValueError(refused)
        store_server = None
        if settings.demo and not settings.dynamodb_endpoint:
            from services.demo_store import share  # the demo's CLI shares its store

            settings, store_server = share(settings)
        backend = build_backend(settings)
        backend.start_reading_processes()  # while the pages are built
        app = create_app(settings, backend)
    except (ScenarioError, ValueError) as exc:
        print(f"app.py: error: {exc}", file=sys.stderr)
        return 2
    if settings.auth == "none" and not is_loopback(settings.host):
        log.warning("No sign-in on %s (--insecure-no-auth)", settings.host)
    log.info("Serving on http://%s:%s (%s)", settings.host, settings.port,
             describe(settings))  # fmt: skip
    prewarm(app)
    try:
        app.run(host=settings.host, port=settings.port, debug=False)
    finally:
        app.drs_backend.close()
        if store_server is not None:
            store_server.stop()
    return 0


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def loopback_names(settings):
    """On a loopback address, answer only to localhost's names unless told otherwise:
    a page whose own name is made to resolve to 127.0.0.1 (DNS rebinding) would
    otherwise pass as this app's own origin and could read and write through it."""
    if settings.trusted_hosts or not is_loopback(settings.host):
        return settings
    return settings.with_overrides(trusted_hosts=LOOPBACK_NAMES)


def describe(settings) -> str:
    if settings.demo:
        return f"{settings.mode} (simulated fleet, {settings.scenario_path})"
    return "aws"


def __getattr__(name: str):
    """`server` for gunicorn, built on first access (never at import)."""
    if name != "server":
        raise AttributeError(name)
    with _lock:
        if "server" not in globals():
            from dashboard import create_app, prewarm
            from services.backend import build_backend
            from services.logs import configure_logging

            args = parse([])
            configure_logging(logging.INFO, raw_settings(args))
            try:
                settings = settings_for(args, server=True)
            except ValueError as exc:
                log.error("app:server refused to start: %s", exc)
                raise
            log.info("Backend mode: %s", describe(settings))
            backend = build_backend(settings)
            backend.start_reading_processes()  # while the pages are built
            app = create_app(settings, backend)
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
