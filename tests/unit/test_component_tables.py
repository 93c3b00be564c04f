"""Accounts table (rows, sorting, unknowns, busiest Region), breakdown tables and
capacity planning in the busiest unit's and the binding Region's terms."""

from __future__ import annotations

from pathlib import Path

import dash_bootstrap_components as dbc
import pytest
from dash import html

from components import ids
from components.console_links import drs_console_url, quota_url
from components.planner import account_plan, planning_summary
from components.tables import (
    ACCOUNT_COLUMNS,
    TABLE_CAPTION,
    accounts_table,
    next_sort,
    region_breakdown_table,
    sort_accounts,
    state_breakdown_table,
)
from services.settings import (
    RECOVERY_QUOTA_CODE,
    REPLICATION_QUOTA_CODE,
    REPLICATION_STATES,
)
from services.thresholds import band_thresholds
from tests.unit.component_tree import find_all, find_by_id, text_of, walk
from tests.unit.snapshot_factory import (
    LIMIT,
    inaccessible,
    make_snapshot,
    staging,
    target,
)

TABLE_CSS = Path(__file__).resolve().parents[2] / "dashboard" / "assets" / "table.css"


def fleet() -> dict:
    return make_snapshot(
        target(regions={"us-east-1": 120, "eu-west-1": {"STOPPED": 3}}),
        staging("222222222222", {"us-east-1": 260, "us-west-2": "error"}),
        inaccessible("333333333333"),
        staging("444444444444", {"eu-west-1": 210}, name="alpha"),
    )


def plain_text(node) -> str:
    """The text a reader sees, its pieces joined as the browser joins them."""
    return "".join(n for n in walk(node) if isinstance(n, str))


def region_of(cell: html.Td) -> str:
    """The Region named in a Region breakdown's first cell (its links under it)."""
    return text_of(find_all(cell, html.Div)[1])


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


def headers(table) -> dict[str, html.Th]:
    """Each header cell by the column it sorts."""
    return {th.children.id["index"]: th for th in find_all(table, html.Th)}


def sort_marks(table) -> dict[str, tuple[str, str | None]]:
    """Each column's header text and its aria-sort (None where absent)."""
    return {
        key: (text_of(th), getattr(th, "aria-sort", None))
        for key, th in headers(table).items()
    }


def test_the_sorted_column_shows_its_direction_and_announces_it():
    table = accounts_table(fleet(), {"column": "status", "descending": True})
    header = find_by_id(table, ids.accounts_sort_id("status"))
    assert text_of(header) == "Status ▼"
    marks = sort_marks(table)
    assert marks["status"] == ("Status ▼", "descending")
    ascending = sort_marks(accounts_table(fleet(), {"column": "accountName"}))
    assert ascending["accountName"] == ("Name ▲", "ascending")


def test_other_sortable_columns_show_a_neutral_hint_and_no_aria_sort():
    marks = sort_marks(accounts_table(fleet(), {"column": "status"}))
    others = {key: mark for key, mark in marks.items() if key != "status"}
    assert len(others) == len(ACCOUNT_COLUMNS) - 1
    for key, label, _ in ACCOUNT_COLUMNS:
        if key != "status":
            assert others[key] == (f"{label} ⇅", None)  # aria-sort on one header


def test_with_no_sort_stored_every_header_offers_the_hint():
    marks = sort_marks(accounts_table(fleet(), None))
    assert all(text.endswith("⇅") and aria is None for text, aria in marks.values())


def test_the_arrows_follow_each_click_kept_in_the_store():
    state = None
    seen = []
    for _ in range(3):  # what the sort callback stores after each click
        state = next_sort(state, "percentUsed")
        seen.append(sort_marks(accounts_table(fleet(), state))["percentUsed"])
    assert seen == [
        ("% used ▼", "descending"),  # numbers start descending
        ("% used ▲", "ascending"),
        ("% used ▼", "descending"),
    ]


def test_arrows_are_hidden_from_screen_readers_which_read_aria_sort():
    table = accounts_table(fleet(), {"column": "status", "descending": True})
    for th in headers(table).values():
        (arrow,) = find_all(th, html.Span)
        assert getattr(arrow, "aria-hidden") == "true"
        assert th.children.children[0] in {label for _, label, _ in ACCOUNT_COLUMNS}


def test_each_row_names_the_busiest_region_against_its_own_limit():
    snap = make_snapshot(
        target(regions={"us-east-1": 120, "eu-west-1": 200}),
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 247, "limit": 500}}),
        staging("444444444444"),
    )
    rows = rows_of(accounts_table(snap))
    cells = [[plain_text(c) for c in row.children] for row in rows]
    assert cells[0][5] == "eu-west-1: 200 of 300"
    assert cells[0][3] == "320"  # the sum over Regions, for information
    assert cells[0][6:8] == ["66.7\u00a0%", "100"]  # eu-west-1's, not 320 of 300
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
    assert region_of(rows_of(table)[0].children[0]) == "eu-west-1"
    assert cells[0][5:8] == [f"{LIMIT:,}", "setting: quota not read", "250"]
    assert cells[1][5:8] == ["500", "applied quota", "417"]


def test_region_breakdown_lists_regions_with_their_status_and_errors():
    account = fleet()["accounts"][1]
    table = region_breakdown_table(account)
    text = text_of(table)
    assert [region_of(r.children[0]) for r in rows_of(table)] == [
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


# Links to the AWS console per account × Region

DRS_URL = "https://{0}.console.aws.amazon.com/drs/home?region={0}#/sourceServers"
QUOTA_URL = (
    "https://{0}.console.aws.amazon.com/servicequotas/home/services/drs/quotas/{1}"
)


def links_of(node) -> list[html.A]:
    return find_all(node, html.A)


def test_the_busiest_region_links_to_its_drs_console_and_its_limit_to_its_quota():
    snap = make_snapshot(
        staging("222222222222", {"eu-west-1": {"CONTINUOUS": 247, "limit": 500}},
                name="staging-eu"),
    )  # fmt: skip
    row = rows_of(accounts_table(snap))[0]
    drs, quota = links_of(row.children[5])
    assert drs.href == DRS_URL.format("eu-west-1") and drs.children == ["eu-west-1"]
    assert quota.href == QUOTA_URL.format("eu-west-1", REPLICATION_QUOTA_CODE)
    assert quota.children == ["500"]
    for link in (drs, quota):
        assert link.target == "_blank" and link.rel == "noopener noreferrer"
        label = getattr(link, "aria-label")
        assert label.startswith(link.children[0])  # the visible text, then more
        assert "staging-eu (222222222222)" in label and "in eu-west-1" in label
        assert "new tab" in label
    assert REPLICATION_QUOTA_CODE in getattr(quota, "aria-label")


def test_each_unit_of_the_region_breakdown_links_to_its_console_pages():
    snap = make_snapshot(
        target(regions={"us-east-1": 120, "eu-west-1": 20}),
        staging("222222222222", {"ap-southeast-2": 5}),
    )
    target_account, staging_account = snap["accounts"]
    hrefs = [a.href for a in links_of(region_breakdown_table(staging_account))]
    assert hrefs == [
        DRS_URL.format("ap-southeast-2"),
        QUOTA_URL.format("ap-southeast-2", REPLICATION_QUOTA_CODE),
    ]
    rows = rows_of(region_breakdown_table(target_account))
    for row in rows:  # the target's recovery quota too
        region = region_of(row.children[0])
        assert [a.href for a in links_of(row)] == [
            DRS_URL.format(region),
            QUOTA_URL.format(region, REPLICATION_QUOTA_CODE),
            QUOTA_URL.format(region, RECOVERY_QUOTA_CODE),
        ]
        assert all(a.rel == "noopener noreferrer" for a in links_of(row))
        labels = [getattr(a, "aria-label") for a in links_of(row)]
        assert all(f"dr-target (111111111111) in {region}" in x for x in labels)


@pytest.mark.parametrize(
    "region",
    ["us-gov-west-1", "ap-southeast-2", "eu-central-1", "il-central-1"],
)
def test_links_are_built_for_strings_shaped_like_a_region(region):
    assert drs_console_url(region) == DRS_URL.format(region)
    assert quota_url(region) == QUOTA_URL.format(region, REPLICATION_QUOTA_CODE)


NOT_REGIONS = [
    "evil.example.com/x",
    "us-east-1.evil.example.com",
    "us-east-1\n",
    "US-EAST-1",
    "us-east-1#",
    "us-east-1/../../x",
    "javascript:alert(1)",
    "us-east-12",
    "",
]


@pytest.mark.parametrize("region", [*NOT_REGIONS, None, 42])
def test_no_url_is_built_for_anything_else(region):
    assert drs_console_url(region) is None and quota_url(region) is None


@pytest.mark.parametrize("region", NOT_REGIONS)
def test_a_region_not_shaped_like_one_is_shown_as_text_without_links(region):
    account = {
        "accountId": "222222222222", "accountName": "x", "accessible": True,
        "busiestRegion": region, "accountType": "target",
        "regionalBreakdown": [{"region": region, "replicatingServers": 1,
                               "maxReplicating": 300, "status": "OK"}],
    }  # fmt: skip
    breakdown = region_breakdown_table(account)
    assert links_of(breakdown) == []
    assert text_of(rows_of(breakdown)[0].children[0]) == " ".join(region.split())
    cell = rows_of(accounts_table({"accounts": [account]}))[0].children[5]
    assert links_of(cell) == [] and plain_text(cell) == f"{region}: 1 of 300"


def test_a_quota_link_needs_a_quota_code():
    assert quota_url("us-east-1", "L-C1D14A2B/../x") is None
    assert quota_url("us-east-1", "") is None


# Names are text; the number format is one

MARKUP_NAME = '<b>bold</b><br><a href="https://evil.example">click</a>'


def test_a_name_with_markup_stays_text_in_the_table_and_its_links():
    snap = make_snapshot(staging("222222222222", {"us-east-1": 10}, name=MARKUP_NAME))
    table = accounts_table(snap)
    button = find_by_id(table, ids.account_details_id("222222222222"))
    assert button.children == MARKUP_NAME  # a string: React renders it as text
    assert MARKUP_NAME in button.title
    assert not find_all(table, html.B) and not find_all(table, html.Br)
    for tree in (table, region_breakdown_table(snap["accounts"][0])):
        for link in links_of(tree):  # only the console's, never the name's
            assert link.href.startswith("https://us-east-1.console.aws.amazon.com/")
            assert "evil" not in link.href


def test_counts_have_thousands_separators_in_every_table():
    snap = make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 1234, "STOPPED": 8766,
                                      "limit": 4000}}),
    )  # fmt: skip
    account = snap["accounts"][0]
    row = rows_of(accounts_table(snap))[0]
    cells = [plain_text(c) for c in row.children]
    assert cells[3:5] == ["1,234", "10,000"]
    assert cells[5] == "us-east-1: 1,234 of 4,000"
    assert cells[7] == "2,766"
    region_row = [text_of(c) for c in rows_of(region_breakdown_table(account))[0]
                  .children]  # fmt: skip
    assert region_row[2:6] == ["1,234", "10,000", "0", "4,000"]
    assert "10,000" in text_of(state_breakdown_table(account))
    assert "1,234 of 4,000" in text_of(planning_summary(account))


# Small screens: name, used of limit and status only


def test_a_phone_shows_only_name_busiest_unit_and_status():
    table = accounts_table(fleet())
    shown_on_phone = {"accountName", "busiestRegion", "status"}
    for key, th in headers(table).items():
        hidden = "d-none d-md-table-cell" in (th.className or "")
        assert hidden == (key not in shown_on_phone), key
    keys = [key for key, _, _ in ACCOUNT_COLUMNS]
    for row in rows_of(table):
        for key, td in zip(keys, row.children, strict=True):
            classes = (td.className or "").split()
            hidden = {"d-none", "d-md-table-cell"} <= set(classes)
            assert hidden == (key not in shown_on_phone), key


def test_a_long_name_is_truncated_with_its_full_text_in_the_title():
    long_name = ("a-very-long-staging-account-name-" * 2)[:64]  # SPEC: 1-64
    assert len(long_name) == 64
    snap = make_snapshot(staging("222222222222", {"us-east-1": 1}, name=long_name))
    button = find_by_id(accounts_table(snap), ids.account_details_id("222222222222"))
    assert "drs-account-name" in button.class_name.split()
    assert button.title.startswith(long_name)
    css = TABLE_CSS.read_text()
    rule = css[css.index(".drs-accounts .drs-account-name {") :]
    rule = rule[: rule.index("}")]
    assert "text-overflow: ellipsis" in rule and "white-space: nowrap" in rule
    assert "max-width" in rule


def test_the_table_carries_the_class_its_stylesheet_styles():
    table = find_all(accounts_table(fleet()), dbc.Table)[0]
    assert "drs-accounts" in table.class_name.split()


def test_numeric_headers_sit_right_over_their_numbers():
    for key, th in headers(accounts_table(fleet())).items():
        numeric = dict((k, n) for k, _, n in ACCOUNT_COLUMNS)[key]
        assert ("text-end" in (th.className or "").split()) == numeric, key


def test_the_planner_writes_counts_and_nouns_in_one_format():
    snap = make_snapshot(target(regions={"us-east-1": 200}))
    account = snap["accounts"][0]
    busy = account_plan(2000, account, LIMIT)
    assert "With 2,000 more servers" in busy and "2,200 of 300" in busy
    one = account_plan(1, account, LIMIT)
    assert "With 1 more server in" in one
