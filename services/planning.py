"""Capacity planning from a snapshot: the impact of removing a staging account (R2.4)."""

from __future__ import annotations

from services import thresholds as th
from services.metrics import CapacitySnapshot
from services.models import Status


def removal_impact(snapshot: CapacitySnapshot, staging_id: str, limit: int) -> dict:
    """What the combined capacity becomes once `staging_id` stops counting."""
    combined = snapshot.combined
    account = next((a for a in snapshot.accounts if a.account_id == staging_id), None)
    counted = account is not None and account.accessible
    lost = (account.replicating_servers or 0) if counted else 0
    max_after = combined.max_replicating - (limit if counted else 0)
    total_after = combined.total_replicating - lost
    status_after = (
        th.band_status(total_after, max_after) if max_after else Status.UNKNOWN
    )
    return {
        "accountId": staging_id,
        "replicatingServers": account.replicating_servers if account else None,
        # unknown for an account that is not reporting: never claim it holds nothing
        "hasReplicatingServers": lost > 0 if counted else None,
        "totalBefore": combined.total_replicating,
        "totalAfter": total_after,
        "maxBefore": combined.max_replicating,
        "maxAfter": max_after,
        "percentAfter": th.percent(total_after, max_after) if max_after else None,
        "statusAfter": status_after.value,
        "message": _impact_message(
            staging_id, lost, combined.max_replicating, max_after
        ),
    }


def _impact_message(staging_id: str, lost: int, max_before: int, max_after: int) -> str:
    text = (
        f"Combined maximum goes from {max_before} to {max_after} replicating servers."
    )
    if lost:
        text += (
            f" {staging_id} still has {lost} replicating servers: they stop counting "
            "toward this target's capacity."
        )
    return text
