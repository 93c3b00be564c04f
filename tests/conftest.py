"""Shared fixtures: fake AWS credentials and an in-process (moto) DynamoDB table."""

from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from services.backend import build_backend, build_operations
from services.settings import Settings
from services.store import AccountStore

TABLE_NAME = "drs-capacity-target-accounts"

# A demo app a test starts neither publishes its store nor finds the user's running demo
# (services/demo_store.py); the tests of that sharing name a file of their own.
os.environ["DRS_CAPACITY_DEMO_STORE_FILE"] = ""
os.environ.pop("DRS_CAPACITY_DYNAMODB_ENDPOINT", None)


# Fake credentials in us-east-1 and no config files: no test can reach a real account.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials in us-east-1, so no test can reach a real AWS account."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def dynamodb_table(aws_env):
    """The target-account table, created in moto's in-process DynamoDB."""
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        yield AccountStore.create_table(resource, TABLE_NAME)


# -- Operations, REST API, CLI (staging accounts management) ----------------------------
# Demo backends start moto; each gets its own table name so two can live in one process
# (moto's DynamoDB is process-global). Tests use a few Regions, not all 34.

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
STAGING_SCENARIO = SCENARIOS / "staging.json"
TEST_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
TEST_ENV = {
    "DRS_CAPACITY_REGIONS": ",".join(TEST_REGIONS),
    "DRS_CAPACITY_AWS_MAX_ATTEMPTS": "1",
}


def scenario_settings(scenario=STAGING_SCENARIO, **changes) -> Settings:
    values = {"regions": TEST_REGIONS, "aws_max_attempts": 1}
    values["table_name"] = f"test-{uuid.uuid4().hex[:12]}"
    values["history_table_name"] = f"{values['table_name']}-history"
    return Settings(scenario_path=str(scenario), **(values | changes))


@contextmanager
def serving(backend):
    """The backend's dashboard and API on a local HTTP server thread; yields its URL."""
    from werkzeug.serving import make_server

    from dashboard import create_app

    app = create_app(backend.settings, backend)
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


@contextmanager
def demo_backend(scenario=STAGING_SCENARIO, *, settings=None, **changes):
    """A simulated backend (no latency), closed on exit."""
    backend = build_backend(settings or scenario_settings(scenario, **changes))
    backend.simulator.latency_ms = 0
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def demo_settings() -> Settings:
    return scenario_settings()


@pytest.fixture
def backend(demo_settings):
    with demo_backend(settings=demo_settings) as built:
        yield built


@pytest.fixture
def operations(backend):
    return build_operations(backend)


@pytest.fixture
def app(backend):
    from dashboard import create_app

    return create_app(backend.settings, backend)


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def cli_env(monkeypatch, aws_env):
    """Environment for in-process and subprocess CLI runs: few Regions, no retries."""
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    return {**os.environ}
