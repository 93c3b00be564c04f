"""Status bands of SPEC §4: a level is reached at its threshold, thresholds scale with L."""

from __future__ import annotations

import pytest

from services import thresholds as th
from services.models import Status

OK, INFO, WARNING = Status.OK, Status.INFO, Status.WARNING
CRITICAL, HYPER = Status.CRITICAL, Status.HYPER_CRITICAL

# (replicating servers, status) for L = 300, straight from the SPEC §4 table.
EDGES_AT_300 = [
    (0, OK),
    (199, OK),
    (200, INFO),
    (224, INFO),
    (225, WARNING),
    (249, WARNING),
    (250, CRITICAL),
    (279, CRITICAL),
    (280, HYPER),
    (300, HYPER),
    (301, HYPER),
    (900, HYPER),
]


@pytest.mark.parametrize(
    ("replicating", "expected"), EDGES_AT_300, ids=[f"{n}-{s}" for n, s in EDGES_AT_300]
)
def test_band_edges_for_the_default_limit_of_300(replicating, expected):
    assert th.band_status(replicating, 300) is expected


def test_account_at_199_servers_is_ok():
    assert th.band_status(199, 300) is OK


def test_account_at_200_servers_is_info():
    assert th.band_status(200, 300) is INFO


def test_account_at_225_servers_is_warning():
    assert th.band_status(225, 300) is WARNING


def test_account_at_250_servers_is_critical():
    assert th.band_status(250, 300) is CRITICAL


def test_account_at_280_servers_is_hyper_critical():
    assert th.band_status(280, 300) is HYPER


def test_account_above_the_hard_limit_stays_hyper_critical():
    assert th.band_status(301, 300) is HYPER


@pytest.mark.parametrize(
    ("replicating", "expected"),
    [(399, OK), (400, INFO), (449, INFO), (450, WARNING), (499, WARNING),
     (500, CRITICAL), (559, CRITICAL), (560, HYPER), (600, HYPER)],
)  # fmt: skip
def test_thresholds_scale_with_a_limit_of_600(replicating, expected):
    assert th.band_status(replicating, 600) is expected


@pytest.mark.parametrize(
    ("replicating", "expected"),
    # L = 7: INFO at 14/3 ≈ 4.67, WARNING at 5.25, CRITICAL at 35/6 ≈ 5.83,
    # HYPER-CRITICAL at 98/15 ≈ 6.53, so 5 is INFO and 6 already CRITICAL.
    [(4, OK), (5, INFO), (6, CRITICAL), (7, HYPER)],
)
def test_thresholds_for_a_limit_of_7_use_the_exact_rational_share(
    replicating, expected
):
    assert th.band_status(replicating, 7) is expected


@pytest.mark.parametrize(
    ("replicating", "expected"),
    # L = 15: 10, 11.25, 12.5 and exactly 14; 14 must reach HYPER-CRITICAL even though
    # 280/300 × 15 is 13.999… in binary floating point.
    [(9, OK), (10, INFO), (11, INFO), (12, WARNING), (13, CRITICAL), (14, HYPER)],
)
def test_a_level_is_reached_at_its_exact_threshold_for_a_limit_of_15(
    replicating, expected
):
    assert th.band_status(replicating, 15) is expected


def test_band_thresholds_are_the_first_counts_reaching_each_level():
    assert th.band_thresholds(300) == {
        INFO: 200,
        WARNING: 225,
        CRITICAL: 250,
        HYPER: 280,
    }
    assert th.band_thresholds(600) == {
        INFO: 400,
        WARNING: 450,
        CRITICAL: 500,
        HYPER: 560,
    }
    assert th.band_thresholds(7) == {INFO: 5, WARNING: 6, CRITICAL: 6, HYPER: 7}


RECOVERY_EDGES = [
    (4000, 0, OK),
    (4000, 3199, OK),
    (4000, 3200, WARNING),
    (4000, 3599, WARNING),
    (4000, 3600, CRITICAL),
    (4000, 4000, CRITICAL),
    (4000, 4500, CRITICAL),
    (1000, 799, OK),
    (1000, 800, WARNING),
    (1000, 899, WARNING),
    (1000, 900, CRITICAL),
    (7, 5, OK),  # 80 % of 7 is 5.6
    (7, 6, WARNING),  # 90 % of 7 is 6.3
    (7, 7, CRITICAL),
]


@pytest.mark.parametrize(
    ("maximum", "current", "expected"),
    RECOVERY_EDGES,
    ids=[f"{c}-of-{m}-{s}" for m, c, s in RECOVERY_EDGES],
)
def test_recovery_bands_are_80_and_90_percent_of_the_quota(maximum, current, expected):
    assert th.recovery_status(current, maximum) is expected


def test_recovery_at_3200_servers_is_warning():
    assert th.recovery_status(3200, 4000) is WARNING


def test_recovery_at_3600_servers_is_critical():
    assert th.recovery_status(3600, 4000) is CRITICAL


def test_operational_limit_is_the_smallest_critical_count():
    assert th.operational_count(300) == 250
    assert th.operational_count(600) == 500
    assert th.operational_count(500) == 417  # 5/6 × 500 = 416.7
    assert th.operational_count(7) == 6  # 35/6 = 5.8
    assert th.band_status(th.operational_count(500), 500) is CRITICAL
    assert th.band_status(th.operational_count(500) - 1, 500) is not CRITICAL


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 300, 0.0), (200, 300, 66.7), (250, 300, 83.3), (300, 300, 100.0),
     (450, 300, 150.0), (1, 3, 33.3), (2, 3, 66.7), (3200, 4000, 80.0),
     (17, 400, 4.3), (1, 8, 12.5), (1, 16, 6.3), (1, 2000, 0.1)],
)  # fmt: skip
def test_percent_has_one_decimal(part, whole, expected):
    assert th.percent(part, whole) == expected


@pytest.mark.parametrize(
    ("total", "maximum", "limit", "expected"),
    [
        (0, 300, 300, 1),  # SPEC §5: k ≥ 1 whenever it is asked
        (250, 300, 300, 1),  # 1500 < 5 × 600
        (499, 300, 300, 1),
        (500, 300, 300, 2),  # strictly under: 3000 < 3000 is false
        (600, 300, 300, 2),
        (560, 600, 300, 1),
        (750, 600, 300, 2),
        (750, 800, 300, 1),  # a raised quota in the Region: 4500 < 5 × 1100
        (12, 7, 7, 2),  # 72 < 5 × 21 = 105, but not 5 × 14 = 70
    ],
)
def test_staging_accounts_needed_is_the_smallest_k_under_the_operational_limit(
    total, maximum, limit, expected
):
    assert th.staging_accounts_needed(total, maximum, limit) == expected
