"""Properties of the rendered charts and table over arbitrary fleets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from components.charts import account_bars, region_bars
from components.tables import sort_accounts
from tests.unit.snapshot_factory import (
    LIMIT,
    inaccessible,
    make_snapshot,
    staging,
    target,
)

REGIONS = ["eu-west-1", "us-east-1", "us-west-2"]
region_spec = st.one_of(
    st.integers(0, 400),
    st.fixed_dictionaries(
        {"CONTINUOUS": st.integers(0, 200), "STOPPED": st.integers(0, 50)}
    ),
    st.just("error"),
    st.just("uninitialized"),
)
regions = st.dictionaries(st.sampled_from(REGIONS), region_spec, max_size=3)


@st.composite
def snapshots(draw):
    readings = [target(regions=draw(regions))]
    for i in range(draw(st.integers(0, 5))):
        account_id = f"{200000000000 + i:012d}"
        if draw(st.booleans()) and i % 2:
            readings.append(inaccessible(account_id))
        else:
            readings.append(staging(account_id, draw(regions)))
    return make_snapshot(*readings)


@settings(max_examples=100, deadline=None)
@given(snapshots())
def test_account_bar_heights_are_the_replicating_counts_and_unknown_stays_blank(snap):
    traces = [t for t in account_bars(snap, "region", LIMIT).data if t.type == "bar"]
    for i, account in enumerate(snap["accounts"]):
        values = [t.y[i] for t in traces]
        if not account["accessible"]:
            assert all(v is None for v in values)
        else:
            assert sum(v or 0 for v in values) == account["replicatingServers"]


@settings(max_examples=100, deadline=None)
@given(snapshots())
def test_region_bars_total_the_accounts_replicating_servers(snap):
    traces = [t for t in region_bars(snap, LIMIT).data if t.type == "bar"]
    drawn = sum(v or 0 for t in traces for v in t.y)
    assert drawn == snap["combined"]["totalReplicating"]


@settings(max_examples=100, deadline=None)
@given(
    snapshots(),
    st.sampled_from(["percentUsed", "status", "accountName", "regions"]),
    st.booleans(),
)
def test_sorting_is_a_permutation_with_unknown_values_last(snap, column, descending):
    accounts = snap["accounts"]
    ordered = sort_accounts(accounts, {"column": column, "descending": descending})
    assert sorted(a["accountId"] for a in ordered) == sorted(
        a["accountId"] for a in accounts
    )
    seen_unknown = False
    for account in ordered:
        unknown = column in ("percentUsed", "regions") and not account["accessible"]
        assert not (seen_unknown and not unknown)
        seen_unknown = seen_unknown or unknown
