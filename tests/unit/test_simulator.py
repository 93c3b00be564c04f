"""The simulated STS + DRS fleet, driven through real boto3 clients (SPEC §9)."""

from __future__ import annotations

import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.settings import REPLICATION_STATES
from services.simulator.testing import Harness

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TARGET, STAGING, OTHER = "111111111111", "222222222222", "333333333333"


def fleet(target_regions) -> dict:
    return {
        "target": {"accountId": TARGET, "accountName": "target"},
        "fleet": {TARGET: target_regions},
    }


def read_all(client, page_size=None, **kwargs) -> list[dict]:
    config = {"PageSize": page_size} if page_size else {}
    pages = client.get_paginator("describe_source_servers").paginate(
        PaginationConfig=config, **kwargs
    )
    return [item for page in pages for item in page["items"]]


def tally(items) -> Counter:
    return Counter(
        (i["dataReplicationInfo"]["dataReplicationState"], i["stagingArea"]["status"])
        for i in items
    )


# --- DescribeSourceServers: counts, paging, filters -------------------------------


@pytest.mark.parametrize("page_size", [None, 1000, 250, 7])
def test_paging_counts_every_state_and_extended_server_exactly(page_size):
    aws = Harness(SCENARIOS / "small.json")
    items = read_all(aws.drs(), page_size)
    assert tally(items) == {
        ("CONTINUOUS", "NOT_EXTENDED"): 120,
        ("STALLED", "NOT_EXTENDED"): 3,
        ("STOPPED", "NOT_EXTENDED"): 4,
        ("CONTINUOUS", "EXTENDED"): 50,
    }
    assert len({i["sourceServerID"] for i in items}) == len(items)


def test_a_page_holds_at_most_max_results_and_the_default_is_1000():
    aws = Harness(fleet({"us-east-1": {"PAUSED": 2500}}))
    drs = aws.drs()
    first = drs.describe_source_servers()
    assert len(first["items"]) == 1000 and first["nextToken"]
    second = drs.describe_source_servers(maxResults=1000, nextToken=first["nextToken"])
    third = drs.describe_source_servers(maxResults=1000, nextToken=second["nextToken"])
    assert len(third["items"]) == 500 and "nextToken" not in third


def test_an_initialized_empty_region_has_no_servers_and_no_token():
    aws = Harness(fleet({"us-east-1": {}}))
    assert aws.drs().describe_source_servers()["items"] == []
    assert "nextToken" not in aws.drs().describe_source_servers()


def test_a_region_of_ten_million_servers_costs_one_page():
    aws = Harness(fleet({"us-east-1": {"CONTINUOUS": 10_000_000}}))
    page = aws.drs().describe_source_servers(maxResults=1000)
    assert len(page["items"]) == 1000 and page["nextToken"]


_ANY_REGION = st.fixed_dictionaries(
    {},
    optional={state: st.integers(0, 150) for state in REPLICATION_STATES}
    | {
        "extended": st.dictionaries(
            st.sampled_from([STAGING, OTHER]), st.integers(0, 150)
        )
    },
)


@pytest.fixture(scope="module")
def property_aws():
    return Harness(fleet({"us-east-1": {}}))


@settings(max_examples=100, deadline=None)
@given(spec=_ANY_REGION, page_size=st.integers(1, 1000))
def test_any_fleet_pages_to_exactly_its_counts_per_state_for_any_page_size(
    property_aws, spec, page_size
):
    native = sum(n for state, n in spec.items() if state != "extended")
    page_size = max(page_size, native // 40)  # at most a few dozen pages per example
    property_aws.sim.set_region(TARGET, "us-east-1", spec)
    pages = list(
        property_aws.client("drs")
        .get_paginator("describe_source_servers")
        .paginate(PaginationConfig={"PageSize": page_size})
    )
    assert all(len(page["items"]) <= page_size for page in pages)
    items = [item for page in pages for item in page["items"]]
    by_state = Counter(
        i["dataReplicationInfo"]["dataReplicationState"]
        for i in items
        if i["stagingArea"]["status"] == "NOT_EXTENDED"
    )
    extended = Counter(
        i["stagingArea"]["stagingAccountID"]
        for i in items
        if i["stagingArea"]["status"] == "EXTENDED"
    )
    assert by_state == {s: n for s, n in spec.items() if s != "extended" and n}
    assert extended == {s: n for s, n in spec.get("extended", {}).items() if n}
    assert len({i["sourceServerID"] for i in items}) == len(items)


def test_source_server_id_filter_returns_exactly_the_known_ids():
    aws = Harness(SCENARIOS / "small.json")
    drs = aws.drs()
    every = read_all(drs)
    wanted = [every[5]["sourceServerID"], every[-1]["sourceServerID"]]
    found = read_all(drs, filters={"sourceServerIDs": [*wanted, "s-0123456789abcdef0"]})
    assert sorted(i["sourceServerID"] for i in found) == sorted(wanted)


def test_staging_account_filter_returns_only_servers_extended_from_it():
    aws = Harness(
        fleet({"us-east-1": {"CONTINUOUS": 9, "extended": {STAGING: 4, OTHER: 6}}})
    )
    drs = aws.drs()
    items = read_all(drs, 3, filters={"stagingAccountIDs": [OTHER]})
    assert len(items) == 6
    assert {i["stagingArea"]["stagingAccountID"] for i in items} == {OTHER}
    assert read_all(drs, filters={"stagingAccountIDs": ["999999999999"]}) == []


def test_both_filters_keep_the_intersection():
    aws = Harness(fleet({"us-east-1": {"CONTINUOUS": 3, "extended": {STAGING: 2}}}))
    drs = aws.drs()
    ids = [i["sourceServerID"] for i in read_all(drs)]
    both = read_all(
        drs, filters={"sourceServerIDs": ids[1:], "stagingAccountIDs": [STAGING]}
    )
    assert [i["sourceServerID"] for i in both] == ids[3:]


def test_extended_server_points_at_a_real_server_of_its_staging_account():
    aws = Harness(SCENARIOS / "small.json")
    extended = read_all(aws.drs(), filters={"stagingAccountIDs": [STAGING]})[7]
    source_arn = extended["stagingArea"]["stagingSourceServerArn"]
    staging = aws.drs(account_id=STAGING, external_id="ext-222")
    source = read_all(staging, filters={"sourceServerIDs": [source_arn.split("/")[-1]]})
    assert [s["arn"] for s in source] == [source_arn]
    hints = source[0]["sourceProperties"]["identificationHints"]
    assert hints == extended["sourceProperties"]["identificationHints"]


def test_records_are_deterministic_for_a_seed_and_differ_between_seeds():
    first = read_all(Harness(SCENARIOS / "small.json", seed=7).drs())
    again = read_all(Harness(SCENARIOS / "small.json", seed=7).drs())
    other = read_all(Harness(SCENARIOS / "small.json", seed=8).drs())
    assert first == again
    assert {i["sourceServerID"] for i in first}.isdisjoint(
        i["sourceServerID"] for i in other
    )


def test_bad_page_size_and_bad_token_are_validation_errors():
    drs = Harness(SCENARIOS / "small.json").drs()
    for kwargs in ({"maxResults": 1001}, {"nextToken": "not-a-token"}):
        with pytest.raises(drs.exceptions.ValidationException):
            drs.describe_source_servers(**kwargs)


# --- the other DRS operations --------------------------------------------------------


def test_list_staging_accounts_pages_the_accounts_that_extend_into_the_region():
    aws = Harness(
        fleet({"us-east-1": {"extended": {STAGING: 1, OTHER: 2, "444444444444": 3}}})
    )
    pages = (
        aws.drs()
        .get_paginator("list_staging_accounts")
        .paginate(PaginationConfig={"PageSize": 2})
    )
    accounts = [a["accountID"] for page in pages for a in page["accounts"]]
    assert accounts == [STAGING, OTHER, "444444444444"]


def test_list_extensible_source_servers_leaves_out_the_already_extended():
    aws = Harness(SCENARIOS / "small.json")
    aws.sim.set_region(STAGING, "us-east-1", {"CONTINUOUS": 60, "STOPPED": 5})
    pages = (
        aws.drs()
        .get_paginator("list_extensible_source_servers")
        .paginate(stagingAccountID=STAGING, PaginationConfig={"PageSize": 4})
    )
    items = [item for page in pages for item in page["items"]]
    assert len(items) == 65 - 50
    extended = {
        i["stagingArea"]["stagingSourceServerArn"]
        for i in read_all(aws.drs(), filters={"stagingAccountIDs": [STAGING]})
    }
    assert len(extended) == 50
    assert extended.isdisjoint(i["arn"] for i in items)


def test_initialize_service_makes_an_uninitialized_region_empty():
    aws = Harness(SCENARIOS / "small.json")
    drs = aws.drs("eu-west-1")
    with pytest.raises(drs.exceptions.UninitializedAccountException):
        drs.describe_source_servers()
    assert drs.initialize_service()["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert drs.describe_source_servers()["items"] == []
    drs.initialize_service()  # again: a no-op
    assert len(read_all(aws.drs())) == 177  # other Regions untouched


def test_unimplemented_drs_operation_raises_naming_it():
    drs = Harness(SCENARIOS / "small.json").drs()
    with pytest.raises(NotImplementedError, match="DescribeJobs"):
        drs.describe_jobs()


def test_a_fleet_of_100_accounts_of_3000_servers_is_never_materialized():
    accounts = {
        f"{700000000000 + i}": {"us-east-1": {"CONTINUOUS": 3000}} for i in range(100)
    }
    spec = fleet({"us-east-1": {"extended": dict.fromkeys(accounts, 30)}})
    spec["fleet"].update(accounts)
    tracemalloc.start()
    try:
        aws = Harness(spec)
        page = aws.drs().describe_source_servers()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(page["items"]) == 1000 and page["nextToken"]
    assert peak < 20_000_000  # 303,000 records as dicts would take ~1 GB
