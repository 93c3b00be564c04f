"""The target-account table on DynamoDB (SPEC §2): versioned, conditional writes."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.config import Config
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.exceptions import HTTPClientError

from services.clock import utc_now, utc_now_iso
from services.errors import ConflictError, InputError, NotFoundError, ProductError
from services.models import StagingAccount, TargetAccount

MAX_WRITE_ATTEMPTS = 10
# Refused, timed out, reset, TLS or proxy failures: the endpoint never answered.
_UNREACHABLE = (BotocoreConnectionError, HTTPClientError)


class StoreUnreachable(ProductError):
    """The table's endpoint did not answer (after the client's retries): 503."""

    code = "STORE_UNREACHABLE"
    http_status = 503

    def __init__(self, table_name: str, exc: Exception):
        super().__init__(
            f"The staging-account store (DynamoDB table {table_name}) cannot be "
            f"reached ({type(exc).__name__}); try again shortly."
        )


def dynamodb_config(settings) -> Config:
    """The table client's timeouts and retries: the same as every AWS call's, so an
    endpoint that does not answer fails a request in seconds, not minutes."""
    return Config(
        connect_timeout=settings.aws_connect_timeout,
        read_timeout=settings.aws_read_timeout,
        # total, first attempt included: what the gateway's per-account retries count
        # (botocore's own `max_attempts` would add one)
        retries={"mode": "standard", "total_max_attempts": settings.aws_max_attempts},
    )


class TargetLocks:
    """One lock per (table, target account), created on first use."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, table_name: str, account_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault((table_name, account_id), threading.Lock())


# Shared by every store of this process, so two stores on one table still serialize.
PROCESS_LOCKS = TargetLocks()


class AccountStore:
    """Target accounts and their staging accounts, one DynamoDB item per target."""

    def __init__(
        self,
        table,
        clock: Callable[[], datetime] = utc_now,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        max_attempts: int = MAX_WRITE_ATTEMPTS,
        locks: TargetLocks = PROCESS_LOCKS,
    ) -> None:
        self._table = table
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._max_attempts = max_attempts
        self._locks = locks
        self._conditional_failed = (
            table.meta.client.exceptions.ConditionalCheckFailedException
        )

    @staticmethod
    def create_table(dynamodb_resource, name: str):
        """Create the table (on demand, key accountId) unless it exists; return it."""
        client = dynamodb_resource.meta.client
        try:
            table = dynamodb_resource.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "accountId", "KeyType": "HASH"}],
                AttributeDefinitions=[
                    {"AttributeName": "accountId", "AttributeType": "S"}
                ],
                BillingMode="PAY_PER_REQUEST",
            )
        except client.exceptions.ResourceInUseException:
            table = dynamodb_resource.Table(name)
        table.wait_until_exists()
        return table

    # Reads

    def list_targets(self) -> list[TargetAccount]:
        targets = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            with self._reaching():
                page = self._table.scan(**kwargs)
            targets.extend(_target(item) for item in page.get("Items", ()))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(targets, key=lambda target: target.account_id)

    def get_target(self, account_id: str) -> TargetAccount:
        return _target(self._read(account_id))

    # Writes

    def add_target(self, target: TargetAccount) -> TargetAccount:
        """Create a target account (version 1); ConflictError if it exists."""
        now = utc_now_iso(self._clock)
        item = _target_item(target, created_at=target.created_at or now, updated_at=now)
        with self._lock(target.account_id):
            try:
                with self._reaching():
                    self._table.put_item(
                        Item=item, ConditionExpression="attribute_not_exists(accountId)"
                    )
            except self._conditional_failed:
                raise ConflictError(
                    f"Target account {target.account_id} already exists",
                    field="accountId",
                ) from None
        return _target(item)

    def add_staging(
        self, target_id: str, staging: StagingAccount, max_staging: int
    ) -> TargetAccount:
        """Register `staging` on the target; the checks run on the freshly read item."""
        if staging.account_id == target_id:
            raise InputError(
                f"accountId {target_id} is the target account itself; a staging "
                "account must be a different account",
                field="accountId",
            )

        def change(entries: list[dict]) -> list[dict]:
            if any(entry.get("accountId") == staging.account_id for entry in entries):
                raise ConflictError(
                    f"Staging account {staging.account_id} is already registered on "
                    f"target account {target_id}",
                    field="accountId",
                )
            if len(entries) >= max_staging:
                raise InputError(
                    f"Target account {target_id} already has {len(entries)} staging "
                    f"accounts; at most {max_staging} are allowed",
                    field="accountId",
                )
            return [*entries, _staging_item(staging)]

        return _target(self._update_staging(target_id, change))

    def remove_staging(
        self, target_id: str, staging_id: str
    ) -> tuple[TargetAccount, StagingAccount]:
        """Unregister a staging account; return the new target and the removed entry."""
        removed: list[dict] = []

        def change(entries: list[dict]) -> list[dict]:
            kept = [entry for entry in entries if entry.get("accountId") != staging_id]
            if len(kept) == len(entries):
                raise NotFoundError(
                    f"Staging account {staging_id} is not registered on target account "
                    f"{target_id}",
                    field="stagingAccountId",
                )
            removed[:] = [
                entry for entry in entries if entry.get("accountId") == staging_id
            ]
            return kept

        item = self._update_staging(target_id, change)
        return _target(item), StagingAccount.from_dict(_plain(removed[0]))

    # Internals

    def _lock(self, account_id: str) -> threading.Lock:
        # moto's in-process DynamoDB (demo mode, tests) checks a condition and applies
        # the write as two steps, so two threads can both pass `version = :v` and one
        # update is lost. A per-target lock serializes this process; the version
        # condition still protects against other processes on real DynamoDB.
        return self._locks(self._table.name, account_id)

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        """Say so when the table's endpoint cannot be reached (never "no target")."""
        try:
            yield
        except _UNREACHABLE as exc:
            raise StoreUnreachable(self._table.name, exc) from None

    def _read(self, account_id: str) -> dict:
        with self._reaching():
            item = self._table.get_item(
                Key={"accountId": account_id}, ConsistentRead=True
            )
        if "Item" not in item:
            raise NotFoundError(
                f"Target account {account_id} not found", field="accountId"
            )
        return item["Item"]

    def _update_staging(
        self, target_id: str, change: Callable[[list[dict]], list[dict]]
    ) -> dict:
        """Read, change the raw stagingAccounts list, write if the version is unchanged.

        Raw entries (Decimals and unknown keys of older items included) are written back
        as read, so this system never drops what another one stored.
        """
        with self._lock(target_id):
            for attempt in range(self._max_attempts):
                if attempt:
                    self._sleep(self._backoff(attempt))
                item = self._read(target_id)
                entries = change(list(item.get("stagingAccounts") or ()))
                try:
                    return self._write_staging(item, entries)
                except self._conditional_failed:
                    continue
        raise ConflictError(
            f"Target account {target_id} changed through concurrent updates; try again",
            field="accountId",
        )

    def _write_staging(self, item: Mapping[str, Any], entries: list[dict]) -> dict:
        changes = {
            "stagingAccounts": entries,
            "updatedAt": utc_now_iso(self._clock),
            "version": int(item.get("version", 0)) + 1,
        }
        values: dict[str, Any] = {
            ":staging": changes["stagingAccounts"],
            ":now": changes["updatedAt"],
            ":next": changes["version"],
        }
        if "version" in item:
            condition = "#version = :read"
            values[":read"] = item["version"]
        else:  # an item of the older system: version 0
            condition = "attribute_exists(accountId) AND attribute_not_exists(#version)"
        with self._reaching():
            self._table.update_item(
                Key={"accountId": item["accountId"]},
                UpdateExpression=(
                    "SET #staging = :staging, #updatedAt = :now, #version = :next"
                ),
                ConditionExpression=condition,
                ExpressionAttributeNames={
                    "#staging": "stagingAccounts",
                    "#updatedAt": "updatedAt",
                    "#version": "version",
                },
                ExpressionAttributeValues=values,
            )
        # The write was conditional on the version read, so the new item is known
        # without asking for it back (moto spends ~0.5 ms per staging entry on that).
        return {**item, **changes}

    def _backoff(self, attempt: int) -> float:
        return min(0.005 * 2**attempt, 0.25) * self._rng.uniform(0.5, 1.5)


def _target(item: Mapping[str, Any]) -> TargetAccount:
    return TargetAccount.from_dict(_plain(item))


def _target_item(target: TargetAccount, *, created_at: str, updated_at: str) -> dict:
    item = _without_none(target.to_dict())
    item["stagingAccounts"] = [_staging_item(s) for s in target.staging_accounts]
    item.update(createdAt=created_at, updatedAt=updated_at, version=1)
    return item


def _staging_item(staging: StagingAccount) -> dict:
    return _without_none(staging.to_dict())


def _without_none(wire: Mapping[str, Any]) -> dict:
    return {key: value for key, value in wire.items() if value is not None}


def _plain(value: Any) -> Any:
    """DynamoDB's Decimals as int (whole) or float, inside maps and lists too."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {key: _plain(val) for key, val in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(val) for val in value]
    return value
