"""Shared test factory: valid capacity snapshot dicts (SPEC §7) built by the real rules.

Readings are described compactly and turned into a snapshot by
`services.capacity.build_snapshot`, so every derived field (percent, status, combined,
recovery, warnings) is what production computes.

    snap = make_snapshot(
        target("111111111111", {"us-east-1": {"CONTINUOUS": 120, "STOPPED": 4,
                                              "extended": 50}}),
        staging("222222222222", {"us-east-1": 50, "us-west-2": "error"}),
        inaccessible("333333333333"),
    )

A Region value is an int (that many CONTINUOUS servers), a dict of state counts (plus an
optional "extended" count, servers that are CONTINUOUS and extended, and an optional
"limit", the account's applied quota L-C1D14A2B there), or one of the Region states
"error", "uninitialized", "not-enabled". Without "limit" the Region's limit is the
setting's (limitSource "setting"), as when Service Quotas is not read.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from services.capacity import ALL_REGIONS, Limits, build_snapshot
from services.metrics import CapacitySnapshot
from services.models import (
    AccountReading,
    ErrorInfo,
    LimitSource,
    Quota,
    RegionCapacity,
    RegionState,
    zero_by_state,
)
from services.settings import REPLICATION_STATES, Settings

LIMIT = Settings.replication_limit
MAX_RECOVERY = Settings.max_recovery_instances
NON_COUNTING = Settings.non_replicating_states
COLLECTED_AT = "2026-11-26T08:30:00Z"
TARGET_ID = "111111111111"

RegionSpec = int | str | Mapping[str, int]


def region_capacity(name: str, spec: RegionSpec) -> RegionCapacity:
    if isinstance(spec, str):
        state = RegionState(spec)
        if state is RegionState.ERROR:
            error = ErrorInfo("AWS_THROTTLED", "Rate exceeded after retries")
            return RegionCapacity(name, state, error=error)
        return RegionCapacity(name, state)
    counts = {"CONTINUOUS": spec} if isinstance(spec, int) else dict(spec)
    extended = counts.pop("extended", 0)
    applied = counts.pop("limit", None)
    by_state = zero_by_state()
    by_state.update(counts)
    by_state["CONTINUOUS"] += extended
    counting = sum(n for s, n in by_state.items() if s not in NON_COUNTING)
    return RegionCapacity(
        region=name,
        state=RegionState.OK,
        total_servers=sum(by_state.values()),
        replicating_servers=counting - extended,
        extended_servers=extended,
        by_state=by_state,
        replication_limit=(
            Quota(applied, LimitSource.APPLIED) if applied is not None else None
        ),
    )


def _reading(account_id, regions, name, account_type) -> AccountReading:
    return AccountReading(
        account_id=account_id,
        account_name=name or f"{account_type}-{account_id[-3:]}",
        account_type=account_type,
        accessible=True,
        regions=tuple(region_capacity(r, spec) for r, spec in (regions or {}).items()),
    )


def target(account_id=TARGET_ID, regions=None, name=None) -> AccountReading:
    return _reading(account_id, regions, name or "dr-target", "target")


def staging(account_id: str, regions=None, name=None) -> AccountReading:
    return _reading(account_id, regions, name, "staging")


def inaccessible(account_id: str, name=None, account_type="staging") -> AccountReading:
    error = ErrorInfo("ROLE_NOT_ACCESSIBLE", "AssumeRole was denied")
    return AccountReading(
        account_id,
        name or f"{account_type}-{account_id[-3:]}",
        account_type,
        accessible=False,
        error=error,
    )


def build(
    *readings: AccountReading,
    scope: str = ALL_REGIONS,
    limit: int = LIMIT,
    max_recovery: int = MAX_RECOVERY,
    collected_at: str = COLLECTED_AT,
) -> CapacitySnapshot:
    """The CapacitySnapshot of these readings; the target is the first "target" one."""
    target_id = next(
        (r.account_id for r in readings if r.account_type == "target"), TARGET_ID
    )
    limits = Limits(limit, max_recovery)
    return build_snapshot(target_id, readings, limits, collected_at, scope)


def make_snapshot(*readings: AccountReading, **options) -> dict:
    """The wire (camelCase) snapshot of these readings; options as for `build`."""
    return build(*readings, **options).to_dict()


# DRS's commercial Regions (as botocore lists them), so tests need no botocore import.
DRS_REGIONS = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
    "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
    "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)  # fmt: skip


def fleet_regions(n_regions: int) -> list[str]:
    """n Region names: DRS's real ones first, then synthetic ones."""
    real = list(DRS_REGIONS[:n_regions])
    return real + [f"zz-test-{i}" for i in range(n_regions - len(real))]


def fleet_snapshot(
    n_accounts: int = 100,
    n_regions: int = 34,
    *,
    inaccessible_every: int = 0,
    error_every: int = 0,
    seed: int = 7,
) -> dict:
    """A large, deterministic fleet: every account holds servers in every Region.

    Every `inaccessible_every`-th staging account is inaccessible, and every
    `error_every`-th account × Region pair is in error (0 disables either).
    """
    rng = random.Random(seed)
    regions = fleet_regions(n_regions)
    readings = []
    pair = 0
    for i in range(n_accounts):
        account_id = f"{100000000000 + i:012d}"
        if i and inaccessible_every and i % inaccessible_every == 0:
            readings.append(inaccessible(account_id))
            continue
        specs = {}
        for region in regions:
            pair += 1
            if error_every and pair % error_every == 0:
                specs[region] = "error"
                continue
            specs[region] = {state: rng.randint(0, 3) for state in REPLICATION_STATES}
        make = target if i == 0 else staging
        readings.append(make(account_id, specs))
    return make_snapshot(*readings)
