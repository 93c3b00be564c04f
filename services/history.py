"""Capacity over time: a compact record of every collection, per target (issue 12).

One DynamoDB item per recorded collection (partition `targetAccountId`, sort key `at`, the
collection's ISO time): every account × Region read as `ok` (replicating, total, limit,
status) and every Region's combined figures. Downsampled as it is written, by the item's
time to live rather than by a rewrite:

- at most one record per 5 minutes (a record sooner after the last is not written);
- a record that is the first of its UTC hour lives 90 days, the first of its UTC day the
  retention (default 400 days), any other one day;

so the last day holds ≤ 1 point per 5 min, the last 90 days hourly points, older history
daily ones. DynamoDB deletes expired items lazily (within days), so reads skip them too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from boto3.dynamodb.conditions import Key

from services.clock import iso_utc, parse_iso, utc_now

MIN_SPACING = timedelta(minutes=5)
# a schedule of every 5 minutes (EventBridge, cron) fires a few seconds early or late:
# a record that close to the spacing is kept, or every other one would be lost
SPACING_TOLERANCE = timedelta(seconds=30)
HOURLY_DAYS = 90
SHORT_DAYS = 1


def _number(value) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@dataclass(frozen=True)
class UnitPoint:
    """One account × Region at one time."""

    time: str
    account_id: str
    region: str
    replicating: int
    total: int
    limit: int
    status: str

    def to_wire(self) -> dict:
        return {
            "time": self.time,
            "accountId": self.account_id,
            "region": self.region,
            "replicatingServers": self.replicating,
            "totalServers": self.total,
            "maxReplicating": self.limit,
            "status": self.status,
        }


@dataclass(frozen=True)
class RegionPoint:
    """One Region's combined total at one time."""

    time: str
    region: str
    replicating: int
    limit: int | float
    status: str

    def to_wire(self) -> dict:
        return {
            "time": self.time,
            "region": self.region,
            "totalReplicating": self.replicating,
            "maxReplicating": self.limit,
            "status": self.status,
        }


def record_of(snapshot: Mapping) -> dict:
    """The compact record of an all-Regions snapshot (its wire form): units read as ok
    and the combined figures of every Region; never names, IDs of roles or secrets."""
    units = [
        [
            account["accountId"],
            row["region"],
            row["replicatingServers"],
            row["totalServers"],
            row["maxReplicating"],
            row["status"],
        ]
        for account in snapshot.get("accounts") or ()
        for row in account.get("regionalBreakdown") or ()
        if row.get("state") == "ok" and row.get("maxReplicating")
    ]
    combined = [
        [c["region"], c["totalReplicating"], c["maxReplicating"], c["status"]]
        for c in snapshot.get("combinedByRegion") or ()
        if c.get("reportingAccounts")
    ]
    return {"units": units, "combined": combined}


class HistoryStore:
    """Records and reads a target's capacity history in one DynamoDB table."""

    def __init__(
        self,
        table,
        *,
        retention_days: int = 400,
        now: Callable[[], datetime] = utc_now,
    ):
        self._table = table
        self._retention = timedelta(days=retention_days)
        self._now = now
        self._seen: dict[str, str] = {}  # target -> the last collection looked at
        self._backfills: dict[str, Callable[[], Iterable]] = {}  # see backfill_once
        self._backfill_lock = threading.Lock()

    @property
    def dynamodb_table(self):
        """The DynamoDB table (the alerts keep their state in a partition of it)."""
        return self._table

    @staticmethod
    def create_table(dynamodb_resource, name: str):
        """Create the table (on demand, TTL on `expiresAt`) unless it exists."""
        client = dynamodb_resource.meta.client
        try:
            table = dynamodb_resource.create_table(
                TableName=name,
                KeySchema=[
                    {"AttributeName": "targetAccountId", "KeyType": "HASH"},
                    {"AttributeName": "at", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[
                    {"AttributeName": "targetAccountId", "AttributeType": "S"},
                    {"AttributeName": "at", "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
            table.wait_until_exists()
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"},
            )
        except client.exceptions.ResourceInUseException:
            table = dynamodb_resource.Table(name)
        return table

    def record_snapshot(self, snapshot) -> bool:
        """`record` for a CapacitySnapshot, once per collection: the dashboard polls
        the same collection many times, and only a new one costs a read."""
        if snapshot.scope != "all":
            return False
        if self._seen.get(snapshot.target_account_id) == snapshot.collected_at:
            return False
        self._seen[snapshot.target_account_id] = snapshot.collected_at
        return self.record(snapshot.to_dict())

    def latest(self, target_id: str) -> str | None:
        """The time of the target's newest record."""
        self._run_backfills()
        return self._newest(target_id)

    def _newest(self, target_id: str) -> str | None:
        answer = self._table.query(
            KeyConditionExpression=Key("targetAccountId").eq(target_id),
            ScanIndexForward=False,
            Limit=1,
            ProjectionExpression="#at",
            ExpressionAttributeNames={"#at": "at"},
        )
        items = answer.get("Items") or ()
        return items[0]["at"] if items else None

    def record(self, snapshot: Mapping) -> bool:
        """Append the snapshot's record unless one was written in the last 5 minutes
        (less the schedule's tolerance), or it is this very collection; False when
        skipped."""
        if snapshot.get("scope", "all") != "all":
            return False  # a Region's scope is a part: the all-Regions one is recorded
        target_id = snapshot["targetAccountId"]
        at = parse_iso(snapshot["collectedAt"])
        last = self.latest(target_id)
        if last is not None and at - parse_iso(last) < MIN_SPACING - SPACING_TOLERANCE:
            return False
        self._table.put_item(
            Item={
                "targetAccountId": target_id,
                "at": iso_utc(at),
                "expiresAt": int((at + self._lifetime(at, last)).timestamp()),
                "complete": bool(snapshot.get("complete")),
                **record_of(snapshot),
            }
        )
        return True

    def backfill_once(
        self, target_id: str, records: Callable[[], Iterable[tuple[datetime, dict]]]
    ) -> None:
        """Write `records()` before the first read or record, unless the target has
        history by then: the demo's synthetic past costs nothing until it is used."""
        with self._backfill_lock:
            self._backfills[target_id] = records

    def _run_backfills(self) -> None:
        if not self._backfills:
            return
        with self._backfill_lock:  # readers wait: never a half-written past
            pending, self._backfills = self._backfills, {}
            for target_id, records in pending.items():
                if self._newest(target_id) is None:
                    self.write_records(target_id, records())

    def write_records(
        self, target_id: str, records: Iterable[tuple[datetime, dict]]
    ) -> None:
        """Backfill (time, record) pairs, oldest first, into an empty history (the
        demo's), each kept as long as `record` would keep it; no spacing check."""
        last = None
        with self._table.batch_writer() as batch:
            for at, record in records:
                batch.put_item(
                    Item={
                        "targetAccountId": target_id,
                        "at": iso_utc(at),
                        "expiresAt": int((at + self._lifetime(at, last)).timestamp()),
                        "complete": bool(record.get("complete", True)),
                        "units": record["units"],
                        "combined": record["combined"],
                    }
                )
                last = iso_utc(at)

    def _lifetime(self, at: datetime, last: str | None) -> timedelta:
        previous = parse_iso(last) if last else None
        if previous is None or previous.date() != at.date():
            return self._retention
        if (previous.hour, previous.date()) != (at.hour, at.date()):
            return timedelta(days=HOURLY_DAYS)
        return timedelta(days=SHORT_DAYS)

    def _items(self, target_id: str, since: datetime) -> Iterator[dict]:
        self._run_backfills()
        now = int(self._now().timestamp())
        kwargs = {
            "KeyConditionExpression": Key("targetAccountId").eq(target_id)
            & Key("at").gte(iso_utc(since))
        }
        while True:
            page = self._table.query(**kwargs)
            for item in page.get("Items") or ():
                if int(item.get("expiresAt", now + 1)) > now:  # TTL deletes lazily
                    yield item
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def points(
        self, target_id: str, days: float
    ) -> tuple[list[UnitPoint], list[RegionPoint]]:
        """Every unit's and every Region's points of the last `days`, oldest first."""
        since = self._now() - timedelta(days=days)
        units: list[UnitPoint] = []
        regions: list[RegionPoint] = []
        for item in self._items(target_id, since):
            at = item["at"]
            for account, region, replicating, total, limit, status in item["units"]:
                units.append(
                    UnitPoint(
                        at,
                        account,
                        region,
                        _number(replicating),
                        _number(total),
                        _number(limit),
                        status,
                    )  # fmt: skip
                )
            for region, replicating, limit, status in item["combined"]:
                regions.append(
                    RegionPoint(
                        at, region, _number(replicating), _number(limit), status
                    )
                )
        return units, regions
