"""The headline (overall status, its reason, completeness), the Region bullets and the
refresh's timing: what a reader sees first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from components import ids
from components.gauges import region_bullets, regions_in_use
from components.headline import completeness_text, headline, reason_text, worst_unit
from dashboard.callbacks.refresh import age_seconds
from tests.unit.component_tree import find_by_id, text_of, walk
from tests.unit.snapshot_factory import inaccessible, make_snapshot, staging, target


def test_headline_names_the_worst_unit_and_how_far_it_is_from_the_next_level():
    snap = make_snapshot(
        target(regions={"us-east-1": 50, "eu-west-1": 10}),
        staging("222222222222", {"us-east-1": 247}, name="staging-east-01"),
        staging("333333333333", {"eu-west-1": 20}),
    )
    assert snap["combined"]["status"] == "OK" and snap["status"] == "WARNING"
    page = headline(snap)
    assert text_of(find_by_id(page, ids.HEADLINE_STATUS)).strip() == "⚠ WARNING"
    assert (
        text_of(find_by_id(page, ids.HEADLINE_REASON))
        == "staging-east-01 · us-east-1: 247 of 300, 3 from CRITICAL"
    )
    assert "All 3 accounts reporting" in text_of(page)


def test_headline_follows_the_worst_unit_not_the_combined_total():
    """One account at its limit in a Region makes the page CRITICAL+ although the
    Region's combined total is far from its own."""
    snap = make_snapshot(
        target(regions={"us-east-1": 10}),
        staging("222222222222", {"us-east-1": 300}, name="full"),
        staging("333333333333", {"us-east-1": 0}),
        staging("444444444444", {"us-east-1": 0}),
    )
    assert snap["status"] == "HYPER-CRITICAL"
    assert reason_text(snap) == "full · us-east-1: 300 of 300, at the limit"
    assert (
        "status-hyper-critical"
        in find_by_id(headline(snap), ids.HEADLINE_STATUS).className
    )


def test_headline_says_partial_beside_the_status_when_accounts_or_regions_are_not_read():
    snap = make_snapshot(
        target(regions={"us-east-1": 20, "us-west-2": "error"}),
        inaccessible("222222222222"),
    )
    text = text_of(find_by_id(headline(snap), ids.HEADLINE_COMPLETENESS))
    assert text == "⚠ Partial data: 1 of 2 accounts reporting · 1 Region not read"
    assert completeness_text(make_snapshot(target(regions={"us-east-1": 1}))) == (
        "The 1 account reporting, every Region read"
    )


def test_an_ok_headline_still_names_the_busiest_unit():
    snap = make_snapshot(target(regions={"us-east-1": 100}, name="t"))
    assert snap["status"] == "OK"
    assert reason_text(snap) == "Busiest: t · us-east-1: 100 of 300, 125 from WARNING"


def test_no_data_headline_is_unknown_and_says_so():
    page = headline(None)
    assert "UNKNOWN" in text_of(find_by_id(page, ids.HEADLINE_STATUS))
    snap = make_snapshot(inaccessible("111111111111", account_type="target"))
    assert reason_text(snap) == "No account is reporting: nothing could be counted."


@settings(max_examples=150, deadline=None)
@given(
    counts=st.lists(st.integers(0, 320), min_size=1, max_size=4),
    target_count=st.integers(0, 320),
)
def test_the_reason_is_always_about_a_unit_at_the_overall_status(counts, target_count):
    readings = [target(regions={"us-east-1": target_count})] + [
        staging(f"{i + 2}" * 12, {"us-east-1": n}) for i, n in enumerate(counts)
    ]
    snap = make_snapshot(*readings)
    unit = worst_unit(snap)
    if unit is None:  # nothing replicating anywhere
        assert snap["status"] == "OK" and not any([*counts, target_count])
        assert reason_text(snap) == "No source servers in any Region yet."
        return
    assert unit.status.value == snap["status"]
    assert unit.reason() in reason_text(snap)


def test_one_bullet_per_region_in_use_binding_first_each_against_its_own_limit():
    snap = make_snapshot(
        target(regions={"us-east-1": 100, "eu-west-1": 250, "ap-south-1": 0}),
        staging(
            "222222222222",
            {"us-east-1": 150, "eu-west-1": {"CONTINUOUS": 10, "limit": 500}},
        ),
    )
    binding = snap["combined"]["region"]
    rows = regions_in_use(snap)
    assert rows[0]["region"] == binding
    assert {r["region"] for r in rows} == {"us-east-1", "eu-west-1"}  # ap-south-1 empty
    meters = [
        n for n in walk(region_bullets(snap)) if getattr(n, "role", None) == "meter"
    ]
    by_region = {m.title.split(":")[0]: m for m in meters}
    eu = by_region["eu-west-1"]
    assert eu.title.startswith("eu-west-1: 260 of 800")  # 300 + an applied 500
    assert by_region["us-east-1"].title.startswith("us-east-1: 250 of 600")


def test_an_unread_region_is_marked_not_read_and_a_lower_bound_never_a_plain_zero():
    snap = make_snapshot(
        target(regions={"us-east-1": 10}),
        staging("222222222222", {"us-east-1": 5, "us-west-2": "error"}),
    )
    text = text_of(region_bullets(snap))
    assert "us-west-2" in text and "≥ 0 of" in text and "1 not read" in text


def test_bullets_only_in_all_regions():
    snap = make_snapshot(target(regions={"us-east-1": 10}), scope="us-east-1")
    assert region_bullets(snap) is None


def test_age_is_measured_by_the_server_clock():
    at = (datetime.now(UTC) - timedelta(seconds=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert 11 <= age_seconds(at) <= 14
    assert age_seconds("not a time") is None
