"""Simulated Service Quotas (SPEC §9): applied values, AWS's defaults, refusals, counting."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from services.simulator.testing import Harness

TARGET, STAGING, OTHER = "111111111111", "222222222222", "333333333333"
REPLICATION, RECOVERY = "L-C1D14A2B", "L-E28BE5E0"
SCENARIO = {
    "target": {"accountId": TARGET, "accountName": "target"},
    "fleet": {
        TARGET: {"us-east-1": {"CONTINUOUS": 1}},
        STAGING: {"us-east-1": {}},
        OTHER: {"us-east-1": {}},
    },
    "quotas": {
        TARGET: {"us-east-1": {REPLICATION: 500, RECOVERY: 6000}},
        STAGING: "denied",
        OTHER: "throttled",
    },
}


@pytest.fixture
def aws():
    return Harness(SCENARIO)


def quotas(aws, account_id=None, region="us-east-1"):
    credentials = aws.assume(account_id) if account_id else None
    return aws.client("service-quotas", region, credentials)


def applied(client, code):
    return client.get_service_quota(ServiceCode="drs", QuotaCode=code)["Quota"]


def default(client, code):
    return client.get_aws_default_service_quota(ServiceCode="drs", QuotaCode=code)[
        "Quota"
    ]


def test_applied_values_come_from_the_scenario_per_account_and_region(aws):
    client = quotas(aws)
    assert applied(client, REPLICATION)["Value"] == 500.0
    assert applied(client, RECOVERY)["Value"] == 6000.0
    quota = applied(client, REPLICATION)
    assert quota["QuotaArn"] == f"arn:aws:servicequotas:us-east-1:{TARGET}:drs/{REPLICATION}"  # fmt: skip


@pytest.mark.parametrize("region", ["us-west-2", "eu-west-1"])
def test_where_nothing_is_applied_get_service_quota_answers_no_such_resource(
    aws, region
):
    client = quotas(aws, region=region)
    with pytest.raises(client.exceptions.NoSuchResourceException):
        applied(client, REPLICATION)


def test_the_aws_defaults_are_300_and_4000_whatever_is_applied(aws):
    client = quotas(aws)
    assert default(client, REPLICATION)["Value"] == 300.0
    assert default(client, RECOVERY)["Value"] == 4000.0
    assert default(quotas(aws, region="eu-west-1"), REPLICATION)["Value"] == 300.0


def test_another_service_or_quota_code_does_not_exist(aws):
    client = quotas(aws)
    for service, code in (("ec2", REPLICATION), ("drs", "L-00000000")):
        with pytest.raises(client.exceptions.NoSuchResourceException):
            client.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)


@pytest.mark.parametrize(
    ("account_id", "code"),
    [(STAGING, "AccessDeniedException"), (OTHER, "TooManyRequestsException")],
)
def test_a_denied_or_throttled_account_is_refused_on_every_call(aws, account_id, code):
    client = quotas(aws, account_id)
    for call in (applied, default):
        with pytest.raises(ClientError) as excinfo:
            call(client, REPLICATION)
        assert type(excinfo.value) is getattr(client.exceptions, code)
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_denied_names_the_caller_and_the_action(aws):
    client = quotas(aws, STAGING)
    with pytest.raises(client.exceptions.AccessDeniedException) as excinfo:
        applied(client, REPLICATION)
    message = excinfo.value.response["Error"]["Message"]
    assert f"arn:aws:sts::{STAGING}:assumed-role/DRSCapacityRead/" in message
    assert message.endswith("servicequotas:GetServiceQuota")


def test_every_call_is_counted_per_operation_account_and_region(aws):
    client = quotas(aws)
    applied(client, REPLICATION)
    default(client, REPLICATION)
    default(client, RECOVERY)
    with pytest.raises(ClientError):
        applied(quotas(aws, STAGING, "eu-west-1"), REPLICATION)
    calls = aws.sim.calls
    assert calls[("GetServiceQuota", TARGET, "us-east-1")] == 1
    assert calls[("GetAWSDefaultServiceQuota", TARGET, "us-east-1")] == 2
    assert calls[("GetServiceQuota", STAGING, "eu-west-1")] == 1


def test_quotas_can_be_changed_while_running(aws):
    aws.sim.set_quotas(STAGING, {"us-east-1": {REPLICATION: 450}})
    assert applied(quotas(aws, STAGING), REPLICATION)["Value"] == 450.0
    aws.sim.set_quotas(TARGET, "throttled")
    client = quotas(aws)
    with pytest.raises(client.exceptions.TooManyRequestsException):
        applied(client, REPLICATION)


def test_a_bad_runtime_change_names_its_path(aws):
    from services.simulator import ScenarioError

    with pytest.raises(ScenarioError, match=rf"^quotas\.{TARGET}\.us-east-1\.L-1: "):
        aws.sim.set_quotas(TARGET, {"us-east-1": {"L-1": 5}})


def test_unknown_credentials_are_refused_as_service_quotas_would(aws):
    client = aws.client(
        "service-quotas",
        credentials={
            "aws_access_key_id": "AKIAUNKNOWNUNKNOWN00",
            "aws_secret_access_key": "x",
        },
    )
    with pytest.raises(ClientError) as excinfo:
        applied(client, REPLICATION)
    assert excinfo.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_an_unimplemented_operation_raises_naming_it(aws):
    with pytest.raises(NotImplementedError, match="ListServiceQuotas"):
        quotas(aws).list_service_quotas(ServiceCode="drs")
