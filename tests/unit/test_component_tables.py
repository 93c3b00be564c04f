"""Accounts table (rows, sorting, unknowns), breakdown tables and capacity planning."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.tables import (
    accounts_table,
    next_sort,
    planning_summary,
    region_breakdown_table,
    sort_accounts,
    staging_accounts_for,
    state_breakdown_table,
)
from services.settings import REPLICATION_STATES
from services.thresholds import band_thresholds
from tests.unit.component_tree import find_all, find_by_id, text_of
from tests.unit.snapshot_factory import (
    LIMIT,
    inaccessible,
    make_snapshot,
    staging,
    target,
)


def fleet() -> dict:
    return make_snapshot(
        target(regions={"us-east-1": 120, "eu-west-1": {"STOPPED": 3}}),
        staging("222222222222", {"us-east-1": 260, "us-west-2": "error"}),
        inaccessible("333333333333"),
        staging("444444444444", {"eu-west-1": 210}, name="alpha"),
    )


def rows_of(table: dbc.Table) -> list[html.Tr]:
    return find_all(table.children[1], html.Tr)


def row_ids(table: dbc.Table) -> list[str]:
    return [text_of(row.children[0]) for row in rows_of(table)]


def test_table_rows_equal_the_accounts_in_snapshot_order():
    snap = fleet()
    table = accounts_table(snap)
    assert row_ids(table) == [a["accountId"] for a in snap["accounts"]]
    for account, row in zip(snap["accounts"], rows_of(table), strict=True):
        details = find_by_id(row, ids.account_details_id(account["accountId"]))
        assert text_of(details) == account["accountName"]
        assert account["status"] in text_of(row)


def test_inaccessible_row_shows_dashes_never_zero():
    table = accounts_table(fleet())
    row = rows_of(table)[2]
    cells = [text_of(cell) for cell in row.children]
    assert cells[3:8] == ["—", "—", f"{LIMIT:,}", "—", "—"]
    assert "UNKNOWN" in cells[8]
    assert row.className == "table-secondary"


def test_incomplete_account_replicating_is_shown_as_a_lower_bound():
    row = rows_of(accounts_table(fleet()))[1]
    assert text_of(row.children[3]) == "≥ 260"


def test_sorting_by_percent_descending_puts_unknown_last():
    snap = fleet()
    table = accounts_table(snap, {"column": "percentUsed", "descending": True})
    assert row_ids(table) == [
        "222222222222",
        "444444444444",
        "111111111111",
        "333333333333",
    ]
    ascending = sort_accounts(
        snap["accounts"], {"column": "percentUsed", "descending": False}
    )
    assert ascending[-1]["accountId"] == "333333333333"


def test_sorting_by_status_follows_severity_not_spelling():
    ordered = sort_accounts(
        fleet()["accounts"], {"column": "status", "descending": True}
    )
    assert [a["status"] for a in ordered] == ["CRITICAL", "INFO", "UNKNOWN", "OK"]


def test_sorting_by_name_ignores_case():
    ordered = sort_accounts(fleet()["accounts"], {"column": "accountName"})
    assert ordered[0]["accountName"] == "alpha"


def test_sort_state_toggles_on_the_same_column_and_resets_on_another():
    first = next_sort(None, "replicatingServers")
    assert first == {"column": "replicatingServers", "descending": True}
    assert next_sort(first, "replicatingServers")["descending"] is False
    assert next_sort(first, "accountName") == {
        "column": "accountName",
        "descending": False,
    }


def test_headers_are_sort_buttons_that_announce_the_sort():
    table = accounts_table(fleet(), {"column": "status", "descending": True})
    header = find_by_id(table, ids.accounts_sort_id("status"))
    assert text_of(header) == "Status ▼"
    cells = find_all(table.children[0], html.Th)
    sorted_cells = [c for c in cells if getattr(c, "aria-sort") != "none"]
    assert [getattr(c, "aria-sort") for c in sorted_cells] == ["descending"]


def test_region_breakdown_lists_regions_with_their_status_and_errors():
    account = fleet()["accounts"][1]
    table = region_breakdown_table(account)
    text = text_of(table)
    assert [text_of(r.children[0]) for r in rows_of(table)] == [
        "us-east-1",
        "us-west-2",
    ]
    assert "CRITICAL" in text and "Rate exceeded" in text


def test_state_breakdown_has_every_state_and_which_ones_count():
    account = fleet()["accounts"][0]
    rows = rows_of(state_breakdown_table(account))
    assert [text_of(r.children[0]) for r in rows[:-1]] == list(REPLICATION_STATES)
    stopped = text_of(rows[0])
    assert stopped == "STOPPED 3 No"
    assert text_of(rows[-1]) == "All states 123 —"


def test_breakdowns_of_an_inaccessible_account_say_unknown():
    account = fleet()["accounts"][2]
    for table in (region_breakdown_table(account), state_breakdown_table(account)):
        assert "Unknown" in text_of(table) and "ROLE_NOT_ACCESSIBLE" in text_of(table)


def test_planning_summary_counts_servers_that_fit_before_each_band():
    account = fleet()["accounts"][3]  # 210 replicating: INFO reached
    rows = rows_of(planning_summary(account, LIMIT).children[1])
    thresholds = band_thresholds(LIMIT)
    expected = [
        f"{status.value} {t:,} " + ("reached" if t <= 210 else f"{t - 210:,}")
        for status, t in thresholds.items()
    ] + [f"Hard limit {LIMIT:,} {LIMIT - 210:,}"]
    assert [text_of(r) for r in rows] == expected


def test_planning_summary_of_an_unknown_account_is_dashes():
    account = fleet()["accounts"][2]
    rows = rows_of(planning_summary(account, LIMIT).children[1])
    assert all(text_of(r).endswith("—") for r in rows)


def test_staging_accounts_for_adding_servers():
    # 3 reporting accounts, 590 replicating; +300 -> 890 of 900.
    snap = fleet()
    text = staging_accounts_for(300, snap, LIMIT)
    assert "890 of 900" in text and "HYPER-CRITICAL" in text
    # smallest k with 890 < (3 + k) × 250 is k = 1
    assert "Add 1 staging account " in text
    assert "not reporting are not included" in text
    calm = staging_accounts_for(0, snap, LIMIT)
    assert "no staging account needed" in calm


def test_staging_accounts_for_rejects_bad_input_and_unknown_capacity():
    snap = fleet()
    assert "Enter" in staging_accounts_for(None, snap, LIMIT)
    assert "Enter" in staging_accounts_for(-5, snap, LIMIT)
    nobody = make_snapshot(inaccessible("111111111111", account_type="target"))
    assert "No account is reporting" in staging_accounts_for(10, nobody, LIMIT)
