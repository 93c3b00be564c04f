"""Mutes of a target's alerts, per unit and with an expiry, as the API and CLI set them
(issue 12, item 6): what a request asks for, checked field by field, and the answers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.alert_store import AlertStore
from services.alerts import MAX_MUTE, Unit, parse_duration
from services.clock import parse_iso
from services.errors import ConflictError, InputError, NotFoundError

MAX_REASON = 200


def _unit(payload: Mapping) -> Unit:
    return Unit.parse(payload.get("unit"), "unit")


def _until(payload: Mapping, now: datetime) -> datetime:
    """`for` (a duration) or `until` (an ISO time), exactly one of them."""
    given = [name for name in ("for", "until") if payload.get(name) not in (None, "")]
    if len(given) != 1:
        raise InputError("give exactly one of for (e.g. 2h) or until", field="for")
    if given == ["for"]:
        return now + parse_duration(payload["for"], "for")
    try:
        until = parse_iso(payload["until"])
    except (TypeError, ValueError, AttributeError):
        raise InputError("until must be an ISO 8601 time", field="until") from None
    if not now < until <= now + MAX_MUTE:
        raise InputError("until must be in the next 90 days", field="until")
    return until


def _reason(payload: Mapping) -> str:
    reason = payload.get("reason")
    if reason is None:
        return ""
    if not isinstance(reason, str) or not reason.isprintable():
        raise InputError("reason must be printable text", field="reason")
    if len(reason) > MAX_REASON:
        raise InputError(
            f"reason must be at most {MAX_REASON} characters", field="reason"
        )
    return reason


def _check_fields(payload: Mapping, allowed: set[str]) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise InputError(f"unknown field {unknown[0]}", field=unknown[0])


def require(store: AlertStore | None) -> AlertStore:
    if store is None:
        raise ConflictError(
            "Alerts keep their mutes in the history table: set "
            "DRS_CAPACITY_HISTORY_TABLE_NAME",
            code="ALERTS_NOT_CONFIGURED",
        )
    return store


def listed(store: AlertStore, target_id: str, now: datetime) -> dict:
    mutes = store.mutes(target_id, now)
    return {"targetAccountId": target_id, "mutes": [m.to_wire() for m in mutes]}


BODY_FIELDS = {"for", "until", "reason"}
PATH_FIELDS = {"targetAccountId", "unit"}


def mute(
    store: AlertStore, target_id: str, payload: Mapping, by: str, now: datetime
) -> dict:
    _check_fields(payload, BODY_FIELDS | PATH_FIELDS | {"addedBy"})
    unit = _unit(payload)
    if unit.forecast:
        raise InputError("mute the unit itself: it covers its forecast", field="unit")
    until = _until(payload, now)
    done = store.set_mute(target_id, unit, until, by, _reason(payload))
    return {
        "message": f"Alerts of {unit.label} muted until {done.until}.",
        "mute": done.to_wire(),
    }


def unmute(store: AlertStore, target_id: str, payload: Mapping, now: datetime) -> dict:
    unit = _unit(payload)
    lifted = store.lift_mute(target_id, unit, now)
    if lifted is None:
        raise NotFoundError(f"{unit.label} is not muted", field="unit")
    return {"message": f"Alerts of {unit.label} unmuted.", "mute": lifted.to_wire()}
