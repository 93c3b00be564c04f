"""The dispatcher (SPEC §7): flat envelopes, HTTP statuses, fields named in errors."""

from __future__ import annotations

import json

import pytest

from services.backend import build_operations
from services.export import COLUMNS
from services.operations import Operations
from services.settings import Settings
from tests.conftest import demo_backend

TARGET = "111111111111"
STAGING = "222222222222"
CANDIDATE = "444444444444"
LIMIT = Settings.replication_limit


def role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/DRSCapacityRead"


def new_staging(account_id: str = CANDIDATE, **changes) -> dict:
    return {
        "targetAccountId": TARGET,
        "accountId": account_id,
        "accountName": f"staging-{account_id[:3]}",
        "roleArn": role(account_id),
        "externalId": "ext-444",
        "region": "us-east-1",
    } | changes


@pytest.fixture(scope="module")
def reader():
    """One backend for the tests that change nothing."""
    with demo_backend() as backend:
        yield build_operations(backend)


def error_of(response) -> dict:
    assert response.body["success"] is False
    return response.body["error"]


def test_every_operation_of_spec_7_is_dispatched(reader):
    assert set(reader.names) >= {
        "get_target_accounts", "add_target_account", "get_target_account",
        "validate_staging_account", "add_staging_account", "remove_staging_account",
        "get_combined_capacity", "export_capacity_csv",
    }  # fmt: skip


def test_envelope_is_flat_and_json(reader):
    response = reader.dispatch("get_target_account", {"targetAccountId": TARGET})
    assert response.status == 200
    assert list(response.body)[:1] == ["success"]
    assert response.body["targetAccount"]["accountId"] == TARGET
    assert [s["accountId"] for s in response.body["stagingAccounts"]] == [
        STAGING,
        "333333333333",
    ]
    assert json.loads(response.text) == response.body


def test_add_target_account_is_201_then_409(operations):
    payload = {"accountId": "123456789012", "accountName": "second target"}
    created = operations.dispatch("add_target_account", payload)
    assert created.status == 201
    assert created.body["targetAccount"]["stagingAccounts"] == []
    again = operations.dispatch("add_target_account", payload)
    assert again.status == 409
    assert error_of(again)["field"] == "accountId"
    listed = operations.dispatch("get_target_accounts").body["targetAccounts"]
    assert [t["accountId"] for t in listed] == [TARGET, "123456789012"]


def test_unknown_target_is_404_naming_target_account_id(reader):
    for name, extra in [
        ("get_target_account", {}),
        ("get_combined_capacity", {}),
        ("export_capacity_csv", {}),
        ("add_staging_account", new_staging()),
        ("remove_staging_account", {"stagingAccountId": STAGING}),
        ("validate_staging_account", new_staging()),
    ]:
        response = reader.dispatch(name, {**extra, "targetAccountId": "999999999999"})
        assert response.status == 404, name
        assert error_of(response) | {"message": ""} == {
            "code": "NOT_FOUND", "message": "", "field": "targetAccountId",
        }  # fmt: skip


def test_add_staging_account_is_201_and_lists_it(operations):
    response = operations.dispatch("add_staging_account", new_staging())
    assert response.status == 201
    added = response.body["stagingAccounts"][-1]
    assert added["accountId"] == CANDIDATE and added["region"] == "us-east-1"
    assert added["addedAt"].endswith("Z") and added["addedBy"] == "api"


def test_adding_twice_is_409_and_adding_the_target_itself_is_400(operations):
    assert operations.dispatch("add_staging_account", new_staging()).status == 201
    twice = operations.dispatch("add_staging_account", new_staging())
    assert (twice.status, error_of(twice)["field"]) == (409, "accountId")
    itself = operations.dispatch(
        "add_staging_account", new_staging(TARGET, externalId=None)
    )
    assert (itself.status, error_of(itself)["field"]) == (400, "accountId")


def test_at_most_max_staging_accounts(backend):
    limited = build_operations(backend)
    limited._settings = backend.settings.with_overrides(max_staging_accounts=2)
    response = limited.dispatch("add_staging_account", new_staging())
    assert response.status == 400
    assert "at most 2" in error_of(response)["message"]


def test_add_then_capacity_reflects_it_at_once(operations):
    before = operations.dispatch("get_combined_capacity", {"targetAccountId": TARGET})
    operations.dispatch("add_staging_account", new_staging())
    after = operations.dispatch("get_combined_capacity", {"targetAccountId": TARGET})
    b, a = before.body["combined"], after.body["combined"]
    assert a["configuredAccounts"] == b["configuredAccounts"] + 1
    assert a["totalReplicating"] == b["totalReplicating"] + 78
    assert a["maxReplicating"] == b["maxReplicating"] + LIMIT


def test_removing_an_account_with_replicating_servers_returns_the_impact(operations):
    payload = {"targetAccountId": TARGET, "stagingAccountId": STAGING}
    preview = operations.dispatch("get_removal_impact", payload)
    removed = operations.dispatch("remove_staging_account", payload)
    assert removed.status == 200
    impact = removed.body["impact"]
    assert impact == preview.body["impact"]
    assert impact["hasReplicatingServers"] and impact["replicatingServers"] == 230
    assert impact["maxAfter"] == impact["maxBefore"] - LIMIT
    assert impact["totalAfter"] == impact["totalBefore"] - 230
    assert STAGING not in [s["accountId"] for s in removed.body["stagingAccounts"]]
    snapshot = operations.dispatch("get_combined_capacity", {"targetAccountId": TARGET})
    assert snapshot.body["combined"]["totalReplicating"] == impact["totalAfter"]


def test_removing_an_unregistered_account_is_404(reader):
    payload = {"targetAccountId": TARGET, "stagingAccountId": CANDIDATE}
    for name in ("remove_staging_account", "get_removal_impact"):
        response = reader.dispatch(name, payload)
        assert (response.status, error_of(response)["field"]) == (
            404,
            "stagingAccountId",
        )


def test_validation_is_200_whether_valid_or_not(reader):
    valid = reader.dispatch("validate_staging_account", new_staging())
    invalid = reader.dispatch(
        "validate_staging_account", new_staging(externalId="wrong-id")
    )
    assert (valid.status, valid.body["valid"]) == (200, True)
    assert (invalid.status, invalid.body["valid"]) == (200, False)
    assert invalid.body["error"]["code"] == "ROLE_NOT_ACCESSIBLE"


def test_capacity_of_one_region_and_refresh(reader):
    payload = {"targetAccountId": TARGET, "region": "us-west-2", "refresh": "true"}
    response = reader.dispatch("get_combined_capacity", payload)
    assert response.status == 200 and response.body["scope"] == "us-west-2"
    assert response.body["combined"]["totalReplicating"] == 20 + 60


def test_region_outside_the_region_set_is_400(reader):
    payload = {"targetAccountId": TARGET, "region": "ap-southeast-2"}
    response = reader.dispatch("get_combined_capacity", payload)
    assert (response.status, error_of(response)["field"]) == (400, "region")


def test_csv_export_has_the_spec_columns_and_a_file_name(reader):
    response = reader.dispatch("export_capacity_csv", {"targetAccountId": TARGET})
    assert response.status == 200
    assert response.content_type.startswith("text/csv")
    assert response.text.splitlines()[0] == ",".join(COLUMNS)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="drs-capacity-111111111111-')


def test_unknown_operation_and_non_object_payload_are_400(reader):
    unknown = reader.dispatch("drop_table", {})
    assert (unknown.status, error_of(unknown)["field"]) == (400, "operation")
    listed = reader.dispatch("add_target_account", ["not", "an", "object"])
    assert (listed.status, error_of(listed)["field"]) == (400, "body")


class _BrokenStore:
    def list_targets(self):
        raise RuntimeError("secret internals /etc/passwd")


def test_unexpected_failure_is_a_500_without_details(caplog):
    operations = Operations(
        _BrokenStore(), None, None, Settings(regions=("us-east-1",))
    )
    response = operations.dispatch("get_target_accounts")
    assert response.status == 500
    assert error_of(response) == {
        "code": "INTERNAL_ERROR",
        "message": "Internal error; see the server log.",
    }
    assert "passwd" not in caplog.text and "Traceback" not in caplog.text
