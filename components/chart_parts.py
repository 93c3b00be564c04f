"""Shared pieces of the bar charts: colours, limit lines, notes, markers, layout.

Figures are plain dicts (`{"data": [...], "layout": {...}}`, what `dcc.Graph` takes):
building `go.Figure` objects validated every property of every trace, most of a poll's
server time. The component tests check each figure against Plotly's schema instead.
"""

from __future__ import annotations

from functools import lru_cache

import plotly.io as pio
from plotly.colors import qualitative

from components.status import BAND_COLORS
from services.models import Status

PALETTE = qualitative.Dark24 + qualitative.Light24
STATE_COLORS = {
    "INITIATING": "#9ecae1",
    "INITIAL_SYNC": "#6baed6",
    "BACKLOG": "#fd8d3c",
    "CREATING_SNAPSHOT": "#9e9ac8",
    "CONTINUOUS": "#2171b5",
    "PAUSED": "#fdd0a2",
    "RESCAN": "#74c476",
    "STALLED": "#d62728",
    "STOPPED": "#adb5bd",
    "DISCONNECTED": "#6c757d",
}
# every dcc.Graph's config: no Plotly logo
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}
UNKNOWN_GREY = BAND_COLORS[Status.UNKNOWN]
OPERATIONAL_COLOR = BAND_COLORS[Status.CRITICAL]
HARD_LIMIT_COLOR = BAND_COLORS[Status.HYPER_CRITICAL]


def palette_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def limit_line(y: float, text: str, color: str, dash: str) -> dict:
    """A full-width horizontal line with its label (one shape, not one per bar)."""
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": {"color": color, "width": 2, "dash": dash},
        "label": {"text": text, "textposition": "end", "yanchor": "bottom"},
    }


def note(text: str) -> dict:
    """A one-line annotation above the plot area."""
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 1.02,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 12, "color": "#495057"},
    }


def text_markers(
    name: str, x: list, y: list, text: str, hover: str, symbol: str, customdata=None
) -> dict:
    """One scatter trace that labels several bars (e.g. "unknown") at once."""
    trace = {
        "type": "scatter",
        "name": name,
        "x": x,
        "y": y,
        "mode": "markers+text",
        "text": [text] * len(x),
        "textposition": "top center",
        "marker": {"symbol": symbol, "size": 11, "color": UNKNOWN_GREY},
        "hovertemplate": hover,
    }
    if customdata is not None:
        trace["customdata"] = customdata
    return trace


def limit_markers(
    name: str, x: list, y: list, color: str, width: int, hover: str
) -> dict:
    """A short horizontal tick on each bar: one trace for every bar's limit."""
    return {
        "type": "scatter",
        "name": name,
        "x": x,
        "y": y,
        "mode": "markers",
        "marker": {
            "symbol": "line-ew",
            "size": 28,
            "line": {"width": width, "color": color},
        },
        "hovertemplate": hover,
    }


def stack_tops(traces: list[dict], n: int) -> list[int]:
    """The height of each of the `n` stacked bars (unknown segments count as 0)."""
    tops = [0] * n
    for trace in traces:
        for i, value in enumerate(trace["y"]):
            tops[i] += value or 0
    return tops


def template(name: str | None = None) -> dict:
    """A Plotly template (default: Plotly's default) as a figure carries it: expanded,
    as `go.Figure` did, since Plotly.js knows no names. Shared: treat as read-only."""
    return _expanded_template(name or pio.templates.default)


@lru_cache(maxsize=4)
def _expanded_template(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


def stacked_layout(title: str, top: float, notes: list[str]) -> dict:
    """The bar charts' layout: stacked, white, the y range to `top`, notes above."""
    layout = {
        "title": {"text": title},
        "barmode": "stack",
        "template": template("plotly_white"),
        "height": 460,
        "margin": {"l": 50, "r": 20, "t": 80, "b": 40},
        "xaxis": {"type": "category", "tickangle": -40, "automargin": True},
        "yaxis": {"title": {"text": "servers"}, "range": [0, top * 1.08]},
        "legend": {"traceorder": "grouped"},
        "uirevision": title,  # keep the user's zoom across refreshes
    }
    if notes:
        layout["annotations"] = [note(" · ".join(notes))]
    return layout


def placeholder_figure(text: str) -> dict:
    """An empty chart that says why it is empty (no axes, no grid)."""
    hidden = {"visible": False}
    return {
        "data": [],
        "layout": {
            "xaxis": hidden,
            "yaxis": hidden,
            "annotations": [
                {
                    "text": text,
                    "showarrow": False,
                    "font": {"size": 14, "color": "#6c757d"},
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                }
            ],  # fmt: skip
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        },
    }
