"""Wall-clock time as the product writes it: ISO 8601 UTC with seconds, ending in `Z`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """`2026-11-26T08:30:00Z`: UTC, seconds precision (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"  # isoformat pads years < 1000, strftime does not


def parse_iso(text: str) -> datetime:
    """The inverse of `iso_utc`: an ISO 8601 time (`Z` or an offset) as aware UTC."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def utc_now_iso(clock: Callable[[], datetime] = utc_now) -> str:
    return iso_utc(clock())
