"""One demo store for every process of a demo (issue 11).

Demo and scenario modes keep their staging accounts and history in moto's DynamoDB. In one
process that store can live in memory, but gunicorn's workers are separate processes, and
so is every `cli.py` command: each would see a store of its own (an add seen by 9 of 40
reads, the same account added twice). So the process that serves a demo (app.py, or
gunicorn's master before it forks) runs moto's DynamoDB as a small HTTP server on
127.0.0.1 and every worker reaches it at `DRS_CAPACITY_DYNAMODB_ENDPOINT`.

The server answers one request at a time: moto's conditional writes are not atomic across
threads, and a store that promises "one add wins" must keep that promise here too. It
publishes its address in a state file (0600, in a 0700 directory of the user's cache), so
the demo's CLI commands on the same machine use the same store; `DRS_CAPACITY_DEMO_STORE_FILE`
moves that file, and an empty value turns publishing and discovery off (the tests do).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
from pathlib import Path

STATE_FILE_VARIABLE = "DRS_CAPACITY_DEMO_STORE_FILE"
log = logging.getLogger(__name__)


class DemoStoreServer:
    """moto's AWS (DynamoDB for the store and history) over HTTP on a loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._host, self._port = host, port
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class Quiet(MotoRequestHandler):
            def log_request(self, *args) -> None:
                """The store's calls are the app's business: not logged twice."""

        app = _one_at_a_time(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._host, self._port, app, threaded=True, request_handler=Quiet
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-store", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None


def _one_at_a_time(app):
    """The WSGI app behind a lock: moto's check-then-write becomes atomic."""
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            # the whole body is produced under the lock (moto answers in one piece)
            answer = app(environ, start_response)
            try:
                return list(answer)
            finally:
                if hasattr(answer, "close"):  # as WSGI asks of whoever iterates
                    answer.close()

    return serialised


def state_file(env=os.environ) -> Path | None:
    """Where the running demo's store is published; None when turned off."""
    configured = env.get(STATE_FILE_VARIABLE)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "drs-capacity" / "demo-store.json"


def publish(url: str, scenario_path: str, env=os.environ) -> Path | None:
    """Record this demo's store for the CLI; only the user can read it. Where it cannot
    be written (a container user without a home) the demo runs on, unpublished."""
    path = state_file(env)
    if path is None:
        return None
    record = {"url": url, "pid": os.getpid(), "scenario": str(scenario_path)}
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(partial, path)
    except OSError as exc:
        log.warning("demo store not published for the CLI (%s): %s",
                    type(exc).__name__, path.parent)  # fmt: skip
        return None
    return path


def withdraw(url: str, env=os.environ) -> None:
    """Remove the record if it still names this store and this process published it
    (another demo may have replaced it; a forked worker exiting must not)."""
    path = state_file(env)
    if path is None:
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("url") == url and record.get("pid") == os.getpid():
            path.unlink()


def discover(scenario_path: str, env=os.environ) -> str | None:
    """The URL of a running demo's store on this machine for the same scenario, if any."""
    path = state_file(env)
    if path is None:
        return None
    try:
        if path.stat().st_uid != os.getuid():
            return None  # not written by this user: not trusted
        record = json.loads(path.read_text(encoding="utf-8"))
        url = str(record["url"])
        same = Path(record["scenario"]).resolve() == Path(scenario_path).resolve()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if same and _answers(url) else None


def _answers(url: str) -> bool:
    host, _, port = url.removeprefix("http://").rpartition(":")
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        return False  # a loopback store only
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=0.5):
            return True
    except (OSError, ValueError):
        return False


DEMO_CREDENTIALS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}


def share(settings):
    """Serve this demo's store to every process of the demo: start the server, create
    and seed its tables, publish it. Returns the settings that reach it, and the server."""
    import atexit

    from services.backend import demo_tables
    from services.simulator import load_scenario

    server = DemoStoreServer()
    url = server.start()
    shared = settings.with_overrides(dynamodb_endpoint=url)
    demo_tables(shared, DEMO_CREDENTIALS, load_scenario(settings.scenario_path))
    if publish(url, settings.scenario_path):
        atexit.register(withdraw, url)
    return shared, server


def reach(settings):
    """`settings` pointed at the running demo's store when one serves this scenario on
    this machine (for the CLI); unchanged otherwise, or when not a demo."""
    if not settings.demo or settings.dynamodb_endpoint:
        return settings
    url = discover(settings.scenario_path)
    return settings if url is None else settings.with_overrides(dynamodb_endpoint=url)
