"""lambda_handler: direct events and API Gateway proxy events give the API's envelope;
on moto's DynamoDB + STS with real-AWS settings, and on a simulated fleet."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from moto import mock_aws

import lambda_handler
from services.store import AccountStore
from tests.conftest import STAGING_SCENARIO, TEST_ENV

TARGET = "111111111111"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"
MOTO_ACCOUNT = "123456789012"  # whose credentials moto's STS says they are


@pytest.fixture
def container(monkeypatch, aws_env):
    """A fresh Lambda container configured by environment variables."""
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRS_CAPACITY_TABLE_NAME", "lambda-test-accounts")
    lambda_handler.reset()
    yield monkeypatch
    lambda_handler.reset()


@pytest.fixture
def simulated(container):
    container.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    return lambda_handler


def staging(account_id: str = "444444444444") -> dict:
    return {"targetAccountId": TARGET, "accountId": account_id,
            "accountName": "new", "roleArn": ROLE.format(account_id),
            "externalId": "ext-444", "region": "us-east-1"}  # fmt: skip


def proxy(method: str, path: str, body=None, query=None, encode=False) -> dict:
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    if encode and text is not None:
        text = base64.b64encode(text.encode()).decode()
    return {"httpMethod": method, "path": path, "body": text,
            "queryStringParameters": query, "isBase64Encoded": encode}  # fmt: skip


def test_direct_events_return_the_dispatcher_envelope(simulated):
    added = simulated.handler({"operation": "add_staging_account", **staging()})
    assert added["success"] is True
    assert added["stagingAccounts"][-1]["accountId"] == "444444444444"
    twice = simulated.handler({"operation": "add_staging_account", **staging()})
    assert twice["success"] is False and twice["error"]["code"] == "CONFLICT"
    capacity = simulated.handler(
        {"operation": "get_combined_capacity", "targetAccountId": TARGET}
    )
    assert capacity["combined"]["configuredAccounts"] == 4  # reflects the add at once
    csv = simulated.handler(
        {"operation": "export_capacity_csv", "targetAccountId": TARGET}
    )
    assert csv["success"] and csv["csv"].startswith("targetAccountId,")


def test_the_backend_is_built_once_per_container(simulated):
    simulated.handler({"operation": "get_target_accounts"})
    first = simulated.operations()
    simulated.handler({"operation": "get_target_accounts"})
    assert simulated.operations() is first


def test_a_lambda_reads_every_account_in_its_own_process(simulated, container):
    """Lambda has no /dev/shm for reading processes: none unless they are asked for."""
    simulated.handler({"operation": "get_target_accounts"})
    assert simulated._state["backend"].collector.processes is None
    simulated.reset()
    container.setenv("DRS_CAPACITY_COLLECT_PROCESSES", "2")
    simulated.handler({"operation": "get_target_accounts"})
    assert simulated._state["backend"].collector.processes is not None


@pytest.mark.parametrize("event", [{}, {"operation": 7}, ["operation"]])
def test_an_event_without_an_operation_is_400(simulated, event):
    answer = simulated.handler(event)
    assert answer["success"] is False and answer["error"]["field"] == "operation"


def test_each_seed_lambda_serves_its_own_operations(simulated):
    refused = simulated.query_handler({"operation": "add_staging_account", **staging()})
    assert refused["error"]["field"] == "operation"
    validation = {"operation": "validate_staging_account", **staging()}
    assert simulated.query_handler(validation)["valid"] is True
    assert simulated.data_management_handler(validation)["success"] is False
    added = simulated.data_management_handler({"operation": "add_staging_account",
                                               **staging()})  # fmt: skip
    assert added["success"] is True


def test_proxy_events_are_routed_like_the_rest_api(simulated):
    path = f"/api/accounts/{TARGET}/staging-accounts"
    body = {k: v for k, v in staging().items() if k != "targetAccountId"}
    added = simulated.handler(proxy("POST", path, body, encode=True))
    assert added["statusCode"] == 201
    assert added["headers"]["Content-Type"] == "application/json"
    assert json.loads(added["body"])["success"] is True
    scoped = simulated.handler(proxy("GET", f"/api/accounts/{TARGET}/capacity",
                                     query={"region": "us-west-2"}))  # fmt: skip
    assert json.loads(scoped["body"])["scope"] == "us-west-2"
    csv = simulated.handler(proxy("GET", f"/accounts/{TARGET}/capacity.csv"))
    assert csv["statusCode"] == 200 and csv["headers"]["Content-Type"].startswith(
        "text/csv"
    )
    assert "Content-Disposition" in csv["headers"]
    simulated.handler(proxy("GET", f"/api/accounts/{TARGET}/capacity"))  # recorded
    history = simulated.handler(proxy("GET", f"/api/accounts/{TARGET}/history",
                                      query={"days": "30"}))  # fmt: skip
    assert history["statusCode"] == 200
    assert json.loads(history["body"])["points"]
    rows = simulated.handler(proxy("GET", f"/accounts/{TARGET}/history.csv"))
    assert rows["statusCode"] == 200 and rows["body"].startswith("time,scope,")


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [
        (proxy("GET", "/api/nothing"), 404, "NOT_FOUND"),
        (proxy("PUT", "/api/accounts", {}), 405, "METHOD_NOT_ALLOWED"),
        (proxy("POST", "/api/accounts", "{bad"), 400, "VALIDATION_ERROR"),
        (proxy("POST", "/api/accounts", [1]), 400, "VALIDATION_ERROR"),
        (proxy("GET", "/api/accounts/12"), 400, "VALIDATION_ERROR"),
        ({"requestContext": {"http": {"method": "GET"}}, "rawPath": "/api/x"},
         404, "NOT_FOUND"),
    ],
)  # fmt: skip
def test_proxy_failures_are_json(simulated, event, status, code):
    answer = simulated.handler(event)
    assert answer["statusCode"] == status
    assert json.loads(answer["body"])["error"]["code"] == code


def test_http_api_v2_event(simulated):
    event = {"requestContext": {"http": {"method": "GET"}, "stage": "prod"},
             "rawPath": "/prod/api/openapi.json"}  # fmt: skip
    answer = simulated.handler(event)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["openapi"].startswith("3.")


def test_on_moto_dynamodb_with_real_aws_settings(container):
    """No scenario: the real backend, with moto answering DynamoDB and STS."""
    container.setenv("DRS_CAPACITY_REGIONS", "us-east-1")
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        AccountStore.create_table(dynamodb, "lambda-test-accounts")
        created = lambda_handler.data_management_handler(
            {
                "operation": "add_target_account",
                "accountId": MOTO_ACCOUNT,
                "accountName": "moto-target",
            }  # fmt: skip
        )
        assert created["success"] is True
        added = lambda_handler.data_management_handler(
            {
                "operation": "add_staging_account",
                **staging("222222222222"),
                "targetAccountId": MOTO_ACCOUNT,
                "externalId": None,
            }  # fmt: skip
        )
        assert added["success"] is True, added
        shown = lambda_handler.query_handler(
            {"operation": "get_target_account", "targetAccountId": MOTO_ACCOUNT}
        )
        assert [s["accountId"] for s in shown["stagingAccounts"]] == ["222222222222"]
        capacity = lambda_handler.query_handler(
            {"operation": "get_combined_capacity", "targetAccountId": MOTO_ACCOUNT}
        )
        assert capacity["success"] is True  # moto has no DRS: Regions in error
        assert capacity["complete"] is False
        removed = lambda_handler.data_management_handler(
            {
                "operation": "remove_staging_account",
                "targetAccountId": MOTO_ACCOUNT,
                "stagingAccountId": "222222222222",
            }  # fmt: skip
        )
        assert removed["success"] is True and removed["stagingAccounts"] == []
        lambda_handler.reset()
