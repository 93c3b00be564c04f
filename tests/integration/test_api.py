"""The REST API over Flask's test client (SPEC §7): every endpoint, status codes, JSON
errors naming their field, JSON 404/405 for /api, and the OpenAPI document."""

from __future__ import annotations

import flask
import pytest
from openapi_spec_validator import validate

from dashboard import create_app
from dashboard.api import MAX_BODY_BYTES, api_blueprint
from services.export import COLUMNS, capacity_csv
from services.routes import ALL_ROUTES
from tests.conftest import demo_backend

TARGET = "111111111111"
STAGING = "222222222222"
CANDIDATE = "444444444444"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"
CAPACITY = f"/api/accounts/{TARGET}/capacity"
STAGING_PATH = f"/api/accounts/{TARGET}/staging-accounts"


@pytest.fixture(scope="module")
def reader():
    """A client over one app for the tests that change nothing."""
    with demo_backend() as backend:
        yield create_app(backend.settings, backend).server.test_client()


def staging_body(account_id: str = CANDIDATE, **changes) -> dict:
    body = {
        "accountId": account_id,
        "accountName": "staging-new",
        "roleArn": ROLE.format(account_id),
        "externalId": "ext-444",
        "region": "us-east-1",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


def validation_body(**changes) -> dict:
    body = staging_body(**changes) | {"targetAccountId": TARGET}
    body.pop("accountName", None)
    return {k: v for k, v in (body | changes).items() if v is not None}


def assert_json_error(answer, status: int, code: str) -> dict:
    assert answer.status_code == status
    assert answer.mimetype == "application/json"
    body = answer.get_json()
    assert body["success"] is False and body["error"]["code"] == code
    assert "Traceback" not in answer.get_data(as_text=True)
    return body["error"]


# -- every endpoint ----------------------------------------------------------------


def test_list_and_show_target_accounts(reader):
    listed = reader.get("/api/accounts")
    assert listed.status_code == 200 and listed.get_json()["success"] is True
    assert [t["accountId"] for t in listed.get_json()["targetAccounts"]] == [TARGET]
    shown = reader.get(f"/api/accounts/{TARGET}").get_json()
    assert len(shown["stagingAccounts"]) == 2
    assert shown["stagingAccounts"] == shown["targetAccount"]["stagingAccounts"]


def test_capacity_snapshot_has_the_spec_fields(reader):
    answer = reader.get(CAPACITY)
    assert answer.status_code == 200
    body = answer.get_json()
    assert list(body) == [
        "success", "targetAccountId", "scope", "collectedAt", "complete", "status",
        "combined", "combinedByRegion", "accounts", "recoveryCapacity",
        "recoveryByRegion", "warnings",
    ]  # fmt: skip
    assert body["scope"] == "all" and body["combined"]["configuredAccounts"] == 3
    # staging-01 holds 230 of 300 in us-east-1: WARNING there, and so overall
    assert body["status"] == "WARNING" and body["combined"]["region"] == "us-east-1"


def test_capacity_of_one_region_with_refresh(reader):
    body = reader.get(f"{CAPACITY}?region=us-west-2&refresh=true").get_json()
    assert body["scope"] == "us-west-2"
    assert body["combined"]["totalReplicating"] == 20 + 60


def test_csv_export_is_a_download_of_the_snapshot_on_the_api(reader):
    snapshot = reader.get(CAPACITY).get_json()
    answer = reader.get(f"{CAPACITY}.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    text = answer.get_data(as_text=True)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    if snapshot["collectedAt"] not in text:  # the cache turned over in between
        snapshot = reader.get(CAPACITY).get_json()
    # the same bytes as the dashboard's download of the same (cached) snapshot
    assert text == capacity_csv(snapshot)


def test_validate_answers_200_valid_or_not(reader):
    valid = reader.post("/api/staging-accounts/validate", json=validation_body())
    assert valid.status_code == 200 and valid.get_json()["valid"] is True
    denied = reader.post(
        "/api/staging-accounts/validate", json=validation_body(externalId="nope-1")
    )
    assert denied.status_code == 200 and denied.get_json()["valid"] is False
    assert denied.get_json()["error"]["code"] == "ROLE_NOT_ACCESSIBLE"


def test_removal_impact_preview(reader):
    body = reader.get(f"{STAGING_PATH}/{STAGING}/impact").get_json()
    assert body["impact"]["replicatingServers"] == 230


def test_add_target_account_201_then_409(client):
    body = {"accountId": "123456789012", "accountName": "second"}
    assert client.post("/api/accounts", json=body).status_code == 201
    error = assert_json_error(client.post("/api/accounts", json=body), 409, "CONFLICT")
    assert error["field"] == "accountId"


def test_add_staging_account_201_409_and_404(client):
    added = client.post(STAGING_PATH, json=staging_body())
    assert added.status_code == 201
    assert added.get_json()["stagingAccounts"][-1]["accountId"] == CANDIDATE
    assert_json_error(client.post(STAGING_PATH, json=staging_body()), 409, "CONFLICT")
    missing = client.post(
        "/api/accounts/999999999999/staging-accounts", json=staging_body()
    )
    assert assert_json_error(missing, 404, "NOT_FOUND")["field"] == "targetAccountId"
    combined = client.get(CAPACITY).get_json()["combined"]
    assert combined["configuredAccounts"] == 4


def test_remove_staging_account_200_with_impact_then_404(client):
    removed = client.delete(f"{STAGING_PATH}/{STAGING}")
    assert removed.status_code == 200
    assert removed.get_json()["impact"]["hasReplicatingServers"] is True
    again = client.delete(f"{STAGING_PATH}/{STAGING}")
    assert assert_json_error(again, 404, "NOT_FOUND")["field"] == "stagingAccountId"


# -- bad input: 400 naming the field -----------------------------------------------

LONG_NAME = "x" * 65
BAD_INPUTS = [
    ("POST", "/api/accounts", {}, "accountId"),
    ("POST", "/api/accounts", {"accountId": "12345", "accountName": "t"}, "accountId"),
    ("POST", "/api/accounts", {"accountId": 123456789012, "accountName": "t"}, "accountId"),
    ("POST", "/api/accounts", {"accountId": "123456789012"}, "accountName"),
    ("POST", "/api/accounts", {"accountId": "123456789012", "accountName": "  "}, "accountName"),
    ("POST", "/api/accounts", {"accountId": "123456789012", "accountName": LONG_NAME}, "accountName"),
    ("POST", "/api/accounts", {"accountId": "123456789012", "accountName": "a\tb"}, "accountName"),
    ("POST", "/api/accounts", {"accountId": "123456789012", "accountName": "t",
                               "roleArn": ROLE.format("210987654321")}, "roleArn"),
    ("POST", "/api/accounts", {"accountId": "123456789012", "accountName": "t",
                               "externalId": "ext-1"}, "externalId"),
    ("POST", STAGING_PATH, staging_body(roleArn="arn:aws:iam::444444444444:user/x"), "roleArn"),
    ("POST", STAGING_PATH, staging_body(roleArn=ROLE.format("555555555555")), "roleArn"),
    ("POST", STAGING_PATH, staging_body(roleArn="arn:aws-xx:iam::444444444444:role/R"), "roleArn"),
    ("POST", STAGING_PATH, staging_body(roleArn=None), "roleArn"),
    ("POST", STAGING_PATH, staging_body(externalId="x"), "externalId"),
    ("POST", STAGING_PATH, staging_body(externalId="has space"), "externalId"),
    ("POST", STAGING_PATH, staging_body(externalId="e" * 1225), "externalId"),
    ("POST", STAGING_PATH, staging_body(region="mars-north-1"), "region"),
    ("POST", STAGING_PATH, staging_body(region=None), "region"),
    ("POST", STAGING_PATH, staging_body(accountName=None), "accountName"),
    ("POST", STAGING_PATH, staging_body(accountId="4444"), "accountId"),
    ("POST", STAGING_PATH, staging_body(TARGET, externalId=None), "accountId"),
    ("POST", "/api/staging-accounts/validate", validation_body(targetAccountId=None), "targetAccountId"),
    ("POST", "/api/staging-accounts/validate", validation_body(accountId="abc"), "accountId"),
    ("POST", "/api/staging-accounts/validate", validation_body(region=""), "region"),
    ("POST", "/api/staging-accounts/validate", validation_body(roleArn="role"), "roleArn"),
    ("POST", "/api/staging-accounts/validate", validation_body(accountId=TARGET), "accountId"),
    ("GET", "/api/accounts/12345", None, "targetAccountId"),
    ("GET", f"{CAPACITY}?region=nowhere-1", None, "region"),
    ("GET", f"{CAPACITY}?region=ap-southeast-2", None, "region"),
    ("GET", f"{CAPACITY}?refresh=maybe", None, "refresh"),
    ("GET", f"{CAPACITY}.csv?region=xx", None, "region"),
    ("DELETE", f"{STAGING_PATH}/abc", None, "stagingAccountId"),
    ("GET", f"{STAGING_PATH}/abc/impact", None, "stagingAccountId"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD_INPUTS)
def test_bad_input_is_400_naming_the_field(reader, method, path, body, field):
    answer = reader.open(path, method=method, json=body)
    error = assert_json_error(answer, 400, "VALIDATION_ERROR")
    assert error["field"] == field
    assert error["message"]


@pytest.mark.parametrize(
    "raw", ["{bad", "[1, 2]", '"text"', "null", "\xff\xfe", '{"accountId": ']
)
def test_malformed_or_non_object_json_is_400_body(reader, raw):
    answer = reader.post(
        "/api/accounts", data=raw.encode("latin-1"), content_type="application/json"
    )
    assert assert_json_error(answer, 400, "VALIDATION_ERROR")["field"] == "body"


def test_oversized_body_is_413_json(reader):
    answer = reader.post("/api/accounts", data=b" " * (MAX_BODY_BYTES + 1))
    assert_json_error(answer, 413, "VALIDATION_ERROR")


# -- unknown paths, wrong methods, failures ----------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api"),
        ("GET", "/api/"),
        ("GET", "/api/nothing"),
        ("POST", "/api/nothing/deeper"),
        ("GET", f"/api/accounts/{TARGET}/unknown"),
        ("DELETE", "/api/staging-accounts"),
    ],
)
def test_unknown_api_path_is_json_404_never_html(reader, method, path):
    assert_json_error(reader.open(path, method=method), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/accounts", "GET, POST"),
        ("DELETE", f"/api/accounts/{TARGET}", "GET"),
        ("GET", "/api/staging-accounts/validate", "POST"),
        ("PATCH", f"{STAGING_PATH}/{STAGING}", "DELETE"),
        ("POST", CAPACITY, "GET"),
    ],
)
def test_wrong_method_is_json_405_with_allow(reader, method, path, allowed):
    answer = reader.open(path, method=method, json={})
    assert_json_error(answer, 405, "METHOD_NOT_ALLOWED")
    assert answer.headers["Allow"] == allowed


def test_pages_outside_api_are_still_the_dashboard(reader):
    answer = reader.get("/")
    assert answer.status_code == 200 and answer.mimetype == "text/html"


class _Exploding:
    def dispatch(self, name, payload):
        raise RuntimeError("internal detail that must not leak")


def test_unexpected_failure_is_json_500_without_a_trace(caplog):
    app = flask.Flask("boom")
    app.register_blueprint(api_blueprint(_Exploding()))
    answer = app.test_client().get("/api/accounts")
    error = assert_json_error(answer, 500, "INTERNAL_ERROR")
    assert "internal detail" not in error["message"]
    assert "internal detail" not in caplog.text and "Traceback" not in caplog.text


# -- OpenAPI ------------------------------------------------------------------------


def test_openapi_document_is_valid_and_lists_every_route(reader):
    answer = reader.get("/api/openapi.json")
    assert answer.status_code == 200
    document = answer.get_json()
    validate(document)
    for route in ALL_ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.operation
        assert str(route.status) in operation["responses"]


def test_every_documented_path_is_served(client):
    document = client.get("/api/openapi.json").get_json()
    for path, methods in document["paths"].items():
        concrete = path.replace("{targetAccountId}", TARGET)
        concrete = concrete.replace("{stagingAccountId}", STAGING)
        for method in methods:
            answer = client.open(concrete, method=method.upper(), json={})
            assert answer.status_code != 405, (method, path)
            assert answer.mimetype in ("application/json", "text/csv")
            if answer.status_code == 404:  # from the operation, not from routing
                assert answer.get_json()["error"]["field"], (method, path)
