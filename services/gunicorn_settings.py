"""gunicorn's configuration for `app:server` (`make serve`, `drs-capacity serve`, the
container): gthread workers, a timeout above the collection deadline, logs on stdout.

    DRS_CAPACITY_BIND            127.0.0.1:8050 (a container sets 0.0.0.0:8050)
    DRS_CAPACITY_WORKERS         2 processes
    DRS_CAPACITY_THREADS         8 threads per process
    DRS_CAPACITY_WORKER_TIMEOUT  max(120, collection deadline + 60) seconds
    DRS_CAPACITY_REFRESH_WAIT_SECONDS  1: a server never waits on a long collection
                                 (stale-while-revalidate; set "" to wait for each one)

The access log goes to stdout in text mode; with DRS_CAPACITY_LOG_FORMAT=json the app's
own JSON request line (method, path, status, duration, request id) is the access log.
Before any worker starts, the backend mode is decided (services/mode.py): a server with
no mode and no AWS credentials stops here, saying what to set. A demo or scenario starts
its store here, in the master, so every worker reads and writes the same one
(services/demo_store.py).
"""

from __future__ import annotations

import os
import sys


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        return default if raw in (None, "") else float(raw)
    except ValueError:
        sys.exit(f"{name}: not a number: {raw!r}")


_deadline = _number("DRS_CAPACITY_COLLECTION_DEADLINE_SECONDS", 60)
# the workers inherit it: a request answers the last snapshot (or "refreshing") at once
os.environ.setdefault("DRS_CAPACITY_REFRESH_WAIT_SECONDS", "1")
if os.environ["DRS_CAPACITY_REFRESH_WAIT_SECONDS"] == "":
    del os.environ["DRS_CAPACITY_REFRESH_WAIT_SECONDS"]

bind = os.environ.get("DRS_CAPACITY_BIND", "127.0.0.1:8050").split(",")
worker_class = "gthread"
workers = int(_number("DRS_CAPACITY_WORKERS", 2))
threads = int(_number("DRS_CAPACITY_THREADS", 8))
timeout = int(_number("DRS_CAPACITY_WORKER_TIMEOUT", max(120, _deadline + 60)))
graceful_timeout = 30
keepalive = 5
# gunicorn 24+ opens a control socket in $HOME: none (read-only in a container)
control_socket_disable = True
_json = os.environ.get("DRS_CAPACITY_LOG_FORMAT", "text").strip().lower() == "json"
accesslog = None if _json else "-"
errorlog = "-"
access_log_format = (
    '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'
)


def on_starting(server) -> None:
    """Refuse before forking when the mode cannot be decided (never a silent demo)."""
    from services.mode import resolve_mode
    from services.settings import Settings

    try:
        settings = resolve_mode(Settings.from_env(), server=True)
    except ValueError as exc:
        print(f"drs-capacity: refusing to start: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
    server.log.info("DRS capacity dashboard, mode %s", settings.mode)
    if settings.demo and not settings.dynamodb_endpoint:
        # one store for every worker (and the demo's CLI), served by this master
        from services.demo_store import share

        shared, _ = share(settings)
        os.environ["DRS_CAPACITY_DYNAMODB_ENDPOINT"] = shared.dynamodb_endpoint
        server.log.info("Demo store shared by the workers on %s",
                        shared.dynamodb_endpoint)  # fmt: skip
