"""What-if capacity from one collection: removing a staging account (R2.4, SPEC §5) and
adding one (SPEC §6), each answered per Region by rebuilding the snapshot without or with
the account, so the projection follows exactly the rules of the real one."""

from __future__ import annotations

from collections.abc import Sequence

from services.capacity import ALL_REGIONS, Limits, build_snapshot, combined_region
from services.metrics import CombinedMetrics
from services.models import AccountReading


def _combined(
    target_id: str, readings: Sequence[AccountReading], limits: Limits, scope: str
):
    snapshot = build_snapshot(target_id, readings, limits, "", scope)
    return snapshot.combined, {c.region: c for c in snapshot.combined_by_region}


def removal_impact(
    target_id: str,
    readings: Sequence[AccountReading],
    staging_id: str,
    limits: Limits,
    scope: str = ALL_REGIONS,
) -> dict:
    """What the combined capacity becomes, per Region, once `staging_id` stops counting."""
    account = next((r for r in readings if r.account_id == staging_id), None)
    remaining = [r for r in readings if r.account_id != staging_id]
    before, before_by_region = _combined(target_id, readings, limits, scope)
    after, _ = _combined(target_id, remaining, limits, scope)
    counted = account is not None and account.accessible
    accessible = [r for r in remaining if r.accessible]
    regions = [
        _region_impact(
            combined,
            combined_region(region, accessible, len(remaining), limits),
            account,
        )
        for region, combined in sorted(before_by_region.items())
    ]
    lost = sum(r["serversLost"] for r in regions) if counted else 0
    replicating = (
        sum(r.replicating_servers for r in account.regions if r.counted)
        if counted
        else None
    )
    return {
        "accountId": staging_id,
        "replicatingServers": replicating,
        # unknown for an account that is not reporting: never claim it holds nothing
        "hasReplicatingServers": lost > 0 if counted else None,
        "regionBefore": before.region,
        "totalBefore": before.total_replicating,
        "maxBefore": before.max_replicating,
        "statusBefore": before.status.value,
        "regionAfter": after.region,
        "totalAfter": after.total_replicating,
        "maxAfter": after.max_replicating,
        "percentAfter": after.percent_used,
        "statusAfter": after.status.value,
        "regions": regions,
        "message": _impact_message(staging_id, regions, before, after),
    }


def _region_impact(
    before: CombinedMetrics,
    after: CombinedMetrics,
    account: AccountReading | None,
) -> dict:
    region = before.region
    part = None
    if account is not None and account.accessible:
        part = next((r for r in account.regions if r.region == region), None)
    lost = part.replicating_servers if part is not None and part.counted else 0
    return {
        "region": region,
        "serversLost": lost,
        "totalBefore": before.total_replicating,
        "totalAfter": after.total_replicating,
        "maxBefore": before.max_replicating,
        "maxAfter": after.max_replicating,
        "statusBefore": before.status.value,
        "statusAfter": after.status.value,
    }


def _impact_message(
    staging_id: str,
    regions: list[dict],
    before: CombinedMetrics,
    after: CombinedMetrics,
) -> str:
    parts = [
        f"{r['region']}: maximum {r['maxBefore']} → {r['maxAfter']}"
        + (f", {r['serversLost']} servers stop counting" if r["serversLost"] else "")
        + (
            f", {r['statusBefore']} → {r['statusAfter']}"
            if r["statusBefore"] != r["statusAfter"]
            else ""
        )
        for r in regions
    ]
    text = f"Without {staging_id} the binding Region is {after.region or 'none'}"
    text += f" ({after.status.value}; before: {before.status.value})."
    if parts:
        text += " " + "; ".join(parts) + "."
    lost = sum(r["serversLost"] for r in regions)
    if lost:
        text += (
            f" {staging_id} still has {lost} replicating servers: they stop counting "
            "toward this target's capacity."
        )
    return text


def projection_with(
    target_id: str,
    readings: Sequence[AccountReading],
    candidate: AccountReading,
    limits: Limits,
) -> CombinedMetrics:
    """The binding Region's combined figures once `candidate` counts too (SPEC §6): its
    servers and its limit in every Region; if it is registered already, its fresh
    reading replaces the old one."""
    others = [r for r in readings if r.account_id != candidate.account_id]
    return build_snapshot(target_id, [*others, candidate], limits, "").combined
