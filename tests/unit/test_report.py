"""The CLI's capacity table (services.report.capacity): the overall status leads, one row
per account with its busiest Region, combined per Region, recovery with its Region,
warnings; readable in 100 columns."""

from __future__ import annotations

import pytest

from services.report import WIDTH, capacity
from tests.unit.snapshot_factory import (
    TARGET_ID,
    fleet_snapshot,
    inaccessible,
    make_snapshot,
    staging,
    target,
)

STAGING_ID = "222222222222"


def line_of(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


@pytest.fixture(scope="module")
def one_unit_critical() -> dict:
    """Combined OK in every Region, but one staging account × Region is CRITICAL."""
    return make_snapshot(
        target(regions={"us-east-1": 10, "eu-west-1": {"CONTINUOUS": 3}}),
        staging(STAGING_ID, {"us-east-1": 20, "us-west-2": 260}),
        inaccessible("333333333333"),
    )


def test_the_table_leads_with_the_overall_status_and_the_binding_region(
    one_unit_critical,
):
    lines = capacity(one_unit_critical).splitlines()
    assert one_unit_critical["status"] == "CRITICAL"
    assert lines[0].startswith("Overall CRITICAL | target 111111111111 | scope all")
    combined = one_unit_critical["combined"]
    assert combined["region"] == "us-west-2" and combined["status"] == "OK"
    assert lines[1].startswith(
        "Combined OK in us-west-2 (binding Region): 260 / 600 replicating (43.3%)"
    )
    assert lines[2].startswith(
        "  operational limit 500; 2 of 3 accounts reporting; data PARTIAL"
    )


def test_each_account_row_shows_its_status_and_busiest_region(one_unit_critical):
    text = capacity(one_unit_critical)
    row = line_of(text, STAGING_ID).split()
    assert row[:6] == [STAGING_ID, "staging-222", "staging", "CRITICAL", "us-west-2",
                       "260"]  # fmt: skip
    assert row[6:9] == ["/", "300", "86.7%"]
    assert line_of(text, TARGET_ID).split()[3:5] == ["OK", "us-east-1"]
    locked = line_of(text, "333333333333").split()
    assert locked[3:] == ["UNKNOWN", "-", "-", "-", "-"]
    assert "(333333333333) is not reporting [ROLE_NOT_ACCESSIBLE]" in text


def test_combined_lines_per_region_where_several_hold_servers(one_unit_critical):
    text = capacity(one_unit_critical)
    assert "Combined by Region:" in text
    assert line_of(text, "  us-east-1").split()[:4] == ["us-east-1", "OK", "30", "/"]
    assert line_of(text, "  us-west-2").split()[:4] == ["us-west-2", "OK", "260", "/"]
    single = make_snapshot(target(regions={"us-east-1": 10}), staging(STAGING_ID))
    assert "Combined by Region" not in capacity(single)


def test_recovery_names_its_region(one_unit_critical):
    text = capacity(one_unit_critical)
    assert line_of(text, "Recovery").startswith(
        "Recovery OK in us-east-1: 10 / 4000 source servers in the target (0.3%); "
        "limit: setting"
    )
    assert "by Region: eu-west-1 3 / 4000 OK, us-east-1 10 / 4000 OK" in text


def test_warnings_follow_with_their_actions(one_unit_critical):
    text = capacity(one_unit_critical)
    warnings = text[text.index("Warnings (") :]
    assert warnings.splitlines()[1].lstrip().startswith("CRITICAL")
    assert "action:" in warnings


def test_a_scope_of_one_region_and_an_estate_without_servers():
    scoped = make_snapshot(
        target(regions={"us-east-1": 10}), staging(STAGING_ID), scope="us-east-1"
    )
    assert "Combined OK in us-east-1: 10 / 600" in capacity(scoped)
    empty = capacity(make_snapshot(target(), staging(STAGING_ID)))
    assert "Combined OK (no servers in any Region): 0 / 600" in empty
    assert "Recovery OK (no target servers): 0 / 4000" in empty
    assert line_of(empty, STAGING_ID).split()[3:7] == ["OK", "-", "0", "/"]


def test_a_partial_collection_says_so_and_names_the_regions_not_read():
    text = capacity(
        make_snapshot(
            target(), staging(STAGING_ID, {"us-east-1": 5, "eu-west-1": "error"})
        )
    )
    assert "data PARTIAL" in text.splitlines()[2]
    assert "in eu-west-1 could not be read [AWS_THROTTLED]" in text


def test_every_line_fits_in_100_columns():
    long_name = "a-staging-account-whose-name-is-as-long-as-sixty-four-characters"
    busy = make_snapshot(
        target(regions={"ap-southeast-7": 3990}),
        staging(STAGING_ID, {"ap-southeast-7": 299, "us-east-1": "error"}, long_name),
        inaccessible("333333333333", name=long_name),
    )
    for snapshot in (busy, fleet_snapshot(12, 6, inaccessible_every=4, error_every=5)):
        text = capacity(snapshot)
        assert max(len(line) for line in text.splitlines()) <= WIDTH
    assert "a-staging-acc..." in capacity(busy)
