"""The real app in a subprocess on a free 127.0.0.1 port, measured over HTTP (stdlib only).

Shared by the benchmarks: a generated scenario file, the server's CPU seconds and peak RSS
(from /proc, so the peak is the server's own), and a bounded start and stop.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SERVER_REGIONS = (
    "us-east-1",
    "us-west-2",
    "eu-west-1",
)  # where the fleet's servers live
START_TIMEOUT_S = 60.0


def fleet_scenario(accounts: int, servers: int, latency_ms: int) -> dict:
    """`accounts` accounts (the target and its staging accounts) with `servers` source
    servers each, spread over SERVER_REGIONS; every other Region is empty."""
    per_region = servers // len(SERVER_REGIONS)
    ids = [f"{100000000000 + i:012d}" for i in range(accounts)]
    spec = {"CONTINUOUS": per_region - per_region // 10, "STOPPED": per_region // 10}
    return {
        "description": f"benchmark: {accounts} accounts x {servers} servers",
        "target": {"accountId": ids[0], "accountName": "bench-target"},
        "staging": [
            {
                "accountId": i,
                "accountName": f"bench-{n:03d}",
                "roleArn": f"arn:aws:iam::{i}:role/DRSCapacityRead",
                "region": "us-east-1",
            }
            for n, i in enumerate(ids[1:], 1)
        ],
        "fleet": {i: dict.fromkeys(SERVER_REGIONS, spec) for i in ids},
        "latencyMs": latency_ms,
    }


def write_scenario(folder: Path, accounts: int, servers: int, latency_ms: int) -> Path:
    path = folder / f"fleet-{accounts}x{servers}-{latency_ms}ms.json"
    path.write_text(json.dumps(fleet_scenario(accounts, servers, latency_ms)))
    return path


def conditions() -> dict:
    """What a result depends on: the commit measured (and whether the tree had
    changes), the cores, the 1-minute load average now."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "cores": os.cpu_count(),
        "load": os.getloadavg()[0],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`python app.py` on a scenario (or the demo) until stopped; a context manager."""

    def __init__(self, scenario: Path | None, log_dir: Path, env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        where = ["--scenario", str(scenario)] if scenario else ["--demo"]
        self.log_path = log_dir / f"app-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [sys.executable, "app.py", *where, "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.process = psutil.Process(self._proc.pid)

    def __enter__(self) -> AppServer:
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_ready(self, path: str = "/api/openapi.json") -> float:
        """Poll a cheap route until it answers; the seconds since start."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"app.py exited ({self._proc.returncode}); see log")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as answer:
                    answer.read()
                    return time.time() - self.process.create_time()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        raise TimeoutError(f"app.py did not answer {path} in {START_TIMEOUT_S:.0f} s")

    def get(self, path: str, timeout: float) -> tuple[float, dict]:
        """Wall seconds of one GET, and its JSON body."""
        start = time.perf_counter()
        with urllib.request.urlopen(self.base + path, timeout=timeout) as answer:
            body = json.loads(answer.read())
        return time.perf_counter() - start, body

    def post(self, path: str, payload: dict, timeout: float) -> tuple[float, bytes]:
        """Wall seconds of one JSON POST, and the raw answer."""
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            raw = answer.read()
        return time.perf_counter() - start, raw

    def processes(self) -> list[psutil.Process]:
        """The server and every process it started (the reading processes of a big
        target): what the app costs is theirs together."""
        try:
            return [self.process, *self.process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return [self.process]

    def cpu_seconds(self) -> float:
        """CPU seconds of the server and its processes so far."""
        total = 0.0
        for process in self.processes():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def simulator_cpu_seconds(self) -> float:
        """The CPU the simulated AWS has spent in the server so far (it logs the total
        after each collection; 0 before the first)."""
        self._log.flush()
        found = re.findall(
            rb"simulated AWS: ([0-9.]+) s of CPU", self.log_path.read_bytes()
        )
        return float(found[-1]) if found else 0.0

    def peak_rss_mb(self) -> float:
        """The high-water resident sets (VmHWM) of the server and its processes added
        up, in MB: an upper bound, as pages they share are counted in each."""
        return sum(_peak_rss_mb(process) for process in self.processes())

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._log.close()


def _peak_rss_mb(process: psutil.Process) -> float:
    status = Path(f"/proc/{process.pid}/status")
    try:
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return process.memory_info().rss / 2**20  # not Linux: current RSS
    except (OSError, psutil.NoSuchProcess):
        return 0.0  # it ended
