"""Issue 11's "done when": gunicorn with 4 workers and a real redis-server.

Forty concurrent forced refreshes run one collection; an add through one worker is seen
by every worker's next read (one demo store, shared invalidation); with 20 s per simulated
call every request is answered within 2 s (`refreshing`, then the snapshot).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import STAGING_SCENARIO
from tests.integration.test_gunicorn import (
    clean_env,
    free_port,
    gunicorn,
    wait_until_up,
)
from tests.redis_server import redis_server

TARGET = "111111111111"


def call(method: str, url: str, body: dict | None = None, timeout: float = 60):
    """(status, JSON body, seconds taken) of one request; HTTP errors are answers too."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    return status, json.loads(text), time.monotonic() - started


def scenario(tmp_path, **changes):
    data = json.loads(STAGING_SCENARIO.read_text()) | changes
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return path


def four_workers(tmp_path, cache_url: str, scenario_path, **extra):
    port = free_port()
    env = clean_env(
        tmp_path, DRS_CAPACITY_MODE="scenario", DRS_CAPACITY_BIND=f"127.0.0.1:{port}",
        DRS_CAPACITY_SCENARIO_PATH=str(scenario_path), DRS_CAPACITY_WORKERS="4",
        DRS_CAPACITY_THREADS="12", DRS_CAPACITY_CACHE_URL=cache_url,
        DRS_CAPACITY_LOG_FORMAT="json", DRS_CAPACITY_LIMITS_SOURCE="setting", **extra,
    )  # fmt: skip
    return f"http://127.0.0.1:{port}", env


def collections_logged(errors: str) -> list[dict]:
    lines = (json.loads(line) for line in errors.splitlines() if line.startswith("{"))
    return [line for line in lines if line.get("event") == "collection"]


def test_forty_forced_refreshes_through_four_workers_are_one_collection(tmp_path):
    with redis_server(tmp_path) as cache_url:
        base, env = four_workers(  # each request waits for its collection
            tmp_path, cache_url, scenario(tmp_path, latencyMs=400),
            DRS_CAPACITY_REFRESH_WAIT_SECONDS="",
        )  # fmt: skip
        with gunicorn(env, cwd=tmp_path) as process:
            wait_until_up(base, process)
            capacity = f"{base}/api/accounts/{TARGET}/capacity"
            status, first, _ = call("GET", capacity)
            assert status == 200
            with ThreadPoolExecutor(40) as pool:
                answers = list(pool.map(
                    lambda _: call("GET", f"{capacity}?refresh=true"), range(40)
                ))  # fmt: skip
            assert [status for status, _, _ in answers] == [200] * 40
            stamps = {body["collectedAt"] for _, body, _ in answers}
            assert len(stamps) == 1 and stamps != {first["collectedAt"]}
            process.terminate()
            _, errors = process.communicate(timeout=30)
    assert errors.count("Booting worker") == 4
    assert len(collections_logged(errors)) == 2  # the first read, then one forced


def test_an_add_through_one_worker_is_seen_by_every_workers_next_read(tmp_path):
    with redis_server(tmp_path) as cache_url:
        base, env = four_workers(tmp_path, cache_url, scenario(tmp_path))
        with gunicorn(env, cwd=tmp_path) as process:
            wait_until_up(base, process)
            capacity = f"{base}/api/accounts/{TARGET}/capacity"
            with ThreadPoolExecutor(20) as pool:  # every worker caches a snapshot
                before = list(pool.map(
                    lambda _: call("GET", f"{capacity}?wait=true"), range(40)
                ))  # fmt: skip
            assert {len(body["accounts"]) for _, body, _ in before} == {3}
            add = {"accountId": "444444444444", "accountName": "staging-03",
                   "externalId": "ext-444", "region": "us-east-1",
                   "roleArn": "arn:aws:iam::444444444444:role/DRSCapacityRead"}  # fmt: skip
            staging = f"{base}/api/accounts/{TARGET}/staging-accounts"
            with ThreadPoolExecutor(8) as pool:  # the same add, racing on 4 workers
                adds = list(pool.map(lambda _: call("POST", staging, add), range(8)))
            statuses = sorted(status for status, _, _ in adds)
            assert statuses == [201] + [409] * 7, [body for _, body, _ in adds]
            with ThreadPoolExecutor(20) as pool:
                target = list(pool.map(
                    lambda _: call("GET", f"{base}/api/accounts/{TARGET}"), range(40)
                ))  # fmt: skip
                after = list(pool.map(
                    lambda _: call("GET", f"{capacity}?wait=true"), range(40)
                ))  # fmt: skip
            assert all(
                "444444444444" in {a["accountId"] for a in body["stagingAccounts"]}
                for _, body, _ in target
            )
            assert {len(body["accounts"]) for _, body, _ in after} == {4}


def test_with_20_s_per_call_every_request_is_answered_within_2_s(tmp_path):
    slow = scenario(tmp_path, staging=[], latencyMs=20_000)
    with redis_server(tmp_path) as cache_url:
        base, env = four_workers(
            tmp_path, cache_url, slow, DRS_CAPACITY_REGIONS="us-east-1",
            DRS_CAPACITY_REFRESH_WAIT_SECONDS="0.5",
        )  # fmt: skip
        with gunicorn(env, cwd=tmp_path) as process:
            wait_until_up(base, process)
            capacity = f"{base}/api/accounts/{TARGET}/capacity"
            with ThreadPoolExecutor(20) as pool:  # a cold start, then forced ones
                cold = list(pool.map(lambda _: call("GET", capacity), range(20)))
                forced = list(pool.map(
                    lambda _: call("GET", f"{capacity}?refresh=true"), range(20)
                ))  # fmt: skip
            for status, body, seconds in cold + forced:
                assert status == 202 and body["refreshing"] is True, body
                assert body["collectedAt"] is None and seconds <= 2.0
            snapshot, waited = None, time.monotonic()
            while snapshot is None and time.monotonic() - waited < 60:
                status, body, seconds = call("GET", capacity)
                assert seconds <= 2.0
                if status == 200:
                    snapshot = body
                time.sleep(0.5)
    assert snapshot is not None, "the collection never landed"
    assert snapshot["accounts"][0]["accountId"] == TARGET
