"""The capacity snapshot's parts (SPEC §7): computed by `capacity`, sent as camelCase."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.models import ErrorInfo, RegionState, Status, to_wire


@dataclass(frozen=True)
class RegionMetrics:
    region: str
    state: RegionState
    total_servers: int | None
    replicating_servers: int | None
    extended_servers: int | None
    by_state: Mapping[str, int] | None
    max_replicating: int
    percent_used: float | None
    available_slots: int | None
    status: Status
    error: ErrorInfo | None


@dataclass(frozen=True)
class AccountMetrics:
    account_id: str
    account_name: str
    account_type: str
    accessible: bool
    complete: bool
    error: ErrorInfo | None
    replicating_servers: int | None
    total_servers: int | None
    extended_servers: int | None
    by_state: Mapping[str, int] | None
    max_replicating: int
    percent_used: float | None
    available_slots: int | None
    status: Status
    regional_breakdown: tuple[RegionMetrics, ...]


@dataclass(frozen=True)
class CombinedMetrics:
    total_replicating: int
    max_replicating: int
    operational_limit: int | float
    percent_used: float | None
    available_slots: int
    status: Status
    message: str
    configured_accounts: int
    reporting_accounts: int


@dataclass(frozen=True)
class RecoveryMetrics:
    current_servers: int | None
    max_recovery_instances: int
    percent_used: float | None
    available_slots: int | None
    status: Status


@dataclass(frozen=True)
class CapacityWarning:
    level: Status
    scope: str  # account | region | combined | recovery | data
    account_id: str | None
    region: str | None
    message: str
    action: str


@dataclass(frozen=True)
class CapacitySnapshot:
    target_account_id: str
    scope: str
    collected_at: str
    complete: bool
    combined: CombinedMetrics
    accounts: tuple[AccountMetrics, ...]
    recovery_capacity: RecoveryMetrics
    warnings: tuple[CapacityWarning, ...]

    def to_dict(self) -> dict:
        """The wire form, built once: a snapshot never changes and every poll asks for
        it. Treat the result as read-only."""
        wire = self.__dict__.get("_wire")
        if wire is None:
            wire = to_wire(self)
            object.__setattr__(self, "_wire", wire)
        return wire
