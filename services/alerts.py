"""Alert transitions, pure (issue 12, item 6): what each unit's status is in a
collection, and whether that is news (a change, a reminder, a recovery).

A unit is an account × Region or a Region's combined total (SPEC §4.3), or the forecast
of either. A unit first seen counts as coming from OK; a status that cannot be read
(UNKNOWN, a Region in error, an inaccessible account) is no observation at all, so a
failed read never raises or clears an alert.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.clock import parse_iso
from services.errors import InputError
from services.models import Status

BAD = Status.WARNING.severity  # from here on a unit is reminded of and recovers
_ACCOUNT_UNIT = re.compile(
    r"(?P<account>[0-9]{12}):(?P<region>[a-z]{2}(-[a-z]+)+-[0-9])"
)
_COMBINED_UNIT = re.compile(r"combined:(?P<region>[a-z]{2}(-[a-z]+)+-[0-9])")


@dataclass(frozen=True)
class Unit:
    """What an alert is about: `111111111111:us-east-1` or `combined:us-east-1`."""

    account_id: str | None  # None: the Region's combined total
    region: str
    forecast: bool = False  # the unit's forecast rather than its status

    @property
    def key(self) -> str:
        base = f"{self.account_id or 'combined'}:{self.region}"
        return f"forecast:{base}" if self.forecast else base

    @property
    def muted_as(self) -> str:
        """The mute that covers it: a unit's mute covers its forecast too."""
        return f"{self.account_id or 'combined'}:{self.region}"

    @property
    def label(self) -> str:
        if self.account_id is None:
            return f"{self.region} combined"
        return f"account {self.account_id} in {self.region}"

    @classmethod
    def parse(cls, key: str, field: str = "unit") -> Unit:
        """A unit as the API and CLI name it; InputError naming `field` otherwise."""
        text = key if isinstance(key, str) else ""
        forecast = text.startswith("forecast:")
        text = text.removeprefix("forecast:")
        if found := _ACCOUNT_UNIT.fullmatch(text):
            return cls(found["account"], found["region"], forecast)
        if found := _COMBINED_UNIT.fullmatch(text):
            return cls(None, found["region"], forecast)
        raise InputError(
            f"{field} must be ACCOUNT_ID:REGION or combined:REGION "
            "(e.g. 111111111111:us-east-1)",
            field=field,
        )


class Kind(enum.StrEnum):
    RAISED = "raised"  # worse than before
    LOWERED = "lowered"  # better, still WARNING or worse, or INFO -> OK
    RECOVERED = "recovered"  # from WARNING or worse back to OK/INFO
    REMINDER = "reminder"  # still WARNING or worse after the reminder interval


@dataclass(frozen=True)
class AlertState:
    """What was last decided about a unit (kept in DynamoDB, one item per unit)."""

    status: Status
    since: str  # when this status began (collection time)
    observed_at: str  # the newest collection that wrote this state
    notified_at: str | None  # the last notification sent (or due) about it
    version: int = 0


@dataclass(frozen=True)
class Observation:
    status: Status
    detail: str = ""  # e.g. "260 of 300 replicating" or "in ~9 days (2026-12-16)"


def decide(
    previous: AlertState | None,
    current: Status,
    at: datetime,
    reminder: timedelta | None,
) -> Kind | None:
    """Whether observing `current` at `at` is news; None when it is not."""
    if previous is None:
        previous = AlertState(Status.OK, "", "", None, -1)
    elif at <= parse_iso(previous.observed_at):
        return None  # an older collection than the one already decided on
    if current is not previous.status:
        if current.severity > previous.status.severity:
            return Kind.RAISED
        if previous.status.severity >= BAD > current.severity:
            return Kind.RECOVERED
        return Kind.LOWERED
    if reminder and current.severity >= BAD:
        last = parse_iso(previous.notified_at or previous.since)
        if at - last >= reminder:
            return Kind.REMINDER
    return None


def next_state(
    previous: AlertState | None, kind: Kind, current: Status, at: str, notify: bool
) -> AlertState:
    """The state after `kind`; `notify` False (muted) keeps the last notification time."""
    version = previous.version + 1 if previous else 0
    since = at if kind is not Kind.REMINDER or previous is None else previous.since
    notified = at if notify else (previous.notified_at if previous else None)
    return AlertState(current, since, at, notified, version)


def observations(
    snapshot: Mapping, known: Iterable[Unit] = ()
) -> dict[Unit, Observation]:
    """Every readable unit of an all-Regions snapshot (wire form). A `known` unit that
    is no longer listed where its account (or the target) was read is empty: OK."""
    found: dict[Unit, Observation] = {}
    readable: set[str] = set()
    for account in snapshot.get("accounts") or ():
        if not account.get("accessible"):
            continue
        readable.add(account["accountId"])
        for row in account.get("regionalBreakdown") or ():
            unit = Unit(account["accountId"], row["region"])
            if row.get("state") != "ok" or row.get("status") == Status.UNKNOWN:
                readable.discard(account["accountId"])  # its other Regions too: unsure
                found.pop(unit, None)
                continue
            found[unit] = Observation(
                Status(row["status"]),
                f"{row['replicatingServers']} of {row['maxReplicating']} replicating",
            )
    for combined in snapshot.get("combinedByRegion") or ():
        if combined.get("reportingAccounts") and combined["status"] != Status.UNKNOWN:
            found[Unit(None, combined["region"])] = Observation(
                Status(combined["status"]),
                f"{combined['totalReplicating']} of {combined['maxReplicating']} "
                "replicating across its accounts",
            )
    for unit in known:
        if unit.forecast or unit in found:
            continue
        # no longer listed: empty, where its account (for combined: any) was read whole
        if unit.account_id in readable or (unit.account_id is None and readable):
            found[unit] = Observation(Status.OK, "no replicating servers")
    return found


@dataclass(frozen=True)
class Notification:
    """One message about one unit's news, as text for SNS and for a chat webhook."""

    target_id: str
    unit: Unit
    kind: Kind
    previous: Status
    current: Status
    detail: str
    at: str

    @property
    def subject(self) -> str:
        what = "forecast" if self.unit.forecast else self.current.value
        return f"DRS capacity {self.kind.value}: {self.unit.label} {what}"[:100]

    @property
    def text(self) -> str:
        name = f"DRS capacity (target {self.target_id}): {self.unit.label}"
        detail = f" ({self.detail})" if self.detail else ""
        if self.unit.forecast:
            return self._forecast_text(name)
        was = self.previous.value
        lines = {
            Kind.RAISED: f"{name} is now {self.current.value}, was {was}{detail}.",
            Kind.LOWERED: f"{name} is now {self.current.value}, was {was}{detail}.",
            Kind.RECOVERED: f"{name} recovered: {self.current.value}, was {was}"
            f"{detail}.",
            Kind.REMINDER: f"Reminder: {name} is still {self.current.value}{detail}.",
        }
        return f"{lines[self.kind]} At {self.at}."

    def _forecast_text(self, name: str) -> str:
        if self.current is Status.OK:
            return (
                f"{name} is no longer forecast to reach {self.previous.value} soon. "
                f"At {self.at}."
            )
        return f"{name} forecast: {self.detail or self.current.value}. At {self.at}."

    @property
    def slack_text(self) -> str:
        """The text for a Slack-compatible webhook: `&`, `<`, `>` escaped."""
        return slack_escape(self.text)


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def parse_duration(text, field: str = "for") -> timedelta:
    """`90m`, `2h`, `1d`, `1w` (or a number of seconds): a mute's length."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    raw = str(text).strip().lower() if isinstance(text, str | int) else ""
    if isinstance(text, bool):
        raw = ""
    found = re.fullmatch(r"([0-9]{1,7})([smhdw]?)", raw)
    seconds = int(found[1]) * units[found[2] or "s"] if found else 0
    if not 0 < seconds <= MAX_MUTE.total_seconds():
        raise InputError(
            f"{field} must be a duration like 30m, 2h or 7d, at most 90 days",
            field=field,
        )
    return timedelta(seconds=seconds)


MAX_MUTE = timedelta(days=90)
