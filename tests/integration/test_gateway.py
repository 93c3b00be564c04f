"""AwsGateway: one client per service × Region shared by every account, each request
signed as the account bound for it, retries accounted per account."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from services.gateway import UnboundIdentityError
from services.settings import Settings
from services.simulator.testing import collector_harness as harness

TARGET = "111111111111"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "me-south-1")


def staging_ids(n: int) -> list[str]:
    return [f"{500000000000 + i:012d}" for i in range(n)]


def role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/DRSCapacityRead"


def servers(account_id: str, region: str) -> int:
    """A count unique to each account × Region, so a misattributed answer shows."""
    return int(account_id[-2:]) * 10 + REGIONS.index(region) + 1  # one page


def fleet_scenario(staging: list[str], regions=REGIONS, **extra) -> dict:
    accounts = [TARGET, *staging]
    return {
        "target": {"accountId": TARGET, "accountName": "dr-target"},
        "staging": [
            {"accountId": s, "accountName": f"s-{s[-3:]}", "roleArn": role(s)}
            for s in staging
        ],
        "fleet": {
            a: {r: {"CONTINUOUS": servers(a, r)} for r in regions} for a in accounts
        },
        **extra,
    }


def misread(readings) -> set[tuple[str, str]]:
    """The account × Regions whose counts are not that account's own."""
    return {
        (reading.account_id, region.region)
        for reading in readings
        for region in reading.regions
        if region.total_servers != servers(reading.account_id, region.region)
    }


def count_created(gateway) -> list:
    """Record every client the gateway creates from now on."""
    created = []
    session = gateway._signing
    original = session.create_client

    def create_client(service, *args, **kwargs):
        created.append((service, kwargs.get("region_name")))
        return original(service, *args, **kwargs)

    session.create_client = create_client
    return created


@pytest.mark.parametrize("staging_count", [0, 1, 12])
def test_one_client_per_service_and_region_whatever_the_number_of_accounts(
    staging_count,
):
    h = harness(
        fleet_scenario(staging_ids(staging_count)),
        Settings(regions=REGIONS, aws_max_attempts=1),
    )
    created = count_created(h.gateway)
    readings = h.collector.collect(h.target)
    assert all(r.accessible for r in readings)
    assert {c.state.value for r in readings for c in r.regions} == {"ok"}
    expected = {(s, r) for s in ("drs", "service-quotas") for r in REGIONS}
    expected.add(("sts", "us-east-1"))
    assert sorted(created) == sorted(expected)  # each exactly once
    assert set(h.gateway._clients) == expected


def test_no_client_is_created_by_a_second_collection():
    h = harness(
        fleet_scenario(staging_ids(4)), Settings(regions=REGIONS, aws_max_attempts=1)
    )
    h.collector.collect(h.target)
    created = count_created(h.gateway)
    clients = dict(h.gateway._clients)
    h.collector.collect(h.target, force=True)
    h.collector.collect(h.target)
    assert created == []
    assert h.gateway._clients == clients


def test_every_answer_of_64_threads_is_the_bound_accounts():
    """21 identities × 5 Regions read on 64 threads: each count is that account's own."""
    staging = staging_ids(20)
    h = harness(
        fleet_scenario(staging),
        Settings(regions=REGIONS, aws_max_attempts=1, max_workers=64),
    )
    for _ in range(3):
        readings = h.collector.collect(h.target, force=True)
        assert [len(r.regions) for r in readings] == [len(REGIONS)] * 21
        assert misread(readings) == set()
    calls = h.simulator.calls
    for account in [TARGET, *staging]:
        for region in REGIONS:
            assert calls[("DescribeSourceServers", account, region)] == 3


def test_calls_bound_at_random_on_64_threads_are_signed_as_the_bound_account():
    staging = staging_ids(20)
    h = harness(fleet_scenario(staging), Settings(regions=REGIONS, aws_max_attempts=1))
    accesses = {s: h.gateway.access(role(s), None) for s in staging}
    accesses[TARGET] = None  # the dashboard's own credentials
    sts = h.gateway.client("sts", "us-east-1")
    rng = random.Random(7)
    jobs = [rng.choice(sorted(accesses)) for _ in range(640)]

    def whoami(account_id: str) -> tuple[str, str]:
        with h.gateway.acting_as(accesses[account_id]):
            return account_id, sts.get_caller_identity()["Account"]

    with ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(whoami, jobs))
    assert all(bound == answered for bound, answered in answers)
    assert len({bound for bound, _ in answers}) == 21


def test_a_call_with_no_account_bound_is_refused_not_signed():
    h = harness(fleet_scenario([]), Settings(regions=REGIONS, aws_max_attempts=1))
    drs = h.gateway.client("drs", "us-east-1")
    with pytest.raises(UnboundIdentityError):
        drs.describe_source_servers()
    assert issubclass(UnboundIdentityError, NoCredentialsError)  # classified as such
    assert sum(h.simulator.calls.values()) == 0


def test_a_pool_thread_does_not_inherit_the_submitters_binding():
    h = harness(fleet_scenario([]), Settings(regions=REGIONS, aws_max_attempts=1))
    sts = h.gateway.client("sts", "us-east-1")
    with h.gateway.acting_as(None), ThreadPoolExecutor(max_workers=1) as pool:
        assert sts.get_caller_identity()["Account"] == TARGET
        with pytest.raises(UnboundIdentityError):
            pool.submit(sts.get_caller_identity).result()


# -- the simulator reads the signature: signing with the wrong keys shows --------------


def test_a_call_signed_with_another_accounts_keys_is_answered_as_that_account():
    """A gateway that signs the victim's calls with another account's keys (here, its
    role resolved to the wrong credentials) reads the wrong servers: this check sees it."""
    staging = staging_ids(3)
    h = harness(fleet_scenario(staging), Settings(regions=REGIONS, aws_max_attempts=1))
    assert misread(h.collector.collect(h.target)) == set()
    wrong, victim = staging[0], staging[1]
    credentials = h.gateway._credentials
    credentials[h.gateway.access(role(victim), None)] = credentials[
        h.gateway.access(role(wrong), None)
    ]
    h.simulator.reset_calls()
    readings = h.collector.collect(h.target, force=True)
    assert misread(readings) == {(victim, region) for region in REGIONS}
    calls = h.simulator.calls
    for region in REGIONS:
        assert calls[("DescribeSourceServers", victim, region)] == 0
        assert calls[("DescribeSourceServers", wrong, region)] == 2


def test_a_client_signing_as_one_account_for_everyone_is_caught():
    """The bug a shared client invites: one fixed identity on it. Every other account's
    Region reads as that account's."""
    staging = staging_ids(2)
    h = harness(fleet_scenario(staging), Settings(regions=REGIONS, aws_max_attempts=1))
    h.collector.collect(h.target)
    fixed = h.gateway._credentials[h.gateway.access(role(staging[0]), None)]
    h.gateway.client("drs", "eu-west-1")._request_signer._credentials = fixed
    readings = h.collector.collect(h.target, force=True)
    assert misread(readings) == {(TARGET, "eu-west-1"), (staging[1], "eu-west-1")}


# -- retries: botocore's standard mode, accounted per account --------------------------


def test_one_throttled_account_cannot_spend_the_retries_of_the_others():
    a, b = staging_ids(2)
    throttled = {"us-east-1": {"error": "ThrottlingException"}}
    data = fleet_scenario([a, b], regions=("us-east-1",))
    data["fleet"][a] = data["fleet"][b] = throttled
    h = harness(data, Settings(regions=("us-east-1",), aws_max_attempts=3))
    drs = h.gateway.client("drs", "us-east-1")
    accesses = {x: h.gateway.access(role(x), None) for x in (a, b)}

    def attempts(account_id: str) -> int:
        key = ("DescribeSourceServers", account_id, "us-east-1")
        before = h.simulator.calls[key]
        with h.gateway.acting_as(accesses[account_id]), pytest.raises(ClientError):
            drs.describe_source_servers()
        return h.simulator.calls[key] - before

    assert attempts(a) == 3  # botocore's standard retries, through the simulator
    calls = 1
    while attempts(a) > 1:  # each throttled call spends two retries of a's quota
        calls += 1
        assert calls < 300, "a's retries never ran out"
    assert attempts(a) == 1  # a's retry quota is spent: its calls no longer retry
    assert attempts(b) == 3  # b's quota is its own: untouched by a's throttling


def test_a_failure_that_is_not_retried_costs_no_retry_handler():
    """Most Regions of most accounts answer "not initialized": botocore does not retry
    that, so no per-account handler (with its quota) is built for it; one was built per
    account and client, thousands on a first collection."""
    staging = staging_ids(3)
    data = fleet_scenario(staging)
    for account in [TARGET, *staging]:
        data["fleet"][account]["eu-west-1"] = "uninitialized"
    data["fleet"][staging[0]]["us-west-2"] = {"error": "ThrottlingException"}
    h = harness(data, Settings(regions=REGIONS, aws_max_attempts=3))
    readings = h.collector.collect(h.target)
    handlers = {key: len(r._handlers) for key, r in h.gateway._retries.items()}
    assert handlers[("drs", "eu-west-1")] == 0  # four accounts, none retried
    assert handlers[("drs", "us-west-2")] == 1  # the throttled account's own
    states = {(a.account_id, r.region): r.state.value for a in readings
              for r in a.regions}  # fmt: skip
    assert {states[(a, "eu-west-1")] for a in [TARGET, *staging]} == {"uninitialized"}
    assert states[(staging[0], "us-west-2")] == "error"
    calls = h.simulator.calls
    assert calls[("DescribeSourceServers", staging[0], "us-west-2")] == 3  # retried
    assert calls[("DescribeSourceServers", staging[1], "eu-west-1")] == 1  # not
