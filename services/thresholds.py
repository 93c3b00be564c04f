"""Status bands and limits (SPEC §4): pure functions, thresholds as shares of a capacity."""

from __future__ import annotations

import math
from fractions import Fraction

from services.models import Status
from services.settings import (
    CRITICAL_SHARE,
    HYPER_CRITICAL_SHARE,
    INFO_SHARE,
    RECOVERY_CRITICAL_SHARE,
    RECOVERY_WARNING_SHARE,
    WARNING_SHARE,
)

# Most severe first: the first band whose threshold is reached wins.
REPLICATION_BANDS: tuple[tuple[Status, Fraction], ...] = (
    (Status.HYPER_CRITICAL, HYPER_CRITICAL_SHARE),
    (Status.CRITICAL, CRITICAL_SHARE),
    (Status.WARNING, WARNING_SHARE),
    (Status.INFO, INFO_SHARE),
)
RECOVERY_BANDS: tuple[tuple[Status, Fraction], ...] = (
    (Status.CRITICAL, RECOVERY_CRITICAL_SHARE),
    (Status.WARNING, RECOVERY_WARNING_SHARE),
)


def band_status(count: int, capacity: int, bands=REPLICATION_BANDS) -> Status:
    """The band `count` reaches out of `capacity`; a level is reached at its threshold."""
    for status, share in bands:
        if count >= share * capacity:
            return status
    return Status.OK


def recovery_status(count: int, capacity: int) -> Status:
    return band_status(count, capacity, RECOVERY_BANDS)


def threshold_count(share: Fraction, capacity: int) -> int:
    """The smallest server count that reaches `share` of `capacity`."""
    return math.ceil(share * capacity)


def band_thresholds(capacity: int, bands=REPLICATION_BANDS) -> dict[Status, int]:
    """Server count at which each band starts, least severe first."""
    return {
        status: threshold_count(share, capacity) for status, share in reversed(bands)
    }


def operational_count(capacity: int) -> int:
    """The operational limit: the smallest count that is CRITICAL (250 of 300)."""
    return threshold_count(CRITICAL_SHARE, capacity)


def plain_number(value: Fraction) -> int | float:
    """An exact limit as JSON wants it: an int when whole, else one decimal."""
    return int(value) if value.denominator == 1 else round(float(value), 1)


def percent(part: int, whole: int) -> float:
    """`part` as a percentage of `whole`, one decimal, halves rounded up as people do
    (17 of 400 is 4.3 %; binary floats and round() would say 4.2)."""
    if not whole:
        return 0.0
    return (part * 2000 + whole) // (2 * whole) / 10


def staging_accounts_needed(total: int, maximum: int, limit: int) -> int:
    """Smallest k >= 1 with total below the operational share of (maximum + k × limit):
    the staging accounts to add to one Region whose combined use is `total` of `maximum`
    (SPEC §5: total × 6 < 5 × (max + k × L))."""
    beyond = total / CRITICAL_SHARE - maximum  # how much more maximum is needed
    return max(1, math.floor(beyond / limit) + 1)
