"""The capacity snapshot's parts (SPEC §7): computed by `capacity`, sent as camelCase."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.models import ErrorInfo, LimitSource, RegionState, Status, to_wire


@dataclass(frozen=True)
class RegionMetrics:
    """One account × Region: the unit every status is computed on (SPEC §4.3)."""

    region: str
    state: RegionState
    total_servers: int | None
    replicating_servers: int | None
    extended_servers: int | None
    by_state: Mapping[str, int] | None
    max_replicating: int
    limit_source: LimitSource
    operational_limit: int
    percent_used: float | None
    available_slots: int | None
    status: Status
    error: ErrorInfo | None


@dataclass(frozen=True)
class AccountMetrics:
    """An account over the Regions in scope: sums for information, the worst unit's
    status, and the busiest Region's limit figures."""

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
    busiest_region: str | None
    max_replicating: int
    operational_limit: int
    percent_used: float | None
    available_slots: int | None
    status: Status
    regional_breakdown: tuple[RegionMetrics, ...]
    # the Regions not listed, counted by state: {"uninitialized": 31, "ok": 2}
    empty_regions: Mapping[str, int]


@dataclass(frozen=True)
class CombinedMetrics:
    """Every accessible account in one Region against the sum of their limits there."""

    region: str | None
    total_replicating: int
    max_replicating: int
    operational_limit: int
    percent_used: float | None
    available_slots: int
    status: Status
    message: str
    configured_accounts: int
    reporting_accounts: int


@dataclass(frozen=True)
class RecoveryMetrics:
    """The target's source servers in one Region against its recovery quota there."""

    region: str | None
    current_servers: int | None
    max_recovery_instances: int
    limit_source: LimitSource
    percent_used: float | None
    available_slots: int | None
    status: Status


@dataclass(frozen=True)
class CapacityWarning:
    level: Status
    scope: str  # account | combined | recovery | data
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
    status: Status  # overall: the worst of combined, every account and recovery
    combined: CombinedMetrics
    combined_by_region: tuple[CombinedMetrics, ...]
    accounts: tuple[AccountMetrics, ...]
    recovery_capacity: RecoveryMetrics
    recovery_by_region: tuple[RecoveryMetrics, ...]
    warnings: tuple[CapacityWarning, ...]

    def to_dict(self) -> dict:
        """The wire form, built once: a snapshot never changes and every poll asks for
        it. Treat the result as read-only."""
        wire = self.__dict__.get("_wire")
        if wire is None:
            wire = to_wire(self)
            object.__setattr__(self, "_wire", wire)
        return wire
