"""The recovery-capacity meter: target source servers against the recovery quota."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.format import fmt_count, fmt_percent, limit_source_text
from components.status import BAND_COLORS, as_status, status_badge, status_color
from services.models import Status
from services.settings import RECOVERY_QUOTA_CODE
from services.thresholds import RECOVERY_BANDS, band_thresholds

ALL = "all"  # the all-Regions scope


def _mark(status: Status, share_percent: float) -> html.Div:
    """A vertical line over the progress bar where a band starts."""
    return html.Div(
        className=f"recovery-mark recovery-mark-{status.value.lower()}",
        title=f"{status.value} from {share_percent:g} %",
        style={
            "position": "absolute",
            "left": f"{share_percent:g}%",
            "top": "-3px",
            "bottom": "-3px",
            "borderLeft": f"3px solid {BAND_COLORS[status]}",
        },
    )


def band_marks(maximum: int) -> list[tuple[Status, int, float]]:
    """(status, server count, percent of the quota) where each recovery band starts."""
    return [
        (status, count, float(share * 100))
        for (status, count), (_, share) in zip(
            band_thresholds(maximum, RECOVERY_BANDS).items(),
            reversed(RECOVERY_BANDS),
            strict=True,
        )
    ]


def where_text(recovery: dict, scope: str = ALL) -> str:
    """The Region the meter shows, and where its limit came from."""
    region = recovery.get("region")
    limit = (
        f"limit {fmt_count(recovery.get('maxRecoveryInstances'))} "
        f"({limit_source_text(recovery.get('limitSource'))}, quota {RECOVERY_QUOTA_CODE})"
    )
    if not region:
        return f"No target servers in any Region yet · {limit}"
    busiest = " (the target's busiest Region)" if scope == ALL else ""
    return f"{region}{busiest} · {limit}"


def recovery_meter(recovery: dict, scope: str = ALL) -> dbc.Card:
    """Progress bar of currentServers / maxRecoveryInstances in one Region (the
    target's busiest in all Regions), its limit's source, and the band marks."""
    status = as_status(recovery.get("status"))
    current = recovery.get("currentServers")
    maximum = recovery.get("maxRecoveryInstances") or 0
    percent = recovery.get("percentUsed")
    unknown = status is Status.UNKNOWN or current is None
    marks = band_marks(maximum) if maximum else []
    if unknown:
        bar = dbc.Progress(
            id=ids.RECOVERY_PROGRESS,
            value=100,
            striped=True,
            color="secondary",
            label="unknown",
        )
        summary = (
            "The target or its Region could not be read: recovery capacity is unknown."
        )
    else:
        bar = dbc.Progress(
            id=ids.RECOVERY_PROGRESS,
            value=min(percent or 0, 100),
            color=status_color(status),
            label=fmt_percent(percent),
        )
        summary = (
            f"{fmt_count(current)} of {fmt_count(maximum)} source servers "
            f"({fmt_percent(percent)}) · "
            f"{fmt_count(recovery.get('availableSlots'))} available"
        )
    legend = " · ".join(
        f"{s.value} from {fmt_count(count)} ({share:g} %)" for s, count, share in marks
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.H6("Recovery capacity (target)", className="mb-0 me-2"),
                        status_badge(status),
                    ],
                    className="d-flex align-items-center mb-1",
                ),
                html.Div(where_text(recovery, scope), className="small mb-2"),
                html.Div(
                    [bar, *(_mark(s, share) for s, _, share in marks)],
                    style={"position": "relative"},
                ),
                html.Div(summary, className="mt-2"),
                html.Div(f"Band marks: {legend}", className="text-muted small"),
            ]
        ),
        class_name="h-100",
    )
