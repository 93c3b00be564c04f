"""Properties of the rendered charts and table over arbitrary fleets."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from components.chart_parts import SHORT_NAME_CHARS, short_name, y_top
from components.charts import STACK_BY_STATE, account_bars, region_bars
from components.format import chart_label
from components.tables import sort_accounts
from services.thresholds import percent
from tests.unit.snapshot_factory import (
    inaccessible,
    make_snapshot,
    staging,
    target,
)

REGIONS = ["eu-west-1", "us-east-1", "us-west-2"]
region_spec = st.one_of(
    st.integers(0, 400),
    st.fixed_dictionaries(
        {"CONTINUOUS": st.integers(0, 200), "STOPPED": st.integers(0, 50)},
        optional={"limit": st.integers(1, 1000)},  # an applied quota
    ),
    st.just("error"),
    st.just("uninitialized"),
)
regions = st.dictionaries(st.sampled_from(REGIONS), region_spec, max_size=3)


@st.composite
def snapshots(draw):
    readings = [target(regions=draw(regions))]
    for i in range(draw(st.integers(0, 5))):
        account_id = f"{200000000000 + i:012d}"
        if draw(st.booleans()) and i % 2:
            readings.append(inaccessible(account_id))
        else:
            readings.append(staging(account_id, draw(regions)))
    return make_snapshot(*readings)


@settings(max_examples=100, deadline=None)
@given(snapshots())
def test_each_account_region_bar_is_that_units_share_of_its_own_limit(snap):
    traces = [t for t in account_bars(snap, "region")["data"] if t["type"] == "bar"]
    for i, account in enumerate(snap["accounts"]):
        drawn = {t["name"]: t["y"][i] for t in traces if t["y"][i] is not None}
        units = {
            u["region"]: u["percentUsed"]
            for u in account["regionalBreakdown"]
            if u["replicatingServers"] is not None
        }
        assert drawn == units  # unknown units (and accounts) stay blank
        for trace in traces:
            if trace["y"][i] is not None:
                _label, used, limit, _source, _status = trace["customdata"][i]
                assert trace["y"][i] == percent(used, limit)


@settings(max_examples=100, deadline=None)
@given(snapshots())
def test_region_bars_total_each_regions_combined_against_its_combined_limits(snap):
    fig = region_bars(snap)
    traces = [t for t in fig["data"] if t["type"] == "bar"]
    hard = next(t for t in fig["data"] if t["name"] == "Region's hard limit")
    combined = {c["region"]: c for c in snap["combinedByRegion"]}
    for j, region in enumerate(hard["x"]):
        drawn = sum(t["y"][j] or 0 for t in traces)
        assert drawn == combined[region]["totalReplicating"]
        assert hard["y"][j] == combined[region]["maxReplicating"]
    if snap["combined"]["region"]:
        binding = combined[snap["combined"]["region"]]
        assert binding == snap["combined"]


@settings(max_examples=100, deadline=None)
@given(
    snapshots(),
    st.sampled_from(["percentUsed", "status", "accountName", "regions"]),
    st.booleans(),
)
def test_sorting_is_a_permutation_with_unknown_values_last(snap, column, descending):
    accounts = snap["accounts"]
    ordered = sort_accounts(accounts, {"column": column, "descending": descending})
    assert sorted(a["accountId"] for a in ordered) == sorted(
        a["accountId"] for a in accounts
    )
    seen_unknown = False
    for account in ordered:
        # unknown: an account not reporting, or (percent) one whose Regions all failed
        unknown = {
            "percentUsed": account["percentUsed"] is None,
            "regions": not account["accessible"],
        }.get(column, False)
        assert not (seen_unknown and not unknown)
        seen_unknown = seen_unknown or unknown


account_names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=64,
).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(account_names)
def test_any_name_is_at_most_24_characters_on_an_axis_and_whole_in_the_hover(name):
    account = {"accountName": name, "accountId": "222222222222"}
    shown = html.unescape(short_name(account))
    assert len(shown) <= SHORT_NAME_CHARS
    assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1]))
    snap = make_snapshot(target(regions={"us-east-1": 3}), staging(
        "222222222222", {"us-east-1": 5, "eu-west-1": "error"}, name=name
    ))  # fmt: skip
    by_region = account_bars(snap)
    hover = [c[0] for t in by_region["data"] if t["type"] == "bar"
             for c in t["customdata"] if c]  # fmt: skip
    assert chart_label(snap["accounts"][1]) in hover
    assert html.unescape(chart_label(snap["accounts"][1])) == f"{name} (222222222222)"
    for fig in (by_region, account_bars(snap, STACK_BY_STATE), region_bars(snap)):
        for text in strings(fig):  # the name never reads as markup
            assert "<" not in re.sub(r"<br>|</?extra>", "", text)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


@settings(max_examples=100, deadline=None)
@given(snapshots(), st.sampled_from(["region", STACK_BY_STATE]))
def test_the_y_range_holds_every_bar_and_the_limit_that_applies(snap, stack_by):
    fig = account_bars(snap, stack_by)
    top = fig["layout"]["yaxis"]["range"][1]
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    if stack_by == "region":
        tallest = max([100.0, *(y or 0 for t in bars for y in t["y"])])
        assert top >= y_top(tallest)  # the 100 % line and its label fit
    else:
        n = len(fig["layout"]["xaxis"]["tickvals"])
        stacks = [sum(t["y"][i] or 0 for t in bars) for i in range(n)]
        assert top >= max([0, *stacks])
