"""Every kind of simulated answer passes botocore's own checks of the output shapes.

botocore's ParamValidator checks types, required members and minimums; `strict_problems`
adds what it leaves out (enums, patterns, maximum lengths, unknown members), so a record
that real DRS could never send fails here.
"""

from __future__ import annotations

import datetime as dt
import re

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from services.settings import REPLICATION_STATES
from services.simulator.testing import Harness

TARGET, STAGING, OTHER = "111111111111", "222222222222", "333333333333"
ALL_STATES = {state: 3 for state in REPLICATION_STATES}
SCENARIO = {
    "target": {"accountId": TARGET, "accountName": "target"},
    "staging": [
        {
            "accountId": STAGING,
            "accountName": "s2",
            "externalId": "ext-222",
            "roleArn": f"arn:aws:iam::{STAGING}:role/DRSCapacityRead",
        },
    ],
    "fleet": {
        TARGET: {
            "us-east-1": {**ALL_STATES, "extended": {STAGING: 4, OTHER: 3}},
            "eu-west-1": {"CONTINUOUS": 2},
            "af-south-1": "not-enabled",
            "us-west-1": {"error": "ValidationException"},
            "sa-east-1": {"error": "InternalServerException"},
            "ap-south-1": {"error": "AccessDeniedException"},
            "ca-central-1": {"error": "ThrottlingException"},
            "eu-north-1": {"error": "ResourceNotFoundException"},
        },
        STAGING: {"us-east-1": {"CONTINUOUS": 12, "STOPPED": 2}},
        OTHER: {"us-east-1": {"CONTINUOUS": 5}},
    },
    "quotas": {
        TARGET: {"us-east-1": {"L-C1D14A2B": 500, "L-E28BE5E0": 6000}},
        STAGING: "denied",
        OTHER: "throttled",
    },
}
_MODELS = botocore.session.get_session()


def output_shape(service: str, operation: str):
    return _MODELS.get_service_model(service).operation_model(operation).output_shape


def assert_matches(shape, response: dict) -> None:
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    assert strict_problems(shape, body, "$") == []


def strict_problems(shape, value, path: str) -> list[str]:
    """What ParamValidator does not check: enums, patterns, maxima, unknown members."""
    kind = shape.type_name
    if kind == "structure":
        problems = [
            f"{path}.{k}: not in {shape.name}" for k in value if k not in shape.members
        ]
        for name, member in shape.members.items():
            if name in value:
                problems += strict_problems(member, value[name], f"{path}.{name}")
        return problems
    if kind == "list":
        problems = _length_problems(shape, len(value), path)
        for i, item in enumerate(value):
            problems += strict_problems(shape.member, item, f"{path}[{i}]")
        return problems
    if kind == "map":
        return [
            p
            for k, v in value.items()
            for p in strict_problems(shape.value, v, f"{path}.{k}")
        ]
    if kind == "string":
        problems = _length_problems(shape, len(value), path)
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in {shape.enum}")
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            problems.append(f"{path}: {value!r} does not match {pattern}")
        return problems
    if kind == "timestamp" and not (isinstance(value, dt.datetime) and value.tzinfo):
        return [f"{path}: {value!r} is not a timezone-aware datetime"]
    return []


def _length_problems(shape, length: int, path: str) -> list[str]:
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max")
    if length < low or (high is not None and length > high):
        return [f"{path}: length {length} outside {low}..{high}"]
    return []


@pytest.fixture(scope="module")
def aws():
    return Harness(SCENARIO)


@pytest.mark.parametrize("page_size", [1, 5, 1000])
def test_every_describe_source_servers_page_matches_the_output_shape(aws, page_size):
    shape = output_shape("drs", "DescribeSourceServers")
    pages = list(
        aws.drs()
        .get_paginator("describe_source_servers")
        .paginate(PaginationConfig={"PageSize": page_size})
    )
    assert len(pages) == -(-37 // page_size)
    states = set()
    for page in pages:
        assert_matches(shape, page)
        states |= {
            (
                i["dataReplicationInfo"]["dataReplicationState"],
                i["stagingArea"]["status"],
            )
            for i in page["items"]
        }
    assert states == {(s, "NOT_EXTENDED") for s in REPLICATION_STATES} | {
        ("CONTINUOUS", "EXTENDED")
    }


def test_filtered_and_empty_pages_match_the_output_shape(aws):
    shape = output_shape("drs", "DescribeSourceServers")
    drs = aws.drs()
    assert_matches(
        shape,
        drs.describe_source_servers(
            filters={"stagingAccountIDs": [OTHER]}, maxResults=2
        ),
    )
    assert_matches(
        shape,
        drs.describe_source_servers(
            filters={"sourceServerIDs": ["s-0000000000000000a"]}
        ),
    )
    aws.sim.set_region(OTHER, "eu-west-1", {})
    other = aws.drs("eu-west-1", OTHER)
    assert_matches(shape, other.describe_source_servers())


def test_list_staging_accounts_matches_the_output_shape(aws):
    shape = output_shape("drs", "ListStagingAccounts")
    for page_size in (1, 50):
        for page in (
            aws.drs()
            .get_paginator("list_staging_accounts")
            .paginate(PaginationConfig={"PageSize": page_size})
        ):
            assert_matches(shape, page)


def test_list_extensible_source_servers_matches_the_output_shape(aws):
    shape = output_shape("drs", "ListExtensibleSourceServers")
    pages = list(
        aws.drs()
        .get_paginator("list_extensible_source_servers")
        .paginate(stagingAccountID=STAGING, PaginationConfig={"PageSize": 3})
    )
    assert sum(len(p["items"]) for p in pages) == 14 - 4
    for page in pages:
        assert_matches(shape, page)


def test_initialize_service_matches_the_output_shape(aws):
    answer = aws.drs("ap-northeast-1").initialize_service()
    assert_matches(output_shape("drs", "InitializeService"), answer)


def test_sts_answers_match_their_output_shapes(aws):
    sts = aws.client("sts")
    assert_matches(output_shape("sts", "GetCallerIdentity"), sts.get_caller_identity())
    assumed = sts.assume_role(
        RoleArn=f"arn:aws:iam::{STAGING}:role/DRSCapacityRead",
        RoleSessionName="shape-check",
        ExternalId="ext-222",
    )
    assert_matches(output_shape("sts", "AssumeRole"), assumed)
    creds = aws.assume(OTHER)
    identity = aws.client("sts", credentials=creds).get_caller_identity()
    assert_matches(output_shape("sts", "GetCallerIdentity"), identity)


@pytest.mark.parametrize(
    "region,code",
    [
        ("ap-southeast-1", "UninitializedAccountException"),
        ("us-west-1", "ValidationException"),
        ("sa-east-1", "InternalServerException"),
        ("ap-south-1", "AccessDeniedException"),
        ("ca-central-1", "ThrottlingException"),
        ("eu-north-1", "ResourceNotFoundException"),
        ("af-south-1", "UnrecognizedClientException"),  # not modeled by DRS
    ],
)
def test_error_answers_match_the_modeled_error_shapes(aws, region, code):
    drs = aws.drs(region)
    with pytest.raises(ClientError) as excinfo:
        drs.describe_source_servers()
    response = excinfo.value.response
    assert response["Error"]["Code"] == code and response["Error"]["Message"]
    error_shape = drs.meta.service_model.shape_for_error_code(code)
    modeled = {k: v for k, v in response.items() if k != "Error"}
    if error_shape is None:
        assert set(modeled) == {"ResponseMetadata"}
    else:
        assert type(excinfo.value) is getattr(drs.exceptions, code)
        assert_matches(error_shape, modeled)
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    assert status == (
        error_shape.metadata["error"]["httpStatusCode"]
        if error_shape is not None
        else 403
    )


def test_the_checks_catch_a_record_real_drs_could_never_send(aws):
    shape = output_shape("drs", "DescribeSourceServers")
    page = aws.drs().describe_source_servers(maxResults=1)
    record = page["items"][0]
    record["sourceServerID"] = "s-123"
    record["dataReplicationInfo"]["dataReplicationState"] = "SLEEPING"
    record["stagingArea"]["stagingAccountID"] = "12"
    record["color"] = "blue"
    problems = strict_problems(shape, {"items": [record]}, "$")
    assert {p.split(":")[0] for p in problems} == {
        "$.items[0].sourceServerID",
        "$.items[0].color",
        "$.items[0].dataReplicationInfo.dataReplicationState",
        "$.items[0].stagingArea.stagingAccountID",
    }
    record["tags"] = None
    assert ParamValidator().validate({"items": [record]}, shape).has_errors()


@pytest.mark.parametrize("code", ["L-C1D14A2B", "L-E28BE5E0"])
def test_service_quotas_answers_match_their_output_shapes(aws, code):
    quotas = aws.client("service-quotas")
    for operation, call in (
        ("GetServiceQuota", quotas.get_service_quota),
        ("GetAWSDefaultServiceQuota", quotas.get_aws_default_service_quota),
    ):
        answer = call(ServiceCode="drs", QuotaCode=code)
        assert_matches(output_shape("service-quotas", operation), answer)
        assert answer["Quota"]["QuotaCode"] == code


@pytest.mark.parametrize(
    "account_id,region,code",
    [
        (TARGET, "eu-west-1", "NoSuchResourceException"),
        (STAGING, "us-east-1", "AccessDeniedException"),
        (OTHER, "us-east-1", "TooManyRequestsException"),
    ],
)
def test_service_quotas_errors_match_the_modeled_error_shapes(
    aws, account_id, region, code
):
    credentials = aws.assume(account_id, "ext-222") if account_id != TARGET else None
    quotas = aws.client("service-quotas", region, credentials)
    with pytest.raises(ClientError) as excinfo:
        quotas.get_service_quota(ServiceCode="drs", QuotaCode="L-C1D14A2B")
    assert type(excinfo.value) is getattr(quotas.exceptions, code)
    response = excinfo.value.response
    assert response["Error"]["Code"] == code and response["Error"]["Message"]
    error_shape = quotas.meta.service_model.shape_for_error_code(code)
    modeled = {k: v for k, v in response.items() if k != "Error"}
    assert modeled["Message"] == response["Error"]["Message"]
    assert_matches(error_shape, modeled)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400  # as Service Quotas
