"""The target-account template's alert permissions (issue 12, item 6): exactly the
calls the alert code makes, on exactly the topic, parameter and table it names."""

from __future__ import annotations

import re

import pytest

from services.settings import Settings
from tests.unit.test_deploy_templates import (
    PSEUDO,
    ROOT,
    TARGET_TEMPLATE,
    Renderer,
    _cfn_accepts,
    _model_calls,
    actions_of,
    load,
    statements_of,
)

TOPIC = "arn:aws:sns:us-east-1:999999999999:drs-capacity-alerts"
PARAMETER = "/drs-capacity/alerts/webhook"
ALERT_CODE = ("alert_monitor.py", "notify.py", "alert_store.py")


@pytest.fixture(scope="module")
def target() -> dict:
    return load(TARGET_TEMPLATE)


def alert_statements(target, **params) -> list[dict]:
    resources = Renderer(target, params).resources()
    every = statements_of(resources, "DashboardRole")
    return [
        s for s in every if s.get("Sid") in ("PublishAlerts", "ReadAlertWebhookUrl")
    ]


def _code() -> str:
    return "".join((ROOT / "services" / name).read_text() for name in ALERT_CODE)


def test_the_alert_code_calls_sns_publish_and_ssm_get_parameter_only():
    assert _model_calls(_code(), "sns") == {"sns:Publish"}
    assert _model_calls(_code(), "ssm") == {"ssm:GetParameter"}


def test_alert_state_and_mutes_use_only_the_history_tables_grants():
    calls = set(re.findall(r"self\._table\.(\w+)\(", _code()))
    assert calls == {"query", "put_item"}  # the history's own Query and PutItem


def test_no_alert_permission_without_a_topic_or_parameter(target):
    assert alert_statements(target) == []
    assert "AlertDeliveryPolicy" not in Renderer(target).resources()


def test_publish_only_to_the_topic_and_read_only_the_parameter(target):
    both = alert_statements(
        target, AlertTopicArn=TOPIC, AlertWebhookParameterName=PARAMETER
    )
    assert actions_of(both) == {"sns:Publish", "ssm:GetParameter"}
    resources = {s["Sid"]: s["Resource"] for s in both}
    assert resources["PublishAlerts"] == TOPIC
    region, account = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
    assert resources["ReadAlertWebhookUrl"] == (
        f"arn:aws:ssm:{region}:{account}:parameter{PARAMETER}"
    )


@pytest.mark.parametrize(
    ("params", "actions"),
    [({"AlertTopicArn": TOPIC}, {"sns:Publish"}),
     ({"AlertWebhookParameterName": PARAMETER}, {"ssm:GetParameter"})],
)  # fmt: skip
def test_each_channel_alone_grants_its_own_call(target, params, actions):
    assert actions_of(alert_statements(target, **params)) == actions


@pytest.mark.parametrize(
    ("name", "value"),
    [("AlertTopicArn", TOPIC), ("AlertTopicArn", "arn:aws:sqs:us-east-1:1:q"),
     ("AlertTopicArn", "arn:aws:sns:us-east-1:999999999999:a/b"),
     ("AlertWebhookParameterName", PARAMETER),
     ("AlertWebhookParameterName", "no-slash"), ("AlertWebhookParameterName", "/a b")],
)  # fmt: skip
def test_template_and_settings_accept_the_same_topics_and_parameters(
    target, name, value
):
    variable = {"AlertTopicArn": "alert_sns_topic_arn",
                "AlertWebhookParameterName": "alert_webhook_parameter"}[name]  # fmt: skip
    try:
        Settings(**{variable: value})
        accepted = True
    except ValueError:
        accepted = False
    assert _cfn_accepts(target["Parameters"][name], value) is accepted


LAMBDA = {"DeployLambda": "true", "LambdaCodeS3Bucket": "b", "LambdaCodeS3Key": "k.zip"}


def test_the_scheduled_collection_delivers_alerts_with_the_same_grants(target):
    params = LAMBDA | {"AlertTopicArn": TOPIC, "AlertWebhookParameterName": PARAMETER}
    resources = Renderer(target, params).resources()
    collection = statements_of(resources, "CollectionFunctionRole")
    alerts = [s for s in collection if s.get("Sid") in ("PublishAlerts",
                                                         "ReadAlertWebhookUrl")]  # fmt: skip
    dashboard = alert_statements(target, **params)
    assert sorted(map(str, alerts)) == sorted(map(str, dashboard))
    env = resources["CollectionFunction"]["Properties"]["Environment"]["Variables"]
    assert env["DRS_CAPACITY_ALERT_SNS_TOPIC_ARN"] == TOPIC
    assert env["DRS_CAPACITY_ALERT_WEBHOOK_PARAMETER"] == PARAMETER
    assert not any("WEBHOOK_URL" in name for name in env)


def test_without_alert_channels_the_collection_role_gets_no_alert_grant(target):
    resources = Renderer(target, LAMBDA).resources()
    actions = actions_of(statements_of(resources, "CollectionFunctionRole"))
    assert not {a for a in actions if a.startswith(("sns:", "ssm:"))}
