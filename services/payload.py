"""Reading an operation's payload: required ids, flags, days of history and who asks;
a bad value is an InputError naming its field (the shapes of accounts are in inputs.py)."""

from __future__ import annotations

from collections.abc import Mapping

from services import inputs
from services.errors import InputError
from services.identity import current_identity

MAX_HISTORY_DAYS = 400


def required(payload: Mapping, name: str):
    value = payload.get(name)
    if value is None or value == "":
        raise InputError(f"{name} is required", field=name)
    return value


def target_id(payload: Mapping) -> str:
    return inputs.account_id(required(payload, "targetAccountId"), "targetAccountId")


def staging_id(payload: Mapping) -> str:
    return inputs.account_id(required(payload, "stagingAccountId"), "stagingAccountId")


def flag(value, name: str) -> bool:
    if isinstance(value, str):
        value = value.strip().lower()
    if value in (None, False, "", "false", "0", "no"):
        return False
    if value in (True, "true", "1", "yes"):
        return True
    raise InputError(f"{name} must be true or false.", field=name)


def days(value) -> float:
    """`days` of history: 1 to 400 (default 7)."""
    if value is None or value == "":
        return 7
    try:
        found = float(value)
    except (TypeError, ValueError):
        raise InputError("days must be a number of days", field="days") from None
    if not 0 < found <= MAX_HISTORY_DAYS:
        raise InputError(
            f"days must be more than 0 and at most {MAX_HISTORY_DAYS}", field="days"
        )
    return int(found) if found.is_integer() else found


def added_by(payload: Mapping) -> str:
    """The signed-in user; only without sign-in (CLI, Lambda, AUTH=none) the caller's word,
    and then printable text only (no escape sequences, bidi overrides or objects)."""
    identity = current_identity()
    if identity is not None:
        return identity.name
    given = payload.get("addedBy")
    if given is None or given == "":
        return "api"
    if not isinstance(given, str) or not given.isprintable() or len(given) > 128:
        raise InputError(
            "addedBy must be printable text of at most 128 characters", field="addedBy"
        )
    return given
