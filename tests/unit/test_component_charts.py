"""Bar charts: each unit against its own limit, combined limits per Region from the
snapshot, unknown never drawn as zero, size."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from components.chart_parts import STATE_COLORS
from components.charts import STACK_BY_STATE, account_bars, region_bars
from components.format import account_label
from services.settings import REPLICATION_STATES
from services.thresholds import operational_count
from tests.unit.snapshot_factory import (
    LIMIT,
    NON_COUNTING,
    fleet_snapshot,
    inaccessible,
    make_snapshot,
    staging,
    target,
)

MAX_FIGURE_JSON = 300_000  # bytes; a browser round trip should stay well under 1 MB


def mixed_snapshot() -> dict:
    return make_snapshot(
        target(
            regions={
                "us-east-1": {"CONTINUOUS": 120, "STOPPED": 4, "extended": 50},
                "eu-west-1": {"BACKLOG": 10, "DISCONNECTED": 2},
            }
        ),
        staging("222222222222", {"us-east-1": 50, "us-west-2": "error"}),
        inaccessible("333333333333"),
        staging("444444444444", {"eu-west-1": 7, "ap-south-1": 3}),
    )


def bars(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t["type"] == "bar"]


def trace_named(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t["name"] == name)


def hard_limits(fig: dict) -> dict:
    return next(t for t in fig["data"] if t["name"].startswith("Combined hard limit"))


def units(account: dict) -> dict[str, dict]:
    return {r["region"]: r for r in account["regionalBreakdown"]}


def test_account_bars_have_one_trace_per_region_holding_each_units_share():
    snap = mixed_snapshot()
    fig = account_bars(snap, "region")
    traces = bars(fig)
    assert [t["name"] for t in traces] == ["ap-south-1", "eu-west-1", "us-east-1"]
    assert fig["layout"]["barmode"] == "group"  # one bar per unit, never a stack
    labels = [account_label(a) for a in snap["accounts"]]
    for trace in traces:
        assert list(trace["x"]) == labels
        for account, y in zip(snap["accounts"], trace["y"], strict=True):
            unit = units(account).get(trace["name"]) if account["accessible"] else None
            assert y == (unit["percentUsed"] if unit else None)


def test_a_raised_quota_unit_is_drawn_against_its_own_limit():
    snap = make_snapshot(
        target(regions={"us-east-1": 247}),
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 247, "limit": 500}}),
    )
    (trace,) = bars(account_bars(snap, "region"))
    assert list(trace["y"]) == [82.3, 49.4]  # 247 of 300 vs 247 of its own 500
    hover = "%{customdata[0]:,} of %{customdata[1]:,} (limit: %{customdata[2]})"
    assert hover in trace["hovertemplate"]  # "247 of 500 (limit: applied)"
    assert [list(c) for c in trace["customdata"]] == [
        [247, LIMIT, "setting", "WARNING"],
        [247, 500, "applied", "OK"],
    ]


def test_unit_bars_are_measured_against_the_operational_share_and_100_percent():
    layout = account_bars(mixed_snapshot(), "region")["layout"]
    lines = {s["label"]["text"].split()[0]: s["y0"] for s in layout["shapes"]}
    assert lines == {"Operational": 100 * 5 / 6, "Hard": 100}
    assert "5/6" in layout["shapes"][0]["label"]["text"]
    assert layout["yaxis"]["range"][1] > 100
    assert layout["yaxis"]["ticksuffix"] == " %"


def test_a_unit_over_its_limit_raises_the_scale_above_it():
    snap = make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 150, "limit": 100}})
    )
    fig = account_bars(snap, "region")
    assert bars(fig)[0]["y"][0] == 150.0
    assert fig["layout"]["yaxis"]["range"][1] > 150


def test_inaccessible_accounts_are_marked_unknown_not_drawn_as_zero():
    snap = mixed_snapshot()
    for stack_by in ("region", "state"):
        fig = account_bars(snap, stack_by)
        index = next(i for i, a in enumerate(snap["accounts"]) if not a["accessible"])
        assert all(t["y"][index] is None for t in bars(fig))
        unknown = trace_named(fig, "Not reporting (unknown)")
        assert list(unknown["x"]) == [account_label(snap["accounts"][index])]
        assert list(unknown["text"]) == ["unknown"]
        assert "1 not reporting" in fig["layout"]["annotations"][0]["text"]


def test_unreadable_regions_are_marked_unknown_not_drawn():
    snap = mixed_snapshot()
    fig = account_bars(snap, "region")
    assert "us-west-2" not in [t["name"] for t in bars(fig)]
    marker = trace_named(fig, "Region unreadable (unknown)")
    assert list(marker["x"]) == ["staging-222 (222222222222)"]
    assert list(marker["text"]) == ["?"]
    assert list(marker["customdata"]) == ["us-west-2"]


def test_state_stacks_hold_all_ten_states_with_non_counting_ones_last_and_grey():
    snap = mixed_snapshot()
    traces = bars(account_bars(snap, STACK_BY_STATE))
    names = [t["name"] for t in traces]
    assert sorted(names) == sorted(REPLICATION_STATES)
    assert set(names[-len(NON_COUNTING) :]) == NON_COUNTING
    for trace in traces:
        assert trace["marker"]["color"] == STATE_COLORS[trace["name"]]
        hatched = trace["marker"]["pattern"]["shape"] == "/"
        assert hatched == (trace["name"] in NON_COUNTING)
        for account, y in zip(snap["accounts"], trace["y"], strict=True):
            by_state = account["byState"]
            assert y == (by_state[trace["name"]] if by_state else None)


def test_state_stacks_are_not_a_unit_so_draw_no_limit_and_say_no_replicating():
    fig = account_bars(mixed_snapshot(), STACK_BY_STATE)
    layout = fig["layout"]
    assert layout["barmode"] == "stack"
    assert not layout.get("shapes")
    words = [layout["title"]["text"], layout["yaxis"]["title"]["text"]]
    words += [t["name"] for t in fig["data"]] + [
        t["hovertemplate"] for t in fig["data"]
    ]
    words += [t.get("legendgrouptitle", {}).get("text") or "" for t in bars(fig)]
    assert not any("replicating" in w.lower() for w in words)


def test_region_bars_stack_accounts_with_their_counts():
    snap = mixed_snapshot()
    fig = region_bars(snap)
    traces = bars(fig)
    regions = ["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"]
    readable = [a for a in snap["accounts"] if a["accessible"]]
    assert [t["name"] for t in traces] == [account_label(a) for a in readable]
    for trace, account in zip(traces, readable, strict=True):
        assert list(trace["x"]) == regions
        rows = {
            r["region"]: r["replicatingServers"] for r in account["regionalBreakdown"]
        }
        assert list(trace["y"]) == [rows.get(r) for r in regions]


def test_region_limits_are_the_snapshots_combined_limits_per_region():
    snap = mixed_snapshot()
    fig = region_bars(snap)
    by_region = {c["region"]: c for c in snap["combinedByRegion"]}
    regions = ["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"]
    hard = hard_limits(fig)
    operational = trace_named(fig, "Combined operational limit")
    assert list(hard["x"]) == list(operational["x"]) == regions
    assert list(hard["y"]) == [by_region[r]["maxReplicating"] for r in regions]
    assert list(operational["y"]) == [by_region[r]["operationalLimit"] for r in regions]


def test_region_limits_add_each_accounts_own_limit_not_n_times_a_setting():
    snap = make_snapshot(
        target(regions={"us-east-1": 100, "eu-west-1": 10}),
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 400, "limit": 1000}}),
    )
    fig = region_bars(snap)
    hard = hard_limits(fig)
    assert list(hard["x"]) == ["eu-west-1", "us-east-1"]
    assert list(hard["y"]) == [2 * LIMIT, LIMIT + 1000]  # not 2 × 300 in us-east-1
    operational = trace_named(fig, "Combined operational limit")
    assert list(operational["y"]) == [
        operational_count(2 * LIMIT),
        operational_count(LIMIT + 1000),
    ]
    assert list(hard["customdata"][1]) == ["500 of 1,300", "✓ OK"]


def test_single_region_scope_draws_one_region_bar():
    snap = make_snapshot(
        target(regions={"us-east-1": 10, "eu-west-1": 5}), scope="us-east-1"
    )
    fig = region_bars(snap)
    assert [list(t["x"]) for t in bars(fig)] == [["us-east-1"]]


def test_empty_snapshot_draws_empty_charts():
    snap = make_snapshot(inaccessible("111111111111", account_type="target"))
    assert bars(region_bars(snap)) == []
    assert all(t["y"][0] is None for t in bars(account_bars(snap, "region")))


def test_figures_for_100_accounts_by_34_regions_stay_small():
    snap = fleet_snapshot(100, 34, inaccessible_every=10, error_every=50)
    figures = {
        "by region": account_bars(snap, "region"),
        "by state": account_bars(snap, STACK_BY_STATE),
        "per region": region_bars(snap),
    }
    for name, fig in figures.items():
        assert len(json.dumps(fig)) < MAX_FIGURE_JSON, name
        assert len(fig["layout"].get("shapes", ())) <= 2, name
    assert len(figures["by region"]["data"]) <= 34 + 2  # a trace per Region + markers
    assert len(figures["by state"]["data"]) <= len(REPLICATION_STATES) + 2
    assert len(figures["per region"]["data"]) <= 100 + 2


def test_region_chart_scales_to_the_bars_when_limits_dwarf_them():
    snap = make_snapshot(
        target(regions={"us-east-1": 10}),
        *(staging(f"2222222222{i:02d}", {"us-east-1": 5}) for i in range(9)),
    )
    fig = region_bars(snap)
    assert list(hard_limits(fig)["y"]) == [10 * LIMIT]  # exact, just above the scale
    assert fig["layout"]["yaxis"]["range"][1] < 10 * LIMIT
    assert "above the scale" in fig["layout"]["annotations"][0]["text"]


@pytest.mark.parametrize(
    "snap",
    [mixed_snapshot(), fleet_snapshot(12, 5, inaccessible_every=4, error_every=7)],
    ids=["mixed", "fleet"],
)
def test_figures_are_plain_dicts_that_plotly_accepts_as_they_are(snap):
    figures = [
        account_bars(snap, "region"),
        account_bars(snap, STACK_BY_STATE),
        region_bars(snap),
    ]
    for fig in figures:
        assert set(fig) == {"data", "layout"}
        # Plotly validates every property: a misspelt or invalid one raises here
        validated = go.Figure(fig).to_plotly_json()
        assert json.loads(json.dumps(validated, default=list)) == json.loads(
            json.dumps(fig)
        )


MARKUP_NAMES = [
    ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
    ("line<br>break", "line&lt;br&gt;break"),
    (
        '<a href="https://evil.example">x</a>',
        '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;',
    ),
    ("R&D", "R&amp;D"),
]


@pytest.mark.parametrize(("name", "shown_as"), MARKUP_NAMES)
def test_a_name_with_markup_is_shown_as_text_on_every_chart(name, shown_as):
    snap = make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 10}}),
        staging("222222222222", {"us-east-1": 5}, name=name),
        inaccessible("333333333333", name=name),
    )
    figures = [
        account_bars(snap),
        account_bars(snap, STACK_BY_STATE),
        region_bars(snap),
    ]
    for fig in figures:
        text = json.dumps(fig["data"])
        # Plotly reads tags in labels, legends and hovers: no tag of the name survives
        assert "<b>bold" not in text and "<br>break" not in text and "<a " not in text
        assert json.dumps(f"{shown_as} (222222222222)")[1:-1] in text
