"""Staging-account validation (SPEC §6) on the simulated fleet of tests/scenarios/staging.json."""

from __future__ import annotations

import pytest

from services.collector import AccountRef
from services.models import AccountReading, ErrorInfo
from services.settings import Settings
from services.validation import FIELDS, StagingValidator
from tests.conftest import demo_backend

TARGET = "111111111111"
LIMIT = Settings.replication_limit


def role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/DRSCapacityRead"


@pytest.fixture(scope="module")
def built():
    with demo_backend() as backend:
        validator = StagingValidator(
            backend.collector, backend.service, backend.settings
        )
        yield backend, validator


@pytest.fixture
def validate(built):
    _, validator = built

    def run(account_id, external_id=None, region="us-east-1", arn=None):
        return validator.validate(
            account_id, arn or role(account_id), external_id, region, TARGET
        )

    return run


@pytest.fixture
def combined(built):
    backend, _ = built
    return backend.service.snapshot(TARGET).combined


def test_valid_account_reports_its_servers_and_the_projection(validate, combined):
    result = validate("444444444444", "ext-444")
    assert all(name in result for name in FIELDS)
    assert result["valid"] and result["roleAccessible"] and result["drsInitialized"]
    assert (result["currentServers"], result["replicatingServers"]) == (80, 78)
    assert result["totalAfter"] == combined.total_replicating + 78
    assert result["maxAfter"] == combined.max_replicating + LIMIT
    assert result["percentAfter"] == round(
        result["totalAfter"] / result["maxAfter"] * 100, 1
    )
    assert result["statusAfter"] == "OK"
    assert result["alreadyRegistered"] is False
    assert "error" not in result


def test_wrong_external_id_is_role_not_accessible_and_names_the_fix(validate):
    result = validate("444444444444", "wrong-id")
    assert result["valid"] is False and result["roleAccessible"] is False
    assert result["error"]["code"] == "ROLE_NOT_ACCESSIBLE"
    assert "trust policy" in result["error"]["message"]
    assert "external ID" in result["error"]["message"]
    assert result["totalAfter"] is None and result["statusAfter"] is None


def test_missing_external_id_says_the_role_may_require_one(validate):
    result = validate("444444444444")
    assert result["error"]["code"] == "ROLE_NOT_ACCESSIBLE"
    assert "require an external ID" in result["error"]["message"]


def test_account_that_denies_assume_role_is_not_accessible(validate):
    result = validate("555555555555")
    assert result["error"]["code"] == "ROLE_NOT_ACCESSIBLE"
    assert result["drsInitialized"] is None and result["currentServers"] is None


def test_uninitialized_region_asks_to_initialize_drs_there_first(validate):
    result = validate("666666666666", region="us-east-1")
    assert result["valid"] is False
    assert result["roleAccessible"] is True and result["drsInitialized"] is False
    assert result["error"]["code"] == "DRS_NOT_INITIALIZED"
    assert "initialize DRS in us-east-1 first" in result["error"]["message"]
    assert (result["currentServers"], result["replicatingServers"]) == (0, 0)


def test_region_not_enabled_asks_to_enable_it(validate):
    result = validate("666666666666", region="af-south-1")
    assert result["error"]["code"] == "DRS_NOT_INITIALIZED"
    assert "not enabled" in result["error"]["message"]


def test_same_account_validates_in_a_region_where_drs_runs(validate):
    assert validate("666666666666", region="us-west-2")["replicatingServers"] == 10


@pytest.mark.parametrize(
    ("region", "code", "hint"),
    [
        ("us-east-1", "AWS_THROTTLED", "wait a minute"),
        ("us-west-2", "AWS_UNREACHABLE", "network"),
        ("eu-west-1", "ROLE_NOT_ACCESSIBLE", "drs:DescribeSourceServers"),
        ("eu-central-1", "AWS_UNREACHABLE", "Validate again"),
    ],
)
def test_region_errors_are_classified_with_what_to_do(validate, region, code, hint):
    result = validate("777777777777", region=region)
    assert result["valid"] is False and result["roleAccessible"] is True
    assert result["drsInitialized"] is None and result["currentServers"] is None
    assert result["error"]["code"] == code
    assert hint in result["error"]["message"]


def test_registered_account_is_not_counted_twice(validate, combined):
    result = validate("222222222222", "ext-222")
    assert result["valid"] and result["alreadyRegistered"]
    assert result["totalAfter"] == combined.total_replicating
    assert result["maxAfter"] == combined.max_replicating
    assert "already registered" in result["message"]


def test_registered_account_projection_uses_the_fresh_count(built, validate, combined):
    backend, _ = built
    backend.simulator.set_region("222222222222", "us-east-1", {"CONTINUOUS": 260})
    try:
        result = validate("222222222222", "ext-222")
    finally:
        backend.simulator.set_region(
            "222222222222", "us-east-1", {"CONTINUOUS": 230, "STOPPED": 3}
        )
    assert result["replicatingServers"] == 260
    assert result["totalAfter"] == combined.total_replicating - 230 + 260
    assert result["maxAfter"] == combined.max_replicating


def test_validation_reads_fresh_every_time(built, validate):
    backend, _ = built
    account = "100000000001"
    backend.simulator.set_region(account, "us-east-1", {"CONTINUOUS": 5})
    assert validate(account)["replicatingServers"] == 5
    backend.simulator.set_region(account, "us-east-1", {"CONTINUOUS": 7})
    assert validate(account)["replicatingServers"] == 7


class _Refused:
    def __init__(self, code: str):
        self.code = code

    def read_accounts(self, refs: list[AccountRef], regions, *, force=False):
        [ref] = refs
        error = ErrorInfo(self.code, "raw")
        reading = AccountReading(ref.account_id, ref.account_name, "staging", False)
        return [AccountReading(**{**reading.__dict__, "error": error})]


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("CREDENTIALS_INVALID", "dashboard's own AWS credentials"),
        ("AWS_THROTTLED", "wait a minute"),
        ("AWS_UNREACHABLE", "network"),
    ],
)
def test_login_failures_keep_their_code(code, hint):
    validator = StagingValidator(_Refused(code), service=None, settings=Settings())
    result = validator.validate(
        "444444444444", role("444444444444"), None, "us-east-1", TARGET
    )
    assert result["valid"] is False and result["roleAccessible"] is False
    assert result["error"]["code"] == code
    assert hint in result["error"]["message"]


def test_the_projection_counts_the_accounts_servers_in_every_region(built, validate):
    backend, _ = built
    backend.simulator.set_region("444444444444", "us-west-2", {"CONTINUOUS": 30})
    try:
        combined = backend.service.snapshot(TARGET).combined
        result = validate("444444444444", "ext-444", region="us-east-1")
        # us-east-1 is where DRS was checked; the projection adds the account's servers
        # and its limit in every Region, and answers for the Region that binds then:
        # us-east-1 330 + 78 of 1200 (34 %) against us-west-2 80 + 30 of 1200
        assert result["replicatingServers"] == 78
        assert result["accountReplicatingServers"] == 78 + 30
        assert result["regionAfter"] == combined.region == "us-east-1"
        assert result["totalAfter"] == combined.total_replicating + 78
        assert result["maxAfter"] == combined.max_replicating + LIMIT
        assert result["projectionComplete"] is True
    finally:
        backend.simulator.set_region("444444444444", "us-west-2", "uninitialized")


def test_the_projection_answers_for_the_region_that_binds_after_adding(built, validate):
    backend, _ = built
    backend.simulator.set_region("444444444444", "us-west-2", {"CONTINUOUS": 340})
    try:
        result = validate("444444444444", "ext-444", region="us-east-1")
        # us-west-2 binds then: 20 + 60 + 340 = 420 of 1200 against 330 + 78 = 408
        assert result["regionAfter"] == "us-west-2"
        assert (result["totalAfter"], result["maxAfter"]) == (420, 1200)
    finally:
        backend.simulator.set_region("444444444444", "us-west-2", "uninitialized")


def test_a_projection_missing_a_region_says_it_is_a_lower_bound(built, validate):
    backend, _ = built
    backend.simulator.set_region("444444444444", "us-west-2", {"error": "timeout"})
    try:
        result = validate("444444444444", "ext-444", region="us-east-1")
        assert result["valid"] is True
        assert result["projectionComplete"] is False
        assert "lower bound" in result["message"]
    finally:
        backend.simulator.set_region("444444444444", "us-west-2", "uninitialized")
