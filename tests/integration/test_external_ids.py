"""External IDs are write-only (SPEC §2). Registered with the target and its staging
accounts here, they appear in no answer of the REST API, the dashboard page and its
callbacks, the CLI (in-process, over HTTP and in a subprocess) or the Lambda entry, and
in no log line with every logger at DEBUG; answers say `hasExternalId` instead."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

import cli
import lambda_handler
from services import inputs
from services.backend import build_operations
from services.errors import InputError
from services.logs import QUIET, hide_external_ids
from services.models import StagingAccount, TargetAccount, public_account
from services.store import AccountStore
from tests.conftest import STAGING_SCENARIO, TEST_ENV, demo_backend, serving

ROOT = Path(__file__).resolve().parents[2]
MARKER = "SECRET"  # in every external ID below, and in no other text of the product
TARGET, STAGING, PLAIN, CANDIDATE = (
    "111111111111", "222222222222", "333333333333", "444444444444",
)  # fmt: skip
NEW_TARGET = "123456789012"
TARGET_SECRET = "ext-SECRET-1111"
SECRET = "ext-SECRET-4242"  # staging account 222
CANDIDATE_SECRET = "ext-SECRET-4444"
NEW_TARGET_SECRET = "ext-SECRET-5555"
WRONG_SECRET = "ext-SECRET-9999"
INVALID_SECRET = "ext SECRET 4242"  # a space: not a valid external ID
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"
STAGING_PATH = f"/api/accounts/{TARGET}/staging-accounts"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    """The staging scenario with an external ID on the target, 222 and candidate 444."""
    data = json.loads(STAGING_SCENARIO.read_text())
    data["target"] |= {"roleArn": ROLE.format(TARGET), "externalId": TARGET_SECRET}
    data["staging"][0]["externalId"] = SECRET
    data["roles"][CANDIDATE] = {"externalId": CANDIDATE_SECRET}
    path = tmp_path_factory.mktemp("external-ids") / "scenario.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def backend(scenario, aws_env):
    with demo_backend(scenario) as built:
        yield built


def debug_everything(caplog):
    """Every log record at DEBUG, the AWS libraries' included (as test_secrets does)."""
    caplog.set_level(logging.DEBUG)
    for name in QUIET:  # even if an entry point quieted them earlier in this process
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def logs(caplog):
    return debug_everything(caplog)


def assert_hidden(texts, caplog=None) -> None:
    """No text, and no log line so far, shows any external ID."""
    texts = list(texts)
    if caplog is not None:
        texts += [r.getMessage() + (r.exc_text or "") for r in caplog.records]
        texts.append(caplog.text)
    leaks = [text for text in texts if MARKER in text]
    assert leaks == [], leaks[0][:2000] if leaks else ""


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value))
    return set()


def flags(accounts: list[dict]) -> dict[str, bool]:
    return {a["accountId"]: a["hasExternalId"] for a in accounts}


def staging_body(account_id=CANDIDATE, external_id=CANDIDATE_SECRET, **more) -> dict:
    body = {"accountId": account_id, "roleArn": ROLE.format(account_id),
            "region": "us-east-1", "externalId": external_id}  # fmt: skip
    return body | more


def validation_body(external_id: str, account_id=CANDIDATE) -> dict:
    return staging_body(account_id, external_id, targetAccountId=TARGET)


# -- the public form -----------------------------------------------------------------


def test_the_public_form_says_has_external_id_and_keeps_nothing_else_secret():
    staging = StagingAccount(STAGING, "s", ROLE.format(STAGING), SECRET, "us-east-1")
    plain = StagingAccount(PLAIN, "p", ROLE.format(PLAIN))
    target = TargetAccount(TARGET, "t", ROLE.format(TARGET), TARGET_SECRET,
                           (staging, plain))  # fmt: skip
    public = public_account(target)
    assert public["hasExternalId"] is True
    assert flags(public["stagingAccounts"]) == {STAGING: True, PLAIN: False}
    assert "externalId" not in keys_of(public)
    assert "region" not in public["stagingAccounts"][1]  # absent stays absent
    assert public_account(TargetAccount(TARGET, "t"))["hasExternalId"] is False
    assert target.to_dict()["externalId"] == TARGET_SECRET  # the stored form keeps it


@pytest.mark.parametrize(
    "value", [INVALID_SECRET, "SECRET!", "ext-SECRET-" + "4" * 1224, ["ext-SECRET"]]
)
def test_an_invalid_external_id_is_not_repeated_in_its_error(value):
    with pytest.raises(InputError) as raised:
        inputs.external_id(value)
    assert raised.value.field == "externalId"
    assert MARKER not in raised.value.message


@pytest.mark.parametrize(
    "line",
    [
        "Calling dynamodb:put_item with {'Item': {'externalId': 'ext-SECRET-1', 'a': 1}}",
        'b\'{"Item": {"externalId": {"S": "ext-SECRET-2"}, "version": {"N": "1"}}}\'',
        "params: {'body': {'Action': 'AssumeRole', 'ExternalId': 'ext-SECRET:a/b,c'}}",
        "Action=AssumeRole&ExternalId=ext-SECRET%3A3&RoleSessionName=drs",
        "AccountRef(account_id='222222222222', external_id='ext-SECRET-4')",
        '{\\"externalId\\": \\"ext-SECRET-5\\"}',
    ],
)
def test_log_text_hides_every_spelling_of_an_external_id(line):
    shown = hide_external_ids(line)
    assert MARKER not in shown and "***" in shown


def test_log_text_keeps_what_is_not_an_external_id():
    line = "external_id=None hasExternalId: true roleArn: 'arn:aws:iam::1:role/R'"
    assert hide_external_ids(line) == line


# -- REST API --------------------------------------------------------------------------


def test_no_api_answer_carries_an_external_id(backend, logs):
    client = _app(backend).server.test_client()
    answers = _every_route(client)
    for name, answer in answers.items():
        assert answer.status_code < 500 or "capacity" in name, name
        if answer.mimetype == "application/json" and name != "openapi":
            assert "externalId" not in keys_of(answer.get_json()), name
    assert_hidden([a.get_data(as_text=True) for a in answers.values()], logs)
    assert "'externalId': '***'" in logs.text  # DynamoDB's payloads were logged, hidden


def test_account_answers_say_which_accounts_have_an_external_id(backend):
    client = _app(backend).server.test_client()
    [listed] = client.get("/api/accounts").get_json()["targetAccounts"]
    assert listed["hasExternalId"] is True
    assert flags(listed["stagingAccounts"]) == {STAGING: True, PLAIN: False}
    shown = client.get(f"/api/accounts/{TARGET}").get_json()
    assert shown["targetAccount"]["hasExternalId"] is True
    assert flags(shown["stagingAccounts"]) == {STAGING: True, PLAIN: False}
    added = client.post(STAGING_PATH, json=staging_body(accountName="new")).get_json()
    assert flags(added["stagingAccounts"]) == {STAGING: True, PLAIN: False,
                                               CANDIDATE: True}  # fmt: skip
    without = staging_body("666666666666", None, accountName="plain-new")
    added = client.post(STAGING_PATH, json=without).get_json()
    assert flags(added["stagingAccounts"])["666666666666"] is False
    removed = client.delete(f"{STAGING_PATH}/{STAGING}").get_json()
    assert flags(removed["stagingAccounts"]) == {PLAIN: False, CANDIDATE: True,
                                                 "666666666666": False}  # fmt: skip
    created = client.post("/api/accounts", json=_new_target(NEW_TARGET_SECRET))
    assert created.get_json()["targetAccount"]["hasExternalId"] is True
    plain = client.post("/api/accounts", json=_new_target(None, "210987654321"))
    assert plain.get_json()["targetAccount"]["hasExternalId"] is False


def _app(backend):
    from dashboard import create_app

    return create_app(backend.settings, backend)


def _new_target(external_id: str | None, account_id: str = NEW_TARGET) -> dict:
    body = {"accountId": account_id, "accountName": "second",
            "roleArn": ROLE.format(account_id)}  # fmt: skip
    return body | ({"externalId": external_id} if external_id else {})


def _every_route(client) -> dict:
    """Every route of SPEC §7 (and OpenAPI, impact), succeeding and failing."""
    capacity = f"/api/accounts/{TARGET}/capacity"
    return {
        "list": client.get("/api/accounts"),
        "add target": client.post("/api/accounts", json=_new_target(NEW_TARGET_SECRET)),
        "add target again": client.post(
            "/api/accounts", json=_new_target(NEW_TARGET_SECRET)
        ),
        "add target invalid": client.post(
            "/api/accounts", json=_new_target(INVALID_SECRET, "210987654321")
        ),
        "show": client.get(f"/api/accounts/{TARGET}"),
        "show new": client.get(f"/api/accounts/{NEW_TARGET}"),
        "validate": client.post(
            "/api/staging-accounts/validate", json=validation_body(CANDIDATE_SECRET)
        ),
        "validate wrong": client.post(
            "/api/staging-accounts/validate", json=validation_body(WRONG_SECRET)
        ),
        "validate invalid": client.post(
            "/api/staging-accounts/validate", json=validation_body(INVALID_SECRET)
        ),
        "validate registered": client.post(
            "/api/staging-accounts/validate", json=validation_body(SECRET, STAGING)
        ),
        "add staging invalid": client.post(
            STAGING_PATH, json=staging_body(external_id=INVALID_SECRET, accountName="n")
        ),
        "add staging": client.post(STAGING_PATH, json=staging_body(accountName="n")),
        "add staging again": client.post(
            STAGING_PATH, json=staging_body(accountName="n")
        ),
        "capacity": client.get(f"{capacity}?refresh=true"),
        "capacity region": client.get(f"{capacity}?region=us-east-1"),
        "capacity.csv": client.get(f"{capacity}.csv"),
        "impact": client.get(f"{STAGING_PATH}/{STAGING}/impact"),
        "remove": client.delete(f"{STAGING_PATH}/{STAGING}"),
        "remove again": client.delete(f"{STAGING_PATH}/{STAGING}"),
        "openapi": client.get("/api/openapi.json"),
        "unknown": client.get("/api/unknown"),
    }


# -- the dashboard ---------------------------------------------------------------------


def fire(client, app, output: str, trigger: str, values: dict) -> dict:
    """The Dash callback whose first output is `output`, over HTTP as the browser
    sends it; its answer's text."""
    key = next(k for k in app.callback_map if k.lstrip(".").startswith(f"{output}."))
    spec = app.callback_map[key]

    def filled(dependencies: list[dict]) -> list[dict]:
        return [
            {**d, "value": values.get(f"{d['id']}.{d['property']}")}
            for d in dependencies
        ]

    outputs = [
        {"id": o.component_id, "property": o.component_property}
        for o in (spec["output"] if isinstance(spec["output"], list) else [])
    ]
    body = {"output": key, "outputs": outputs, "inputs": filled(spec["inputs"]),
            "state": filled(spec["state"]), "changedPropIds": [trigger]}  # fmt: skip
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def form(external_id: str) -> dict:
    from components import ids

    values = {
        ids.ADD_ACCOUNT_ID: CANDIDATE,
        ids.ADD_ACCOUNT_NAME: "from-the-page",
        ids.ADD_ROLE_ARN: ROLE.format(CANDIDATE),
        ids.ADD_EXTERNAL_ID: external_id,
        ids.ADD_REGION: "us-east-1",
        ids.TARGET_SELECT: TARGET,
    }
    return {f"{k}.value": v for k, v in values.items()} | {
        f"{ids.ADD_MODAL}.is_open": True
    }


def test_the_page_and_its_account_callbacks_show_no_external_id(backend, logs):
    from components import ids
    from dashboard.callbacks.staging import confirm_removal, impact_view

    app = _app(backend)
    client = app.server.test_client()
    texts = [client.get("/").get_data(as_text=True)]
    texts.append(client.get("/_dash-layout").get_data(as_text=True))
    settings = fire(client, app, ids.STAGING_LIST, f"{ids.SETTINGS_MODAL}.is_open",
                    {f"{ids.SETTINGS_MODAL}.is_open": True,
                     f"{ids.TARGET_SELECT}.value": TARGET})  # fmt: skip
    assert STAGING in settings and PLAIN in settings
    texts.append(settings)
    texts.append(fire(client, app, ids.ADD_ACCOUNT_ID, f"{ids.ADD_EXTERNAL_ID}.value",
                      form(INVALID_SECRET)))  # the field checks  # fmt: skip
    submitted = fire(client, app, ids.ADD_MODAL, f"{ids.ADD_SUBMIT}.n_clicks",
                     form(CANDIDATE_SECRET) | {f"{ids.ADD_SUBMIT}.n_clicks": 1})  # fmt: skip
    assert CANDIDATE in submitted
    texts.append(submitted)
    context = app.drs_context
    texts.append(_json(impact_view(context, TARGET, STAGING)))
    texts.append(_json(confirm_removal(context, TARGET, STAGING, 0)))
    assert_hidden(texts, logs)


def test_validating_on_the_page_sends_no_external_id_back(backend):
    from components import ids

    app = _app(backend)
    client = app.server.test_client()
    answer = fire(client, app, ids.VALIDATION_RESULT, f"{ids.ADD_VALIDATE}.n_clicks",
                  form(CANDIDATE_SECRET) | {f"{ids.ADD_VALIDATE}.n_clicks": 1})  # fmt: skip
    assert "Valid:" in answer  # the candidate did validate, and the store was answered
    assert ids.VALIDATED_STAGING_STORE in answer
    assert_hidden([answer])


def _json(component) -> str:
    from plotly.utils import PlotlyJSONEncoder

    return json.dumps(component, cls=PlotlyJSONEncoder)


# -- CLI ---------------------------------------------------------------------------------


def cli_commands() -> list[list[str]]:
    staging = [TARGET, "--account-id", CANDIDATE, "--role-arn", ROLE.format(CANDIDATE),
               "--region", "us-east-1"]  # fmt: skip
    return [
        ["targets", "list"],
        ["targets", "show", TARGET],
        ["staging", "list", TARGET],
        ["staging", "validate", *staging, "--external-id", CANDIDATE_SECRET],
        ["staging", "validate", *staging, "--external-id", WRONG_SECRET],
        ["staging", "validate", *staging, "--external-id", INVALID_SECRET],
        ["staging", "add", *staging, "--name", "n", "--external-id", CANDIDATE_SECRET],
        ["staging", "remove", TARGET, STAGING, "--yes"],
        ["targets", "add", "--account-id", NEW_TARGET, "--name", "second",
         "--role-arn", ROLE.format(NEW_TARGET), "--external-id", NEW_TARGET_SECRET],
        ["capacity", TARGET, "--refresh"],
    ]  # fmt: skip


def assert_shows_has_external_id(shown: str, fmt: str) -> None:
    """`targets show`: which staging accounts have an external ID, never the ID."""
    if fmt == "json":
        assert json.loads(shown)["targetAccount"]["hasExternalId"] is True
        flagged = flags(json.loads(shown)["stagingAccounts"])
        assert {STAGING: True, PLAIN: False}.items() <= flagged.items()
    else:
        rows = {line.split()[0]: line.split() for line in shown.splitlines() if line}
        assert "yes" in rows[STAGING] and "no" in rows[PLAIN]  # EXTERNAL ID column
        assert "(with an external ID)" in shown


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_cli_prints_no_external_id(backend, logs, fmt):
    operations = build_operations(backend)
    outputs = []
    for command in cli_commands():
        out, err = io.StringIO(), io.StringIO()
        cli.main([*command, "--format", fmt], operations=operations,
                 stdin=io.StringIO(), stdout=out, stderr=err)  # fmt: skip
        outputs += [out.getvalue(), err.getvalue()]
    assert_hidden(outputs, logs)
    assert_shows_has_external_id(outputs[2], fmt)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_cli_in_a_subprocess_prints_no_external_id(scenario, cli_env, fmt):
    """The real entry (its own backend and logging); a few commands, each a process."""
    staging = [TARGET, "--account-id", CANDIDATE, "--role-arn", ROLE.format(CANDIDATE),
               "--region", "us-east-1", "--external-id"]  # fmt: skip
    commands = (["targets", "show", TARGET],
                ["staging", "add", *staging, CANDIDATE_SECRET, "--name", "n"],
                ["staging", "validate", *staging, WRONG_SECRET])  # fmt: skip
    outputs = []
    for command in commands:
        argv = [*command, "--scenario", str(scenario), "--format", fmt]
        done = subprocess.run(
            [sys.executable, "cli.py", *argv], cwd=ROOT,
            env=cli_env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode in (0, 1), (command, done.stderr[-2000:])
        outputs += [done.stdout, done.stderr]
    assert_hidden(outputs)
    assert_shows_has_external_id(outputs[0], fmt)
    assert CANDIDATE in outputs[2]  # added


def test_the_cli_over_the_api_prints_no_external_id(backend, logs, monkeypatch):
    # the CLI's own logging setup would quiet the AWS libraries the server logs through
    monkeypatch.setattr("services.logs.configure_logging", lambda *_: None)
    with serving(backend) as url:
        outputs = []
        for command in cli_commands():
            out, err = io.StringIO(), io.StringIO()
            argv = [*command, "--api-url", url, "--format", "json"]
            cli.main(argv, stdin=io.StringIO(), stdout=out, stderr=err)
            outputs += [out.getvalue(), err.getvalue()]
    assert_hidden(outputs, logs)
    assert_shows_has_external_id(outputs[2], "json")


# -- Lambda ------------------------------------------------------------------------------


@pytest.fixture
def container(monkeypatch, aws_env, scenario):
    """A fresh Lambda container on the scenario, its backend built before logs are
    captured (its entry sets the AWS libraries to WARNING)."""
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRS_CAPACITY_TABLE_NAME", "external-ids-lambda")
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", str(scenario))
    lambda_handler.reset()
    lambda_handler.operations()
    yield lambda_handler
    lambda_handler.reset()


def direct_events() -> list[dict]:
    staging = {"targetAccountId": TARGET, "stagingAccountId": STAGING}
    return [
        {"operation": "get_target_accounts"},
        {"operation": "get_target_account", "targetAccountId": TARGET},
        {"operation": "add_target_account", **_new_target(NEW_TARGET_SECRET)},
        {"operation": "validate_staging_account", **validation_body(CANDIDATE_SECRET)},
        {"operation": "validate_staging_account", **validation_body(WRONG_SECRET)},
        {"operation": "validate_staging_account", **validation_body(INVALID_SECRET)},
        {"operation": "add_staging_account", "targetAccountId": TARGET,
         **staging_body(accountName="n")},
        {"operation": "get_combined_capacity", "targetAccountId": TARGET},
        {"operation": "export_capacity_csv", "targetAccountId": TARGET},
        {"operation": "get_removal_impact", **staging},
        {"operation": "remove_staging_account", **staging},
    ]  # fmt: skip


def proxy_events() -> list[dict]:
    """REST API (v1) and HTTP API (v2) proxy events for every route."""
    routes = [
        ("GET", "/api/accounts", None),
        ("POST", "/api/accounts", _new_target(NEW_TARGET_SECRET, "210987654321")),
        ("GET", f"/api/accounts/{TARGET}", None),
        ("POST", "/api/staging-accounts/validate", validation_body(CANDIDATE_SECRET)),
        ("POST", "/api/staging-accounts/validate", validation_body(INVALID_SECRET)),
        ("POST", STAGING_PATH, staging_body("666666666666", SECRET, accountName="m")),
        ("GET", f"/api/accounts/{TARGET}/capacity", None),
        ("GET", f"/api/accounts/{TARGET}/capacity.csv", None),
        ("GET", f"{STAGING_PATH}/666666666666/impact", None),
        ("DELETE", f"{STAGING_PATH}/666666666666", None),
        ("GET", "/api/openapi.json", None),
    ]
    events = []
    for method, path, body in routes:
        text = None if body is None else json.dumps(body)
        events.append({"httpMethod": method, "path": path, "body": text})
        events.append({"rawPath": path, "body": text,
                       "requestContext": {"http": {"method": method},
                                          "stage": "$default"}})  # fmt: skip
    return events


def test_the_lambda_entry_returns_no_external_id(container, logs):
    direct = [container.handler(event) for event in direct_events()]
    proxied = [container.handler(event) for event in proxy_events()]
    [listed] = direct[0]["targetAccounts"]
    assert listed["hasExternalId"] is True
    assert flags(direct[1]["stagingAccounts"]) == {STAGING: True, PLAIN: False}
    assert direct[2]["targetAccount"]["hasExternalId"] is True
    assert flags(direct[6]["stagingAccounts"])[CANDIDATE] is True
    added = json.loads(proxied[10]["body"])["stagingAccounts"]
    assert flags(added) == {PLAIN: False, CANDIDATE: True, "666666666666": True}
    for answer in direct:
        assert "externalId" not in keys_of(answer)
    assert_hidden([json.dumps(a) for a in direct + proxied], logs)


def test_assume_role_on_the_real_aws_path_logs_no_external_id(
    monkeypatch, aws_env, caplog
):
    """No scenario: real botocore requests (moto answers DynamoDB and STS), so
    AssumeRole's ExternalId goes through botocore's own DEBUG logging."""
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRS_CAPACITY_REGIONS", "us-east-1")
    monkeypatch.setenv("DRS_CAPACITY_TABLE_NAME", "external-ids-real")
    lambda_handler.reset()
    try:
        with mock_aws():
            dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
            AccountStore.create_table(dynamodb, "external-ids-real")
            lambda_handler.operations()  # quiets the AWS libraries: undone below
            debug_everything(caplog)
            answers = [lambda_handler.handler(event) for event in _real_aws_events()]
    finally:
        lambda_handler.reset()
    assert answers[0]["targetAccount"]["hasExternalId"] is True
    assert flags(answers[2]["stagingAccounts"]) == {CANDIDATE: True}
    assert flags(answers[4]["stagingAccounts"]) == {CANDIDATE: True}
    assume_role = [r for r in caplog.records if "AssumeRole" in r.getMessage()]
    assert any("ExternalId" in r.getMessage() for r in assume_role)  # botocore DEBUG
    assert_hidden([json.dumps(a) for a in answers], caplog)


def _real_aws_events() -> list[dict]:
    target = {"targetAccountId": NEW_TARGET}
    return [
        {"operation": "add_target_account", **_new_target(TARGET_SECRET)},
        {"operation": "validate_staging_account",
         **validation_body(CANDIDATE_SECRET), **target},
        {"operation": "add_staging_account", **target,
         **staging_body(accountName="n")},
        {"operation": "get_combined_capacity", **target, "refresh": True},
        {"operation": "get_target_account", **target},
    ]  # fmt: skip


def test_no_account_object_prints_its_external_id():
    from services.collector import AccountRef
    from services.gateway import AccountAccess
    from services.models import StagingAccount, TargetAccount

    staging = StagingAccount(
        "222222222222", "s", ROLE.format("222222222222"), external_id=SECRET
    )
    printed = [
        staging,
        TargetAccount(
            "111111111111", "t", external_id=SECRET, staging_accounts=(staging,)
        ),
        AccountRef("222222222222", "s", "staging", ROLE.format("222222222222"), SECRET),
        AccountAccess(ROLE.format("222222222222"), SECRET),
    ]
    for thing in printed:
        assert SECRET not in repr(thing) and SECRET not in str(thing)
