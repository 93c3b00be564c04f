"""The simulator answers on the wire, after signing: its bodies parse back to what it
meant, and the caller is whoever signed the request, whatever the client believes."""

from __future__ import annotations

from datetime import UTC, datetime

import botocore.session
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.parsers import create_parser
from botocore.signers import RequestSigner

from services.simulator import wire
from services.simulator.testing import Harness

TARGET, STAGING, OTHER = "111111111111", "222222222222", "333333333333"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"
SCENARIO = {
    "target": {"accountId": TARGET, "accountName": "target"},
    "fleet": {
        TARGET: {"us-east-1": {"CONTINUOUS": 3}},
        STAGING: {"us-east-1": {"CONTINUOUS": 5, "extended": {OTHER: 2}}},
        OTHER: {"us-east-1": {"BACKLOG": 7}},
    },
}
_MODELS = botocore.session.get_session()


def operation(service: str, name: str):
    return _MODELS.get_service_model(service).operation_model(name)


def parse(model, status: int, headers: dict, body: bytes) -> dict:
    protocol = wire.protocol_of(model.service_model)
    response = {"status_code": status, "headers": headers, "body": body}
    return create_parser(protocol).parse(response, model.output_shape)


def without_metadata(parsed: dict) -> dict:
    return {k: v for k, v in parsed.items() if k != "ResponseMetadata"}


@pytest.fixture(scope="module")
def aws():
    return Harness(SCENARIO)


def test_a_drs_page_parses_back_to_the_page_meant(aws):
    page = aws.drs(account_id=STAGING).describe_source_servers(maxResults=4)
    model = operation("drs", "DescribeSourceServers")
    meant = without_metadata(page)
    body = wire.answer_body(model, meant, "req-1")
    assert without_metadata(parse(model, 200, {}, body)) == meant
    assert len(meant["items"]) == 4 and meant["nextToken"]


def test_an_assume_role_answer_parses_back_with_its_expiration():
    model = operation("sts", "AssumeRole")
    meant = {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
            "SecretAccessKey": "s" * 40,
            "SessionToken": "t&<token>",
            "Expiration": datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        },
        "AssumedRoleUser": {
            "AssumedRoleId": "AROAEXAMPLE:test",
            "Arn": f"arn:aws:sts::{STAGING}:assumed-role/DRSCapacityRead/test",
        },
        "PackedPolicySize": 0,
    }
    body = wire.answer_body(model, meant, "req-2")
    parsed = parse(model, 200, {}, body)
    assert without_metadata(parsed) == meant
    assert parsed["ResponseMetadata"]["RequestId"] == "req-2"


def test_a_service_quotas_answer_parses_back(aws):
    answer = aws.client("service-quotas").get_aws_default_service_quota(
        ServiceCode="drs", QuotaCode="L-C1D14A2B"
    )
    model = operation("service-quotas", "GetAWSDefaultServiceQuota")
    meant = without_metadata(answer)
    body = wire.answer_body(model, meant, "req-3")
    assert without_metadata(parse(model, 200, {}, body)) == meant
    assert meant["Quota"]["Value"] == 300.0


def test_request_parameters_are_read_from_the_wire_with_their_types():
    model = operation("drs", "ListStagingAccounts")
    request = AWSRequest(
        "GET", "https://drs.us-east-1.amazonaws.com/ListStagingAccounts?maxResults=7"
    )
    assert wire.request_params(model, request) == {"maxResults": 7}
    model = operation("sts", "AssumeRole")
    form = "Action=AssumeRole&RoleArn=arn%3Aaws&RoleSessionName=s1&DurationSeconds=900"
    request = AWSRequest("POST", "https://sts.us-east-1.amazonaws.com/", data=form)
    assert wire.request_params(model, request) == {
        "RoleArn": "arn:aws",
        "RoleSessionName": "s1",
        "DurationSeconds": 900,
    }


def test_the_caller_is_who_signed_not_who_the_client_believes(aws):
    """Swapping a client's RequestSigner does not change who signs (the old signer's
    handler stays registered): the simulator reads the signature, so it shows."""
    staging, other = aws.assume(STAGING), aws.assume(OTHER)
    sts = aws.client("sts", credentials=staging)
    old = sts._request_signer
    sts._request_signer = RequestSigner(
        old._service_id,
        old._region_name,
        old._signing_name,
        old._signature_version,
        Credentials(
            other["aws_access_key_id"],
            other["aws_secret_access_key"],
            other["aws_session_token"],
        ),
        sts.meta.events,
    )
    assert sts._request_signer._credentials.access_key == other["aws_access_key_id"]
    assert sts.get_caller_identity()["Account"] == STAGING


def test_calls_are_counted_for_the_account_that_signed(aws):
    aws.sim.reset_calls()
    drs = aws.client("drs", credentials=aws.assume(OTHER))
    assert len(drs.describe_source_servers()["items"]) == 7
    assert aws.sim.calls[("DescribeSourceServers", OTHER, "us-east-1")] == 1
