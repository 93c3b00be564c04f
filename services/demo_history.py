"""Ninety days of synthetic capacity history for the shipped demo (issue 12, item 8), so
`make run` shows a trend and a forecast from its first page.

Deterministic: the series are a function of the scenario, the settings and the hour, with
randomness from generators seeded by the account × Region's name (never the wall clock
beyond "now"). They end at the counts the demo reads now, so the last point agrees with
the live snapshot; before that each unit grows back in time by its own drift plus a
mean-reverting wobble, and each Region's combined total is the sum of its units.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from services import thresholds as th
from services.capacity import Limits, build_snapshot
from services.clock import iso_utc, utc_now
from services.history import HOURLY_DAYS, HistoryStore, record_of
from services.models import (
    AccountReading,
    LimitSource,
    Quota,
    RegionCapacity,
    RegionState,
    zero_by_state,
)
from services.settings import REPLICATION_QUOTA_CODE, Settings
from services.simulator.quotas import AWS_DEFAULTS

HOURS = HOURLY_DAYS * 24 - 1  # the oldest hourly point still inside the 90 days
RECENT_DAYS = 14  # services/forecast.py fits over the last 14 days
RECENT_STEP_HOURS = 3
GROWTH_SHARES = (0.15, 0.45)  # of today's count gained over the 90 days: from, to
WOBBLE_MEMORY = 0.9  # how much of the last hour's wobble stays (mean-reverting)
WOBBLE_SERVERS = 0.8  # its hourly step, in servers
_STATES = {
    "ok": RegionState.OK,
    "uninitialized": RegionState.UNINITIALIZED,
    "not-enabled": RegionState.NOT_ENABLED,
    "error": RegionState.ERROR,
}


def seed_demo_history(history: HistoryStore | None, scenario, settings: Settings):
    """Give the shipped demo its past, written when the history is first used (demo
    mode only: a test's scenario keeps the empty history it expects)."""
    if history is None or settings.mode != "demo":
        return
    history.backfill_once(
        scenario.target["accountId"],
        lambda: demo_records(scenario, settings, utc_now()),
    )


def demo_records(scenario, settings: Settings, now: datetime) -> list[tuple]:
    """(time, record) pairs, oldest first; the last is now's hour with now's counts."""
    snapshot = live_snapshot(scenario, settings, now).to_dict()
    live = record_of(snapshot)
    last_hour = now.replace(minute=0, second=0, microsecond=0)
    units = [(u, _replicating_back(u[0], u[1], u[2])) for u in live["units"]]
    records = []
    for k in sorted(hours_back(), reverse=True):
        record = {
            "units": [_unit_at(unit, walk[k]) for unit, walk in units],
            "combined": [_combined_at(c, units, k) for c in live["combined"]],
            "complete": snapshot["complete"],
        }
        records.append((last_hour - timedelta(hours=k), record))
    return records


def hours_back() -> list[int]:
    """Hours before now's hour that get a point: every 3 hours for the fortnight the
    forecast fits over, then daily to 90 days. Sparser than the hourly history a
    running deployment keeps, so the demo starts fast on moto's DynamoDB."""
    recent = range(0, RECENT_DAYS * 24, RECENT_STEP_HOURS)
    return [*recent, *range(RECENT_DAYS * 24, HOURS + 1, 24)]


def live_snapshot(scenario, settings: Settings, now: datetime):
    """The snapshot the demo collects now, from the scenario alone (no AWS calls)."""
    staging = [(s["accountId"], s["accountName"], "staging") for s in scenario.staging]
    target = scenario.target
    accounts = [(target["accountId"], target["accountName"], "target"), *staging]
    readings = [
        _reading(scenario, settings, account_id, name, kind)
        for account_id, name, kind in accounts
    ]
    limits = Limits.from_settings(settings)
    return build_snapshot(target["accountId"], readings, limits, iso_utc(now))


def _reading(scenario, settings, account_id, name, kind) -> AccountReading:
    spec = scenario.fleet.get(account_id)
    if spec is None or spec.inaccessible:
        return AccountReading(account_id, name, kind, accessible=False)
    regions = tuple(
        _region(scenario, settings, account_id, region, spec.region(region))
        for region in settings.regions
        if region in spec.regions
    )
    return AccountReading(account_id, name, kind, accessible=True, regions=regions)


def _region(scenario, settings, account_id, region, spec) -> RegionCapacity:
    state = _STATES[spec.kind]
    if state is not RegionState.OK:
        return RegionCapacity(region, state)
    by_state = zero_by_state() | dict(spec.counts)
    replicating = sum(
        n for s, n in spec.counts if s not in settings.non_replicating_states
    )
    return RegionCapacity(
        region,
        state,
        total_servers=spec.native_servers + spec.extended_servers,
        replicating_servers=replicating,
        extended_servers=spec.extended_servers,
        by_state=by_state,
        replication_limit=_quota(scenario, settings, account_id, region),
    )


def _quota(scenario, settings, account_id, region) -> Quota | None:
    """What the simulated Service Quotas answers; None: the setting applies."""
    account = scenario.quotas.get(account_id)
    if settings.limits_source == "setting" or (account and account.refusal):
        return None
    applied = account.value(region, REPLICATION_QUOTA_CODE) if account else None
    if applied is not None:
        return Quota(applied, LimitSource.APPLIED)
    return Quota(AWS_DEFAULTS[REPLICATION_QUOTA_CODE], LimitSource.AWS_DEFAULT)


def _replicating_back(account_id: str, region: str, today: int) -> list[int]:
    """Replicating servers 0, 1, 2 … hours ago: today's count, then the drift and the
    wobble undone hour by hour (never below zero)."""
    rng = random.Random(f"demo-history|{account_id}|{region}")
    per_hour = rng.uniform(*GROWTH_SHARES) * today / HOURS
    wobble, counts = 0.0, [today]
    for k in range(1, HOURS + 1):
        wobble = WOBBLE_MEMORY * wobble + rng.gauss(0.0, WOBBLE_SERVERS)
        counts.append(max(0, round(today - per_hour * k + wobble)))
    return counts


def _unit_at(unit: list, replicating: int) -> list:
    account_id, region, today, total, limit, _status = unit
    idle = total - today  # stopped, disconnected and extended servers stay put
    status = th.band_status(replicating, limit).value
    return [account_id, region, replicating, replicating + idle, limit, status]


def _combined_at(combined: list, units: list[tuple], k: int) -> list:
    """A Region's total k hours ago: today's, less what its units have grown since."""
    region, total, maximum, _status = combined
    grown = sum(walk[0] - walk[k] for unit, walk in units if unit[1] == region)
    n = max(0, total - grown)
    return [region, n, maximum, th.band_status(n, maximum).value]
