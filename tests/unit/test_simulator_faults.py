"""Simulated Region and account faults answer as real AWS does (SPEC §3, §9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from services.simulator import ScenarioError
from services.simulator.testing import Harness

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TARGET, STAGING, OTHER = "111111111111", "222222222222", "333333333333"


def fleet(target_regions) -> dict:
    return {
        "target": {"accountId": TARGET, "accountName": "target"},
        "fleet": {TARGET: target_regions},
    }


def error_code(excinfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def faults():
    return Harness(SCENARIOS / "faults.json")


def test_list_extensible_source_servers_of_an_inaccessible_account_is_denied(faults):
    drs = faults.drs()
    with pytest.raises(drs.exceptions.AccessDeniedException):
        drs.list_extensible_source_servers(stagingAccountID=OTHER)


# --- Region faults ---------------------------------------------------------------


def test_absent_and_uninitialized_regions_raise_the_modeled_exception():
    aws = Harness(SCENARIOS / "small.json")
    for region in ("eu-west-1", "ap-southeast-2"):
        drs = aws.drs(region)
        with pytest.raises(drs.exceptions.UninitializedAccountException) as excinfo:
            drs.describe_source_servers()
        assert error_code(excinfo) == ("UninitializedAccountException", 400)


def test_account_absent_from_the_fleet_is_uninitialized_everywhere():
    drs = Harness(SCENARIOS / "minimal.json").drs()
    with pytest.raises(drs.exceptions.UninitializedAccountException):
        drs.describe_source_servers()


def test_not_enabled_region_rejects_the_token(faults):
    drs = faults.drs("af-south-1", "444444444444")
    with pytest.raises(ClientError) as excinfo:
        drs.describe_source_servers()
    assert error_code(excinfo) == ("UnrecognizedClientException", 403)
    assert "security token included in the request is invalid" in str(excinfo.value)


def test_throttled_region_raises_the_modeled_throttling_exception(faults):
    drs = faults.drs("us-west-2", STAGING, "ext-222")
    with pytest.raises(drs.exceptions.ThrottlingException) as excinfo:
        drs.describe_source_servers()
    assert error_code(excinfo) == ("ThrottlingException", 429)


@pytest.mark.parametrize(
    "code,status",
    [
        ("AccessDeniedException", 403),
        ("InternalServerException", 500),
        ("ValidationException", 400),
        ("ResourceNotFoundException", 404),
    ],
)
def test_error_region_answers_its_code_and_status(code, status):
    aws = Harness(fleet({"us-east-1": {"error": code}}))
    with pytest.raises(ClientError) as excinfo:
        aws.drs().describe_source_servers()
    assert error_code(excinfo) == (code, status)
    assert type(excinfo.value).__name__ == code


def test_timeout_region_raises_botocores_read_timeout(faults):
    with pytest.raises(ReadTimeoutError, match="drs.eu-west-1.amazonaws.com"):
        faults.drs("eu-west-1", STAGING, "ext-222").describe_source_servers()


def test_unreachable_region_raises_endpoint_connection_error():
    aws = Harness(fleet({"us-east-1": {"error": "unreachable"}}))
    with pytest.raises(EndpointConnectionError):
        aws.drs().describe_source_servers()


def test_inaccessible_account_read_with_its_own_credentials_is_denied():
    aws = Harness(SCENARIOS / "small.json")
    drs = aws.drs()
    aws.sim.set_account(TARGET, "inaccessible")
    with pytest.raises(drs.exceptions.AccessDeniedException):
        drs.describe_source_servers()


def test_set_region_changes_answers_at_run_time_and_checks_the_spec():
    aws = Harness(SCENARIOS / "small.json")
    drs = aws.drs()
    aws.sim.set_region(TARGET, "us-east-1", {"error": "ThrottlingException"})
    with pytest.raises(drs.exceptions.ThrottlingException):
        drs.describe_source_servers()
    aws.sim.set_region(TARGET, "us-east-1", {"BACKLOG": 2})
    items = drs.describe_source_servers()["items"]
    assert [i["dataReplicationInfo"]["dataReplicationState"] for i in items] == [
        "BACKLOG",
        "BACKLOG",
    ]
    with pytest.raises(
        ScenarioError, match=r"^fleet\.111111111111\.us-east-1\.BACKLOG:"
    ):
        aws.sim.set_region(TARGET, "us-east-1", {"BACKLOG": -1})
    with pytest.raises(ScenarioError, match=r"^fleet\.111111111111\.mars-north-1:"):
        aws.sim.set_region(TARGET, "mars-north-1", {})
