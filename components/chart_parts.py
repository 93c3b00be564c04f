"""Shared pieces of the bar charts: colours, limit lines, notes, markers, layout.

Figures are plain dicts (`{"data": [...], "layout": {...}}`, what `dcc.Graph` takes):
building `go.Figure` objects validated every property of every trace, most of a poll's
server time. The component tests check each figure against Plotly's schema instead.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

import plotly.io as pio

from components.status import BAND_COLORS
from services.models import Status

# Accounts and Regions are told apart by colour, and status by its own colours
# (green, cyan, amber, red, dark red, grey): a categorical colour must never read as a
# status. Okabe & Ito's colour-blind-safe set without its green, yellow, vermillion and
# black (too close to OK, WARNING, CRITICAL and the hard limit), then Paul Tol's muted
# indigo, olive, wine and purple: eight hues that stay apart in deuteranopia and
# protanopia. Bars beyond eight repeat the cycle; names tell them apart.
PALETTE = (
    "#0072B2",  # blue (Okabe-Ito)
    "#E69F00",  # orange (Okabe-Ito)
    "#56B4E9",  # sky blue (Okabe-Ito)
    "#CC79A7",  # reddish purple (Okabe-Ito)
    "#332288",  # indigo (Tol muted)
    "#999933",  # olive (Tol muted)
    "#882255",  # wine (Tol muted)
    "#AA4499",  # purple (Tol muted)
)
# Replication states: the states that count toward the limit in blues, purples and
# orange (solid); the ones that do not in greys (hatched). No status colour again.
STATE_COLORS = {
    "INITIATING": "#9ecae1",
    "INITIAL_SYNC": "#56B4E9",
    "BACKLOG": "#E69F00",
    "CREATING_SNAPSHOT": "#9e9ac8",
    "CONTINUOUS": "#0072B2",
    "PAUSED": "#f2c894",
    "RESCAN": "#332288",
    "STALLED": "#CC79A7",
    "STOPPED": "#adb5bd",
    "DISCONNECTED": "#868e96",
}
EXTENDED_COLOR = "#ced4da"
# Every dcc.Graph's config. plotly.js 4 shows a "Share chart" button by default
# (showSendToCloud, plotlyServerURL https://cloud.plotly.com/newchart) that uploads the
# figure, account names and IDs included: off, with no URL to send to, and the button
# removed by name (older plotly.js names too). The PNG download stays: it is drawn in
# the browser. The toolbar shows on hover only; assets/charts.js takes its buttons out
# of the tab order.
GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "displayModeBar": "hover",
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "sendData": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": [
        "sendChartToCloud",
        "sendDataToCloud",
        "editInChartStudio",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
    ],
    "toImageButtonOptions": {"filename": "drs-capacity"},
}
UNKNOWN_GREY = BAND_COLORS[Status.UNKNOWN]
OPERATIONAL_COLOR = BAND_COLORS[Status.CRITICAL]
HARD_LIMIT_COLOR = BAND_COLORS[Status.HYPER_CRITICAL]
SHORT_NAME_CHARS = 24  # a legal name has up to 64: axes and legends show this many
ELLIPSIS = "\u2026"
NOTE_LINE_CHARS = 44  # about 300 px of 11 px text: the plot's width at 390 px
NOTE_LINE_HEIGHT = 14
HEADROOM = 1.15  # y range above the tallest of bars and limits: room for limit labels
OFF_SCALE_FACTOR = 5  # scale to the bars when the limits are this much taller
NOT_READ = "not read"
NOT_READ_HOVER = (
    "%{customdata[0]}<br>%{customdata[1]}: not read (%{customdata[2]})"
    "<br>servers unknown, not counted<extra></extra>"
)


def plain(text) -> str:
    """Any text for Plotly, which reads tags (<b>, <br>, <a href>) in every label,
    legend, hover and annotation: shown as the text it is."""
    return escape(str(text), quote=False)


def truncate(text: str, limit: int = SHORT_NAME_CHARS) -> str:
    """ "a-very-long-legal-name…" (at most `limit` characters, before escaping)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def short_name(account: dict, limit: int = SHORT_NAME_CHARS) -> str:
    """An account's name for an axis or a legend: truncated, escaped (the full
    "name (id)" goes in the hover)."""
    return plain(truncate(account.get("accountName") or "?", limit))


def short_names(accounts: list[dict], limit: int = SHORT_NAME_CHARS) -> list[str]:
    """`short_name` of each account, made unique with the account ID's last digits
    where two names read the same."""
    names = [short_name(a, limit) for a in accounts]
    return [
        f"{name} ·{str(a.get('accountId'))[-4:]}" if names.count(name) > 1 else name
        for name, a in zip(names, accounts, strict=True)
    ]


def unit_read(unit: dict | None) -> bool:
    """Whether an account × Region was read (its counts are known)."""
    return unit is not None and unit.get("replicatingServers") is not None


def unit_error_code(unit: dict) -> str:
    """Why a unit was not read, as a code ("AWS_THROTTLED"), escaped."""
    return plain((unit.get("error") or {}).get("code") or unit.get("state") or "error")


def palette_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def limit_line(y: float, text: str, color: str, dash: str) -> dict:
    """A full-width horizontal line with its label above it, at the left (the right
    end is where a legend or the last bar would cover it)."""
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": {"color": color, "width": 2, "dash": dash},
        "label": {
            "text": plain(text),
            "textposition": "start",
            "yanchor": "bottom",
            "font": {"size": 11, "color": color},
        },
    }


def note_lines(notes: list[str]) -> list[str]:
    """Notes joined with " · " into lines that fit a phone-wide chart (Plotly does
    not wrap text: a longer line would be cut)."""
    lines: list[str] = []
    for text in notes:
        if lines and len(lines[-1]) + 3 + len(text) <= NOTE_LINE_CHARS:
            lines[-1] += " · " + text
        else:
            lines.append(text)
    return lines


def note(lines: list[str], details: str = "") -> dict:
    """Short lines above the plot area; the longer explanation on hover."""
    annotation = {
        "text": "<br>".join(plain(line) for line in lines),
        "align": "left",
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 1.0,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 11, "color": "#495057"},
    }
    if details:
        annotation["hovertext"] = plain(details)
    return annotation


def text_markers(
    name: str, x: list, y: list, text: str, hover: str, symbol: str, customdata=None
) -> dict:
    """One scatter trace that labels several bars (e.g. "not read") at once."""
    trace = {
        "type": "scatter",
        "name": plain(name),
        "x": x,
        "y": y,
        "mode": "markers+text",
        "text": [plain(text)] * len(x),
        "textposition": "top center",
        "textfont": {"size": 10, "color": UNKNOWN_GREY},
        "marker": {"symbol": symbol, "size": 9, "color": UNKNOWN_GREY},
        "hovertemplate": hover,
        "cliponaxis": False,
    }
    if customdata is not None:
        trace["customdata"] = customdata
    return trace


def limit_markers(
    name: str, x: list, y: list, color: str, width: int, hover: str, size: int = 28
) -> dict:
    """A short horizontal tick on each bar: one trace for every bar's limit."""
    return {
        "type": "scatter",
        "name": plain(name),
        "x": x,
        "y": y,
        "mode": "markers",
        "marker": {
            "symbol": "line-ew",
            "size": size,
            "line": {"width": width, "color": color},
        },
        "hovertemplate": hover,
        "cliponaxis": False,
    }


def stack_tops(traces: list[dict], n: int) -> list[int]:
    """The height of each of the `n` stacked bars (unknown segments count as 0)."""
    tops = [0] * n
    for trace in traces:
        for i, value in enumerate(trace["y"]):
            tops[i] += value or 0
    return tops


def y_top(*heights: float | None) -> float:
    """The top of the y range: the tallest bar or limit with room for its label."""
    return max([1.0, *(h for h in heights if h is not None)]) * HEADROOM


def category_ticks(keys: list, labels: list[str]) -> dict:
    """An x axis of categories `keys` (unique, e.g. account IDs) shown as `labels`."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": keys,
        "tickmode": "array",
        "tickvals": keys,
        "ticktext": labels,
        "automargin": True,
        "tickfont": {"size": 11},
    }


def template(name: str | None = None) -> dict:
    """A Plotly template (default: Plotly's default) as a figure carries it: expanded,
    as `go.Figure` did, since Plotly.js knows no names. Shared: treat as read-only."""
    return _expanded_template(name or pio.templates.default)


@lru_cache(maxsize=4)
def _expanded_template(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


def stacked_layout(title: str, top: float, notes: list[str], details="") -> dict:
    """The bar charts' layout: stacked, white, y from 0 to `top`, a short note above
    the plot and the legend below it, in rows, so a narrow screen keeps the y ticks and
    the plot's width."""
    layout = {
        "title": {
            "text": plain(title),
            "font": {"size": 14},
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 8},
        },
        "barmode": "stack",
        "template": template("plotly_white"),
        "margin": {"l": 56, "r": 12, "t": 40, "b": 8},
        "xaxis": {"type": "category", "automargin": True, "tickfont": {"size": 11}},
        "yaxis": {
            "title": {"text": "servers"},
            "range": [0, top],
            "automargin": True,
            "tickformat": ",d",
        },
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "font": {"size": 11},
            "traceorder": "normal",
        },
        "hoverlabel": {"namelength": -1},
        "uirevision": title,  # keep the user's zoom across refreshes
    }
    if notes:
        lines = note_lines(notes)
        layout["annotations"] = [note(lines, details)]
        layout["margin"]["t"] += NOTE_LINE_HEIGHT * len(lines)
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
