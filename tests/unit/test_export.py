"""CSV export (SPEC §8): columns, one row per account × Region with its own status, an
account without a Region, formula neutralisation, and the CSV rebuilding the page."""

from __future__ import annotations

import csv
import io

import pytest

from services.export import COLUMNS, capacity_csv, csv_filename
from services.models import AccountReading, ErrorInfo, Status
from services.settings import REPLICATION_STATES
from tests.unit.snapshot_factory import (
    COLLECTED_AT,
    LIMIT,
    TARGET_ID,
    fleet_snapshot,
    inaccessible,
    make_snapshot,
    staging,
    target,
)

STAGING_ID = "222222222222"
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def rows_of(snapshot: dict) -> list[dict]:
    return list(csv.DictReader(io.StringIO(capacity_csv(snapshot), newline="")))


def by_unit(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["accountId"], r["region"]): r for r in rows}


@pytest.fixture(scope="module")
def mixed() -> dict:
    """A target in one Region; a staging account CRITICAL in one Region, OK in another
    and unread in a third; an inaccessible account; an account without servers."""
    return make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 30, "STOPPED": 2, "extended": 10}}),
        staging(STAGING_ID, {"us-east-1": 260, "us-west-2": 10, "eu-west-1": "error"}),
        inaccessible("333333333333"),
        staging("444444444444", {"us-east-1": "uninitialized"}),
    )


def test_columns_are_spec_8s_in_order(mixed):
    assert COLUMNS == [
        "targetAccountId", "accountId", "accountName", "accountType", "region",
        "regionState", "totalServers", "replicatingServers", "extendedServers",
        "STOPPED", "INITIATING", "INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT",
        "CONTINUOUS", "PAUSED", "RESCAN", "STALLED", "DISCONNECTED",
        "maxReplicating", "limitSource", "operationalLimit", "percentUsed",
        "availableSlots", "status", "error", "collectedAt",
    ]  # fmt: skip
    assert capacity_csv(mixed).splitlines()[0] == ",".join(COLUMNS)


def test_one_row_per_account_and_region_each_with_its_own_status(mixed):
    rows = by_unit(rows_of(mixed))
    assert list(rows) == [
        (TARGET_ID, "us-east-1"),
        (STAGING_ID, "eu-west-1"), (STAGING_ID, "us-east-1"), (STAGING_ID, "us-west-2"),
        ("333333333333", ""),
        ("444444444444", ""),
    ]  # fmt: skip
    assert rows[(STAGING_ID, "us-east-1")]["status"] == "CRITICAL"  # 260 of 300
    assert rows[(STAGING_ID, "us-west-2")]["status"] == "OK"
    unread = rows[(STAGING_ID, "eu-west-1")]
    assert (unread["regionState"], unread["status"]) == ("error", "UNKNOWN")
    assert unread["replicatingServers"] == "" and unread["CONTINUOUS"] == ""
    assert unread["error"].startswith("AWS_THROTTLED: ")
    busy = rows[(STAGING_ID, "us-east-1")]
    assert (busy["maxReplicating"], busy["limitSource"], busy["operationalLimit"]) == (
        str(LIMIT), "setting", "250"
    )  # fmt: skip
    assert (busy["percentUsed"], busy["availableSlots"]) == ("86.7", "40")


def test_an_accounts_status_is_the_worst_of_its_rows(mixed):
    rows = rows_of(mixed)
    for account in mixed["accounts"]:
        own = [
            Status(r["status"]) for r in rows if r["accountId"] == account["accountId"]
        ]
        assert max(own, key=lambda s: s.severity) == Status(account["status"])


def test_an_inaccessible_account_is_one_row_without_region_with_its_error(mixed):
    row = by_unit(rows_of(mixed))[("333333333333", "")]
    assert (row["region"], row["regionState"], row["status"]) == ("", "", "UNKNOWN")
    assert row["error"] == "ROLE_NOT_ACCESSIBLE: AssumeRole was denied"
    assert all(
        row[c] == "" for c in ("totalServers", "replicatingServers", "CONTINUOUS")
    )


def test_an_account_without_servers_is_one_row_of_zeros_against_the_setting(mixed):
    row = by_unit(rows_of(mixed))[("444444444444", "")]
    assert (row["region"], row["status"], row["error"]) == ("", "OK", "")
    assert all(row[c] == "0" for c in ("totalServers", *REPLICATION_STATES))
    assert (row["maxReplicating"], row["limitSource"]) == (str(LIMIT), "setting")
    assert (row["availableSlots"], row["percentUsed"]) == (str(LIMIT), "0.0")


def test_counts_are_plain_integers_and_every_row_is_dated(mixed):
    rows = rows_of(mixed)
    target_row = by_unit(rows)[(TARGET_ID, "us-east-1")]
    # 30 + 10 extended CONTINUOUS + 2 STOPPED; extended servers do not replicate here
    assert (target_row["totalServers"], target_row["replicatingServers"]) == (
        "42",
        "30",
    )
    assert target_row["extendedServers"] == "10" and target_row["CONTINUOUS"] == "40"
    assert {r["collectedAt"] for r in rows} == {COLLECTED_AT}
    assert {r["targetAccountId"] for r in rows} == {TARGET_ID}


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
def test_an_account_name_a_spreadsheet_would_run_gets_a_leading_quote(start):
    name = f'{start}HYPERLINK("http://x")'
    snapshot = make_snapshot(target(), staging(STAGING_ID, {"us-east-1": 5}, name=name))
    [row] = [r for r in rows_of(snapshot) if r["accountId"] == STAGING_ID]
    assert row["accountName"] == "'" + name


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
def test_an_error_text_a_spreadsheet_would_run_gets_a_leading_quote(start):
    error = ErrorInfo(f"{start}cmd|' /C calc'!A0", "denied")
    locked = AccountReading(STAGING_ID, "locked", "staging", False, error=error)
    snapshot = make_snapshot(target(), locked)
    [row] = [r for r in rows_of(snapshot) if r["accountId"] == STAGING_ID]
    assert row["error"] == f"'{start}cmd|' /C calc'!A0: denied"


def test_harmless_text_and_numbers_are_left_as_they_are(mixed):
    named = make_snapshot(target(), staging(STAGING_ID, {"us-east-1": 5}, name="a-b=c"))
    [row] = [r for r in rows_of(named) if r["accountId"] == STAGING_ID]
    assert row["accountName"] == "a-b=c"
    assert not any(line.count("'") for line in capacity_csv(mixed).splitlines())


def test_the_rows_rebuild_every_combined_figure():
    snapshot = fleet_snapshot(8, 5, inaccessible_every=3, error_every=7)
    rows = rows_of(snapshot)
    accessible = {a["accountId"] for a in snapshot["accounts"] if a["accessible"]}
    for combined in snapshot["combinedByRegion"]:
        region = combined["region"]
        here = [r for r in rows if r["region"] == region]
        total = sum(int(r["replicatingServers"] or 0) for r in here)
        assert total == combined["totalReplicating"], region
        # an accessible account not read as ok there counts with the setting's limit
        limits = {r["accountId"]: int(r["maxReplicating"]) for r in here}
        assert (
            sum(limits.get(a, LIMIT) for a in accessible) == combined["maxReplicating"]
        )


def test_the_same_snapshot_gives_the_same_bytes(mixed):
    assert capacity_csv(mixed) == capacity_csv(dict(mixed))
    assert csv_filename(TARGET_ID, COLLECTED_AT) == (
        f"drs-capacity-{TARGET_ID}-20261126T083000Z.csv"
    )


def test_a_line_break_inside_a_cell_is_quoted_and_keeps_the_rows_apart():
    error = ErrorInfo("AWS_UNREACHABLE", "first line\r\nsecond\rthird\nfourth")
    locked = AccountReading(STAGING_ID, "locked", "staging", False, error=error)
    text = capacity_csv(make_snapshot(target(), locked))
    assert text.endswith("\n") and not text.endswith("\r\n")
    rows = rows_of(make_snapshot(target(), locked))
    assert [r["accountId"] for r in rows] == [TARGET_ID, STAGING_ID]
    assert rows[1]["error"] == "AWS_UNREACHABLE: first line\r\nsecond\rthird\nfourth"
