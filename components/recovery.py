"""The recovery-capacity meter: target source servers against the recovery quota."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.format import fmt_count, fmt_percent
from components.status import BAND_COLORS, as_status, status_badge, status_color
from services.models import Status
from services.thresholds import RECOVERY_BANDS, band_thresholds


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


def recovery_meter(recovery: dict) -> dbc.Card:
    """Progress bar of currentServers / maxRecoveryInstances with band marks."""
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
        summary = "Target account not reporting: recovery capacity is unknown."
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
                    className="d-flex align-items-center mb-2",
                ),
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
