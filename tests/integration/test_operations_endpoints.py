"""Operations (issue 11, item 5): /api/health (liveness, touches nothing), /api/ready
(the store answers; cache and collection ages; 503 when not), both outside sign-in;
one log line per request and per collection, as text or JSON, never a secret."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator

import lambda_handler
from dashboard import create_app
from services.errors import ProductError
from services.logs import log_handler
from services.openapi import openapi_document
from services.settings import Settings
from tests.conftest import SCENARIOS, STAGING_SCENARIO, TEST_ENV, demo_backend

ROOT = Path(__file__).resolve().parents[2]
TARGET = "111111111111"
DOCUMENT = openapi_document()


def matches(schema_name: str, body) -> bool:
    root = {"$ref": f"#/components/schemas/{schema_name}", **DOCUMENT}
    return not list(OAS31Validator(root).iter_errors(body))


@pytest.fixture
def app():
    with demo_backend() as backend:
        yield create_app(backend.settings, backend)


@pytest.fixture
def client(app):
    return app.server.test_client()


class _Down:
    """A store whose endpoint never answers (every read fails)."""

    def __getattr__(self, name):
        def unreachable(*args, **kwargs):
            raise ProductError("cannot reach", code="STORE_UNREACHABLE")

        return unreachable


# -- health and readiness ---------------------------------------------------------------


def test_health_is_ok_and_touches_no_store(app, client):
    app.drs_backend.store = _Down()
    answer = client.get("/api/health")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.get_json() == {"success": True, "status": "ok"}
    assert matches("Health", answer.get_json())


def test_ready_when_the_store_answers_with_collection_ages(client):
    fresh = client.get("/api/ready").get_json()
    assert fresh["status"] == "ready" and fresh["store"] == {"reachable": True}
    assert fresh["collections"] == []
    assert fresh["cache"] == {"shared": False, "reachable": True}
    assert fresh["mode"] == "scenario"
    client.get(f"/api/accounts/{TARGET}/capacity")
    answer = client.get("/api/ready")
    assert answer.status_code == 200
    (collection,) = answer.get_json()["collections"]
    assert collection["targetAccountId"] == TARGET
    assert 0 <= collection["ageSeconds"] < 60
    assert matches("Readiness", answer.get_json())


def test_not_ready_is_503_saying_the_store_cannot_be_read(app, client):
    app.drs_backend.store = _Down()
    answer = client.get("/api/ready")
    assert answer.status_code == 503 and answer.mimetype == "application/json"
    body = answer.get_json()
    assert body["success"] is False and body["status"] == "not-ready"
    assert body["store"] == {"reachable": False, "error": "STORE_UNREACHABLE"}
    assert matches("Readiness", body)
    assert "drs-capacity" not in answer.get_data(as_text=True)  # no table name


def test_both_answer_without_sign_in(tmp_path):
    users = tmp_path / "users"
    users.write_text("")
    settings = Settings(
        scenario_path=str(STAGING_SCENARIO), regions=("us-east-1",),
        aws_max_attempts=1, auth="basic", users_file=str(users),
        table_name="ops-basic",
    )  # fmt: skip
    with demo_backend(settings=settings) as backend:
        client = create_app(backend.settings, backend).server.test_client()
        assert client.get("/api/accounts").status_code == 401
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/ready").status_code == 200


def test_the_lambda_entry_answers_health_and_ready(monkeypatch):
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    monkeypatch.setenv("DRS_CAPACITY_TABLE_NAME", "ops-lambda")
    lambda_handler.reset()
    try:
        for path in ("/api/health", "/api/ready"):
            answer = lambda_handler.handler({"httpMethod": "GET", "path": path})
            assert answer["statusCode"] == 200, answer
    finally:
        lambda_handler.reset()


# -- request log ------------------------------------------------------------------------


def request_lines(caplog) -> list[dict]:
    return [r.fields for r in caplog.records if r.name == "drs.request"]


def test_one_line_per_request_with_its_id_echoed(client, caplog):
    caplog.set_level(logging.INFO, logger="drs.request")
    answer = client.get("/api/accounts", headers={"X-Request-Id": "lb-42.abc"})
    assert answer.headers["X-Request-Id"] == "lb-42.abc"
    (line,) = request_lines(caplog)
    assert line["method"] == "GET" and line["path"] == "/api/accounts"
    assert line["status"] == 200 and line["request_id"] == "lb-42.abc"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


@pytest.mark.parametrize(
    "incoming", ["x" * 129, "two words", "tab\there", "", "é"]
)  # fmt: skip
def test_an_unprintable_or_long_request_id_is_replaced(client, caplog, incoming):
    caplog.set_level(logging.INFO, logger="drs.request")
    answer = client.get("/api/health", headers={"X-Request-Id": incoming})
    given = answer.headers["X-Request-Id"]
    assert given != incoming and len(given) == 32 and int(given, 16) >= 0
    assert request_lines(caplog)[0]["request_id"] == given


def test_each_request_without_an_id_gets_its_own(client):
    ids = {client.get("/api/health").headers["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3


def test_the_request_line_carries_no_query_string_header_or_body(client, caplog):
    caplog.set_level(logging.INFO, logger="drs.request")
    client.post(
        "/api/accounts?token=query-secret",
        json={"accountId": "123456789012", "accountName": "n",
              "externalId": "body-secret"},
        headers={"Authorization": "Bearer header-secret"},
    )  # fmt: skip
    client.get("/missing?password=page-secret")
    text = caplog.text + json.dumps(request_lines(caplog))
    for secret in ("query-secret", "body-secret", "header-secret", "page-secret"):
        assert secret not in text
    assert [line["path"] for line in request_lines(caplog)] == [
        "/api/accounts", "/missing",
    ]  # fmt: skip


def test_refused_requests_are_logged_too(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="drs.request")
    users = tmp_path / "users"
    users.write_text("")
    settings = Settings(
        scenario_path=str(STAGING_SCENARIO), regions=("us-east-1",),
        aws_max_attempts=1, auth="basic", users_file=str(users),
        table_name="ops-refused",
    )  # fmt: skip
    with demo_backend(settings=settings) as backend:
        client = create_app(backend.settings, backend).server.test_client()
        answer = client.get("/api/accounts")
    assert answer.status_code == 401 and answer.headers["X-Request-Id"]
    assert [line["status"] for line in request_lines(caplog)] == [401]


# -- collection log ---------------------------------------------------------------------


def test_one_line_per_collection_with_accounts_regions_and_errors(caplog):
    caplog.set_level(logging.INFO, logger="services.collector")
    regions = ("us-east-1", "us-west-2", "eu-west-1", "us-east-2")
    with demo_backend(SCENARIOS / "faults.json", regions=regions) as backend:
        target = backend.store.list_targets()[0]
        readings = backend.collector.collect(target)
    (record,) = [r for r in caplog.records if r.name == "services.collector"]
    line = record.fields
    assert line["event"] == "collection" and line["target"] == target.account_id
    assert line["accounts"] == len(readings) and line["regions"] == len(regions)
    failed = sum(r.state.value == "error" for a in readings for r in a.regions)
    down = sum(not a.accessible for a in readings)
    assert (line["region_errors"], line["inaccessible_accounts"]) == (failed, down)
    assert line["errors"] == failed + down > 0
    assert line["duration_ms"] >= 0


# -- JSON lines -------------------------------------------------------------------------


@pytest.fixture
def json_lines(capsys):
    """The JSON handler on the root logger; yields a reader of the lines written."""
    handler = log_handler(json_lines=True)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_json_request_lines_carry_every_field(client, json_lines):
    client.get("/api/health", headers={"X-Request-Id": "abc"})
    (line,) = [x for x in json_lines() if x["logger"] == "drs.request"]
    assert {"time", "level", "message", "method", "path", "status", "duration_ms",
            "request_id"} <= set(line)  # fmt: skip
    assert line["request_id"] == "abc" and line["time"].endswith("Z")


def test_json_lines_hide_external_ids_credentials_and_tracebacks(json_lines):
    logging.getLogger("botocore.endpoint").debug(
        "Making request: {'ExternalId': 'ext-secret-1'}"
    )
    logging.getLogger("anything").warning("item {'externalId': {'S': 'ext-secret-2'}}")
    logging.getLogger("botocore.parsers").debug(
        "<Credentials><SecretAccessKey>aws-secret</SecretAccessKey></Credentials>"
    )
    try:
        raise RuntimeError("inner detail")
    except RuntimeError:
        logging.getLogger("anything").exception("failed")
    lines = json_lines()
    text = json.dumps(lines)
    for secret in ("ext-secret-1", "ext-secret-2", "aws-secret", "Traceback",
                   "inner detail"):  # fmt: skip
        assert secret not in text
    assert lines[-1]["exception"] == "RuntimeError"


def test_the_cli_writes_json_lines_when_asked(tmp_path):
    env = {**os.environ, **TEST_ENV, "DRS_CAPACITY_LOG_FORMAT": "json",
           "DRS_CAPACITY_LOG_LEVEL": "info", "HOME": str(tmp_path)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "cli.py", "--scenario", str(STAGING_SCENARIO), "capacity",
         TARGET, "--format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(x) for x in done.stderr.splitlines()]
    (collection,) = [x for x in lines if x.get("event") == "collection"]
    assert collection["target"] == TARGET and collection["level"] == "INFO"
    assert json.loads(done.stdout)["success"] is True
