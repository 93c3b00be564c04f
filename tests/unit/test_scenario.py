"""Scenario files (SPEC §9): what loads, and how a broken one names the JSON path."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.settings import REPLICATION_STATES
from services.simulator import Scenario, ScenarioError, load_scenario
from services.simulator.specs import parse_region_spec

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(
    [ROOT / "scenarios" / "demo.json", *(ROOT / "tests" / "scenarios").glob("*.json")]
)
VALID = {
    "target": {"accountId": "111111111111", "accountName": "dr-target"},
    "staging": [
        {
            "accountId": "222222222222",
            "accountName": "staging-01",
            "roleArn": "arn:aws:iam::222222222222:role/DRSCapacityRead",
            "externalId": "ext-222",
            "region": "us-east-1",
        },
        {
            "accountId": "333333333333",
            "accountName": "staging-02",
            "roleArn": "arn:aws:iam::333333333333:role/DRSCapacityRead",
        },
    ],
    "fleet": {
        "111111111111": {
            "us-east-1": {
                "CONTINUOUS": 120,
                "STALLED": 3,
                "STOPPED": 4,
                "extended": {"222222222222": 50},
            },
            "eu-west-1": "uninitialized",
        },
        "222222222222": {
            "us-east-1": {"CONTINUOUS": 50},
            "us-west-2": {"error": "ThrottlingException"},
        },
        "333333333333": "inaccessible",
    },
    "roles": {"444444444444": {"externalId": "ext-444"}},
    "quotas": {
        "111111111111": {"us-east-1": {"L-C1D14A2B": 500, "L-E28BE5E0": 6000}},
        "333333333333": "denied",
    },
    "latencyMs": 0,
}


def broken(change) -> dict:
    spec = copy.deepcopy(VALID)
    change(spec)
    return spec


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path):
    assert isinstance(load_scenario(path), Scenario)


def test_the_spec_example_loads_with_its_regions_and_accounts():
    scenario = load_scenario(VALID)
    assert scenario.target == VALID["target"]
    assert scenario.staging == VALID["staging"]
    assert scenario.latency_ms == 0
    assert scenario.regions == ("eu-west-1", "us-east-1", "us-west-2")
    assert scenario.fleet["333333333333"].inaccessible


def test_demo_has_a_staging_account_three_short_of_critical():
    demo = load_scenario(ROOT / "scenarios" / "demo.json")
    us_east = demo.fleet["222222222222"].region("us-east-1")
    replicating = sum(
        n for state, n in us_east.counts if state not in ("STOPPED", "DISCONNECTED")
    )
    assert replicating == 247
    assert demo.target["accountId"] == "111111111111"
    assert [s["accountId"] for s in demo.staging] == [
        "222222222222",
        "333333333333",
        "666666666666",
    ]
    assert demo.fleet["555555555555"].inaccessible
    assert demo.trust("444444444444").external_id == "ext-444"


def test_quotas_are_applied_values_per_account_region_and_code_or_a_refusal():
    quotas = load_scenario(VALID).quotas
    target = quotas["111111111111"]
    assert target.refusal is None
    assert target.value("us-east-1", "L-C1D14A2B") == 500
    assert target.value("us-east-1", "L-E28BE5E0") == 6000
    assert target.value("us-west-2", "L-C1D14A2B") is None  # nothing applied
    assert quotas["333333333333"].refusal == "denied"
    assert "222222222222" not in quotas
    without = {k: v for k, v in VALID.items() if k != "quotas"}
    assert load_scenario(without).quotas == {}  # optional


def test_the_trust_an_account_demands_comes_from_its_entry():
    scenario = load_scenario(VALID)
    assert scenario.trust("222222222222").external_id == "ext-222"
    assert scenario.trust("333333333333").external_id is None
    assert scenario.trust("333333333333").role_arn.endswith(":role/DRSCapacityRead")
    assert scenario.trust("444444444444").external_id == "ext-444"
    assert scenario.trust("555555555555").external_id is None


def test_a_region_spec_is_counts_uninitialized_not_enabled_or_an_error():
    assert parse_region_spec({}, "x").kind == "ok"
    assert parse_region_spec("uninitialized", "x").kind == "uninitialized"
    assert parse_region_spec("not-enabled", "x").kind == "not-enabled"
    assert parse_region_spec({"error": "timeout"}, "x").error_code == "timeout"
    spec = parse_region_spec(
        {"STOPPED": 2, "CONTINUOUS": 0, "extended": {"222222222222": 5}}, "x"
    )
    assert spec.counts == (("STOPPED", 2),) and spec.native_servers == 2
    assert spec.extended_servers == 5


@pytest.mark.parametrize(
    "change,message",
    [
        (
            lambda s: s["fleet"]["222222222222"].__setitem__(
                "us-west-2", {"CONTINUOUS": -3}
            ),
            "fleet.222222222222.us-west-2.CONTINUOUS: expected a non-negative integer, got -3",
        ),
        (
            lambda s: s["staging"][1].__setitem__("accountId", "12x"),
            "staging[1].accountId: expected 12 digits, got '12x'",
        ),
        (lambda s: s.__setitem__("latencyms", 5), "latencyms: unknown key"),
        (lambda s: s.pop("target"), "target: missing"),
        (lambda s: s["target"].pop("accountName"), "target.accountName: missing"),
        (
            lambda s: s.__setitem__("latencyMs", "fast"),
            "latencyMs: expected a non-negative",
        ),
        (lambda s: s.__setitem__("staging", {}), "staging: expected a list"),
        (
            lambda s: s["fleet"].__setitem__("1234", {}),
            "fleet.1234: expected 12 digits",
        ),
        (lambda s: s["fleet"].__setitem__("١١١١١١١١١١١١", {}), "fleet.١١١١١١١١١١١١:"),
        (
            lambda s: s["fleet"]["111111111111"].__setitem__("mars-north-1", {}),
            "fleet.111111111111.mars-north-1: not a Region where DRS is offered",
        ),
        (
            lambda s: s["fleet"]["111111111111"]["us-east-1"].__setitem__(
                "SLEEPING", 1
            ),
            "fleet.111111111111.us-east-1.SLEEPING: unknown key",
        ),
        (
            lambda s: s["fleet"]["111111111111"]["us-east-1"].__setitem__(
                "STALLED", True
            ),
            "fleet.111111111111.us-east-1.STALLED: expected a non-negative integer",
        ),
        (
            lambda s: s["fleet"]["111111111111"]["us-east-1"]["extended"].__setitem__(
                "22x", 1
            ),
            "fleet.111111111111.us-east-1.extended.22x: expected 12 digits",
        ),
        (
            lambda s: s["fleet"]["111111111111"]["us-east-1"].__setitem__(
                "extended", [1]
            ),
            "fleet.111111111111.us-east-1.extended: expected an object",
        ),
        (
            lambda s: s["fleet"]["222222222222"].__setitem__(
                "us-west-2", {"error": "Oops"}
            ),
            "fleet.222222222222.us-west-2.error: unknown error code 'Oops'",
        ),
        (
            lambda s: s["fleet"].__setitem__("333333333333", "gone"),
            'fleet.333333333333: expected "inaccessible" or an object',
        ),
        (
            lambda s: s["fleet"]["111111111111"].__setitem__("us-east-2", "empty"),
            "fleet.111111111111.us-east-2: expected an object of state counts",
        ),
        (
            lambda s: s["staging"][0].__setitem__(
                "roleArn", "arn:aws:iam::999999999999:role/R"
            ),
            "staging[0].roleArn: role is in account 999999999999",
        ),
        (
            lambda s: s["staging"][0].__setitem__("externalId", "x"),
            "staging[0].externalId:",
        ),
        (
            lambda s: s["staging"][0].__setitem__("region", "us-east-9"),
            "staging[0].region:",
        ),
        (
            lambda s: s["staging"].append(s["staging"][0]),
            "staging[2].accountId: 222222222222 appears twice",
        ),
        (lambda s: s["roles"].__setitem__("222222222222", {}), "roles.222222222222:"),
        (
            lambda s: s["roles"]["444444444444"].__setitem__("password", "x"),
            "roles.444444444444.password: unknown key",
        ),
        (lambda s: s.__setitem__("quotas", []), "quotas: expected an object"),
        (
            lambda s: s["quotas"].__setitem__("2222", {}),
            "quotas.2222: expected 12 digits",
        ),
        (
            lambda s: s["quotas"].__setitem__("333333333333", "forbidden"),
            'quotas.333333333333: expected "denied", "throttled" or an object',
        ),
        (
            lambda s: s["quotas"]["111111111111"].__setitem__("mars-north-1", {}),
            "quotas.111111111111.mars-north-1: not a Region where DRS is offered",
        ),
        (
            lambda s: s["quotas"]["111111111111"].__setitem__("us-west-2", 500),
            "quotas.111111111111.us-west-2: expected an object of quota code",
        ),
        (
            lambda s: s["quotas"]["111111111111"]["us-east-1"].__setitem__(
                "L-12345678", 1
            ),
            "quotas.111111111111.us-east-1.L-12345678: unknown quota code",
        ),
        (
            lambda s: s["quotas"]["111111111111"]["us-east-1"].__setitem__(
                "L-C1D14A2B", -1
            ),
            "quotas.111111111111.us-east-1.L-C1D14A2B: expected a non-negative integer",
        ),
        (
            lambda s: s["quotas"]["111111111111"]["us-east-1"].__setitem__(
                "L-E28BE5E0", 4000.5
            ),
            "quotas.111111111111.us-east-1.L-E28BE5E0: expected a non-negative integer",
        ),
        (
            lambda s: s["quotas"]["111111111111"]["us-east-1"].__setitem__(
                "L-E28BE5E0", 10**11
            ),
            "quotas.111111111111.us-east-1.L-E28BE5E0: at most 10,000,000,000",
        ),
    ],
)
def test_a_broken_scenario_names_the_json_path_at_fault(change, message):
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(broken(change))
    assert str(excinfo.value).startswith(message)


def test_a_broken_file_names_the_path_and_the_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            broken(
                lambda s: s["fleet"]["222222222222"].__setitem__(
                    "us-west-2", {"PAUSED": -1}
                )
            )
        )
    )
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(str(path))
    assert str(excinfo.value).startswith("fleet.222222222222.us-west-2.PAUSED:")
    assert str(path) in str(excinfo.value)
    assert excinfo.value.path == "fleet.222222222222.us-west-2.PAUSED"


def test_a_json_syntax_error_names_file_line_and_column(tmp_path):
    path = tmp_path / "syntax.json"
    path.write_text('{\n  "target": {"accountId": "111111111111",}\n}\n')
    with pytest.raises(
        ScenarioError,
        match=r"syntax\.json: invalid JSON at line 2 "
        r"column 42",
    ):
        load_scenario(path)


def test_a_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load_scenario(tmp_path / "nowhere.json")


@settings(max_examples=200, deadline=None)
@given(
    counts=st.dictionaries(st.sampled_from(REPLICATION_STATES), st.integers(0, 10**6))
)
def test_a_region_spec_keeps_exactly_the_nonzero_counts_in_state_order(counts):
    spec = parse_region_spec(counts, "x")
    assert dict(spec.counts) == {s: n for s, n in counts.items() if n}
    order = [REPLICATION_STATES.index(s) for s, _ in spec.counts]
    assert order == sorted(order)


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(
        st.integers(max_value=-1), st.floats(), st.text(), st.none(), st.booleans()
    )
)
def test_any_count_that_is_not_a_non_negative_integer_is_rejected(value):
    with pytest.raises(ScenarioError, match=r"^r\.PAUSED: expected a non-negative"):
        parse_region_spec({"PAUSED": value}, "r")


def test_importing_the_simulator_loads_no_aws_or_test_library():
    probe = (
        "import sys, services.simulator; "
        "print(sorted(m for m in ('boto3', 'botocore', 'moto', 'hypothesis', 'dash')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_a_broken_scenario_leaves_no_embedded_dynamodb_running(tmp_path):
    """The demo's moto is started only once the scenario is read: a refused file used
    to leave it running, and every later moto in the process then kept its tables."""
    import boto3
    import moto

    from services.backend import build_backend
    from services.settings import Settings

    path = tmp_path / "bad.json"
    path.write_text('{"target": 1}')
    with pytest.raises(ScenarioError):
        build_backend(Settings(scenario_path=str(path)))

    def tables() -> list[str]:
        with moto.mock_aws():
            client = boto3.client(
                "dynamodb", region_name="us-east-1", aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )  # fmt: skip
            names = client.list_tables()["TableNames"]
            if not names:
                client.create_table(
                    TableName="left-behind", BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                )  # fmt: skip
            return names

    assert tables() == []
    assert tables() == []  # the first mock's table went with it
