"""Domain dataclasses and their camelCase wire form (SPEC §2, §3, §7)."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cache
from typing import Any

from services.settings import REPLICATION_STATES


class Status(enum.StrEnum):
    OK = "OK"
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"
    HYPER_CRITICAL = "HYPER-CRITICAL"
    UNKNOWN = "UNKNOWN"

    @property
    def severity(self) -> int:
        """Higher is worse (SPEC §4.2): UNKNOWN ranks lowest, so a roll-up shows it only
        when nothing under it is known, and it never hides a known worse level."""
        return _SEVERITY[self]


def worst(statuses) -> Status:
    """The worst of `statuses` by SPEC §4.2's rank; UNKNOWN when there are none."""
    return max(statuses, key=lambda s: s.severity, default=Status.UNKNOWN)


_SEVERITY = {
    Status.UNKNOWN: -1,
    Status.OK: 0,
    Status.INFO: 2,
    Status.WARNING: 3,
    Status.CRITICAL: 4,
    Status.HYPER_CRITICAL: 5,
}


class RegionState(enum.StrEnum):
    OK = "ok"
    UNINITIALIZED = "uninitialized"
    NOT_ENABLED = "not-enabled"
    ERROR = "error"


class LimitSource(enum.StrEnum):
    """Where a limit's value came from (SPEC §4.1)."""

    APPLIED = "applied"  # Service Quotas: the account's applied value
    AWS_DEFAULT = "aws-default"  # Service Quotas: AWS's default (nothing applied)
    SETTING = "setting"  # the product's setting: Service Quotas not read


@dataclass(frozen=True)
class Quota:
    """One live limit of one account × Region and where it came from."""

    value: int
    source: LimitSource


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str


@dataclass(frozen=True)
class StagingAccount:
    account_id: str
    account_name: str = ""
    role_arn: str | None = None  # required on input; legacy items may lack it
    external_id: str | None = field(default=None, repr=False)  # write-only (SPEC §2)
    region: str | None = None
    added_at: str | None = None
    added_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_wire(self)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> StagingAccount:
        return from_wire(cls, _named(item))


@dataclass(frozen=True)
class TargetAccount:
    account_id: str
    account_name: str
    role_arn: str | None = None
    external_id: str | None = field(default=None, repr=False)  # write-only (SPEC §2)
    staging_accounts: tuple[StagingAccount, ...] = ()
    created_at: str | None = None
    updated_at: str | None = None
    version: int = 0

    def to_dict(self) -> dict[str, Any]:
        return to_wire(self)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> TargetAccount:
        staging = tuple(
            StagingAccount.from_dict(s)
            for s in item.get("stagingAccounts") or ()
            if isinstance(s, Mapping)
            and s.get("accountId")  # skip unusable old entries
        )
        account = from_wire(
            cls, {k: v for k, v in _named(item).items() if k != "stagingAccounts"}
        )
        version = int(item.get("version") or 0)
        return replace(account, staging_accounts=staging, version=version)


def _named(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """Items written by hand or by older systems may lack a name: show the ID instead."""
    if item.get("accountName"):
        return item
    return {**item, "accountName": item.get("accountId", "")}


def public_account(account: TargetAccount | StagingAccount) -> dict[str, Any]:
    """An account as every response, page and report shows it (SPEC §2): the external
    ID is write-only, so `hasExternalId` stands in its place; absent fields are left out.

    `to_dict` stays the stored form (the DynamoDB item keeps the ID for AssumeRole).
    """
    public: dict[str, Any] = {}
    for key, value in account.to_dict().items():
        if key == "externalId":
            public["hasExternalId"] = bool(value)
        elif key == "stagingAccounts":
            public[key] = [public_account(s) for s in account.staging_accounts]
        elif value is not None:
            public[key] = value
    return public


def zero_by_state() -> dict[str, int]:
    return dict.fromkeys(REPLICATION_STATES, 0)


@dataclass(frozen=True)
class RegionCapacity:
    """What one account holds in one Region, as read from DescribeSourceServers."""

    region: str
    state: RegionState
    total_servers: int = 0
    replicating_servers: int = 0
    extended_servers: int = 0
    by_state: Mapping[str, int] = field(default_factory=zero_by_state)
    error: ErrorInfo | None = None
    # Service Quotas values, read for `ok` Regions only; None = the setting applies
    replication_limit: Quota | None = None  # L-C1D14A2B
    recovery_limit: Quota | None = None  # L-E28BE5E0, read for the target account only

    @property
    def counted(self) -> bool:
        return self.state is not RegionState.ERROR


@dataclass(frozen=True)
class AccountReading:
    """One account's collection result: its Regions, or why it could not be read."""

    account_id: str
    account_name: str
    account_type: str  # "target" | "staging"
    accessible: bool
    regions: tuple[RegionCapacity, ...] = ()
    error: ErrorInfo | None = None


_CAMEL = re.compile(r"_([a-z])")


def camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _SNAKE.sub("_", name).lower()


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exact types: enums are not


def to_wire(value: Any) -> Any:
    """Dataclasses to camelCase dicts, enums to their values, tuples to lists; None kept."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    names = _wire_names(kind)
    if names is not None:
        return {key: to_wire(getattr(value, name)) for name, key in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value


@cache
def _wire_names(kind: type) -> tuple[tuple[str, str], ...] | None:
    """(field, camelCase key) of a dataclass type, worked out once per type: a
    snapshot of 100 accounts × 34 Regions holds ~50,000 values."""
    if not is_dataclass(kind):
        return None
    return tuple((f.name, camel(f.name)) for f in fields(kind))


def from_wire(cls, item: Mapping[str, Any]):
    """Build a flat dataclass from a camelCase mapping, ignoring unknown keys."""
    names = {f.name for f in fields(cls)}
    kwargs = {}
    for key, val in item.items():
        name = snake(key)
        if name in names:
            kwargs[name] = int(val) if name == "version" else val
    return cls(**kwargs)
