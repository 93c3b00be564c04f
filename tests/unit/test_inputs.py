"""Input rules of SPEC §2: bad input names its field as labelled in the form and says
what is wrong, in words a person reads (never a Python type, never camelCase)."""

from __future__ import annotations

import pytest

from services import inputs
from services.errors import InputError
from services.models import StagingAccount, TargetAccount

TARGET = "111111111111"
STAGING = "222222222222"
NOW = "2026-11-26T08:30:00Z"


def staging_payload(**changes):
    payload = {
        "accountId": STAGING,
        "accountName": "staging-01",
        "roleArn": f"arn:aws:iam::{STAGING}:role/DRSCapacityRead",
        "externalId": "ext-222",
        "region": "us-east-1",
    }
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not ...}


def target_payload(**changes):
    payload = {"accountId": TARGET, "accountName": "dr-target"}
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not ...}


def add_staging(payload):
    return inputs.staging_account_input(payload, TARGET, "alice", NOW)


def add_target(payload):
    return inputs.target_account_input(payload, NOW)


def arn(resource: str, account: str = STAGING, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:{resource}"


def staging_arn(value):
    return inputs.role_arn(value, STAGING)


def staging_with(**changes):
    return add_staging(staging_payload(**changes))


def target_with(**changes):
    return add_target(target_payload(**changes))


# (case, call, field, words the message must contain)
BAD_INPUTS = [
    (
        "id as int",
        lambda: inputs.account_id(123456789012),
        "accountId",
        ["text", "number"],
    ),
    ("id too short", lambda: inputs.account_id("12345678901"), "accountId", ["has 11"]),
    (
        "id too long",
        lambda: inputs.account_id("1234567890123"),
        "accountId",
        ["has 13"],
    ),
    (
        "id letters",
        lambda: inputs.account_id("12345678901a"),
        "accountId",
        ["contains 'a'"],
    ),
    (
        "id newline",
        lambda: inputs.account_id("123456789012\n"),
        "accountId",
        ["line break"],
    ),
    ("id spaces", lambda: inputs.account_id(" 123456789012"), "accountId", ["a space"]),
    ("id non-ASCII", lambda: inputs.account_id("١٢٣٤٥٦٧٨٩٠١٢"), "accountId", ["0-9"]),
    ("id None", lambda: inputs.account_id(None), "accountId", ["required"]),
    ("id empty", lambda: inputs.account_id(""), "accountId", ["required"]),
    ("name empty", lambda: inputs.account_name("   "), "accountName", ["required"]),
    (
        "name too long",
        lambda: inputs.account_name("x" * 65),
        "accountName",
        ["64", "65"],
    ),
    ("name tab", lambda: inputs.account_name("a\tb"), "accountName", ["tabs"]),
    ("name int", lambda: inputs.account_name(7), "accountName", ["text"]),
    (
        "arn other account",
        lambda: staging_arn(arn("role/R", "333333333333")),
        "roleArn",
        [STAGING, "333333333333", "Account ID"],
    ),
    ("arn user", lambda: staging_arn(arn("user/R")), "roleArn", ["name a role"]),
    (
        "arn partition",
        lambda: staging_arn(arn("role/R", partition="aws-x")),
        "roleArn",
        ["aws-cn"],
    ),
    ("arn no name", lambda: staging_arn(arn("role/")), "roleArn", ["role name"]),
    (
        "arn no account",
        lambda: staging_arn("arn:aws:iam::22:role/R"),
        "roleArn",
        ["12-digit"],
    ),
    (
        "arn name too long",
        lambda: staging_arn(arn("role/" + "r" * 65)),
        "roleArn",
        ["65", "at most 64"],
    ),
    ("arn bad character", lambda: staging_arn(arn("role/a b")), "roleArn", ["a space"]),
    (
        "arn empty path segment",
        lambda: staging_arn(arn("role//R")),
        "roleArn",
        ["path"],
    ),
    (
        "arn path too long",
        lambda: staging_arn(arn("role/" + "p/" * 256 + "R")),
        "roleArn",
        ["512"],
    ),
    ("arn list", lambda: staging_arn(["arn"]), "roleArn", ["text", "list"]),
    (
        "external id 1 char",
        lambda: inputs.external_id("x"),
        "externalId",
        ["at least 2"],
    ),
    (
        "external id long",
        lambda: inputs.external_id("x" * 1225),
        "externalId",
        ["at most 1224"],
    ),
    (
        "external id space",
        lambda: inputs.external_id("ab cd"),
        "externalId",
        ["only letters, digits and + = , . @ : / _ -", "contains a space"],
    ),
    ("external id int", lambda: inputs.external_id(42), "externalId", ["text"]),
    ("region unknown", lambda: inputs.region("mars-1"), "region", ["DRS", "mars-1"]),
    ("region upper", lambda: inputs.region("US-EAST-1"), "region", ["DRS"]),
    ("region int", lambda: inputs.region(1), "region", ["text"]),
    ("region None", lambda: inputs.region(None), "region", ["required"]),
    ("payload list", lambda: add_staging([]), None, ["JSON object"]),
    ("payload None", lambda: add_target(None), None, ["JSON object"]),
    (
        "staging no accountId",
        lambda: staging_with(accountId=...),
        "accountId",
        ["required"],
    ),
    (
        "staging accountId int",
        lambda: staging_with(accountId=2),
        "accountId",
        ["text"],
    ),
    (
        "staging no accountName",
        lambda: staging_with(accountName=...),
        "accountName",
        ["required"],
    ),
    ("staging no roleArn", lambda: staging_with(roleArn=None), "roleArn", ["required"]),
    ("staging no region", lambda: staging_with(region=...), "region", ["required"]),
    (
        "staging is its own target",
        lambda: staging_with(accountId=TARGET, roleArn=arn("role/R", TARGET)),
        "accountId",
        ["target account itself"],
    ),
    (
        "staging role in the target account",
        lambda: staging_with(roleArn=arn("role/R", TARGET)),
        "roleArn",
        [STAGING, TARGET],
    ),
    (
        "staging bad external id",
        lambda: staging_with(externalId="!"),
        "externalId",
        ["at least 2"],
    ),
    (
        "staging bad target id",
        lambda: inputs.staging_account_input(staging_payload(), "1", "alice", NOW),
        "targetAccountId",
        ["Target account ID", "has 1 digit"],
    ),
    (
        "target no accountName",
        lambda: target_with(accountName=...),
        "accountName",
        ["required"],
    ),
    ("target accountId int", lambda: target_with(accountId=1), "accountId", ["text"]),
    (
        "target role in another account",
        lambda: target_with(roleArn=arn("role/R", STAGING)),
        "roleArn",
        [TARGET],
    ),
    (
        "target external id without role",
        lambda: target_with(externalId="ext-111"),
        "externalId",
        ["Role ARN"],
    ),
]


@pytest.mark.parametrize(
    ("call", "field", "words"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_names_its_field_and_what_is_expected(call, field, words):
    with pytest.raises(InputError) as caught:
        call()
    error = caught.value
    assert error.field == field
    assert error.http_status == 400
    if field is not None:
        assert error.message.startswith(inputs.label(field))
    assert field is None or field == inputs.label(field) or field not in error.message
    for word in ("NoneType", "str", "int", "got"):
        assert word not in error.message.split()
    for word in words:
        assert word in error.message


def test_external_id_is_never_echoed():
    secret = "top secret!"
    with pytest.raises(InputError) as caught:
        inputs.external_id(secret)
    assert secret not in caught.value.message


def test_long_values_are_cut_short_in_messages():
    with pytest.raises(InputError) as caught:
        inputs.region("x" * 10_000)
    assert len(caught.value.message) < 200


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:iam::{STAGING}:role/DRSCapacityRead",
        f"arn:aws-cn:iam::{STAGING}:role/DRSCapacityRead",
        f"arn:aws-us-gov:iam::{STAGING}:role/DRSCapacityRead",
        f"arn:aws:iam::{STAGING}:role/service-role/DRS+Read=1,x.y@z_w-v",
        f"arn:aws:iam::{STAGING}:role/a/b/c/{'r' * 64}",
    ],
)
def test_role_arns_of_every_partition_and_with_paths_are_accepted(arn):
    assert inputs.role_arn(arn, STAGING) == arn


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("ab", "ab"), ("A-z0+=,.@:/_9", "A-z0+=,.@:/_9")],
)
def test_external_id_is_optional(value, expected):
    assert inputs.external_id(value) == expected


def test_external_id_of_1224_characters_is_accepted():
    assert inputs.external_id("e" * 1224) == "e" * 1224


def test_account_name_is_trimmed_and_may_be_unicode():
    assert inputs.account_name("  Équipe DR – 東京  ") == "Équipe DR – 東京"
    assert inputs.account_name("x" * 64) == "x" * 64


def test_every_drs_region_is_accepted():
    assert inputs.region("eu-west-1") == "eu-west-1"


def test_staging_payload_becomes_a_staging_account():
    staging = add_staging(staging_payload(accountName="  staging-01 ", extra="ignored"))
    assert staging == StagingAccount(
        account_id=STAGING,
        account_name="staging-01",
        role_arn=f"arn:aws:iam::{STAGING}:role/DRSCapacityRead",
        external_id="ext-222",
        region="us-east-1",
        added_at=NOW,
        added_by="alice",
    )


def test_staging_external_id_may_be_left_out():
    assert add_staging(staging_payload(externalId=...)).external_id is None
    assert add_staging(staging_payload(externalId="")).external_id is None


def test_target_payload_becomes_a_target_account():
    target = add_target(
        target_payload(
            roleArn=f"arn:aws-us-gov:iam::{TARGET}:role/dr/Reader",
            externalId="ext-111",
        )
    )
    assert target == TargetAccount(
        account_id=TARGET,
        account_name="dr-target",
        role_arn=f"arn:aws-us-gov:iam::{TARGET}:role/dr/Reader",
        external_id="ext-111",
        created_at=NOW,
        updated_at=NOW,
    )


def test_target_without_role_uses_own_credentials():
    target = add_target(target_payload(roleArn="", externalId=None))
    assert (target.role_arn, target.external_id, target.staging_accounts) == (
        None,
        None,
        (),
    )
