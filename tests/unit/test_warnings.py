"""Warnings of SPEC §5: who gets one, at which level, with which action, in which order."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from services.capacity import Limits, build_snapshot
from services.models import ErrorInfo, LimitSource, Quota, Status
from tests.strategies import (
    error_region,
    reading,
    region_from_servers,
    replicating_region,
    unreachable,
)

TARGET, STAGING_1, STAGING_2 = "111111111111", "222222222222", "333333333333"
AT = "2026-11-26T08:30:00Z"
DEFAULT = Limits()


def warnings_of(*readings, limits=DEFAULT):
    return build_snapshot(TARGET, list(readings), limits, AT).warnings


def with_scope(warnings, scope):
    return [w for w in warnings if w.scope == scope]


def staging_with(replicating: int, account_id: str = STAGING_1, region="us-east-1"):
    return reading(account_id, [replicating_region(region, replicating)])


def idle_target():
    return reading(TARGET, [], "target")


def added_staging_accounts(action: str) -> int:
    return int(re.search(r"(\d+) staging accounts?\b", action).group(1))


# --- per account -----------------------------------------------------------------------------


def test_everything_ok_gives_no_warning():
    assert warnings_of(idle_target(), staging_with(199)) == ()


def test_account_below_info_gets_no_account_warning():
    found = with_scope(warnings_of(idle_target(), staging_with(199)), "account")
    assert found == []


@pytest.mark.parametrize(
    ("replicating", "level", "words"),
    [
        (200, Status.INFO, "monitor"),
        (224, Status.INFO, "monitor"),
        (225, Status.WARNING, "plan"),
        (249, Status.WARNING, "plan"),
        (250, Status.CRITICAL, "now"),
        (279, Status.CRITICAL, "now"),
        (280, Status.HYPER_CRITICAL, "immediate"),
        (300, Status.HYPER_CRITICAL, "immediate"),
    ],
)
def test_account_warning_action_follows_the_level(replicating, level, words):
    [warning] = with_scope(
        warnings_of(idle_target(), staging_with(replicating)), "account"
    )
    assert warning.level is level
    assert (warning.account_id, warning.region) == (STAGING_1, "us-east-1")
    assert words in warning.action.lower()
    assert STAGING_1 in warning.message


def test_warning_action_asks_to_plan_a_staging_account():
    [warning] = with_scope(warnings_of(idle_target(), staging_with(230)), "account")
    assert "staging account" in warning.action.lower()


def test_critical_action_asks_to_add_a_staging_account_now():
    [warning] = with_scope(warnings_of(idle_target(), staging_with(260)), "account")
    action = warning.action.lower()
    assert "add a staging account now" in action


@pytest.mark.parametrize(
    ("replicating", "slots"), [(280, 20), (299, 1), (300, 0), (340, 0)]
)
def test_hyper_critical_action_is_immediate_and_states_the_slots_left(
    replicating, slots
):
    [warning] = with_scope(
        warnings_of(idle_target(), staging_with(replicating)), "account"
    )
    assert warning.action.lower().startswith("immediate")
    assert f"{slots} slots" in warning.action


def test_inaccessible_account_gets_a_data_warning_but_no_account_warning():
    found = warnings_of(idle_target(), unreachable(STAGING_1))
    assert with_scope(found, "account") == []
    [data] = with_scope(found, "data")
    assert data.account_id == STAGING_1
    assert data.region is None
    assert "ROLE_NOT_ACCESSIBLE" in data.message
    assert "not counted" in data.action
    assert "trust policy" in data.action


def test_the_fix_for_an_account_not_reporting_follows_why():
    throttled = ErrorInfo("AWS_THROTTLED", "AWS throttled the request.")
    found = warnings_of(idle_target(), unreachable(STAGING_1, error=throttled))
    [data] = with_scope(found, "data")
    assert "trust policy" not in data.action
    assert "next refresh" in data.action


def test_each_region_in_error_gets_a_data_warning():
    found = warnings_of(
        reading(
            TARGET, [error_region("us-west-2"), error_region("eu-west-1")], "target"
        ),
        reading(
            STAGING_1, [replicating_region("us-east-1", 5), error_region("us-east-2")]
        ),
    )
    data = with_scope(found, "data")
    assert sorted((w.account_id, w.region) for w in data) == [
        (TARGET, "eu-west-1"),
        (TARGET, "us-west-2"),
        (STAGING_1, "us-east-2"),
    ]
    assert all("lower bound" in w.action for w in data)


# --- combined --------------------------------------------------------------------------------


def test_combined_below_info_gets_no_combined_warning():
    found = warnings_of(staging_with(199, TARGET), staging_with(199))
    assert with_scope(found, "combined") == []


@pytest.mark.parametrize(
    ("each", "level"),
    [(200, Status.INFO), (225, Status.WARNING), (250, Status.CRITICAL),
     (280, Status.HYPER_CRITICAL)],
)  # fmt: skip
def test_combined_warning_from_info_upwards(each, level):
    found = warnings_of(
        reading(TARGET, [replicating_region("us-east-1", each)], "target"),
        staging_with(each),
    )
    [combined] = with_scope(found, "combined")
    assert combined.level is level
    assert combined.account_id is None


@pytest.mark.parametrize(
    ("target", "staging", "k"),
    [
        (250, None, 1),  # 250 < 2 × 250
        (300, None, 1),
        (500, None, 2),  # 500 < 2 × 250 fails: strictly under the operational limit
        (600, None, 2),
        (250, 250, 1),  # 500 < 3 × 250
        (300, 300, 1),  # 600 < 750
        (375, 375, 2),  # 750 < 1000, not < 750
        (900, 100, 3),  # 1000 < 5 × 250, not < 4 × 250
    ],
)
def test_combined_critical_action_names_the_smallest_number_of_staging_accounts(
    target, staging, k
):
    # SPEC §5: the smallest k ≥ 1 with total × 6 < 5 × (max + k × 300), in one Region
    readings = [reading(TARGET, [replicating_region("us-east-1", target)], "target")]
    if staging is not None:
        readings.append(staging_with(staging))
    [combined] = with_scope(warnings_of(*readings), "combined")
    assert combined.level.severity >= Status.CRITICAL.severity
    assert combined.region == "us-east-1"
    assert added_staging_accounts(combined.action) == k
    assert "us-east-1" in combined.action


def test_combined_staging_accounts_needed_with_a_fractional_operational_limit():
    # L = 7: 12 × 6 = 72 is not < 5 × (7 + 7) = 70, but is < 5 × (7 + 14) = 105
    found = warnings_of(
        reading(TARGET, [replicating_region("a", 12)], "target"),
        limits=Limits(replication=7),
    )
    [combined] = with_scope(found, "combined")
    assert added_staging_accounts(combined.action) == 2


def test_each_region_gets_its_own_combined_warning_in_its_own_terms():
    found = warnings_of(
        reading(
            TARGET,
            [
                replicating_region("us-east-1", 260),
                replicating_region("eu-west-1", 210),
            ],
            "target",
        )
    )
    combined = {w.region: w for w in with_scope(found, "combined")}
    assert combined["us-east-1"].level is Status.CRITICAL
    assert combined["eu-west-1"].level is Status.INFO
    assert "eu-west-1" in combined["eu-west-1"].message


def test_one_account_gets_one_warning_per_region_in_a_band():
    found = warnings_of(
        idle_target(),
        reading(
            STAGING_1,
            [
                replicating_region("us-east-1", 230),
                replicating_region("us-west-2", 285),
                replicating_region("eu-west-1", 100),
            ],
        ),
    )
    account = {w.region: w.level for w in with_scope(found, "account")}
    assert account == {"us-east-1": Status.WARNING, "us-west-2": Status.HYPER_CRITICAL}


@pytest.mark.parametrize(
    ("quota", "word"), [(500, "raised to 500"), (100, "lowered to 100")]
)
def test_a_warning_says_when_the_quota_differs_from_awss_default(quota, word):
    region = replace(
        replicating_region("us-east-1", quota - 10),
        replication_limit=Quota(quota, LimitSource.APPLIED),
    )
    found = warnings_of(idle_target(), reading(STAGING_1, [region]))
    [warning] = with_scope(found, "account")
    assert word in warning.message
    assert "L-C1D14A2B" in warning.message


def test_an_applied_quota_equal_to_the_default_is_not_called_changed():
    region = replace(
        replicating_region("us-east-1", 290),
        replication_limit=Quota(300, LimitSource.APPLIED),
    )
    [warning] = with_scope(
        warnings_of(idle_target(), reading(STAGING_1, [region])), "account"
    )
    assert "raised" not in warning.message and "lowered" not in warning.message


def test_combined_is_silent_when_no_account_reports():
    found = warnings_of(unreachable(TARGET, "target"), unreachable(STAGING_1))
    assert with_scope(found, "combined") == []
    assert len(with_scope(found, "data")) == 2


# --- recovery --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "level"),
    [(3199, None), (3200, Status.WARNING), (3599, Status.WARNING),
     (3600, Status.CRITICAL)],
)  # fmt: skip
def test_recovery_warning_from_80_percent_names_the_quota(current, level):
    target = reading(TARGET, [_stopped_region("us-east-1", current)], "target")
    found = with_scope(warnings_of(target), "recovery")
    if level is None:
        assert found == []
        return
    [recovery] = found
    assert (recovery.level, recovery.region) == (level, "us-east-1")
    assert "L-E28BE5E0" in recovery.message + recovery.action
    assert "quota" in recovery.action.lower()


def test_recovery_is_warned_per_region_against_that_regions_quota():
    raised = replace(
        _stopped_region("us-east-1", 3300),
        recovery_limit=Quota(5000, LimitSource.APPLIED),
    )
    target = reading(TARGET, [raised, _stopped_region("eu-west-1", 3700)], "target")
    [recovery] = with_scope(warnings_of(target), "recovery")
    assert (recovery.level, recovery.region) == (Status.CRITICAL, "eu-west-1")


def _stopped_region(region: str, count: int):
    return region_from_servers(region, {"STOPPED": count})


# --- order -------------------------------------------------------------------------------------


def test_warnings_are_sorted_most_severe_first():
    found = warnings_of(
        reading(TARGET, [replicating_region("us-east-1", 210)], "target"),
        staging_with(290, STAGING_1),
        staging_with(230, STAGING_2),
        unreachable("444444444444"),
    )
    levels = [w.level.severity for w in found]
    assert levels == sorted(levels, reverse=True)
    assert found[0].level is Status.HYPER_CRITICAL
    assert found[0].account_id == STAGING_1
    assert found[-1].level is Status.INFO
