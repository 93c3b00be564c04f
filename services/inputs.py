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
_ROLE_ARN_PREFIX = re.compile(r"arn:aws(?:-cn|-us-gov)?:iam::")
_IAM_CHARS_TEXT = "letters, digits and + = , . @ _ -"
_EXTERNAL_ID_CHARS_TEXT = "letters, digits and + = , . @ : / _ -"
_ROLE_ARN_SHAPE = "arn:aws:iam::<12-digit account ID>:role/<role name>"

# How each field is labelled in the form; messages are read by people, while the API's
# `field` stays the camelCase name.
LABELS = {
    "accountId": "Account ID",
    "accountName": "Account name",
    "roleArn": "Role ARN",
    "externalId": "External ID",
    "region": "Region",
    "targetAccountId": "Target account ID",
    "stagingAccountId": "Staging account ID",
}


def label(field: str) -> str:
    """The field as a person knows it ("Account ID" for accountId)."""
    return LABELS.get(field, field)


def account_id(value: Any, field: str = "accountId") -> str:
    """An AWS account ID: exactly 12 ASCII digits, given as a string."""
    name = label(field)
    text = _string(value, field, "12 digits")
    if not text:
        raise InputError(f"{name} is required (12 digits).", field=field)
    if not _ACCOUNT_ID.fullmatch(text):
        fault = _odd_character(text, "0123456789") or f"has {_count(len(text))}"
        raise InputError(
            f"{name} must be exactly 12 digits (0-9); {_shown(text)} {fault}.",
            field=field,
        )
    return text


def account_name(value: Any, field: str = "accountName") -> str:
    """A display name: trimmed, 1-64 printable characters."""
    name = label(field)
    text = _string(value, field, "1-64 characters").strip()
    if not text:
        raise InputError(f"{name} is required (1-64 characters).", field=field)
    if len(text) > 64:
        raise InputError(
            f"{name} may be at most 64 characters; it has {len(text)}.", field=field
        )
    if not text.isprintable():
        raise InputError(
            f"{name} may not contain tabs, line breaks or other control characters.",
            field=field,
        )
    return text


def role_arn_account(value: Any, field: str = "roleArn") -> str:
    """The account of an IAM role ARN (checking its shape)."""
    text = _string(value, field, _ROLE_ARN_SHAPE)
    match = _ROLE_ARN.fullmatch(text)
    if not match:
        raise InputError(f"{label(field)} {_arn_fault(text)}.", field=field)
    if len(match["path"]) + 1 > _MAX_ROLE_PATH:
        raise InputError(
            f"{label(field)}: the role path may be at most {_MAX_ROLE_PATH} characters.",
            field=field,
        )
    return match["account"]


def _arn_fault(text: str) -> str:
    """What is wrong with a role ARN, in words (the first fault found)."""
    prefix = _ROLE_ARN_PREFIX.match(text)
    if not prefix:
        return (
            "must start with arn:aws:iam:: (or arn:aws-cn:iam::, arn:aws-us-gov:iam::), "
            f"as in {_ROLE_ARN_SHAPE}"
        )
    account, _, resource = text[prefix.end() :].partition(":")
    if not _ACCOUNT_ID.fullmatch(account):
        return f"must have a 12-digit account ID after iam::, not {_shown(account)}"
    kind, slash, rest = resource.partition("/")
    if kind != "role" or not slash:
        return f"must name a role (…:role/<role name>), not {_shown(resource)}"
    *path, role_name = rest.split("/")
    if not role_name:
        return "must end with a role name after role/"
    if any(not part for part in path):
        return "has an empty part (//) in its role path"
    if len(role_name) > 64:
        return f"has a role name of {len(role_name)} characters; at most 64 are allowed"
    allowed = "".join(chr(c) for c in range(128) if re.fullmatch(_IAM_CHAR, chr(c)))
    odd = _odd_character(rest.replace("/", ""), allowed)
    if odd is None:
        return f"must look like {_ROLE_ARN_SHAPE}"
    return f"may contain only {_IAM_CHARS_TEXT} in its role name and path; it {odd}"


def role_arn(value: Any, account_id: str, field: str = "roleArn") -> str:
    """An IAM role ARN in the account `account_id`."""
    account = role_arn_account(value, field)
    if account != account_id:
        raise InputError(
            f"{label(field)} must be a role in account {account_id} (the Account ID); "
            f"it names account {account}.",
            field=field,
        )
    return value


def external_id(value: Any, field: str = "externalId") -> str | None:
    """The optional AssumeRole external ID: None, or 2-1224 of [A-Za-z0-9+=,.@:/_-]."""
    if value is None or value == "":
        return None
    name = label(field)
    text = _string(value, field, f"2-1224 {_EXTERNAL_ID_CHARS_TEXT}")
    # The value is a shared secret of sorts: never echo it back.
    if len(text) < 2:
        raise InputError(
            f"{name} must be at least 2 characters; it has {len(text)}.", field=field
        )
    if len(text) > 1224:
        raise InputError(
            f"{name} may be at most 1224 characters; it has {len(text)}.", field=field
        )
    if not _EXTERNAL_ID.fullmatch(text):
        allowed = "".join(
            chr(c) for c in range(128) if _EXTERNAL_ID.fullmatch(chr(c) * 2)
        )
        raise InputError(
            f"{name} may contain only {_EXTERNAL_ID_CHARS_TEXT}; it "
            f"{_odd_character(text, allowed)}.",
            field=field,
        )
    return text


def region(value: Any, field: str = "region") -> str:
    """A Region where DRS is offered."""
    text = _string(value, field, "a Region where DRS is offered, such as us-east-1")
    if text not in drs_regions():
        raise InputError(
            f"{label(field)} must be a Region where DRS is offered, such as us-east-1; "
            f"{_shown(text)} is not one.",
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
            f"Account ID {staging_id} is the target account itself; a staging account "
            "must be a different account.",
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
            "External ID is only used with a Role ARN; give a Role ARN or leave the "
            "External ID out.",
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
            f"The request body must be a JSON object; it is {_kind(payload)}."
        )
    return payload


def _required(data: Mapping[str, Any], field: str) -> Any:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(f"{label(field)} is required.", field=field)
    return value


def _string(value: Any, field: str, expected: str) -> str:
    if value is None:
        raise InputError(f"{label(field)} is required ({expected}).", field=field)
    if not isinstance(value, str):
        raise InputError(
            f"{label(field)} must be text ({expected}), not {_kind(value)}.",
            field=field,
        )
    return value


def _kind(value: Any) -> str:
    """A JSON value's kind in words ("a number"), for "must be text, not …"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return "text" if isinstance(value, str) else f"a {type(value).__name__}"


_WHITESPACE_NAMES = {
    " ": "a space",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a line break",
}


def _odd_character(text: str, allowed: str) -> str | None:
    """ "contains a space", "contains '!'": the first character not in `allowed` (one
    character, never the value: an external ID is a secret of sorts)."""
    odd = next((c for c in text if c not in allowed), None)
    if odd is None:
        return None
    if odd in _WHITESPACE_NAMES:
        return f"contains {_WHITESPACE_NAMES[odd]}"
    if odd.isspace() or not odd.isprintable():
        return "contains an invisible character"
    return f"contains {odd!r}"


def _count(n: int) -> str:
    return f"{n} digit{'' if n == 1 else 's'}"


def _shown(text: str, limit: int = 80) -> str:
    """The value as quoted in a message, cut short so a huge input stays readable."""
    return repr(text if len(text) <= limit else text[:limit] + "…")
