"""The audit log (issue 9, item 8): every write is one JSON line naming who, what, on
which accounts and the result; reads are not logged, secrets and hostile values never."""

from __future__ import annotations

import json
import logging

import pytest

from services.identity import Identity, signed_in
from tests.unit.test_operations import CANDIDATE, STAGING, TARGET, new_staging


@pytest.fixture
def audit_lines(caplog):
    caplog.set_level(logging.INFO, logger="drs_capacity.audit")

    def lines() -> list[dict]:
        return [
            json.loads(r.getMessage())
            for r in caplog.records
            if r.name == "drs_capacity.audit"
        ]

    return lines


def test_a_write_is_one_json_line_with_who_what_accounts_and_result(
    operations, audit_lines
):
    admin = Identity("alice", "admin", "basic")
    with signed_in(admin):
        added = operations.dispatch("add_staging_account", new_staging())
    assert added.status == 201
    (line,) = audit_lines()
    assert line == {
        "event": "audit",
        "operation": "add_staging_account",
        "who": "alice",
        "role": "admin",
        "signIn": "basic",
        "targetAccountId": TARGET,
        "accountId": CANDIDATE,
        "status": 201,
        "result": "ok",
    }


def test_failures_and_refusals_are_audited_with_their_code(operations, audit_lines):
    with signed_in(Identity("bob", "viewer", "token")):
        refused = operations.dispatch(
            "remove_staging_account",
            {"targetAccountId": TARGET, "stagingAccountId": STAGING},
        )
    assert refused.status == 403
    missing = operations.dispatch(
        "remove_staging_account",
        {"targetAccountId": TARGET, "stagingAccountId": "999999999999"},
    )
    assert missing.status == 404
    first, second = audit_lines()
    assert (first["who"], first["status"], first["result"]) == ("bob", 403, "FORBIDDEN")
    assert first["stagingAccountId"] == STAGING
    assert (second["who"], second["signIn"], second["status"]) == (None, "none", 404)
    assert second["result"] == missing.body["error"]["code"] != "ok"


def test_reads_are_not_audited_and_no_secret_or_hostile_value_is_written(
    operations, audit_lines
):
    operations.dispatch("get_target_accounts")
    operations.dispatch("get_combined_capacity", {"targetAccountId": TARGET})
    assert audit_lines() == []
    hostile = new_staging(accountId="<script>\x1b[31m", externalId="s3cr3t-ext-id")
    operations.dispatch("validate_staging_account", hostile)
    (line,) = audit_lines()
    assert line["accountId"] == "invalid"
    text = json.dumps(line)
    assert "s3cr3t" not in text and "<script>" not in text and "\\u001b" not in text
    assert "roleArn" not in line and "externalId" not in line
