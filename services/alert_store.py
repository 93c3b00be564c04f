"""Alert state and mutes of a target, kept in the history table (issue 12, item 6).

A partition of its own beside the history's, `alerts#<target>`, so the history's
queries never meet it: one item per unit (`state#<unit>`) and per mute (`mute#<unit>`).
Every change is a PutItem conditional on the version read, so when several workers or
hosts observe the same change only one of them wins the write, and only the winner
notifies. Nothing is ever deleted: a mute is lifted by rewriting it as expired, and
expired mutes go by the table's time to live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from services.alerts import AlertState, Unit
from services.clock import iso_utc, parse_iso
from services.models import Status

MUTE_KEPT = timedelta(days=7)  # an expired mute stays readable this long, then TTL


@dataclass(frozen=True)
class Mute:
    unit: Unit
    until: str
    muted_by: str
    reason: str
    version: int = 0

    def active(self, now: datetime) -> bool:
        return parse_iso(self.until) > now

    def to_wire(self) -> dict:
        return {
            "unit": self.unit.key,
            "accountId": self.unit.account_id,
            "region": self.unit.region,
            "until": self.until,
            "mutedBy": self.muted_by,
            "reason": self.reason,
        }


def _partition(target_id: str) -> str:
    return f"alerts#{target_id}"


class AlertStore:
    """Reads and conditionally writes one target's alert states and mutes."""

    def __init__(self, table):
        self._table = table

    def read(self, target_id: str) -> tuple[dict[Unit, AlertState], dict[str, Mute]]:
        """Every unit's state, and every mute by the unit key it covers: one query."""
        states: dict[Unit, AlertState] = {}
        mutes: dict[str, Mute] = {}
        kwargs = {
            "KeyConditionExpression": Key("targetAccountId").eq(_partition(target_id)),
            "ConsistentRead": True,
        }
        while True:
            page = self._table.query(**kwargs)
            for item in page.get("Items") or ():
                kind, _, key = item["at"].partition("#")
                if kind == "state":
                    states[Unit.parse(key)] = _state(item)
                elif kind == "mute":
                    mute = _mute(item)
                    mutes[mute.unit.key] = mute
            if "LastEvaluatedKey" not in page:
                return states, mutes
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def claim(self, target_id: str, unit: Unit, state: AlertState) -> bool:
        """Write `state` if nobody changed the unit since its version was read (a new
        unit: if nobody wrote it yet); False when another writer won."""
        item = {
            "targetAccountId": _partition(target_id),
            "at": f"state#{unit.key}",
            "status": state.status.value,
            "since": state.since,
            "observedAt": state.observed_at,
            "notifiedAt": state.notified_at,
            "version": state.version,
        }
        return self._put(item, state.version)

    def mute(self, target_id: str, mute: Mute) -> bool:
        until = parse_iso(mute.until)
        item = {
            "targetAccountId": _partition(target_id),
            "at": f"mute#{mute.unit.key}",
            "until": mute.until,
            "mutedBy": mute.muted_by,
            "reason": mute.reason,
            "version": mute.version,
            "expiresAt": int((until + MUTE_KEPT).timestamp()),
        }
        return self._put(item, mute.version)

    def _put(self, item: dict, version: int) -> bool:
        if version == 0:
            condition = "attribute_not_exists(#at)"
            values = {}
        else:
            condition = "#version = :previous"
            values = {":previous": version - 1}
        names = {"#at": "at"} if version == 0 else {"#version": "version"}
        try:
            self._table.put_item(
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mutes(self, target_id: str, now: datetime) -> list[Mute]:
        """The target's mutes still in force, by unit."""
        _, mutes = self.read(target_id)
        return sorted((m for m in mutes.values() if m.active(now)), key=_by_unit)

    def set_mute(
        self, target_id: str, unit: Unit, until: datetime, by: str, reason: str
    ) -> Mute:
        """Mute `unit` until `until` (replacing a mute it has); retried on a race."""
        for _ in range(5):
            _, mutes = self.read(target_id)
            previous = mutes.get(unit.key)
            version = previous.version + 1 if previous else 0
            mute = Mute(unit, iso_utc(until), by, reason, version)
            if self.mute(target_id, mute):
                return mute
        raise RuntimeError("the mute kept changing under this write")

    def lift_mute(self, target_id: str, unit: Unit, now: datetime) -> Mute | None:
        """End `unit`'s mute now; None when it had none in force."""
        for _ in range(5):
            _, mutes = self.read(target_id)
            previous = mutes.get(unit.key)
            if previous is None or not previous.active(now):
                return None
            lifted = Mute(unit, iso_utc(now), previous.muted_by, previous.reason,
                          previous.version + 1)  # fmt: skip
            if self.mute(target_id, lifted):
                return previous
        raise RuntimeError("the mute kept changing under this write")


def _by_unit(mute: Mute) -> tuple:
    return (mute.unit.account_id or "", mute.unit.region)


def _state(item: dict) -> AlertState:
    return AlertState(
        Status(item["status"]),
        item["since"],
        item["observedAt"],
        item.get("notifiedAt"),
        int(item["version"]),
    )


def _mute(item: dict) -> Mute:
    unit = Unit.parse(item["at"].partition("#")[2])
    return Mute(
        unit, item["until"], item.get("mutedBy", ""), item.get("reason", ""),
        int(item["version"]),
    )  # fmt: skip
