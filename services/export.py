"""Snapshot → CSV (SPEC §8): one row per account × Region.

The dashboard's download, the API and the CLI all call `capacity_csv`, so one snapshot
always gives the same bytes.
"""

from __future__ import annotations

import csv
import io

from services.settings import REPLICATION_STATES

COLUMNS = [
    "targetAccountId", "accountId", "accountName", "accountType", "region",
    "regionState", "totalServers", "replicatingServers", "extendedServers",
    *REPLICATION_STATES, "maxReplicating", "limitSource", "operationalLimit",
    "percentUsed", "availableSlots", "status", "error", "collectedAt",
]  # fmt: skip
_UNIT_FIELDS = (
    "totalServers", "replicatingServers", "extendedServers", "maxReplicating",
    "operationalLimit", "percentUsed", "availableSlots", "status",
)  # fmt: skip
# A spreadsheet reads a cell starting with one of these as a formula (or its start).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The limit of an account row without a Region: no unit was read, the setting applies.
_ACCOUNT_LIMIT_SOURCE = "setting"


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _error_text(error: dict | None) -> str | None:
    return f"{error['code']}: {error['message']}" if error else None


def _row(snapshot: dict, account: dict, unit: dict | None) -> dict:
    """One account × Region (`unit`), or the account itself when it lists no Region."""
    source = unit if unit is not None else account
    by_state = source.get("byState")
    row = {
        "targetAccountId": snapshot["targetAccountId"],
        "accountId": account["accountId"],
        "accountName": account["accountName"],
        "accountType": account["accountType"],
        "region": unit["region"] if unit else None,
        "regionState": unit["state"] if unit else None,
        "limitSource": unit["limitSource"] if unit else _ACCOUNT_LIMIT_SOURCE,
        "error": _error_text(source.get("error")),
        "collectedAt": snapshot["collectedAt"],
    }
    row |= {key: source.get(key) for key in _UNIT_FIELDS}
    row |= {
        s: None if by_state is None else by_state.get(s, 0) for s in REPLICATION_STATES
    }
    return {key: neutralise(value) for key, value in row.items()}


def capacity_rows(snapshot: dict) -> list[dict]:
    """The rows of SPEC §8, in the snapshot's account and Region order.

    Each listed Region of an account (`regionalBreakdown`) is one row with that unit's
    own figures and status, so an account's status is the worst of its rows. An account
    that lists no Region is one row with an empty Region and its account-level figures:
    when inaccessible, its error and null counts (status UNKNOWN); when accessible, it
    holds no servers in scope: zero counts against the setting's limit (status OK).
    """
    rows = []
    for account in snapshot["accounts"]:
        units = account["regionalBreakdown"] or [None]
        rows += [_row(snapshot, account, unit) for unit in units]
    return rows


class _RowsEndingInLineFeed(io.StringIO):
    """csv quotes a cell holding CR or LF only when its line terminator holds them; it
    writes one row per call, so rows written with "\r\n" are stored ending in "\n"."""

    def write(self, row: str) -> int:
        return super().write(row[:-2] + "\n")


def capacity_csv(snapshot: dict) -> str:
    """The CSV text: rows end in "\n"; a cell holding CR, LF, `,` or `"` is quoted."""
    out = _RowsEndingInLineFeed()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(capacity_rows(snapshot))
    return out.getvalue()


def csv_filename(target_id: str, collected_at: str) -> str:
    stamp = collected_at.replace("-", "").replace(":", "")
    return f"drs-capacity-{target_id}-{stamp}.csv"
