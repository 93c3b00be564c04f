"""Bar charts: what each trace holds, limits drawn, unknown never drawn as zero, size."""

from __future__ import annotations

import plotly.graph_objects as go

from components.chart_parts import STATE_COLORS
from components.charts import (
    STACK_BY_STATE,
    account_bars,
    region_bars,
    region_reporting,
)
from components.format import account_label
from services.settings import REPLICATION_STATES
from services.thresholds import operational_limit
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


def bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if t.type == "bar"]


def test_account_bars_have_one_trace_per_region_holding_the_replicating_counts():
    snap = mixed_snapshot()
    fig = account_bars(snap, "region", LIMIT)
    traces = bars(fig)
    assert [t.name for t in traces] == ["ap-south-1", "eu-west-1", "us-east-1"]
    labels = [account_label(a) for a in snap["accounts"]]
    for trace in traces:
        assert list(trace.x) == labels
        for account, y in zip(snap["accounts"], trace.y, strict=True):
            rows = {r["region"]: r for r in account["regionalBreakdown"]}
            expected = rows.get(trace.name, {}).get("replicatingServers")
            assert y == expected


def test_each_account_bar_adds_up_to_its_replicating_servers():
    snap = mixed_snapshot()
    traces = bars(account_bars(snap, "region", LIMIT))
    for i, account in enumerate(snap["accounts"]):
        if account["accessible"]:
            height = sum(t.y[i] or 0 for t in traces)
            assert height == account["replicatingServers"]


def test_inaccessible_accounts_are_marked_unknown_not_drawn_as_zero():
    snap = mixed_snapshot()
    for stack_by in ("region", "state"):
        fig = account_bars(snap, stack_by, LIMIT)
        index = next(i for i, a in enumerate(snap["accounts"]) if not a["accessible"])
        assert all(t.y[index] is None for t in bars(fig))
        unknown = next(t for t in fig.data if t.name == "Not reporting (unknown)")
        assert list(unknown.x) == [account_label(snap["accounts"][index])]
        assert list(unknown.text) == ["unknown"]
        assert "1 not reporting" in fig.layout.annotations[0].text


def test_incomplete_accounts_are_marked_as_a_lower_bound():
    snap = mixed_snapshot()
    fig = account_bars(snap, "region", LIMIT)
    partial = next(t for t in fig.data if t.name == "Incomplete (lower bound)")
    assert list(partial.x) == ["staging-222 (222222222222)"]
    assert list(partial.y) == [50]


def test_state_stacks_hold_all_ten_states_with_non_counting_ones_last_and_grey():
    snap = mixed_snapshot()
    traces = bars(account_bars(snap, STACK_BY_STATE, LIMIT))
    names = [t.name for t in traces]
    assert sorted(names) == sorted(REPLICATION_STATES)
    assert set(names[-len(NON_COUNTING) :]) == NON_COUNTING
    for trace in traces:
        assert trace.marker.color == STATE_COLORS[trace.name]
        hatched = trace.marker.pattern.shape == "/"
        assert hatched == (trace.name in NON_COUNTING)
        for account, y in zip(snap["accounts"], trace.y, strict=True):
            by_state = account["byState"]
            assert y == (by_state[trace.name] if by_state else None)


def test_account_bars_draw_the_operational_and_hard_limit_lines():
    fig = account_bars(mixed_snapshot(), "region", LIMIT)
    lines = {shape.label.text.split()[0]: shape.y0 for shape in fig.layout.shapes}
    assert lines == {
        "Operational": float(operational_limit(LIMIT)),
        "Hard": LIMIT,
    }
    assert fig.layout.yaxis.range[1] > LIMIT


def test_region_bars_stack_accounts_with_their_counts():
    snap = mixed_snapshot()
    fig = region_bars(snap, LIMIT)
    traces = bars(fig)
    regions = ["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"]
    readable = [a for a in snap["accounts"] if a["accessible"]]
    assert [t.name for t in traces] == [account_label(a) for a in readable]
    for trace, account in zip(traces, readable, strict=True):
        assert list(trace.x) == regions
        rows = {
            r["region"]: r["replicatingServers"] for r in account["regionalBreakdown"]
        }
        assert list(trace.y) == [rows.get(r) for r in regions]


def test_region_limit_is_accounts_reporting_there_times_the_limit():
    snap = mixed_snapshot()
    fig = region_bars(snap, LIMIT)
    regions = ["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"]
    # 3 accessible accounts; staging 222 could not read us-west-2.
    assert region_reporting(snap["accounts"], regions) == [3, 3, 3, 2]
    hard = next(t for t in fig.data if t.name.startswith("Combined hard limit"))
    assert list(hard.y) == [3 * LIMIT, 3 * LIMIT, 3 * LIMIT, 2 * LIMIT]
    operational = next(t for t in fig.data if t.name == "Combined operational limit")
    assert list(operational.y) == [
        float(n * operational_limit(LIMIT)) for n in (3, 3, 3, 2)
    ]


def test_single_region_scope_draws_one_region_bar():
    snap = make_snapshot(
        target(regions={"us-east-1": 10, "eu-west-1": 5}), scope="us-east-1"
    )
    fig = region_bars(snap, LIMIT)
    assert [list(t.x) for t in bars(fig)] == [["us-east-1"]]


def test_empty_snapshot_draws_empty_charts():
    snap = make_snapshot(inaccessible("111111111111", account_type="target"))
    assert bars(region_bars(snap, LIMIT)) == []
    assert all(t.y[0] is None for t in bars(account_bars(snap, "region", LIMIT)))


def test_figures_for_100_accounts_by_34_regions_stay_small():
    snap = fleet_snapshot(100, 34, inaccessible_every=10, error_every=50)
    figures = {
        "by region": account_bars(snap, "region", LIMIT),
        "by state": account_bars(snap, STACK_BY_STATE, LIMIT),
        "per region": region_bars(snap, LIMIT),
    }
    for name, fig in figures.items():
        assert len(fig.to_json()) < MAX_FIGURE_JSON, name
        assert len(fig.layout.shapes) <= 2, name
    assert len(figures["by region"].data) <= 34 + 2  # one trace per Region + markers
    assert len(figures["by state"].data) <= len(REPLICATION_STATES) + 2
    assert len(figures["per region"].data) <= 100 + 2


def test_region_chart_scales_to_the_bars_when_limits_dwarf_them():
    snap = make_snapshot(
        target(regions={"us-east-1": 10}),
        *(staging(f"2222222222{i:02d}", {"us-east-1": 5}) for i in range(9)),
    )
    fig = region_bars(snap, LIMIT)
    hard = next(t for t in fig.data if t.name.startswith("Combined hard limit"))
    assert list(hard.y) == [10 * LIMIT]  # still exact, just above the scale
    assert fig.layout.yaxis.range[1] < 10 * LIMIT
    assert "above the scale" in fig.layout.annotations[0].text
