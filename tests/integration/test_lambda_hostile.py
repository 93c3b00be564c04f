"""The Lambda entry under malformed events (issue 9, items 4 and 5): every one is a JSON
4xx naming the field at fault, never an exception; a hypothesis property feeds it
arbitrary JSON events."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lambda_handler
from services.json_body import MAX_BODY_BYTES
from tests.conftest import STAGING_SCENARIO, TEST_ENV

ACCOUNTS = "/api/accounts"
CAPACITY = "/api/accounts/111111111111/capacity"
NEW_TARGET = json.dumps({"accountId": "999999999999", "accountName": "new"})


@pytest.fixture
def simulated(monkeypatch, aws_env):
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRS_CAPACITY_TABLE_NAME", "lambda-hostile-accounts")
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    lambda_handler.reset()
    yield lambda_handler
    lambda_handler.reset()


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def v1(method="POST", path=ACCOUNTS, body=NEW_TARGET, **extra) -> dict:
    return {"httpMethod": method, "path": path, "body": body, **extra}


def v2(http, path=ACCOUNTS) -> dict:
    return {"requestContext": {"http": http}, "rawPath": path}


HOSTILE = [
    (v1(body={"accountId": "999999999999"}), "body"),
    (v1(body=12), "body"),
    (v1(body=["x"]), "body"),
    (v1(method=None), "httpMethod"),
    (v1(method=7), "httpMethod"),
    (v1(path=7), "path"),
    (v1(path=["/api"]), "path"),
    (v1("GET", CAPACITY, None, queryStringParameters=["region"]), "queryStringParameters"),
    (v1("GET", CAPACITY, None, queryStringParameters="region=x"), "queryStringParameters"),
    (v1("GET", CAPACITY, None, queryStringParameters={"region": 5}), "region"),
    (v2("GET"), "requestContext.http"),
    (v2(None), "requestContext.http"),
    (v2({}), "requestContext.http.method"),
    (v2({"method": {"x": 1}}), "requestContext.http.method"),
    ({"requestContext": "http", "rawPath": ACCOUNTS}, "requestContext"),
    ({"requestContext": None, "rawPath": ACCOUNTS}, "requestContext"),
    (v1(body="[" * 1000 + "]" * 1000), "body"),
    (v1(body='{"a":' * 1000 + "1" + "}" * 1000), "body"),
    (v1(body="{bad"), "body"),
    (v1(body="eyJh!!", isBase64Encoded=True), "body"),
    (v1(body="//79", isBase64Encoded=True), "body"),  # not UTF-8
    (v1(**{"x": nested(1000)}), "body"),
    ({"operation": "get_target_accounts", "payload": nested(1000)}, "event"),
    ({"operation": ["get_target_accounts"]}, "operation"),
    ([{"httpMethod": "GET"}], "operation"),
    (None, "operation"),
    (7, "operation"),
]  # fmt: skip


@pytest.mark.parametrize(("event", "field"), HOSTILE)
def test_a_malformed_event_is_400_json_naming_the_field(simulated, event, field):
    answer = simulated.handler(event)
    if isinstance(event, dict) and "operation" not in event:  # a proxy event
        assert answer["statusCode"] == 400
        assert answer["headers"]["Content-Type"] == "application/json"
        error = json.loads(answer["body"])["error"]
    else:
        assert answer["success"] is False
        error = answer["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["field"] == field


def test_a_body_over_the_limit_is_413(simulated):
    answer = simulated.handler(v1(body=" " * (MAX_BODY_BYTES + 1)))
    assert answer["statusCode"] == 413
    assert json.loads(answer["body"])["error"]["field"] == "body"


def test_a_well_formed_event_still_works(simulated):
    assert simulated.handler(v1())["statusCode"] == 201
    scoped = v1("GET", CAPACITY, None, queryStringParameters={"region": "us-east-1"})
    assert json.loads(simulated.handler(scoped)["body"])["scope"] == "us-east-1"
    http_api = v2({"method": "GET"}) | {"body": None}
    assert simulated.handler(http_api)["statusCode"] == 200


# -- a hypothesis property: arbitrary JSON events ----------------------------------------

KEYS = st.sampled_from([
    "httpMethod", "path", "rawPath", "body", "isBase64Encoded", "requestContext", "http",
    "method", "stage", "queryStringParameters", "region", "refresh", "operation",
    "targetAccountId", "accountId", "accountName", "roleArn", "externalId",
])  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["GET", "POST", "DELETE", "/api/accounts", CAPACITY, "$default",
                     "get_target_accounts", "add_target_account", "111111111111",
                     "us-east-1", NEW_TARGET, "[[[[", "{"]),
)  # fmt: skip
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)
EVENTS = st.dictionaries(KEYS, JSON_VALUES, max_size=6) | JSON_VALUES


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(event=EVENTS)
def test_any_json_event_gets_a_json_answer_and_never_a_5xx(simulated, event):
    answer = simulated.handler(event)
    assert isinstance(answer, dict)
    json.dumps(answer)  # serialisable, as Lambda must send it
    if "statusCode" in answer:
        assert answer["statusCode"] < 500, answer
        body = json.loads(answer["body"]) if answer["headers"]["Content-Type"].startswith("application/json") else None  # fmt: skip
        assert body is None or isinstance(body.get("success"), bool)
    else:
        assert isinstance(answer.get("success"), bool), answer
        if not answer["success"]:
            assert answer["error"]["code"] != "INTERNAL_ERROR", answer
