"""QuotaReader (SPEC §4.1): applied value, AWS's default, the setting when Service Quotas
cannot be read, and a cache per account × Region × quota that forced refreshes keep."""

from __future__ import annotations

import contextlib
import logging
import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.models import LimitSource, Quota
from services.quotas import ERROR_RETRY_SECONDS, QuotaReader, whole_servers
from services.settings import Settings
from services.simulator.testing import collector_harness

TARGET, STAGING = "111111111111", "222222222222"
REPLICATION, RECOVERY = "L-C1D14A2B", "L-E28BE5E0"
ROLE = f"arn:aws:iam::{STAGING}:role/DRSCapacityRead"
# Settings that differ from AWS's defaults (300, 4000), so every source is told apart.
LIMITS = {"replication_limit": 280, "max_recovery_instances": 3500}


def scenario(quotas: dict) -> dict:
    return {
        "target": {"accountId": TARGET, "accountName": "target"},
        "staging": [{"accountId": STAGING, "accountName": "s", "roleArn": ROLE}],
        "fleet": {TARGET: {"us-east-1": {}}, STAGING: {"us-east-1": {}}},
        "quotas": quotas,
    }


class Reader:
    """A QuotaReader over the simulated fleet with a hand-driven clock."""

    def __init__(self, quotas: dict, **changes):
        self.now = 1_000.0
        settings = Settings(
            regions=("us-east-1",), aws_max_attempts=1, **LIMITS | changes
        )
        self.h = collector_harness(scenario(quotas), settings, clock=lambda: self.now)
        self.reader = QuotaReader(self.h.gateway, settings, clock=lambda: self.now)

    def target(self, code=REPLICATION, region="us-east-1") -> Quota:
        return self.reader.read(TARGET, region, code)

    def staging(self, code=REPLICATION) -> Quota:
        access = self.h.gateway.access(ROLE, None)
        return self.reader.read(STAGING, "us-east-1", code, access)

    def reads(self, account_id=TARGET) -> int:
        """Service Quotas calls made so far for the account."""
        return sum(
            n
            for (operation, account, _), n in self.h.simulator.calls.items()
            if account == account_id and "ServiceQuota" in operation
        )


def test_an_applied_value_is_read_with_get_service_quota():
    r = Reader({TARGET: {"us-east-1": {REPLICATION: 500, RECOVERY: 6000}}})
    assert r.target(REPLICATION) == Quota(500, LimitSource.APPLIED)
    assert r.target(RECOVERY) == Quota(6000, LimitSource.APPLIED)
    calls = r.h.simulator.calls
    assert calls[("GetServiceQuota", TARGET, "us-east-1")] == 2
    assert calls[("GetAWSDefaultServiceQuota", TARGET, "us-east-1")] == 0


def test_where_nothing_is_applied_the_aws_default_is_read():
    r = Reader({TARGET: {"us-east-1": {REPLICATION: 500}}})
    assert r.target(RECOVERY) == Quota(4000, LimitSource.AWS_DEFAULT)
    assert r.target(REPLICATION, "us-east-1") == Quota(500, LimitSource.APPLIED)
    r.h.simulator.set_region(TARGET, "eu-west-1", {})
    assert r.target(REPLICATION, "eu-west-1") == Quota(300, LimitSource.AWS_DEFAULT)


def test_a_staging_account_is_read_with_its_own_credentials():
    r = Reader({STAGING: {"us-east-1": {REPLICATION: 450}}})
    assert r.staging() == Quota(450, LimitSource.APPLIED)
    assert r.reads(STAGING) == 1 and r.reads(TARGET) == 0


@pytest.mark.parametrize(
    ("refusal", "code"),
    [("denied", "ACCESS_DENIED AccessDeniedException"),
     ("throttled", "AWS_THROTTLED TooManyRequestsException")],
)  # fmt: skip
def test_when_service_quotas_refuses_the_setting_stands_in_and_says_so(
    refusal, code, caplog
):
    r = Reader({STAGING: refusal})
    caplog.set_level(logging.WARNING, logger="services.quotas")
    assert r.staging(REPLICATION) == Quota(280, LimitSource.SETTING)
    assert r.staging(RECOVERY) == Quota(3500, LimitSource.SETTING)
    assert f"{REPLICATION} of account {STAGING} in us-east-1 not read ({code})" in (
        caplog.text
    )
    assert "using the setting 280" in caplog.text
    assert "Traceback" not in caplog.text
    secret = r.h.simulator.own_credentials["aws_secret_access_key"]
    assert secret not in caplog.text and "ASIA" not in caplog.text


def test_denied_says_which_permissions_are_missing(caplog):
    r = Reader({STAGING: "denied"})
    caplog.set_level(logging.WARNING, logger="services.quotas")
    r.staging()
    assert "grant servicequotas:GetServiceQuota" in caplog.text
    assert "LIMITS_SOURCE=setting" in caplog.text


def test_any_failure_falls_back_to_the_setting():
    class Broken:
        def acting_as(self, access):
            return contextlib.nullcontext()

        def client(self, *args):
            raise RuntimeError("no client today")

    reader = QuotaReader(Broken(), Settings(regions=("us-east-1",), **LIMITS))
    assert reader.read(TARGET, "us-east-1", RECOVERY) == Quota(
        3500, LimitSource.SETTING
    )


def test_limits_source_setting_never_calls_service_quotas():
    r = Reader({TARGET: {"us-east-1": {REPLICATION: 500}}}, limits_source="setting")
    assert r.target(REPLICATION) == Quota(280, LimitSource.SETTING)
    assert r.target(RECOVERY) == Quota(3500, LimitSource.SETTING)
    assert r.reads(TARGET) == 0
    assert not [key for key in r.h.gateway._clients if key[0] == "service-quotas"]


def test_a_quota_is_read_once_per_ttl():
    r = Reader({TARGET: {"us-east-1": {REPLICATION: 500}}}, quota_ttl_seconds=3600)
    r.target()
    r.now += 3599
    assert r.target() == Quota(500, LimitSource.APPLIED)
    assert r.reads() == 1
    r.h.simulator.set_quotas(TARGET, {"us-east-1": {REPLICATION: 700}})
    r.now += 2  # past the TTL: read again, and the raised quota shows
    assert r.target() == Quota(700, LimitSource.APPLIED)
    assert r.reads() == 2


def test_the_cache_is_per_account_region_and_quota():
    r = Reader({})
    r.h.simulator.set_region(TARGET, "eu-west-1", {})
    for region in ("us-east-1", "eu-west-1"):
        for code in (REPLICATION, RECOVERY):
            r.target(code, region)
            r.target(code, region)
    r.staging()
    assert r.reads(TARGET) == 4 * 2  # GetServiceQuota, then the AWS default
    assert r.reads(STAGING) == 1  # its own applied value; AWS's default is known


def test_aws_default_is_read_once_per_region_and_quota_for_every_account():
    r = Reader({})
    r.target(REPLICATION)
    assert r.staging(REPLICATION) == Quota(300, LimitSource.AWS_DEFAULT)
    assert r.staging(RECOVERY) == Quota(4000, LimitSource.AWS_DEFAULT)
    calls = r.h.simulator.calls
    assert calls[("GetAWSDefaultServiceQuota", TARGET, "us-east-1")] == 1
    assert calls[("GetAWSDefaultServiceQuota", STAGING, "us-east-1")] == 1  # RECOVERY
    assert calls[("GetServiceQuota", STAGING, "us-east-1")] == 2  # applied: per account


def test_accounts_asking_for_aws_default_at_once_share_one_read():
    r = Reader({})
    access = r.h.gateway.access(ROLE, None)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda i: r.reader.read(f"{300000000000 + i}", "us-east-1", REPLICATION, access),
            range(16),
        ))  # fmt: skip
    assert set(answers) == {Quota(300, LimitSource.AWS_DEFAULT)}
    defaults = [n for k, n in r.h.simulator.calls.items() if k[0].startswith("GetAWS")]
    assert defaults == [1]


def test_aws_default_is_read_again_after_the_ttl():
    r = Reader({}, quota_ttl_seconds=3600)
    r.target()
    r.now += 3601
    r.staging()
    calls = r.h.simulator.calls
    assert calls[("GetAWSDefaultServiceQuota", TARGET, "us-east-1")] == 1
    assert calls[("GetAWSDefaultServiceQuota", STAGING, "us-east-1")] == 1


def test_a_fallback_is_retried_after_a_few_minutes_not_an_hour():
    r = Reader({TARGET: "throttled"}, quota_ttl_seconds=3600)
    assert r.target().source is LimitSource.SETTING
    r.now += ERROR_RETRY_SECONDS - 1
    r.target()
    assert r.reads() == 1  # a throttled API is not asked again at every refresh
    r.h.simulator.set_quotas(TARGET, {"us-east-1": {REPLICATION: 500}})
    r.now += 2
    assert r.target() == Quota(500, LimitSource.APPLIED)  # healed within minutes
    assert r.reads() == 2
    assert 60 < ERROR_RETRY_SECONDS < 3600


def test_a_fallback_is_never_kept_longer_than_the_ttl():
    r = Reader({TARGET: "denied"}, quota_ttl_seconds=60)
    r.target()
    r.now += 61
    r.target()
    assert r.reads() == 2


def test_a_value_read_earlier_outlasts_a_failed_reread_for_two_ttls():
    r = Reader({TARGET: {"us-east-1": {REPLICATION: 500}}}, quota_ttl_seconds=3600)
    assert r.target() == Quota(500, LimitSource.APPLIED)
    r.h.simulator.set_quotas(TARGET, "throttled")
    r.now += 3601  # due, but throttled: a raised quota does not flip to the setting
    assert r.target() == Quota(500, LimitSource.APPLIED)
    assert r.reads() == 2
    r.now += 3600  # two TTLs after the last answer: the stand-in, and the log says so
    assert r.target() == Quota(280, LimitSource.SETTING)


def test_one_service_quotas_client_per_region_serves_every_account():
    r = Reader({STAGING: {"us-east-1": {REPLICATION: 450}}})
    r.target()
    client = r.h.gateway.client("service-quotas", "us-east-1")
    assert r.staging() == Quota(450, LimitSource.APPLIED)
    assert r.h.gateway.client("service-quotas", "us-east-1") is client
    assert [k for k in r.h.gateway._clients if k[0] == "service-quotas"] == [
        ("service-quotas", "us-east-1")
    ]


@pytest.mark.parametrize(
    ("value", "servers"), [(300.0, 300), (0.0, 0), (4000, 4000), (299.9, 299)]
)
def test_quota_values_are_whole_servers_rounded_down(value, servers):
    assert whole_servers(value) == servers


@pytest.mark.parametrize("value", [None, -1.0, math.nan, math.inf, True, "300"])
def test_a_value_that_is_not_a_count_is_refused(value):
    with pytest.raises(ValueError):
        whole_servers(value)


@given(st.floats(min_value=0, max_value=1e10))
def test_whole_servers_is_the_largest_count_not_above_the_value(value):
    servers = whole_servers(value)
    assert isinstance(servers, int)
    assert servers <= value < servers + 1
