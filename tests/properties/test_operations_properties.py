"""Properties of validation, the CLI's answers and refresh after changes (seed Properties
6, 7, 14 and 15). One simulated backend per test; examples change the fleet or the store."""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
from services import thresholds as th
from services.backend import build_operations
from services.settings import REPLICATION_STATES, Settings
from services.validation import FIELDS
from tests.conftest import demo_backend

PER_TEST_BACKEND = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TARGET = "111111111111"
CANDIDATE = "444444444444"  # external ID ext-444; not registered
REGISTERED = "222222222222"  # external ID ext-222; 230 replicating in us-east-1
PROBE = "888888888888"  # made readable by the first fleet change
LIMIT = Settings.replication_limit
NON_REPLICATING = Settings().non_replicating_states
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


def role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/DRSCapacityRead"


def validation(account_id: str, external_id, region: str = "us-east-1") -> dict:
    payload = {"targetAccountId": TARGET, "accountId": account_id,
               "roleArn": role(account_id), "region": region}  # fmt: skip
    return payload | ({"externalId": external_id} if external_id else {})


@pytest.fixture
def built():
    with demo_backend() as backend:
        yield backend, build_operations(backend)


# -- Property 6: validation result completeness --------------------------------------

fleet_counts = st.dictionaries(
    st.sampled_from(REPLICATION_STATES), st.integers(0, 60), max_size=4
)


@PER_TEST_BACKEND
@given(counts=fleet_counts, account=st.sampled_from([CANDIDATE, REGISTERED]))
def test_property_6_validation_result_completeness(built, counts, account):
    backend, operations = built
    backend.simulator.set_region(account, "us-east-1", counts)
    external_id = "ext-444" if account == CANDIDATE else "ext-222"
    snapshot = backend.service.snapshot(TARGET)  # what the projection starts from
    response = operations.dispatch(
        "validate_staging_account", validation(account, external_id)
    )
    body = response.body
    assert response.status == 200 and body["success"] is True
    assert all(name in body for name in FIELDS)
    replicating = sum(n for s, n in counts.items() if s not in NON_REPLICATING)
    assert body["valid"] and body["roleAccessible"] and body["drsInitialized"]
    assert body["currentServers"] == sum(counts.values())
    assert body["replicatingServers"] == replicating
    combined = snapshot.combined
    if account == REGISTERED:  # counted once: its old count replaced by the fresh one
        old = next(a for a in snapshot.accounts if a.account_id == account)
        expected = combined.total_replicating - old.replicating_servers + replicating
        assert (body["totalAfter"], body["maxAfter"]) == (
            expected,
            combined.max_replicating,
        )
    else:
        assert body["totalAfter"] == combined.total_replicating + replicating
        assert body["maxAfter"] == combined.max_replicating + LIMIT
    assert body["percentAfter"] == th.percent(body["totalAfter"], body["maxAfter"])
    assert body["statusAfter"] == th.band_status(body["totalAfter"], body["maxAfter"])
    assert "error" not in body and body["message"]


# -- Property 7: validation error handling -----------------------------------------

REGION_FAULTS = {
    "uninitialized": ("DRS_NOT_INITIALIZED", "initialize DRS in {region} first"),
    "not-enabled": ("DRS_NOT_INITIALIZED", "not enabled"),
    "ThrottlingException": ("AWS_THROTTLED", "wait a minute"),
    "timeout": ("AWS_UNREACHABLE", "network"),
    "unreachable": ("AWS_UNREACHABLE", "network"),
    "AccessDeniedException": ("ROLE_NOT_ACCESSIBLE", "drs:DescribeSourceServers"),
    "InternalServerException": ("AWS_UNREACHABLE", "Validate again"),
}
external_ids = st.from_regex(r"[A-Za-z0-9+=,.@:/_-]{2,40}", fullmatch=True)
failures = st.one_of(
    st.tuples(st.just("denied"), st.just("555555555555"), st.none()),
    st.tuples(
        st.just("external-id"),
        st.just(CANDIDATE),
        external_ids.filter(lambda e: e != "ext-444"),
    ),  # fmt: skip
    st.tuples(st.sampled_from(sorted(REGION_FAULTS)), st.just(PROBE), st.none()),
)


@PER_TEST_BACKEND
@given(failure=failures, region=st.sampled_from(REGIONS))
def test_property_7_validation_error_handling(built, failure, region):
    backend, operations = built
    kind, account, external_id = failure
    if kind == "not-enabled":
        region = "af-south-1"  # only an opt-in Region can be not enabled
    if account == PROBE:
        spec = kind if kind in ("uninitialized", "not-enabled") else {"error": kind}
        backend.simulator.set_region(PROBE, region, spec)
    response = operations.dispatch(
        "validate_staging_account", validation(account, external_id, region)
    )
    body = response.body
    assert response.status == 200 and body["success"] is True
    assert all(name in body for name in FIELDS)
    assert body["valid"] is False
    assert body["totalAfter"] is None and body["statusAfter"] is None
    code, hint = REGION_FAULTS.get(kind, ("ROLE_NOT_ACCESSIBLE", "trust policy"))
    assert body["error"]["code"] == code
    assert hint.format(region=region) in body["error"]["message"]
    assert body["roleAccessible"] is (account == PROBE)
    if code == "DRS_NOT_INITIALIZED":
        assert body["drsInitialized"] is False and body["currentServers"] == 0


# -- Property 14: CLI operation response structure ---------------------------------

ACCOUNTS = [TARGET, REGISTERED, CANDIDATE, "333333333333", "999999999999", "12345"]
account_ids = st.sampled_from(ACCOUNTS)
ext = st.sampled_from([None, "ext-444", "ext-222", "x", "bad id"])
regions = st.sampled_from(["us-east-1", "us-west-2", "mars-1"])


def staging_flags(account_id, external_id, region) -> list[str]:
    flags = ["--account-id", account_id, "--role-arn", role(account_id[:12].ljust(12, "0")),
             "--region", region]  # fmt: skip
    return flags + (["--external-id", external_id] if external_id else [])


commands = st.one_of(
    st.just(["targets", "list"]),
    st.builds(lambda a: ["targets", "show", a], account_ids),
    st.builds(lambda a: ["staging", "list", a], account_ids),
    st.builds(
        lambda t, a, e, r: ["staging", "validate", t, *staging_flags(a, e, r)],
        account_ids,
        account_ids,
        ext,
        regions,
    ),  # fmt: skip
    st.builds(
        lambda t, a, e, r, skip: [
            "staging",
            "add",
            t,
            *staging_flags(a, e, r),
            "--name",
            "n",
            *skip,
        ],
        account_ids,
        account_ids,
        ext,
        regions,
        st.sampled_from([[], ["--skip-validation"]]),
    ),  # fmt: skip
    st.builds(
        lambda t, s: ["staging", "remove", t, s, "--yes"], account_ids, account_ids
    ),
    st.builds(
        lambda t, r: ["capacity", t, *r],
        account_ids,
        st.sampled_from([[], ["--region", "us-west-2"], ["--region", "mars-1"]]),
    ),  # fmt: skip
)
CAMEL = re.compile(r"[a-z][A-Za-z0-9]*")
ERROR_CODES = {"VALIDATION_ERROR", "NOT_FOUND", "CONFLICT"}


@PER_TEST_BACKEND
@given(argv=commands)
def test_property_14_cli_operation_response_structure(built, argv):
    _, operations = built
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([*argv, "--format", "json"], operations=operations,
                    stdout=out, stderr=err)  # fmt: skip
    body = json.loads(out.getvalue())
    assert isinstance(body["success"], bool)
    assert all(CAMEL.fullmatch(key) for key in body)  # flat, camelCase envelope
    if body["success"]:
        assert "error" not in body or body.get("valid") is False
        assert code == (1 if body.get("valid") is False else 0)
    else:
        assert code == 1
        error = body["error"]
        assert error["code"] in ERROR_CODES and error["message"]
        assert set(error) <= {"code", "message", "field"}
        assert isinstance(error.get("field", ""), str)
    assert "Traceback" not in out.getvalue() + err.getvalue()


# -- Property 15: capacity refresh after modification ------------------------------

EXTERNAL_IDS = {CANDIDATE: "ext-444", REGISTERED: "ext-222"}
POOL = ["100000000001", "100000000002", "100000000003", CANDIDATE, REGISTERED]
steps = st.lists(st.sampled_from(POOL), min_size=1, max_size=4)
pool_counts = st.lists(st.integers(0, 120), min_size=len(POOL), max_size=len(POOL))


@pytest.fixture
def one_region():
    with demo_backend(regions=("us-east-1",)) as backend:
        yield backend, build_operations(backend)


@PER_TEST_BACKEND
@given(toggles=steps, counts=pool_counts)
def test_property_15_capacity_dashboard_refresh_after_modification(
    one_region, toggles, counts
):
    backend, operations = one_region
    replicating = {TARGET: 100, "333333333333": 0}  # us-east-1 only
    for account, count in zip(POOL, counts, strict=True):
        backend.simulator.set_region(account, "us-east-1", {"CONTINUOUS": count})
        replicating[account] = count
    for account in toggles:
        target = operations.dispatch("get_target_account", {"targetAccountId": TARGET})
        registered = {s["accountId"] for s in target.body["stagingAccounts"]}
        if account in registered:
            payload = {"targetAccountId": TARGET, "stagingAccountId": account}
            assert operations.dispatch("remove_staging_account", payload).success
            registered.discard(account)
        else:
            payload = {"targetAccountId": TARGET, "accountId": account,
                       "accountName": "p15", "roleArn": role(account),
                       "region": "us-east-1"}  # fmt: skip
            if account in EXTERNAL_IDS:
                payload["externalId"] = EXTERNAL_IDS[account]
            assert operations.dispatch("add_staging_account", payload).success
            registered.add(account)
        snapshot = operations.dispatch(
            "get_combined_capacity", {"targetAccountId": TARGET}
        ).body
        shown = {a["accountId"] for a in snapshot["accounts"]} - {TARGET}
        assert shown == registered
        combined = snapshot["combined"]
        assert combined["configuredAccounts"] == 1 + len(registered)
        assert combined["maxReplicating"] == LIMIT * (1 + len(registered))
        expected = replicating[TARGET] + sum(replicating[a] for a in registered)
        assert combined["totalReplicating"] == expected
