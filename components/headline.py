"""The headline: the overall status (SPEC §4.3) in large type, the unit that sets it in
words ("staging-east-01 · us-east-1: 247 of 300, 3 from CRITICAL"), and beside it how
complete the data is. Read first on every screen size."""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

from components import ids
from components.format import fmt_count, reporting_text, unread_regions
from components.status import STATUS_ICONS, as_status
from services.models import Status
from services.thresholds import RECOVERY_BANDS, band_thresholds

# The next level worth naming: OK and INFO are measured against WARNING (INFO asks for
# nothing), WARNING against CRITICAL (the operational limit), CRITICAL against the hard
# limit (HYPER-CRITICAL).
_NEXT = {
    Status.OK: Status.WARNING,
    Status.INFO: Status.WARNING,
    Status.WARNING: Status.CRITICAL,
    Status.CRITICAL: Status.HYPER_CRITICAL,
}


@dataclass(frozen=True)
class Unit:
    """One thing the overall status is the worst of: an account × Region, a Region's
    combined total, or the target's recovery capacity in a Region."""

    status: Status
    label: str  # "staging-east-01 · us-east-1"
    used: int
    limit: int
    thresholds: dict[Status, int]  # where each level starts, in servers

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else 0.0

    def distance(self) -> str:
        """ "3 from CRITICAL", "12 over the hard limit", "at the hard limit"."""
        following = _NEXT.get(self.status)
        if following is None or following not in self.thresholds:
            over = self.used - self.limit
            return f"{fmt_count(over)} over the limit" if over > 0 else "at the limit"
        return f"{fmt_count(self.thresholds[following] - self.used)} from {following}"

    def reason(self) -> str:
        return (
            f"{self.label}: {fmt_count(self.used)} of {fmt_count(self.limit)}, "
            f"{self.distance()}"
        )


def _replication_unit(label: str, used, limit, status) -> Unit | None:
    if used is None or not limit:
        return None
    limit = int(limit)
    return Unit(as_status(status), label, int(used), limit, band_thresholds(limit))


def units(snapshot: dict) -> list[Unit]:
    """Every unit the snapshot read, with a known status (unread ones are not units)."""
    found: list[Unit | None] = []
    for account in snapshot.get("accounts") or ():
        name = account.get("accountName") or account.get("accountId")
        for row in account.get("regionalBreakdown") or ():
            if row.get("state") == "ok":
                found.append(
                    _replication_unit(
                        f"{name} · {row.get('region')}",
                        row.get("replicatingServers"),
                        row.get("maxReplicating"),
                        row.get("status"),
                    )
                )
    for combined in snapshot.get("combinedByRegion") or ():
        if combined.get("reportingAccounts"):
            found.append(
                _replication_unit(
                    f"combined · {combined.get('region')}",
                    combined.get("totalReplicating"),
                    combined.get("maxReplicating"),
                    combined.get("status"),
                )
            )
    for recovery in snapshot.get("recoveryByRegion") or ():
        limit = recovery.get("maxRecoveryInstances")
        if recovery.get("currentServers") is not None and limit:
            found.append(
                Unit(
                    as_status(recovery.get("status")),
                    f"recovery · {recovery.get('region')}",
                    int(recovery["currentServers"]),
                    int(limit),
                    band_thresholds(int(limit), RECOVERY_BANDS),
                )
            )
    return [u for u in found if u is not None and u.status is not Status.UNKNOWN]


def worst_unit(snapshot: dict) -> Unit | None:
    """The unit that sets the status: the most severe, then the fullest."""
    return max(
        units(snapshot), key=lambda u: (u.status.severity, u.share), default=None
    )


def not_read(snapshot: dict) -> tuple[int, int]:
    """(accounts not reporting, account × Regions that could not be read)."""
    accounts = snapshot.get("accounts") or ()
    silent = sum(1 for a in accounts if not a.get("accessible"))
    return silent, sum(unread_regions(snapshot).values())


def completeness_text(snapshot: dict) -> str:
    """ "All 4 accounts reporting", or what is missing: "3 of 4 accounts reporting ·
    4 Regions not read"."""
    combined = snapshot.get("combined") or {}
    configured = combined.get("configuredAccounts")
    reporting = combined.get("reportingAccounts")
    silent, regions = not_read(snapshot)
    if not silent and not regions:
        noun = "account" if configured == 1 else "accounts"
        every = "All " if configured != 1 else "The "
        return f"{every}{fmt_count(configured)} {noun} reporting, every Region read"
    parts = [reporting_text(reporting, configured)]
    if regions:
        parts.append(f"{regions} Region{'' if regions == 1 else 's'} not read")
    return " · ".join(parts)


def reason_text(snapshot: dict) -> str:
    """Why the status is what it is, in words."""
    unit = worst_unit(snapshot)
    if unit is None:
        if any(a.get("accessible") for a in snapshot.get("accounts") or ()):
            return "No source servers in any Region yet."
        return "No account is reporting: nothing could be counted."
    status = as_status(snapshot.get("status"))
    if status is Status.UNKNOWN:
        return "Nothing could be counted."
    if status in (Status.OK, Status.INFO):
        return f"Busiest: {unit.reason()}"
    return unit.reason()


def headline(snapshot: dict | None, *, collecting: bool = False) -> html.Section:
    """The status word large, its reason, and the completeness beside it."""
    if not snapshot:
        reason = (
            "Collecting from every account and Region…"
            if collecting
            else ("No data yet.")
        )
        status, complete, partial = Status.UNKNOWN, "", False
    else:
        status = as_status(snapshot.get("status"))
        reason = reason_text(snapshot)
        complete = completeness_text(snapshot)
        partial = not snapshot.get("complete")
    word = html.Div(
        [
            html.Span(STATUS_ICONS[status], **{"aria-hidden": "true"}),
            f" {status.value}",
        ],
        id=ids.HEADLINE_STATUS,
        className=f"headline-status status-{status.value.lower()}",
    )
    completeness = html.Div(
        [
            html.Span("⚠ " if partial else "✓ ", **{"aria-hidden": "true"}),
            html.Span("Partial data: " if partial else ""),
            complete,
        ],
        id=ids.HEADLINE_COMPLETENESS,
        className="headline-completeness "
        + ("text-warning-emphasis fw-semibold" if partial else "text-muted"),
    )
    return html.Section(
        [
            word,
            html.Div(
                [
                    html.Div(
                        reason, id=ids.HEADLINE_REASON, className="headline-reason"
                    ),
                    completeness if complete else None,
                ],
                className="headline-text",
            ),
        ],
        className="headline",
        **{"aria-label": "Overall status"},
    )
