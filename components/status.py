"""Status colours, icons and the status badge: status is never shown by colour alone."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from services.models import Status

# Bootstrap contextual colour per status (Alerts, Progress, text).
STATUS_COLORS: dict[Status, str] = {
    Status.OK: "success",
    Status.INFO: "info",
    Status.WARNING: "warning",
    Status.CRITICAL: "danger",
    Status.HYPER_CRITICAL: "danger",
    Status.UNKNOWN: "secondary",
}

# Plain glyphs (no icon font needed); always shown next to the status text.
STATUS_ICONS: dict[Status, str] = {
    Status.OK: "✓",
    Status.INFO: "ℹ",
    Status.WARNING: "⚠",
    Status.CRITICAL: "✖",
    Status.HYPER_CRITICAL: "‼",
    Status.UNKNOWN: "?",
}

# Hex colours shared by Plotly gauges, bars and markers (Bootstrap 5 palette).
BAND_COLORS: dict[Status, str] = {
    Status.OK: "#198754",
    Status.INFO: "#0dcaf0",
    Status.WARNING: "#ffc107",
    Status.CRITICAL: "#dc3545",
    Status.HYPER_CRITICAL: "#58151c",
    Status.UNKNOWN: "#6c757d",
}

# Lighter tints for band backgrounds (gauge steps), same order as BAND_COLORS.
BAND_TINTS: dict[Status, str] = {
    Status.OK: "#d1e7dd",
    Status.INFO: "#cff4fc",
    Status.WARNING: "#fff3cd",
    Status.CRITICAL: "#f1aeb5",
    Status.HYPER_CRITICAL: "#c46b74",
    Status.UNKNOWN: "#e9ecef",
}

# Badges on light backgrounds need dark text for contrast.
_DARK_TEXT = {Status.INFO, Status.WARNING}


def as_status(value: Status | str | None) -> Status:
    """A Status from its wire text; anything unrecognised is UNKNOWN."""
    if isinstance(value, Status):
        return value
    try:
        return Status(str(value).upper())
    except ValueError:
        return Status.UNKNOWN


def severity(value: Status | str | None) -> int:
    return as_status(value).severity


def status_color(value: Status | str | None) -> str:
    return STATUS_COLORS[as_status(value)]


def status_icon(value: Status | str | None) -> str:
    return STATUS_ICONS[as_status(value)]


def status_text(value: Status | str | None) -> str:
    """Icon and status word in one string, for tables, titles and hovers."""
    status = as_status(value)
    return f"{STATUS_ICONS[status]} {status.value}"


def badge_color(value: Status | str | None) -> str:
    """Badge colour: HYPER-CRITICAL gets a darker red than CRITICAL."""
    status = as_status(value)
    if status is Status.HYPER_CRITICAL:
        return BAND_COLORS[status]
    return STATUS_COLORS[status]


def status_badge(
    value: Status | str | None, *, badge_id=None, class_name: str = ""
) -> dbc.Badge:
    """A badge that always carries the status word and its icon."""
    status = as_status(value)
    extra = {"id": badge_id} if badge_id is not None else {}
    if status in _DARK_TEXT:
        extra["text_color"] = "dark"
    classes = f"status-badge status-{status.value.lower()} {class_name}".strip()
    return dbc.Badge(
        [
            html.Span(STATUS_ICONS[status], **{"aria-hidden": "true"}),
            f" {status.value}",
        ],
        color=badge_color(status),
        title=f"Status: {status.value}",
        class_name=classes,
        **extra,
    )
