"""`make serve` (issue 11, item 4): gunicorn from gunicorn.conf.py with gthread workers
serves `app:server`; with no mode and no AWS credentials it refuses before forking."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import STAGING_SCENARIO, TEST_ENV

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PORTS = range(8121, 8130)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail("no free port in 8121-8129")


def clean_env(tmp_path, **extra) -> dict:
    """No AWS credentials anywhere, instance metadata off: only the mode decides."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DRS_CAPACITY_"))}  # fmt: skip
    env |= {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), **TEST_ENV}  # fmt: skip
    return env | extra


@contextmanager
def gunicorn(env: dict, cwd: Path):
    """gunicorn -c gunicorn.conf.py 'app:server' (what `make serve` runs), stopped after."""
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "app:server"],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(url: str, timeout: float = 30) -> tuple[int, dict, str]:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.status, dict(answer.headers), answer.read().decode()


def wait_until_up(base: str, process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {process.stderr.read()[-3000:]}")
        try:
            get(f"{base}/api/health", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 60 s")


def test_two_gthread_workers_serve_a_scenario(tmp_path):
    port = free_port()
    env = clean_env(
        tmp_path, DRS_CAPACITY_MODE="scenario", DRS_CAPACITY_BIND=f"127.0.0.1:{port}",
        DRS_CAPACITY_SCENARIO_PATH=str(STAGING_SCENARIO), DRS_CAPACITY_WORKERS="2",
        DRS_CAPACITY_THREADS="4", DRS_CAPACITY_LOG_FORMAT="json",
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with gunicorn(env, cwd=tmp_path) as process:  # any working directory
        wait_until_up(base, process)
        status, headers, body = get(f"{base}/api/health")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert headers["X-Request-Id"]
        status, _, body = get(f"{base}/api/accounts")
        listed = json.loads(body)["targetAccounts"]
        assert status == 200 and listed[0]["accountId"] == "111111111111"
        status, _, page = get(f"{base}/")
        assert status == 200 and "DRS Capacity Dashboard" in page
        status, _, body = get(f"{base}/api/ready")
        assert status == 200 and json.loads(body)["mode"] == "scenario"
        os.killpg(process.pid, signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    assert errors.count("Booting worker") == 2
    assert "gthread" in errors
    requests = [json.loads(line) for line in errors.splitlines()
                if line.startswith("{") and '"drs.request"' in line]  # fmt: skip
    paths = {line["path"] for line in requests}
    assert {"/api/accounts", "/"} <= paths
    assert all(line["status"] == 200 for line in requests)


def test_text_mode_writes_the_access_log_to_stdout(tmp_path):
    port = free_port()
    env = clean_env(tmp_path, DRS_CAPACITY_MODE="demo", DRS_CAPACITY_WORKERS="1",
                    DRS_CAPACITY_BIND=f"127.0.0.1:{port}")  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with gunicorn(env, cwd=ROOT) as process:
        wait_until_up(base, process)
        get(f"{base}/api/health?token=secret-in-query")
        os.killpg(process.pid, signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert '"GET /api/health HTTP/1.1" 200' in out
    assert "secret-in-query" not in out


def test_no_mode_and_no_credentials_refuses_before_any_worker(tmp_path):
    env = clean_env(tmp_path, DRS_CAPACITY_BIND=f"127.0.0.1:{free_port()}")
    with gunicorn(env, cwd=ROOT) as process:
        _, errors = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "refusing to start" in errors and "DRS_CAPACITY_MODE=demo" in errors
    assert "Booting worker" not in errors and "Traceback" not in errors


# -- the container's entry, outside a container (no engine on this machine) -----------


def dockerfile() -> dict:
    """FROM, USER, ENV, CMD and HEALTHCHECK's command of the Dockerfile."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: dict = {"ENV": {}}
    for line in text.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "ENV":
            found["ENV"] |= dict(pair.split("=", 1) for pair in rest.split())
        elif word == "HEALTHCHECK":
            found[word] = json.loads(rest[rest.index("CMD") + 3 :])
        elif word == "CMD":
            found[word] = json.loads(rest)
        elif word in ("FROM", "USER"):
            found[word] = rest.strip()
    return found


def test_the_image_is_slim_python_and_runs_as_no_root():
    image = dockerfile()
    assert image["FROM"] == "python:3.11-slim"
    assert image["USER"] not in ("root", "0")
    assert image["CMD"] == ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
    assert "/api/health" in " ".join(image["HEALTHCHECK"])


def test_the_container_entry_and_its_health_check_work_outside_one(tmp_path):
    image = dockerfile()
    port = free_port()
    bind = image["ENV"]["DRS_CAPACITY_BIND"]
    # the image's environment, but on loopback and a free port, and the demo fleet
    env = clean_env(tmp_path, **image["ENV"]) | {
        "DRS_CAPACITY_BIND": f"127.0.0.1:{port}", "DRS_CAPACITY_MODE": "demo",
        "DRS_CAPACITY_WORKERS": "1",
    }  # fmt: skip
    env["PATH"] = f"{GUNICORN.parent}{os.pathsep}{env['PATH']}"
    check = [part.replace(":8050", f":{port}") for part in image["HEALTHCHECK"]]
    check[0] = sys.executable if check[0] == "python" else check[0]
    assert bind.endswith(":8050") and any(f":{port}" in part for part in check)
    process = subprocess.Popen(
        image["CMD"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        assert subprocess.run(check, timeout=30).returncode == 0
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    down = subprocess.run(check, capture_output=True, timeout=30)
    assert down.returncode != 0  # the check fails once nothing answers
