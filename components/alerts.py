"""Warning alerts (one per snapshot warning, most severe first) and the stale banner."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.format import fmt_time
from components.status import (
    BAND_COLORS,
    STATUS_ICONS,
    as_status,
    severity,
    status_color,
)
from services.models import Status

NO_WARNINGS = "No warnings — all accounts are within their limits"


def sort_by_severity(warnings: list[dict]) -> list[dict]:
    """Most severe first; equal levels keep their input order (already sorted)."""
    return sorted(warnings, key=lambda w: -severity(w.get("level")))


def _where(warning: dict) -> str:
    """ "Account · 222222222222", "Data · 222222222222 · us-west-2", "Combined"."""
    parts = [(warning.get("scope") or "").capitalize()]
    parts += [warning.get("accountId"), warning.get("region")]
    return " · ".join(p for p in parts if p)


def warning_alert(warning: dict) -> dbc.Alert:
    level = as_status(warning.get("level"))
    heading = html.Div(
        [
            html.Strong(
                [html.Span(STATUS_ICONS[level], **{"aria-hidden": "true"}), f" {level}"]
            ),
            html.Span(f" · {_where(warning)}", className="small"),
        ]
    )
    children = [heading, html.Div(warning.get("message") or "")]
    if warning.get("action"):
        children.append(
            html.Div([html.Strong("Action: "), html.Strong(warning["action"])])
        )
    hyper = level is Status.HYPER_CRITICAL
    return dbc.Alert(
        children,
        color=status_color(level),
        class_name=f"warning-alert warning-{level.value.lower()} mb-2",
        style={"borderLeft": f"8px solid {BAND_COLORS[level]}"} if hyper else None,
    )


SHOWN_WARNINGS = 2  # the rest fold under "3 more: 1 CRITICAL, 2 WARNING"


def warning_alerts(warnings: list[dict] | None) -> list:
    """One alert per warning, most severe first, the first few open and the rest
    folded; a calm note when there are none."""
    if not warnings:
        return [
            dbc.Alert(
                [html.Span("✓ ", **{"aria-hidden": "true"}), NO_WARNINGS],
                color="success",
                class_name="warning-none mb-2",
            )
        ]
    alerts = [warning_alert(w) for w in sort_by_severity(warnings)]
    if len(alerts) <= SHOWN_WARNINGS + 1:  # never fold a single one away
        return alerts
    rest = alerts[SHOWN_WARNINGS:]
    levels: dict[str, int] = {}
    for warning in sort_by_severity(warnings)[SHOWN_WARNINGS:]:
        level = as_status(warning.get("level")).value
        levels[level] = levels.get(level, 0) + 1
    counts = ", ".join(f"{n} {level}" for level, n in levels.items())
    more = html.Details(
        [html.Summary(f"{len(rest)} more: {counts}", className="mb-2"), *rest],
        className="more-warnings",
    )
    return [*alerts[:SHOWN_WARNINGS], more]


def stale_banner(reason: str, collected_at: str | None) -> dbc.Alert:
    """Why the data shown is old (or missing), and when it was collected."""
    if not collected_at:
        return dbc.Alert(
            [html.Strong("✖ No capacity data: "), reason],
            color="danger",
            class_name="stale-banner",
        )
    return dbc.Alert(
        [
            html.Strong("⚠ Data may be stale: "),
            reason,
            html.Div(f"Showing the snapshot collected at {fmt_time(collected_at)}."),
        ],
        color="warning",
        class_name="stale-banner",
    )


def no_target_alert() -> dbc.Alert:
    """What a fresh installation shows until a target account is registered."""
    return dbc.Alert(
        [
            html.Strong("No target account is registered yet. "),
            "Add one with ",
            html.Code("python cli.py targets add --account-id ID --name NAME"),
            " or POST /api/accounts, then reload this page.",
        ],
        color="info",
    )
