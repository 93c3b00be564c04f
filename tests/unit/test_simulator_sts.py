"""Simulated STS, credentials, latency, call counts and threads (SPEC §9)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from services.simulator.testing import Harness, botocore_session

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo.json"
TARGET, STAGING, OTHER = "111111111111", "222222222222", "333333333333"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def error_code(excinfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def demo():
    return Harness(DEMO, sleep=lambda seconds: None)


# --- identities ----------------------------------------------------------------------


def test_own_credentials_belong_to_the_target(demo):
    identity = demo.client("sts").get_caller_identity()
    assert identity["Account"] == TARGET
    assert identity["Arn"].startswith(f"arn:aws:iam::{TARGET}:")
    assert demo.sim.own_credentials["aws_session_token"] is None


def test_assumed_credentials_belong_to_the_roles_account(demo):
    creds = demo.assume(STAGING, "ext-222")
    identity = demo.client("sts", credentials=creds).get_caller_identity()
    assert identity["Account"] == STAGING
    assert identity["Arn"] == (
        f"arn:aws:sts::{STAGING}:assumed-role/DRSCapacityRead/test"
    )
    assert creds["aws_access_key_id"].startswith("ASIA")
    assert len(creds["aws_access_key_id"]) == 20


def test_each_assume_role_issues_fresh_keys(demo):
    first, second = demo.assume(STAGING, "ext-222"), demo.assume(STAGING, "ext-222")
    assert first["aws_access_key_id"] != second["aws_access_key_id"]


def test_expiration_is_the_clock_plus_the_duration_in_utc():
    aws = Harness(DEMO, clock=FakeClock(1_800_000_000.0))
    creds = aws.client("sts").assume_role(
        RoleArn=ROLE.format(STAGING),
        RoleSessionName="s1",
        ExternalId="ext-222",
        DurationSeconds=900,
    )["Credentials"]
    assert creds["Expiration"] == datetime.fromtimestamp(1_800_000_900, tz=UTC)
    default = aws.client("sts").assume_role(
        RoleArn=ROLE.format(STAGING), RoleSessionName="s1", ExternalId="ext-222"
    )
    assert default["Credentials"]["Expiration"].timestamp() == 1_800_003_600


def test_expired_credentials_are_refused():
    clock = FakeClock()
    aws = Harness(DEMO, clock=clock, sleep=lambda seconds: None)
    drs = aws.drs(account_id=STAGING, external_id="ext-222")
    drs.describe_source_servers(maxResults=1)
    clock.now += 3600
    with pytest.raises(ClientError) as excinfo:
        drs.describe_source_servers(maxResults=1)
    assert error_code(excinfo) == ("ExpiredTokenException", 403)


def test_unknown_keys_and_wrong_secrets_are_refused(demo):
    stranger = {
        "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key": "x" * 40,
    }
    with pytest.raises(ClientError) as excinfo:
        demo.client("sts", credentials=stranger).get_caller_identity()
    assert error_code(excinfo) == ("InvalidClientTokenId", 403)
    with pytest.raises(ClientError) as excinfo:
        demo.client("drs", credentials=stranger).describe_source_servers()
    assert error_code(excinfo) == ("UnrecognizedClientException", 403)
    forged = {**demo.sim.own_credentials, "aws_secret_access_key": "y" * 40}
    with pytest.raises(ClientError) as excinfo:
        demo.client("drs", credentials=forged).describe_source_servers()
    assert error_code(excinfo) == ("SignatureDoesNotMatch", 403)


def test_a_client_without_credentials_fails_as_botocore_would(demo, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = botocore_session()
    demo.sim.install(session)
    client = session.create_client("sts", region_name="us-east-1")
    with pytest.raises(NoCredentialsError):
        client.get_caller_identity()


# --- AssumeRole's rules ----------------------------------------------------------


@pytest.mark.parametrize("account_id", ["555555555555", "999999999999"])
def test_assume_role_into_inaccessible_or_unknown_account_is_denied(demo, account_id):
    role = ROLE.format(account_id)
    with pytest.raises(ClientError) as excinfo:
        demo.client("sts").assume_role(RoleArn=role, RoleSessionName="s1")
    assert error_code(excinfo) == ("AccessDenied", 403)
    message = excinfo.value.response["Error"]["Message"]
    assert message == (
        f"User: arn:aws:iam::{TARGET}:user/drs-capacity-dashboard is not "
        f"authorized to perform: sts:AssumeRole on resource: {role}"
    )


@pytest.mark.parametrize(
    "account_id,external_id,allowed",
    [
        (STAGING, "ext-222", True),
        (STAGING, None, False),
        (STAGING, "ext-999", False),
        ("444444444444", "ext-444", True),  # unregistered; its role is in "roles"
        ("444444444444", None, False),
    ],
)
def test_external_id_must_match_when_the_scenario_names_one(
    demo, account_id, external_id, allowed
):
    params = {"RoleArn": ROLE.format(account_id), "RoleSessionName": "s1"}
    if external_id:
        params["ExternalId"] = external_id
    if allowed:
        demo.client("sts").assume_role(**params)
    else:
        with pytest.raises(ClientError, match="AccessDenied"):
            demo.client("sts").assume_role(**params)


def test_any_external_id_is_accepted_when_none_is_required():
    aws = Harness(SCENARIOS / "faults.json")
    for external_id in (None, "whatever"):
        creds = aws.assume("444444444444", external_id)
        identity = aws.client("sts", credentials=creds).get_caller_identity()
        assert identity["Account"] == "444444444444"


def test_a_role_other_than_the_registered_one_does_not_exist(demo):
    with pytest.raises(ClientError, match="AccessDenied"):
        demo.assume(STAGING, "ext-222", f"arn:aws:iam::{STAGING}:role/SomethingElse")


def test_registered_staging_account_that_is_inaccessible_is_denied():
    aws = Harness(SCENARIOS / "faults.json")
    with pytest.raises(ClientError, match="AccessDenied"):
        aws.assume(OTHER)


def test_unimplemented_sts_operation_raises_naming_it(demo):
    with pytest.raises(NotImplementedError, match="GetSessionToken"):
        demo.client("sts").get_session_token()


# --- latency, call counts, install ---------------------------------------------------


def test_every_call_sleeps_the_scenario_latency_through_the_injected_sleep():
    slept = []
    aws = Harness(DEMO, sleep=slept.append)
    drs = aws.drs(account_id=STAGING, external_id="ext-222")
    list(
        drs.get_paginator("describe_source_servers").paginate(
            PaginationConfig={"PageSize": 100}
        )
    )
    assert slept == [0.025] * (1 + 3)  # AssumeRole, then three pages


def test_calls_are_counted_by_operation_account_and_region(demo):
    demo.sim.reset_calls()
    demo.drs("us-west-2", OTHER, "ext-333").describe_source_servers()
    with pytest.raises(ClientError):
        demo.drs("ap-south-1").describe_source_servers()
    assert demo.sim.calls == {
        ("AssumeRole", OTHER, "us-east-1"): 1,
        ("DescribeSourceServers", OTHER, "us-west-2"): 1,
        ("DescribeSourceServers", TARGET, "ap-south-1"): 1,
    }
    demo.sim.reset_calls()
    assert demo.sim.calls == {}


def test_installing_twice_answers_each_call_once():
    aws = Harness(SCENARIOS / "small.json")
    aws.sim.install(aws.botocore_session)
    aws.drs().describe_source_servers()
    assert sum(aws.sim.calls.values()) == 1


def test_answers_win_over_motos_mock(demo):
    from moto import mock_aws

    with mock_aws():
        drs = demo.drs()
        assert len(drs.describe_source_servers()["items"]) == 319
        assert demo.client("sts").get_caller_identity()["Account"] == TARGET


def test_many_threads_paging_at_once_get_exact_totals():
    aws = Harness(DEMO, sleep=lambda seconds: None)
    aws.sim.set_region("444444444444", "us-east-1", {"CONTINUOUS": 2500})
    clients = {
        a: aws.drs("us-east-1", a, x)
        for a, x in [(TARGET, None), (STAGING, "ext-222"), ("444444444444", "ext-444")]
    }
    expected = {TARGET: 319, STAGING: 255, "444444444444": 2500}
    aws.sim.reset_calls()

    def count(account_id: str) -> tuple[str, int]:
        pages = (
            clients[account_id]
            .get_paginator("describe_source_servers")
            .paginate(PaginationConfig={"PageSize": 100})
        )
        return account_id, sum(len(page["items"]) for page in pages)

    jobs = [account for account in expected for _ in range(12)]
    with ThreadPoolExecutor(max_workers=36) as pool:
        results = list(pool.map(count, jobs))
    assert all(total == expected[account] for account, total in results)
    calls = aws.sim.calls
    assert calls[("DescribeSourceServers", "444444444444", "us-east-1")] == 12 * 25
    assert calls[("DescribeSourceServers", TARGET, "us-east-1")] == 12 * 4


def test_concurrent_assume_roles_each_get_distinct_working_keys(demo):
    def assume(_) -> tuple[str, str]:
        creds = demo.assume(STAGING, "ext-222")
        account = demo.client("sts", credentials=creds).get_caller_identity()["Account"]
        return creds["aws_access_key_id"], account

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(assume, range(48)))
    assert len({key for key, _ in results}) == 48
    assert {account for _, account in results} == {STAGING}


def test_the_target_exists_without_a_fleet_entry_and_keeps_its_external_id():
    aws = Harness(
        {
            "target": {
                "accountId": TARGET,
                "accountName": "target",
                "roleArn": ROLE.format(TARGET),
                "externalId": "ext-111",
            }
        }
    )
    creds = aws.assume(TARGET, "ext-111")
    assert (
        aws.client("sts", credentials=creds).get_caller_identity()["Account"] == TARGET
    )
    with pytest.raises(ClientError, match="AccessDenied"):
        aws.assume(TARGET)
