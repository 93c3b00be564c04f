"""Accounts table (rows, sorting, unknowns, busiest Region), breakdown tables and
capacity planning in the busiest unit's and the binding Region's terms."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.tables import (
    TABLE_CAPTION,
    accounts_table,
    next_sort,
    planning_summary,
    region_breakdown_table,
    sort_accounts,
    staging_accounts_for,
    state_breakdown_table,
)
from services.settings import REPLICATION_STATES
from services.thresholds import band_thresholds, staging_accounts_needed
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


def rows_of(table) -> list[html.Tr]:
    (body,) = find_all(table, html.Tbody)
    return find_all(body, html.Tr)


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
    assert cells[3:8] == ["—", "—", "—", "—", "—"]
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
    # SPEC §4.2's rank: UNKNOWN lowest (shown, never hiding a known worse level)
    assert [a["status"] for a in ordered] == ["CRITICAL", "INFO", "OK", "UNKNOWN"]


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
    cells = find_all(table, html.Th)
    sorted_cells = [c for c in cells if getattr(c, "aria-sort") != "none"]
    assert [getattr(c, "aria-sort") for c in sorted_cells] == ["descending"]


def test_each_row_names_the_busiest_region_against_its_own_limit():
    snap = make_snapshot(
        target(regions={"us-east-1": 120, "eu-west-1": 200}),
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 247, "limit": 500}}),
        staging("444444444444"),
    )
    rows = rows_of(accounts_table(snap))
    cells = [[text_of(c) for c in row.children] for row in rows]
    assert cells[0][5] == "eu-west-1: 200 of 300"
    assert cells[0][3] == "320"  # the sum over Regions, for information
    assert cells[0][6:8] == ["66.7 %", "100"]  # eu-west-1's, not 320 of 300
    assert cells[1][5] == "us-east-1: 247 of 500"
    assert rows[1].children[5].title == "limit 500: applied quota"
    assert cells[2][5] == "—"  # no servers: no busiest Region


def test_the_table_says_which_columns_are_the_busiest_regions():
    shown = accounts_table(fleet())
    assert text_of(shown.children[-1]) == TABLE_CAPTION
    assert "own limit" in TABLE_CAPTION and "worst Region" in TABLE_CAPTION


def test_region_breakdown_lists_each_units_own_limit_and_its_source():
    snap = make_snapshot(
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 247, "limit": 500},
                                 "eu-west-1": 20}),
    )  # fmt: skip
    table = region_breakdown_table(snap["accounts"][0])
    header = [text_of(th) for th in find_all(table, html.Th)]
    assert header[5:8] == ["Limit", "Limit source", "Critical from"]
    cells = [[text_of(c) for c in r.children] for r in rows_of(table)]
    assert cells[0][0] == "eu-west-1"
    assert cells[0][5:8] == [f"{LIMIT:,}", "setting: quota not read", "250"]
    assert cells[1][5:8] == ["500", "applied quota", "417"]


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


def test_state_breakdown_never_claims_extended_servers_count_here():
    snap = make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 10, "extended": 50}})
    )
    shown = state_breakdown_table(snap["accounts"][0])
    rows = rows_of(shown)
    continuous = next(r for r in rows if text_of(r.children[0]) == "CONTINUOUS")
    assert text_of(continuous) == "CONTINUOUS 60 Yes, unless extended *"
    assert "50 of these are extended source servers" in text_of(shown)
    assert "their staging account, not this one" in text_of(shown)


def test_breakdowns_of_an_inaccessible_account_say_unknown():
    account = fleet()["accounts"][2]
    for table in (region_breakdown_table(account), state_breakdown_table(account)):
        assert "Unknown" in text_of(table) and "ROLE_NOT_ACCESSIBLE" in text_of(table)


def test_planning_summary_counts_servers_that_fit_before_each_band():
    account = fleet()["accounts"][3]  # 210 replicating: INFO reached
    shown = planning_summary(account)
    rows = rows_of(shown.children[1])
    thresholds = band_thresholds(LIMIT)
    expected = [
        f"{status.value} {t:,} " + ("reached" if t <= 210 else f"{t - 210:,}")
        for status, t in thresholds.items()
    ] + [f"Hard limit {LIMIT:,} {LIMIT - 210:,}"]
    assert [text_of(r) for r in rows] == expected
    assert "busiest Region eu-west-1: 210 of 300" in text_of(shown.children[0])


def test_planning_summary_works_on_the_busiest_unit_not_the_accounts_sum():
    snap = make_snapshot(
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 200, "limit": 500},
                                 "eu-west-1": 180}),
    )  # fmt: skip
    account = snap["accounts"][0]  # 380 in all; eu-west-1 at 60 % is the busiest
    shown = planning_summary(account)
    caption = text_of(shown.children[0])
    assert "busiest Region eu-west-1: 180 of 300" in caption
    rows = [text_of(r) for r in rows_of(shown.children[1])]
    assert rows[-1] == f"Hard limit {LIMIT:,} {LIMIT - 180:,}"  # never "reached"


def test_planning_summary_of_an_unknown_account_is_dashes():
    account = fleet()["accounts"][2]
    rows = rows_of(planning_summary(account).children[1])
    assert all(text_of(r).endswith("—") for r in rows)


def test_the_planner_answers_in_the_binding_regions_terms():
    snap = make_snapshot(
        target(regions={"us-east-1": 200, "eu-west-1": 100}),
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 100, "limit": 600}}),
    )
    # us-east-1: 300 of 300 + 600 (33.3 %) binds; eu-west-1: 100 of 300 + 300
    assert snap["combined"]["region"] == "us-east-1"
    calm = staging_accounts_for(300, snap, LIMIT)
    assert "in us-east-1 (the binding Region)" in calm
    assert "600 of 900 (66.7 %, INFO)" in calm
    assert "no staging account needed" in calm
    busy = staging_accounts_for(1000, snap, LIMIT)
    assert "1,300 of 900" in busy and "HYPER-CRITICAL" in busy
    needed = staging_accounts_needed(1300, 900, LIMIT)
    assert needed == 3  # a sum over Regions against 2 × 300 would say otherwise
    assert "Add 3 staging accounts in us-east-1" in busy


def test_the_planner_asks_for_staging_accounts_only_from_critical():
    snap = fleet()  # binding us-east-1: 380 of 900 (the inaccessible one not counted)
    warning = staging_accounts_for(300, snap, LIMIT)
    assert "680 of 900" in warning and "WARNING" in warning
    assert "no staging account needed" in warning
    assert "not reporting are not included" in warning
    critical = staging_accounts_for(400, snap, LIMIT)
    assert "780 of 900" in critical and "CRITICAL" in critical
    assert "Add 1 staging account in us-east-1" in critical


def test_staging_accounts_for_rejects_bad_input_and_unknown_capacity():
    snap = fleet()
    assert "Enter" in staging_accounts_for(None, snap, LIMIT)
    assert "Enter" in staging_accounts_for(-5, snap, LIMIT)
    nobody = make_snapshot(inaccessible("111111111111", account_type="target"))
    assert "No account is reporting" in staging_accounts_for(10, nobody, LIMIT)
