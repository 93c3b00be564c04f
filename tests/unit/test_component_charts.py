"""Bar charts: each unit against its own limit, combined limits per Region from the
snapshot, unknown never drawn as zero, size."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from dash import dcc

from components.chart_parts import (
    GRAPH_CONFIG,
    HEADROOM,
    NOTE_LINE_CHARS,
    PALETTE,
    SHORT_NAME_CHARS,
    STATE_COLORS,
)
from components.charts import STACK_BY_STATE, account_bars, region_bars
from components.format import account_label
from components.status import BAND_COLORS
from services.settings import REPLICATION_STATES
from services.thresholds import operational_count
from tests.unit.snapshot_factory import (
    LIMIT,
    fleet_snapshot,
    inaccessible,
    make_snapshot,
    staging,
    target,
)

ASSETS = Path(__file__).parents[2] / "dashboard" / "assets"
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
    return trace_named(fig, "Region's hard limit")


def notes_of(fig: dict) -> str:
    return " ".join(a["text"] for a in fig["layout"].get("annotations", ()))


def units(account: dict) -> dict[str, dict]:
    return {r["region"]: r for r in account["regionalBreakdown"]}


def test_account_bars_have_one_trace_per_region_holding_each_units_share():
    snap = mixed_snapshot()
    fig = account_bars(snap, "region")
    traces = bars(fig)
    assert [t["name"] for t in traces] == ["ap-south-1", "eu-west-1", "us-east-1"]
    assert fig["layout"]["barmode"] == "group"  # one bar per unit, never a stack
    ids = [a["accountId"] for a in snap["accounts"]]
    xaxis = fig["layout"]["xaxis"]
    assert xaxis["tickvals"] == xaxis["categoryarray"] == ids
    assert xaxis["ticktext"] == [a["accountName"] for a in snap["accounts"]]
    for trace in traces:
        assert list(trace["x"]) == ids
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
    hover = "%{customdata[1]:,} of %{customdata[2]:,} (%{y:.0f} %)"
    assert hover in trace["hovertemplate"]  # "247 of 300 (82 %)"
    assert [list(c) for c in trace["customdata"]] == [
        ["dr-target (111111111111)", 247, LIMIT, "setting", "WARNING"],
        ["staging-222 (222222222222)", 247, 500, "applied", "OK"],
    ]


def test_unit_bars_are_measured_against_the_operational_share_and_100_percent():
    layout = account_bars(mixed_snapshot(), "region")["layout"]
    lines = {s["label"]["text"].split()[0]: s["y0"] for s in layout["shapes"]}
    assert lines == {"Operational": 100 * 5 / 6, "Hard": 100}
    assert "5/6" in layout["shapes"][0]["label"]["text"]
    assert layout["yaxis"]["ticksuffix"] == " %"


def test_the_hard_limit_label_has_room_above_its_line():
    layout = account_bars(mixed_snapshot(), "region")["layout"]
    hard = next(s for s in layout["shapes"] if s["label"]["text"].startswith("Hard"))
    assert hard["label"]["yanchor"] == "bottom"  # drawn above the line
    assert layout["yaxis"]["range"][1] >= 100 * HEADROOM


def test_a_unit_over_its_limit_raises_the_scale_above_it():
    snap = make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 150, "limit": 100}})
    )
    fig = account_bars(snap, "region")
    assert bars(fig)[0]["y"][0] == 150.0
    assert fig["layout"]["yaxis"]["range"][1] >= 150 * HEADROOM


def test_inaccessible_accounts_are_marked_not_reporting_not_drawn_as_zero():
    snap = mixed_snapshot()
    index = next(i for i, a in enumerate(snap["accounts"]) if not a["accessible"])
    fig = account_bars(snap, "region")
    assert all(t["y"][index] is None for t in bars(fig))
    unknown = trace_named(fig, "Account not reporting")
    assert list(unknown["x"]) == ["333333333333"]
    assert list(unknown["text"]) == ["not reporting"]
    assert list(unknown["customdata"]) == ["staging-333 (333333333333)"]
    assert "1 account not reporting" in fig["layout"]["annotations"][0]["text"]


def test_two_accounts_not_reporting_read_as_plural():
    snap = make_snapshot(
        target(regions={"us-east-1": 5}),
        inaccessible("222222222222"),
        inaccessible("333333333333"),
    )
    for fig in (account_bars(snap), account_bars(snap, STACK_BY_STATE)):
        assert "2 accounts not reporting" in fig["layout"]["annotations"][0]["text"]
    assert "2 accounts not reporting" in notes_of(region_bars(snap))


def test_an_unread_region_is_marked_not_read_in_its_slot_never_a_zero_bar():
    snap = mixed_snapshot()  # 222222222222's us-west-2 could not be read
    fig = account_bars(snap, "region")
    assert "us-west-2" not in [t["name"] for t in bars(fig)]  # no bar, not even 0
    marker = trace_named(fig, "Region not read")
    assert list(marker["x"]) == ["222222222222"]
    assert marker["offsetgroup"] == "us-west-2"  # where that Region's bar would be
    assert fig["layout"]["scattermode"] == "group"
    assert list(marker["customdata"]) == [
        ["staging-222 (222222222222)", "us-west-2", "AWS_THROTTLED"]
    ]
    assert "not read" in marker["hovertemplate"]
    assert "1 Region not read" in notes_of(fig)


def test_a_region_read_nowhere_is_marked_not_read_on_the_region_chart():
    snap = make_snapshot(
        target(regions={"us-east-1": 10}),
        staging("222222222222", {"us-west-2": "error"}),
    )
    fig = region_bars(snap)
    marker = trace_named(fig, "Region not read")
    assert list(marker["x"]) == ["us-west-2"]
    assert list(marker["y"]) == [0]
    assert list(marker["text"]) == ["1 not read"]
    assert list(marker["customdata"]) == ["staging-222 (222222222222)"]
    for trace in bars(fig):
        assert trace["y"][list(trace["x"]).index("us-west-2")] is None


def columns_of(fig: dict) -> list[str]:
    return [t.replace("<br>", " ") for t in fig["layout"]["xaxis"]["ticktext"]]


def test_state_view_has_a_column_per_account_region_unit():
    fig = account_bars(mixed_snapshot(), STACK_BY_STATE)
    assert columns_of(fig) == [
        "dr-target eu-west-1",
        "dr-target us-east-1",
        "staging-222 us-east-1",
        "staging-222 us-west-2: not read",
        "staging-333 not reporting",
        "staging-444 ap-south-1",
        "staging-444 eu-west-1",
    ]
    unread = trace_named(fig, "Region not read")
    assert list(unread["x"]) == [3] and list(unread["y"]) == [0]
    missing = trace_named(fig, "Account not reporting")
    assert list(missing["x"]) == [4]
    for trace in bars(fig):  # unknown columns hold no bar, not even a zero
        assert trace["y"][3] is None and trace["y"][4] is None


def segment(fig: dict, name: str, column: int):
    trace = next((t for t in bars(fig) if t["name"] == name), None)
    return trace["y"][column] if trace else None


def test_state_view_separates_what_counts_from_what_does_not():
    snap = make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 120, "BACKLOG": 7, "STOPPED": 4,
                                      "DISCONNECTED": 2, "extended": 50}}),
    )  # fmt: skip
    fig = account_bars(snap, STACK_BY_STATE)
    (unit,) = snap["accounts"][0]["regionalBreakdown"]
    assert unit["replicatingServers"] == 127
    counted = [t for t in bars(fig) if t["marker"]["pattern"]["shape"] == ""]
    not_counted = [t for t in bars(fig) if t["marker"]["pattern"]["shape"] == "/"]
    assert sum(t["y"][0] or 0 for t in counted) == 127  # exactly what counts
    assert sum(t["y"][0] or 0 for t in not_counted) == 4 + 2 + 50
    assert segment(fig, "Continuous", 0) == 120  # its 50 extended servers apart
    assert segment(fig, "Extended (count in staging)", 0) == 50
    assert segment(fig, "Stopped", 0) == 4
    assert {t["name"] for t in not_counted} == {
        "Extended (count in staging)", "Stopped", "Disconnected"
    }  # fmt: skip
    assert all("not counted" in t["hovertemplate"] for t in not_counted)
    assert "not counted" in fig["layout"]["title"]["text"]


def test_state_view_draws_each_units_own_limit_against_its_counted_part():
    snap = make_snapshot(
        target(regions={"us-east-1": 247}),
        staging("222222222222", {"us-east-1": {"CONTINUOUS": 340, "limit": 500}}),
    )
    fig = account_bars(snap, STACK_BY_STATE)
    hard = trace_named(fig, "Hard limit (the unit's own)")
    assert list(hard["y"]) == [LIMIT, 500]
    assert [c[2:] for c in hard["customdata"]] == [[247, 82.3], [340, 68.0]]
    assert "of %{y:,} (%{customdata[3]:.0f} %) counted" in hard["hovertemplate"]
    operational = trace_named(fig, "Operational limit (5/6)")
    assert list(operational["y"]) == [operational_count(LIMIT), operational_count(500)]
    assert fig["layout"]["yaxis"]["range"][1] >= 500 * HEADROOM


def test_state_view_of_a_large_fleet_has_a_column_per_account_and_no_limit():
    snap = fleet_snapshot(30, 5)
    fig = account_bars(snap, STACK_BY_STATE)
    assert len(fig["layout"]["xaxis"]["tickvals"]) == 30
    assert not any(t["name"].startswith("Hard limit") for t in fig["data"])
    assert "per account" in notes_of(fig)


def test_region_bars_stack_accounts_with_their_counts():
    snap = mixed_snapshot()
    fig = region_bars(snap)
    traces = bars(fig)
    regions = ["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"]
    readable = [a for a in snap["accounts"] if a["accessible"]]
    assert [t["name"] for t in traces] == [a["accountName"] for a in readable]
    assert [t["meta"] for t in traces] == [account_label(a) for a in readable]
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
    operational = trace_named(fig, "Region's operational limit")
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
    operational = trace_named(fig, "Region's operational limit")
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
    assert bars(account_bars(snap, "region")) == []
    assert bars(account_bars(snap, STACK_BY_STATE)) == []


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
    # a trace per Region (and its "not read" marks), state or account, + markers
    assert len(figures["by region"]["data"]) <= 2 * 34 + 1
    assert len(figures["by state"]["data"]) <= len(REPLICATION_STATES) + 1 + 4
    assert len(figures["per region"]["data"]) <= 100 + 3


def test_region_chart_scales_to_the_bars_when_limits_dwarf_them():
    snap = make_snapshot(
        target(regions={"us-east-1": 10}),
        *(staging(f"2222222222{i:02d}", {"us-east-1": 5}) for i in range(9)),
    )
    fig = region_bars(snap)
    assert list(hard_limits(fig)["y"]) == [10 * LIMIT]  # exact, just above the scale
    assert fig["layout"]["yaxis"]["range"][1] < 10 * LIMIT
    assert "3,000 off scale" in notes_of(fig)


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


def test_graph_config_has_no_share_or_cloud_button_and_no_logo():
    assert GRAPH_CONFIG["displaylogo"] is False
    assert GRAPH_CONFIG["showSendToCloud"] is False
    assert GRAPH_CONFIG["showEditInChartStudio"] is False
    assert GRAPH_CONFIG["showLink"] is False
    assert GRAPH_CONFIG["plotlyServerURL"] == ""  # nowhere to send a chart to
    removed = set(GRAPH_CONFIG["modeBarButtonsToRemove"])
    assert {"sendChartToCloud", "sendDataToCloud", "editInChartStudio"} <= removed
    assert "toImage" not in removed  # the PNG is drawn in the browser
    assert GRAPH_CONFIG["displayModeBar"] == "hover"


def test_graph_config_keys_are_ones_dcc_graph_accepts():
    # dcc.Graph's config prop is an exact shape: an unknown key fails in the browser
    assert set(GRAPH_CONFIG) <= set(dcc.Graph.Config.__annotations__)


def test_toolbar_buttons_are_taken_out_of_the_tab_order_by_an_asset():
    script = (ASSETS / "charts.js").read_text()
    assert ".modebar-btn" in script and '"tabindex", "-1"' in script
    assert "MutationObserver" in script  # Plotly rebuilds the toolbar on redraw


# a legal name: 64 characters, with markup
LONG_MARKUP_NAME = ('<b>x</b><br><a href="https://evil.example">y</a> ' + "long" * 9)[
    :64
]


def all_strings(value):
    """Every string in a figure: trace and layout text, names, hovers, data."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from all_strings(item)


def markup_snapshot(name: str) -> dict:
    return make_snapshot(
        target(regions={"us-east-1": {"CONTINUOUS": 10, "STOPPED": 1}}),
        staging("222222222222", {"us-east-1": 5, "us-west-2": "error"}, name=name),
        staging("444444444444", {"us-east-1": 6}, name=name),
        inaccessible("333333333333", name=name),
    )


def all_figures(snap: dict) -> list[dict]:
    return [
        account_bars(snap),
        account_bars(snap, STACK_BY_STATE),
        region_bars(snap),
    ]


def test_no_tag_of_a_name_survives_anywhere_in_any_figure():
    assert len(LONG_MARKUP_NAME) == 64
    snap = markup_snapshot(LONG_MARKUP_NAME)
    for fig in all_figures(snap):
        for text in all_strings(fig):
            # our own <br> line breaks only; nothing of the name reads as a tag
            assert not re.search(r"<(?!br>|/?extra>)", text), text
            assert "evil.example" not in text or "&lt;a href" in text, text


def test_a_long_name_is_truncated_on_axes_and_legends_and_full_in_the_hover():
    snap = markup_snapshot(LONG_MARKUP_NAME)
    escaped = html.escape(LONG_MARKUP_NAME, quote=False)
    by_region, by_state, per_region = all_figures(snap)
    for label in by_region["layout"]["xaxis"]["ticktext"][1:3]:
        assert html.unescape(label).split(" ·")[0].endswith("…")
        assert len(html.unescape(label).split(" ·")[0]) == SHORT_NAME_CHARS
    legend = [t["name"] for t in bars(per_region)]
    assert all(len(html.unescape(n).split(" ·")[0]) <= SHORT_NAME_CHARS for n in legend)
    assert [t["meta"] for t in bars(per_region)][1] == f"{escaped} (222222222222)"
    hover = [c[0] for c in bars(by_region)[0]["customdata"] if c]
    assert f"{escaped} (222222222222)" in hover
    hard = trace_named(by_state, "Hard limit (the unit's own)")
    assert f"{escaped} (444444444444)" in [c[0] for c in hard["customdata"] if c]


def test_names_that_truncate_alike_are_told_apart_by_their_id():
    snap = markup_snapshot(LONG_MARKUP_NAME)
    labels = account_bars(snap)["layout"]["xaxis"]["ticktext"]
    assert len(set(labels)) == len(labels)
    assert labels[1].endswith("·2222") and labels[2].endswith("·4444")


def test_legends_are_horizontal_below_the_plot():
    for fig in all_figures(mixed_snapshot()):
        legend = fig["layout"]["legend"]
        assert legend["orientation"] == "h"
        assert (legend["yref"], legend["y"], legend["yanchor"]) == (
            "container", 0, "bottom"
        )  # fmt: skip


def test_palette_and_state_colours_are_never_a_status_colour():
    status = {c.lower() for c in BAND_COLORS.values()}
    assert not status & {c.lower() for c in PALETTE}
    assert not status & {c.lower() for c in STATE_COLORS.values()}
    assert len(set(PALETTE)) == len(PALETTE) >= 8


def test_notes_are_short_lines_that_fit_a_phone():
    snap = make_snapshot(
        target(regions={"us-east-1": 10, "eu-west-1": "error"}),
        *(inaccessible(f"2222222222{i:02d}") for i in range(3)),
        *(staging(f"3333333333{i:02d}", {"us-east-1": 1}) for i in range(12)),
    )
    for fig in all_figures(snap):
        for annotation in fig["layout"]["annotations"]:
            for line in annotation["text"].split("<br>"):
                assert len(line) <= NOTE_LINE_CHARS, line
