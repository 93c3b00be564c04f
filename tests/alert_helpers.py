"""What the alert tests share: collections as the snapshot's wire form, a local webhook
receiver on a real HTTP server, an executor that runs inline, a moto history table."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import Executor, Future
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

from services.alert_monitor import AlertMonitor
from services.alert_store import AlertStore
from services.clock import iso_utc
from services.history import HistoryStore
from services.notify import Notifier, WebhookChannel

TARGET = "111111111111"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LIMIT = 300
COUNT_OF = {"OK": 100, "INFO": 210, "WARNING": 230, "CRITICAL": 260,
            "HYPER-CRITICAL": 290}  # fmt: skip


def at(minutes: float) -> str:
    return iso_utc(T0 + timedelta(minutes=minutes))


def collection(minutes: float, statuses: dict[str, str]) -> dict:
    """An all-Regions snapshot (wire form) with these unit statuses, e.g.
    {"111111111111:us-east-1": "WARNING", "combined:us-east-1": "INFO"}."""
    accounts: dict[str, list] = {}
    combined = []
    for key, status in statuses.items():
        owner, region = key.split(":")
        n = COUNT_OF[status]
        if owner == "combined":
            combined.append({"region": region, "status": status, "reportingAccounts": 1,
                             "totalReplicating": n, "maxReplicating": LIMIT})  # fmt: skip
        else:
            accounts.setdefault(owner, []).append(
                {
                    "region": region,
                    "state": "ok",
                    "status": status,
                    "replicatingServers": n,
                    "maxReplicating": LIMIT,
                }  # fmt: skip
            )
    return {
        "targetAccountId": TARGET,
        "scope": "all",
        "collectedAt": at(minutes),
        "accounts": [
            {"accountId": a, "accessible": True, "regionalBreakdown": rows}
            for a, rows in accounts.items()
        ],
        "combinedByRegion": combined,
    }


class Inline(Executor):
    """Runs each task at once: the tests decide when time passes, not a thread."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class Receiver:
    """A Slack-like webhook on 127.0.0.1: records each JSON body; answers 500 to the
    first `failures` posts; waits for `gate` (when given) before answering."""

    def __init__(self, failures: int = 0, gate: threading.Event | None = None):
        self.bodies: list[dict] = []
        self.posts = 0
        self.arrived = threading.Condition()
        self.failures = failures
        self.gate = gate
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                if receiver.gate is not None:
                    receiver.gate.wait(10)
                receiver.posts += 1
                if receiver.posts <= receiver.failures:
                    self.send_response(500)
                else:
                    with receiver.arrived:
                        receiver.bodies.append(body)
                        receiver.arrived.notify_all()
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/services/T0/B0/s3cr3tpath"

    def wait_for(self, count: int, timeout: float = 10) -> list[str]:
        """The texts once `count` have arrived (a background thread delivers them)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.bodies) >= count, timeout)
        return self.texts

    @property
    def texts(self) -> list[str]:
        return [b["text"] for b in self.bodies]

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.gate is not None:
            self.gate.set()
        self._server.shutdown()
        self._server.server_close()


def history_table(name: str | None = None):
    """A history table in moto (call inside mock_aws)."""
    resource = boto3.resource("dynamodb", region_name="us-east-1")
    return HistoryStore.create_table(resource, name or f"h-{uuid.uuid4().hex[:10]}")


def webhook_monitor(
    table, url: str, *, reminder_minutes=None, executor=None, sleep=None
):
    """A monitor posting to `url`, evaluating inline unless given an executor."""
    notifier = Notifier([WebhookChannel(lambda: url)], sleep=sleep or (lambda s: None))
    reminder = timedelta(minutes=reminder_minutes) if reminder_minutes else None
    return AlertMonitor(
        AlertStore(table), notifier, reminder=reminder, executor=executor or Inline()
    )


class Collected:
    """A collection as Operations hands it to the monitor (a CapacitySnapshot's face)."""

    def __init__(self, wire: dict):
        self.scope = wire["scope"]
        self.target_account_id = wire["targetAccountId"]
        self.collected_at = wire["collectedAt"]
        self._wire = wire

    def to_dict(self) -> dict:
        return self._wire


class Atomic(AlertStore):
    """DynamoDB checks a condition and writes as one step; moto does not under
    threads, so the racing tests serialise each conditional write as DynamoDB would.
    With `barrier`, every worker has read the state before any of them writes."""

    _lock = threading.Lock()

    def __init__(self, table, barrier: threading.Barrier | None = None):
        super().__init__(table)
        self.barrier = barrier

    def read(self, target_id):
        answer = super().read(target_id)
        if self.barrier is not None:
            self.barrier.wait(timeout=10)
        return answer

    def _put(self, item, version):
        with self._lock:
            return super()._put(item, version)
