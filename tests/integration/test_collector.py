"""Collector against the simulated fleet: Region states, faults, reuse, pruning, concurrency."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.models import LimitSource, Quota, RegionState
from services.settings import Settings
from services.simulator import ScenarioError
from services.simulator.testing import collector_harness as harness

TARGET = "111111111111"
STAGING = "222222222222"
OTHER = "333333333333"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "me-south-1")
OPT_IN = "me-south-1"  # an opt-in Region: the only kind that can be not enabled


def role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/DRSCapacityRead"


def scenario(fleet: dict, staging=(STAGING,), **extra) -> dict:
    return {
        "target": {"accountId": TARGET, "accountName": "dr-target"},
        "staging": [
            {
                "accountId": s,
                "accountName": f"staging-{s[:3]}",
                "roleArn": role(s),
                "region": "us-east-1",
            }
            for s in staging
        ],
        "fleet": fleet,
        "latencyMs": 0,
        **extra,
    }


def small_settings(**changes) -> Settings:
    return Settings(regions=REGIONS, aws_max_attempts=1, **changes)


def by_account(readings):
    return {r.account_id: r for r in readings}


def regions_of(reading):
    return {r.region: r for r in reading.regions}


def test_counts_follow_the_counting_rules():
    fleet = {
        TARGET: {"us-east-1": {"CONTINUOUS": 120, "STALLED": 3, "STOPPED": 4, "DISCONNECTED": 2,
                               "PAUSED": 1, "extended": {STAGING: 50}}},
        STAGING: {"us-east-1": {"CONTINUOUS": 50}},
    }  # fmt: skip
    h = harness(scenario(fleet), small_settings())
    target = regions_of(by_account(h.collector.collect(h.target))[TARGET])["us-east-1"]
    assert target.state is RegionState.OK
    assert target.total_servers == 120 + 3 + 4 + 2 + 1 + 50
    assert target.extended_servers == 50
    assert (
        target.replicating_servers == 120 + 3 + 1
    )  # not STOPPED/DISCONNECTED/extended
    assert target.by_state["CONTINUOUS"] == 170
    assert target.by_state["STOPPED"] == 4


def test_non_counting_states_are_a_setting():
    fleet = {TARGET: {"us-east-1": {"CONTINUOUS": 10, "PAUSED": 5, "STOPPED": 2}}}
    h = harness(
        scenario(fleet, staging=()),
        small_settings(non_replicating_states=frozenset({"STOPPED", "PAUSED"})),
    )
    region = regions_of(h.collector.collect(h.target)[0])["us-east-1"]
    assert region.replicating_servers == 10


def test_each_region_ends_in_its_state_and_failures_are_unknown_not_zero():
    fleet = {
        TARGET: {"us-east-1": {"CONTINUOUS": 5}, OPT_IN: "not-enabled"},
        STAGING: {
            "us-east-1": {"CONTINUOUS": 7},
            "us-west-2": {"error": "ThrottlingException"},
            "eu-west-1": {"error": "timeout"},
            "ap-southeast-2": {"error": "AccessDeniedException"},
        },
    }
    h = harness(scenario(fleet), small_settings())
    readings = by_account(h.collector.collect(h.target))
    target = regions_of(readings[TARGET])
    assert target[OPT_IN].state is RegionState.NOT_ENABLED
    assert (
        target["eu-west-1"].state is RegionState.UNINITIALIZED
    )  # absent = uninitialized
    staging = regions_of(readings[STAGING])
    assert staging["us-east-1"].replicating_servers == 7
    assert staging["us-west-2"].state is RegionState.ERROR
    assert staging["us-west-2"].error.code == "AWS_THROTTLED"
    assert staging["eu-west-1"].error.code == "AWS_UNREACHABLE"
    assert staging["ap-southeast-2"].error.code == "ACCESS_DENIED"
    assert not any(r.counted for r in staging.values() if r.state is RegionState.ERROR)


def test_an_inaccessible_account_does_not_stop_the_others():
    fleet = {
        TARGET: {"us-east-1": {"CONTINUOUS": 5}},
        STAGING: "inaccessible",
        OTHER: {"us-east-1": {"BACKLOG": 4}},
    }
    h = harness(scenario(fleet, staging=(STAGING, OTHER)), small_settings())
    readings = by_account(h.collector.collect(h.target))
    assert readings[STAGING].accessible is False
    assert readings[STAGING].error.code == "ROLE_NOT_ACCESSIBLE"
    assert readings[STAGING].regions == ()
    assert regions_of(readings[OTHER])["us-east-1"].replicating_servers == 4
    assert [r.account_id for r in h.collector.collect(h.target)] == [
        TARGET,
        STAGING,
        OTHER,
    ]


def test_wrong_external_id_makes_the_account_inaccessible():
    data = scenario({TARGET: {}, STAGING: {"us-east-1": {"CONTINUOUS": 1}}})
    data["staging"][0]["externalId"] = "expected-ext"
    h = harness(data, small_settings())
    from dataclasses import replace

    wrong = replace(
        h.target,
        staging_accounts=(replace(h.target.staging_accounts[0], external_id="other"),),
    )
    assert (
        by_account(h.collector.collect(wrong))[STAGING].error.code
        == "ROLE_NOT_ACCESSIBLE"
    )
    assert by_account(h.collector.collect(h.target))[STAGING].accessible


def test_target_without_role_is_read_only_with_its_own_credentials():
    h = harness(
        scenario(
            {
                TARGET: {"us-east-1": {"CONTINUOUS": 3}},
                OTHER: {"us-east-1": {"CONTINUOUS": 9}},
            },
            staging=(),
        ),
        small_settings(),
    )
    from dataclasses import replace

    impostor = replace(h.target, account_id=OTHER)  # our credentials belong to TARGET
    reading = h.collector.collect(impostor)[0]
    assert reading.accessible is False
    assert reading.error.code == "CREDENTIALS_INVALID"
    assert h.simulator.calls[("DescribeSourceServers", OTHER, "us-east-1")] == 0


def test_clients_and_credentials_are_reused_across_refreshes():
    h = harness(
        scenario(
            {
                TARGET: {"us-east-1": {"CONTINUOUS": 3}},
                STAGING: {"us-east-1": {"CONTINUOUS": 2}},
            }
        ),
        small_settings(),
    )
    h.collector.collect(h.target)
    clients = dict(h.gateway._clients)
    h.simulator.reset_calls()
    h.collector.collect(h.target, force=True)
    assert h.gateway._clients == clients
    assert (
        sum(n for (op, *_), n in h.simulator.calls.items() if op == "AssumeRole") == 0
    )


def test_credentials_are_renewed_before_they_expire_and_clients_are_kept():
    now = [1_000_000.0]
    h = harness(
        scenario({TARGET: {}, STAGING: {"us-east-1": {"CONTINUOUS": 2}}}),
        small_settings(),
        clock=lambda: now[0],
    )
    assume = ("AssumeRole", STAGING, "us-east-1")
    h.collector.collect(h.target)
    clients = dict(h.gateway._clients)
    assert h.simulator.calls[assume] == 1
    now[0] += 40 * 60  # one-hour credentials, 40 minutes old: reused
    h.collector.collect(h.target)
    assert h.simulator.calls[assume] == 1
    now[0] += 10 * 60  # 10 minutes left: renewed before they expire
    readings = by_account(h.collector.collect(h.target))
    assert h.simulator.calls[assume] == 2
    assert readings[STAGING].accessible
    assert h.gateway._clients == clients
    now[0] += (
        20 * 60
    )  # the first keys have expired: the same clients sign with new ones
    region = regions_of(by_account(h.collector.collect(h.target))[STAGING])["us-east-1"]
    assert (region.state, region.total_servers) == (RegionState.OK, 2)
    assert h.simulator.calls[assume] == 2


def test_empty_regions_are_rescanned_only_after_the_rescan_period_or_when_forced():
    now = [0.0]
    h = harness(
        scenario(
            {TARGET: {"us-east-1": {"CONTINUOUS": 1}, OPT_IN: "not-enabled"}},
            staging=(),
        ),
        small_settings(region_rescan_seconds=3600),
        clock=lambda: now[0],
    )
    h.collector.collect(h.target)
    h.simulator.reset_calls()
    h.collector.collect(h.target)
    scanned = {
        region for (op, _, region) in h.simulator.calls if op == "DescribeSourceServers"
    }
    assert scanned == {"us-east-1"}
    states = {r.region: r.state for r in h.collector.collect(h.target)[0].regions}
    assert states[OPT_IN] is RegionState.NOT_ENABLED  # remembered, not forgotten
    h.simulator.set_region(TARGET, "eu-west-1", {"CONTINUOUS": 4})
    h.collector.collect(h.target, force=True)
    assert {
        r.region: r.total_servers for r in h.collector.collect(h.target)[0].regions
    }["eu-west-1"] == 4
    now[0] += 3600 * 1.25 + 1  # the period, plus its spread at most
    h.simulator.reset_calls()
    h.collector.collect(h.target)
    scanned = {
        region for (op, _, region) in h.simulator.calls if op == "DescribeSourceServers"
    }
    assert scanned == set(REGIONS)


class WaveSleep:
    """Injected latency that lets a call finish only once `expected` calls are in flight.

    A collector that queried accounts or Regions one after another would leave the wave
    short and the waiters would time out: `broken` records it.
    """

    def __init__(self, waves: list[int], timeout: float = 5.0):
        self._waves = list(waves)
        self._arrived = 0
        self._cond = threading.Condition()
        self._timeout = timeout
        self.broken = False

    def __call__(self, seconds: float) -> None:
        with self._cond:
            if not self._waves:
                return
            self._arrived += 1
            if self._arrived >= self._waves[0]:
                self._waves.pop(0)
                self._arrived = 0
                self._cond.notify_all()
                return
            wave = len(self._waves)
            if not self._cond.wait_for(lambda: len(self._waves) < wave, self._timeout):
                self.broken = True
                self._waves.clear()
                self._cond.notify_all()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    staging_count=st.integers(min_value=0, max_value=4),
    region_count=st.integers(min_value=1, max_value=len(REGIONS)),
)
def test_property_8_multi_account_query_parallelism(staging_count, region_count):
    """All accounts log in at once (the target is not first), then every account × Region."""
    staging = [f"{400000000000 + i:012d}" for i in range(staging_count)]
    regions = REGIONS[:region_count]
    fleet = {a: dict.fromkeys(regions, {"CONTINUOUS": 1}) for a in [TARGET, *staging]}
    accounts = 1 + staging_count
    sleep = WaveSleep([accounts, accounts * region_count])
    data = scenario(fleet, staging=staging, latencyMs=1)
    h = harness(data, Settings(regions=regions, aws_max_attempts=1), sleep=sleep)
    readings = h.collector.collect(h.target)
    h.collector.close()
    assert not sleep.broken
    assert [sum(r.total_servers for r in a.regions) for a in readings] == [
        region_count
    ] * accounts


@pytest.mark.parametrize("workers", [1, 3])
def test_a_small_pool_still_reads_everything(workers):
    staging = [f"{400000000000 + i:012d}" for i in range(5)]
    fleet = {a: dict.fromkeys(REGIONS, {"CONTINUOUS": 2}) for a in [TARGET, *staging]}
    h = harness(scenario(fleet, staging=staging), small_settings(max_workers=workers))
    readings = h.collector.collect(h.target)
    assert [sum(r.total_servers for r in a.regions) for a in readings] == [
        2 * len(REGIONS)
    ] * 6


def test_clients_of_empty_regions_are_kept_one_per_service_and_region():
    fleet = {TARGET: {"us-east-1": {"CONTINUOUS": 1}, OPT_IN: "not-enabled"}}
    h = harness(scenario(fleet, staging=()), small_settings())
    h.collector.collect(h.target)
    assert {region for (service, region) in h.gateway._clients if service == "drs"} == (
        set(REGIONS)
    )


def test_empty_regions_come_due_at_spread_times_within_a_quarter_of_the_period():
    now = [0.0]
    fleet = {
        TARGET: {"us-east-1": {"CONTINUOUS": 1}}
    }  # every other Region: uninitialized
    h = harness(
        scenario(fleet, staging=()), Settings(aws_max_attempts=1), clock=lambda: now[0]
    )
    h.collector.collect(h.target)
    due = [deadline for _, deadline in h.collector._empty.values()]
    assert len(due) == len(Settings().regions) - 1
    assert all(3600 <= d <= 3600 * 1.25 for d in due)
    assert len(set(due)) > len(due) // 2  # not one wave


def test_a_role_revoked_later_makes_the_account_inaccessible_at_renewal(caplog):
    now = [1_000_000.0]
    h = harness(
        scenario({TARGET: {}, STAGING: {"us-east-1": {"CONTINUOUS": 2}}}),
        small_settings(),
        clock=lambda: now[0],
    )
    assert by_account(h.collector.collect(h.target))[STAGING].accessible
    h.simulator.set_account(STAGING, "inaccessible")
    caplog.set_level("WARNING")
    now[0] += 48 * 60  # advisory renewal fails: the keys still work for 12 minutes
    assert by_account(h.collector.collect(h.target))[STAGING].accessible
    now[0] += 5 * 60  # mandatory renewal fails: the account is reported, not guessed
    reading = by_account(h.collector.collect(h.target))[STAGING]
    assert (reading.accessible, reading.error.code) == (False, "ROLE_NOT_ACCESSIBLE")
    assert "Refreshing temporary credentials failed" in caplog.text  # botocore said so
    assert "Traceback" not in caplog.text  # without its stack trace


def test_a_rejected_token_in_a_region_every_account_has_is_an_error_not_an_empty_region():
    fleet = {
        TARGET: {"us-east-1": {"CONTINUOUS": 1}},
        STAGING: {"us-west-2": {"error": "UnrecognizedClientException"}},
    }
    h = harness(scenario(fleet), small_settings())
    region = regions_of(by_account(h.collector.collect(h.target))[STAGING])["us-west-2"]
    assert region.state is RegionState.ERROR  # never a silent zero
    assert region.error.code == "CREDENTIALS_INVALID"


def test_not_enabled_is_refused_for_a_region_every_account_has():
    with pytest.raises(ScenarioError, match=r"fleet\.111111111111\.us-west-2"):
        harness(
            scenario({TARGET: {"us-west-2": "not-enabled"}}, staging=()),
            small_settings(),
        )


def test_a_repeated_staging_entry_is_read_and_counted_once():
    from dataclasses import replace

    from services.collector import accounts_of

    h = harness(
        scenario({TARGET: {}, STAGING: {"us-east-1": {"CONTINUOUS": 2}}}),
        small_settings(),
    )
    twice = replace(h.target, staging_accounts=h.target.staging_accounts * 2)
    assert [r.account_id for r in accounts_of(twice)] == [TARGET, STAGING]


# -- live limits from Service Quotas (SPEC §4.1) ------------------------------------------

REPLICATION, RECOVERY = "L-C1D14A2B", "L-E28BE5E0"


def quota_calls(h) -> dict:
    """(operation, account, Region) -> calls, for Service Quotas only."""
    return {k: n for k, n in h.simulator.calls.items() if "ServiceQuota" in k[0]}


def test_ok_regions_carry_live_limits_the_target_both_a_staging_account_one():
    fleet = {
        TARGET: {
            "us-east-1": {"CONTINUOUS": 5},
            "us-west-2": {},
            OPT_IN: "not-enabled",
        },
        STAGING: {"us-east-1": {"CONTINUOUS": 7}, "eu-west-1": {"error": "timeout"}},
    }
    quotas = {
        TARGET: {"us-east-1": {RECOVERY: 6000}},
        STAGING: {"us-east-1": {REPLICATION: 500}},
    }
    h = harness(scenario(fleet, quotas=quotas), small_settings())
    readings = by_account(h.collector.collect(h.target))
    target, staging = regions_of(readings[TARGET]), regions_of(readings[STAGING])
    east = target["us-east-1"]
    assert east.replication_limit == Quota(300, LimitSource.AWS_DEFAULT)
    assert east.recovery_limit == Quota(6000, LimitSource.APPLIED)
    assert target["us-west-2"].replication_limit.source is LimitSource.AWS_DEFAULT
    assert staging["us-east-1"].replication_limit == Quota(500, LimitSource.APPLIED)
    assert staging["us-east-1"].recovery_limit is None  # the target's quota only
    unread = [target["eu-west-1"], target[OPT_IN], staging["eu-west-1"], staging["us-west-2"]]  # fmt: skip
    assert [r.state for r in unread] == [
        RegionState.UNINITIALIZED,
        RegionState.NOT_ENABLED,
        RegionState.ERROR,
        RegionState.UNINITIALIZED,
    ]
    assert all(r.replication_limit is r.recovery_limit is None for r in unread)
    assert quota_calls(h) == {
        ("GetServiceQuota", TARGET, "us-east-1"): 2,
        ("GetAWSDefaultServiceQuota", TARGET, "us-east-1"): 1,
        ("GetServiceQuota", TARGET, "us-west-2"): 2,
        ("GetAWSDefaultServiceQuota", TARGET, "us-west-2"): 2,
        ("GetServiceQuota", STAGING, "us-east-1"): 1,
    }


def test_forced_refreshes_keep_the_quotas_until_their_ttl_expires():
    now = [0.0]
    fleet = {TARGET: {"us-east-1": {"CONTINUOUS": 1}}, STAGING: {"us-east-1": {}}}
    h = harness(
        scenario(fleet, quotas={STAGING: {"us-east-1": {REPLICATION: 500}}}),
        small_settings(quota_ttl_seconds=3600),
        clock=lambda: now[0],
    )
    h.collector.collect(h.target)
    h.simulator.set_quotas(STAGING, {"us-east-1": {REPLICATION: 600}})
    h.simulator.reset_calls()
    now[0] += 3599
    readings = by_account(h.collector.collect(h.target, force=True))
    assert h.simulator.calls[("DescribeSourceServers", STAGING, "us-east-1")] == 1
    assert quota_calls(h) == {}
    staging = regions_of(readings[STAGING])["us-east-1"]
    assert staging.replication_limit == Quota(500, LimitSource.APPLIED)
    now[0] += 2
    readings = by_account(h.collector.collect(h.target))
    staging = regions_of(readings[STAGING])["us-east-1"]
    assert staging.replication_limit == Quota(600, LimitSource.APPLIED)


def test_limits_source_setting_makes_no_service_quotas_call():
    fleet = {TARGET: {"us-east-1": {"CONTINUOUS": 1}}, STAGING: {"us-east-1": {}}}
    h = harness(
        scenario(fleet, quotas={STAGING: {"us-east-1": {REPLICATION: 500}}}),
        small_settings(limits_source="setting", replication_limit=250),
    )
    readings = by_account(h.collector.collect(h.target))
    assert quota_calls(h) == {}
    target = regions_of(readings[TARGET])["us-east-1"]
    assert target.replication_limit == Quota(250, LimitSource.SETTING)
    assert target.recovery_limit == Quota(4000, LimitSource.SETTING)
    staging = regions_of(readings[STAGING])["us-east-1"]
    assert staging.replication_limit == Quota(250, LimitSource.SETTING)


@pytest.mark.parametrize("refusal", ["denied", "throttled"])
def test_an_unreadable_quota_never_fails_the_region(refusal):
    fleet = {TARGET: {}, STAGING: {"us-east-1": {"CONTINUOUS": 7}}}
    h = harness(scenario(fleet, quotas={STAGING: refusal}), small_settings())
    staging = regions_of(by_account(h.collector.collect(h.target))[STAGING])
    east = staging["us-east-1"]
    assert (east.state, east.replicating_servers, east.error) == (
        RegionState.OK,
        7,
        None,
    )
    assert east.replication_limit == Quota(300, LimitSource.SETTING)


def test_quotas_are_read_in_the_same_concurrent_pass_as_the_counts():
    """Every account × Region task reads its quota once its pages are read: all at once."""
    staging = [f"{400000000000 + i:012d}" for i in range(2)]
    regions = REGIONS[:3]
    fleet = {a: dict.fromkeys(regions, {"CONTINUOUS": 1}) for a in [TARGET, *staging]}
    accounts, tasks = 3, 3 * len(regions)
    # logins; DescribeSourceServers; GetServiceQuota of every task and, beside it, of the
    # target's recovery quota; AWS's default, once per Region × quota whoever asks
    sleep = WaveSleep([accounts, tasks, tasks + len(regions), 2 * len(regions)])
    data = scenario(fleet, staging=staging, latencyMs=1)
    h = harness(data, Settings(regions=regions, aws_max_attempts=1), sleep=sleep)
    readings = h.collector.collect(h.target)
    h.collector.close()
    assert not sleep.broken
    assert all(r.replication_limit for a in readings for r in a.regions)
