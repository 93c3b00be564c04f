"""Input rules for target and staging accounts (SPEC §2); failures name their field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services.errors import InputError
from services.models import StagingAccount, TargetAccount
from services.settings import drs_regions

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_IAM_CHAR = r"[A-Za-z0-9_+=,.@-]"
_ROLE_ARN = re.compile(
    rf"arn:aws(?:-cn|-us-gov)?:iam::(?P<account>[0-9]{{12}}):role/"
    rf"(?P<path>(?:{_IAM_CHAR}+/)*)(?P<name>{_IAM_CHAR}{{1,64}})"
)
_MAX_ROLE_PATH = 512  # IAM limit on a role path, leading and trailing "/" included
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9+=,.@:/_-]{2,1224}")
_ROLE_ARN_SHAPE = (
    "arn:aws:iam::<12-digit account>:role/<optional/path/><name> (partition aws, "
    "aws-cn or aws-us-gov; role name 1-64 of letters, digits and +=,.@_-)"
)


def account_id(value: Any, field: str = "accountId") -> str:
    """An AWS account ID: exactly 12 ASCII digits, given as a string."""
    text = _string(value, field, "exactly 12 digits")
    if not _ACCOUNT_ID.fullmatch(text):
        raise InputError(
            f"{field} must be exactly 12 digits (0-9); got {_shown(text)}", field=field
        )
    return text


def account_name(value: Any, field: str = "accountName") -> str:
    """A display name: trimmed, 1-64 printable characters."""
    text = _string(value, field, "1-64 printable characters").strip()
    if not 1 <= len(text) <= 64:
        raise InputError(
            f"{field} must be 1-64 printable characters; got {len(text)}", field=field
        )
    if not text.isprintable():
        raise InputError(
            f"{field} must contain only printable characters (no tabs, newlines or "
            "control characters)",
            field=field,
        )
    return text


def role_arn_account(value: Any, field: str = "roleArn") -> str:
    """The account of an IAM role ARN (checking its shape)."""
    text = _string(value, field, _ROLE_ARN_SHAPE)
    match = _ROLE_ARN.fullmatch(text)
    if not match:
        raise InputError(
            f"{field} must look like {_ROLE_ARN_SHAPE}; got {_shown(text)}", field=field
        )
    if len(match["path"]) + 1 > _MAX_ROLE_PATH:
        raise InputError(
            f"{field}: the role path must be at most {_MAX_ROLE_PATH} characters",
            field=field,
        )
    return match["account"]


def role_arn(value: Any, account_id: str, field: str = "roleArn") -> str:
    """An IAM role ARN in the account `account_id`."""
    account = role_arn_account(value, field)
    if account != account_id:
        raise InputError(
            f"{field} must be a role in account {account_id} (the accountId); "
            f"it names account {account}",
            field=field,
        )
    return value


def external_id(value: Any, field: str = "externalId") -> str | None:
    """The optional AssumeRole external ID: None, or 2-1224 of [A-Za-z0-9+=,.@:/_-]."""
    if value is None or value == "":
        return None
    text = _string(value, field, "2-1224 characters of letters, digits and +=,.@:/_-")
    if not _EXTERNAL_ID.fullmatch(text):
        # The value is a shared secret of sorts: never echo it back.
        raise InputError(
            f"{field} must be 2-1224 characters of letters, digits and +=,.@:/_- "
            f"(got {len(text)} characters)",
            field=field,
        )
    return text


def region(value: Any, field: str = "region") -> str:
    """A Region where DRS is offered."""
    text = _string(value, field, "a Region where DRS is offered, such as us-east-1")
    if text not in drs_regions():
        raise InputError(
            f"{field} must be a Region where DRS is offered, such as us-east-1; "
            f"got {_shown(text)}",
            field=field,
        )
    return text


def staging_account_input(
    payload: Any, target_id: str, added_by: str, now: str
) -> StagingAccount:
    """A validated staging account from a camelCase request payload."""
    data = _mapping(payload)
    target = account_id(target_id, field="targetAccountId")
    staging_id = account_id(_required(data, "accountId"))
    if staging_id == target:
        raise InputError(
            f"accountId {staging_id} is the target account itself; a staging account "
            "must be a different account",
            field="accountId",
        )
    return StagingAccount(
        account_id=staging_id,
        account_name=account_name(_required(data, "accountName")),
        role_arn=role_arn(_required(data, "roleArn"), staging_id),
        external_id=external_id(data.get("externalId")),
        region=region(_required(data, "region")),
        added_at=now,
        added_by=added_by,
    )


def target_account_input(payload: Any, now: str) -> TargetAccount:
    """A validated new target account from a camelCase request payload."""
    data = _mapping(payload)
    target_id = account_id(_required(data, "accountId"))
    name = account_name(_required(data, "accountName"))
    arn = data.get("roleArn")
    arn = None if arn is None or arn == "" else role_arn(arn, target_id)
    ext = external_id(data.get("externalId"))
    if ext is not None and arn is None:
        raise InputError(
            "externalId is only used with a roleArn; give a roleArn or leave it out",
            field="externalId",
        )
    return TargetAccount(
        account_id=target_id,
        account_name=name,
        role_arn=arn,
        external_id=ext,
        created_at=now,
        updated_at=now,
    )


def _mapping(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise InputError(
            f"The request body must be a JSON object; got {type(payload).__name__}"
        )
    return payload


def _required(data: Mapping[str, Any], field: str) -> Any:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(f"{field} is required", field=field)
    return value


def _string(value: Any, field: str, expected: str) -> str:
    if not isinstance(value, str):
        raise InputError(
            f"{field} must be a string ({expected}); got {type(value).__name__}",
            field=field,
        )
    return value


def _shown(text: str, limit: int = 80) -> str:
    """The value as quoted in a message, cut short so a huge input stays readable."""
    return repr(text if len(text) <= limit else text[:limit] + "…")
