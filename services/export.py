"""Snapshot → CSV (SPEC §8): one row per account and Region, the same bytes everywhere."""

from __future__ import annotations

import pandas as pd

from services.settings import REPLICATION_STATES

COLUMNS = [
    "targetAccountId", "accountId", "accountName", "accountType", "region", "regionState",
    "totalServers", "replicatingServers", "extendedServers", *REPLICATION_STATES,
    "maxReplicating", "percentUsed", "availableSlots", "status", "error", "collectedAt",
]  # fmt: skip


def _error_text(error: dict | None) -> str | None:
    return f"{error['code']}: {error['message']}" if error else None


def _row(snapshot: dict, account: dict, part: dict | None) -> dict:
    source = part if part is not None else account
    by_state = source.get("byState") or {}
    row = {
        "targetAccountId": snapshot["targetAccountId"],
        "accountId": account["accountId"],
        "accountName": account["accountName"],
        "accountType": account["accountType"],
        "region": part["region"] if part else None,
        "regionState": part["state"] if part else None,
        "error": _error_text(source.get("error")),
        "collectedAt": snapshot["collectedAt"],
    }
    for key in ("totalServers", "replicatingServers", "extendedServers",
                "maxReplicating", "percentUsed", "availableSlots", "status"):  # fmt: skip
        row[key] = source.get(key)
    for state in REPLICATION_STATES:
        row[state] = by_state.get(state) if source.get("byState") is not None else None
    return row


def capacity_rows(snapshot: dict) -> list[dict]:
    rows = []
    for account in snapshot["accounts"]:
        parts = account["regionalBreakdown"] or [None]
        rows += [_row(snapshot, account, part) for part in parts]
    return rows


def capacity_frame(snapshot: dict) -> pd.DataFrame:
    # object dtype keeps integers integers where unknown counts are empty
    return pd.DataFrame(capacity_rows(snapshot), columns=COLUMNS, dtype=object)


def capacity_csv(snapshot: dict) -> str:
    return capacity_frame(snapshot).to_csv(index=False, lineterminator="\n")


def csv_filename(target_id: str, collected_at: str) -> str:
    stamp = collected_at.replace("-", "").replace(":", "")
    return f"drs-capacity-{target_id}-{stamp}.csv"
