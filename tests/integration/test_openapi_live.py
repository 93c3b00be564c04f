"""Live answers against the OpenAPI document (SPEC §7): every route, answering and
failing, on a plain and a faulty fleet, validates against the schema the document
declares for that route and status; a snapshot field the document lacks, or misses,
fails."""

from __future__ import annotations

import copy
import dataclasses
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator

from dashboard import create_app
from dashboard.api import MAX_BODY_BYTES
from services import metrics
from services.models import camel
from services.openapi import openapi_document
from tests.conftest import SCENARIOS, STAGING_SCENARIO, demo_backend

TARGET = "111111111111"
UNKNOWN = "999999999999"
SECOND = "123456789012"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"
ACCOUNT = "/api/accounts/{targetAccountId}"
CAPACITY = f"{ACCOUNT}/capacity"
STAGING = f"{ACCOUNT}/staging-accounts"
ONE_STAGING = f"{STAGING}/{{stagingAccountId}}"
# the faulty fleet's Regions: errors (us-west-2, eu-west-1, us-east-2), not-enabled
FAULT_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "us-east-2", "af-south-1")
QUOTAS = Path(__file__).parents[1] / "acceptance" / "scenarios" / "quotas.json"
DOCUMENT = openapi_document()


def _validator(schema: dict) -> OAS31Validator:
    root = {**schema, "components": DOCUMENT["components"]}
    return OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)


def problems(schema: dict, body) -> list[str]:
    found = _validator(schema).iter_errors(body)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found)


def declared_schema(method: str, template: str, status: int, mimetype: str) -> dict:
    operation = DOCUMENT["paths"][template][method.lower()]
    response = operation["responses"].get(str(status))
    assert response, f"{method} {template} answered {status}: not in the document"
    assert mimetype in response["content"], (method, template, status, mimetype)
    return response["content"][mimetype]["schema"]


class LiveClient:
    """A test client that checks every answer against the document as it comes."""

    def __init__(self, client):
        self.client = client
        self.seen: set[tuple[str, str, int]] = set()

    def call(
        self, method, template, status, *, query="", json=None, data=None, **params
    ):
        path = template.format(**params) + query
        answer = self.client.open(path, method=method, json=json, data=data)
        assert answer.status_code == status, (method, path, answer.get_data(True))
        schema = declared_schema(method, template, status, answer.mimetype)
        body = (
            answer.get_json()
            if answer.mimetype == "application/json"
            else answer.get_data(as_text=True)
        )
        assert not problems(schema, body), (method, path, problems(schema, body))
        self.seen.add((method, template, status))
        return body


@contextmanager
def live(scenario, **changes):
    with demo_backend(scenario, **changes) as backend:
        app = create_app(backend.settings, backend)
        yield LiveClient(app.server.test_client())


def staging_body(account_id: str, **changes) -> dict:
    body = {
        "accountId": account_id,
        "accountName": f"staging-{account_id[:3]}",
        "roleArn": ROLE.format(account_id),
        "region": "us-east-1",
    }
    return body | changes


def read_everything(api: LiveClient, staging_id: str) -> dict:
    """Every GET route, answering and failing; returns the all-Region snapshot."""
    api.call("GET", "/api/accounts", 200)
    api.call("GET", "/api/openapi.json", 200)
    api.call("GET", "/api/health", 200)
    api.call("GET", ACCOUNT, 200, targetAccountId=TARGET)
    api.call("GET", ACCOUNT, 404, targetAccountId=UNKNOWN)
    api.call("GET", ACCOUNT, 400, targetAccountId="12345")
    snapshot = api.call("GET", CAPACITY, 200, targetAccountId=TARGET)
    api.call("GET", CAPACITY, 200, query="?refresh=true", targetAccountId=TARGET)
    for region in ("us-east-1", "us-west-2", "eu-west-1"):
        api.call(
            "GET", CAPACITY, 200, query=f"?region={region}", targetAccountId=TARGET
        )
    api.call("GET", CAPACITY, 404, targetAccountId=UNKNOWN)
    api.call("GET", CAPACITY, 400, query="?region=nowhere-1", targetAccountId=TARGET)
    api.call("GET", CAPACITY + ".csv", 200, targetAccountId=TARGET)
    api.call("GET", CAPACITY + ".csv", 404, targetAccountId=UNKNOWN)
    impact = ONE_STAGING + "/impact"
    api.call("GET", impact, 200, targetAccountId=TARGET, stagingAccountId=staging_id)
    api.call("GET", impact, 404, targetAccountId=TARGET, stagingAccountId=UNKNOWN)
    return snapshot


def test_every_answer_on_the_staging_fleet_matches_the_document():
    with live(STAGING_SCENARIO) as api:
        snapshot = read_everything(api, "222222222222")
        assert snapshot["combinedByRegion"] and snapshot["recoveryByRegion"]
        validation = "/api/staging-accounts/validate"
        candidate = staging_body("444444444444", externalId="ext-444")
        checked = {k: v for k, v in candidate.items() if k != "accountName"}
        checked["targetAccountId"] = TARGET
        assert api.call("POST", validation, 200, json=checked)["valid"] is True
        denied = checked | {"accountId": "555555555555",
                            "roleArn": ROLE.format("555555555555")}  # fmt: skip
        assert api.call("POST", validation, 200, json=denied)["valid"] is False
        api.call("POST", validation, 400, json=checked | {"region": "mars-1"})
        api.call("POST", validation, 404, json=checked | {"targetAccountId": UNKNOWN})

        second = {"accountId": SECOND, "accountName": "second"}
        secret = {"roleArn": ROLE.format(SECOND), "externalId": "ext-1234"}
        api.call("POST", "/api/accounts", 201, json=second | secret)
        api.call("POST", "/api/accounts", 409, json=second)
        api.call("POST", "/api/accounts", 400, json={"accountId": "1"})
        api.call("POST", "/api/accounts", 413, data=b" " * (MAX_BODY_BYTES + 1))
        api.call("POST", STAGING, 201, json=candidate, targetAccountId=TARGET)
        api.call("POST", STAGING, 409, json=candidate, targetAccountId=TARGET)
        api.call("POST", STAGING, 404, json=candidate, targetAccountId=UNKNOWN)
        api.call("POST", STAGING, 400, json=staging_body("4"), targetAccountId=TARGET)
        ids = {"targetAccountId": TARGET, "stagingAccountId": "222222222222"}
        assert api.call("DELETE", ONE_STAGING, 200, **ids)["impact"] is not None
        api.call("DELETE", ONE_STAGING, 404, **ids)
        listed = api.call("GET", "/api/accounts", 200)
        assert api.call("GET", "/api/ready", 200)["collections"]
        history = f"{ACCOUNT}/history"
        kept = api.call("GET", history, 200, query="?days=30", targetAccountId=TARGET)
        assert kept["points"] and kept["regions"] and kept["trends"]
        api.call("GET", history, 400, query="?days=0", targetAccountId=TARGET)
        api.call("GET", history, 404, targetAccountId=UNKNOWN)
        csv = api.call("GET", history + ".csv", 200, targetAccountId=TARGET)
        assert csv.startswith("time,scope,accountId,region,")
        mutes, one = f"{ACCOUNT}/mutes", f"{ACCOUNT}/mutes/{{unit}}"
        unit = {"targetAccountId": TARGET, "unit": "111111111111:us-east-1"}
        api.call("PUT", one, 200, json={"for": "2h", "reason": "wave 3"}, **unit)
        api.call("PUT", one, 400, json={"for": "forever"}, **unit)
        api.call(
            "PUT", one, 404, json={"for": "2h"}, **unit | {"targetAccountId": UNKNOWN}
        )
        assert api.call("GET", mutes, 200, targetAccountId=TARGET)["mutes"]
        api.call("GET", mutes, 404, targetAccountId=UNKNOWN)
        api.call("DELETE", one, 200, **unit)
        api.call("DELETE", one, 404, **unit)
    # the secret is write-only: answers say whether there is one, never what it is
    added = next(t for t in listed["targetAccounts"] if t["accountId"] == SECOND)
    assert added["hasExternalId"] is True and "externalId" not in added
    documented = {
        (method.upper(), path)
        for path, operations in DOCUMENT["paths"].items()
        for method in operations
    }
    assert documented == {(method, path) for method, path, _ in api.seen}


def test_every_answer_on_a_faulty_fleet_matches_the_document():
    with live(SCENARIOS / "faults.json", regions=FAULT_REGIONS) as api:
        snapshot = read_everything(api, "333333333333")
    accounts = {a["accountId"]: a for a in snapshot["accounts"]}
    assert accounts["333333333333"]["accessible"] is False  # inaccessible, UNKNOWN
    assert accounts["333333333333"]["status"] == "UNKNOWN"
    units = [r for a in snapshot["accounts"] for r in a["regionalBreakdown"]]
    assert {"error"} <= {r["state"] for r in units}
    assert any(r["error"] is not None for r in units)
    assert snapshot["complete"] is False
    assert any(w["scope"] == "data" for w in snapshot["warnings"])


def test_every_answer_with_live_limits_matches_the_document():
    """Applied, AWS-default and setting limits (an account may not read its quotas)."""
    with live(QUOTAS) as api:
        snapshot = read_everything(api, "222222222222")
    units = [r for a in snapshot["accounts"] for r in a["regionalBreakdown"]]
    assert {r["limitSource"] for r in units} == {"applied", "aws-default", "setting"}


# -- the document is exact: one field more or less in a snapshot fails ---------------


@pytest.fixture(scope="module")
def faulty_snapshot() -> dict:
    with live(SCENARIOS / "faults.json", regions=FAULT_REGIONS) as api:
        return api.call("GET", CAPACITY, 200, targetAccountId=TARGET)


SNAPSHOT_SCHEMA = declared_schema("GET", CAPACITY, 200, "application/json")
# where in a snapshot each closed schema sits
PLACES = {
    "snapshot": lambda s: s,
    "combined": lambda s: s["combined"],
    "combinedByRegion": lambda s: s["combinedByRegion"][0],
    "account": lambda s: s["accounts"][0],
    "regionalBreakdown": lambda s: s["accounts"][0]["regionalBreakdown"][0],
    "byState": lambda s: s["accounts"][0]["regionalBreakdown"][0]["byState"],
    "error": lambda s: next(
        a["error"] for a in s["accounts"] if a["error"] is not None
    ),
    "recovery": lambda s: s["recoveryCapacity"],
    "recoveryByRegion": lambda s: s["recoveryByRegion"][0],
    "warning": lambda s: s["warnings"][0],
}


@pytest.mark.parametrize("place", PLACES)
def test_a_snapshot_field_the_document_lacks_fails(faulty_snapshot, place):
    changed = copy.deepcopy(faulty_snapshot)
    PLACES[place](changed)["undocumentedField"] = 1
    assert problems(SNAPSHOT_SCHEMA, changed)


@pytest.mark.parametrize("place", PLACES)
def test_a_snapshot_field_missing_from_the_answer_fails(faulty_snapshot, place):
    changed = copy.deepcopy(faulty_snapshot)
    part = PLACES[place](changed)
    del part[next(k for k in part if k != "success")]
    assert problems(SNAPSHOT_SCHEMA, changed)


SCHEMA_OF = {
    metrics.CapacitySnapshot: "CapacitySnapshot",
    metrics.CombinedMetrics: "CombinedCapacity",
    metrics.AccountMetrics: "AccountCapacity",
    metrics.RegionMetrics: "RegionCapacity",
    metrics.RecoveryMetrics: "RecoveryCapacity",
    metrics.CapacityWarning: "CapacityWarning",
}


@pytest.mark.parametrize("model", SCHEMA_OF, ids=lambda m: m.__name__)
def test_every_snapshot_dataclass_field_is_documented_and_required(model):
    schema = DOCUMENT["components"]["schemas"][SCHEMA_OF[model]]
    fields = {camel(f.name) for f in dataclasses.fields(model)}
    envelope = {"success"} if model is metrics.CapacitySnapshot else set()
    revalidation = {"refreshing", "refreshError"} if envelope else set()  # optional
    assert set(schema["properties"]) == fields | envelope | revalidation
    assert set(schema["required"]) == fields | envelope
    assert schema["additionalProperties"] is False


def test_stale_while_revalidate_answers_match_the_document():
    """A cold start (202, collecting), a snapshot marked `refreshing`, and `wait=true`."""
    with demo_backend(STAGING_SCENARIO, refresh_wait_seconds=0.0) as backend:
        gate = threading.Event()
        collect = backend.collector.collect
        backend.collector.collect = lambda *a, **k: gate.wait(10) and collect(*a, **k)
        api = LiveClient(create_app(backend.settings, backend).server.test_client())
        cold = api.call("GET", CAPACITY, 202, targetAccountId=TARGET)
        assert cold["refreshing"] is True and cold["collectedAt"] is None
        gate.set()
        landed = api.call("GET", CAPACITY, 200, query="?wait=true",
                          targetAccountId=TARGET)  # fmt: skip
        assert "refreshing" not in landed
        gate.clear()
        stale = api.call("GET", CAPACITY, 200, query="?refresh=true",
                         targetAccountId=TARGET)  # fmt: skip
        assert stale["refreshing"] is True
        assert stale["collectedAt"] == landed["collectedAt"]
        gate.set()
