"""The pure parts of sign-in: the users and tokens files, the request's identity and
what each role may run (issue 9, item 1)."""

from __future__ import annotations

import logging

import pytest

from services import credentials
from services.credentials import Credential, CredentialFile, CredentialFileError
from services.identity import (
    WRITE_OPERATIONS,
    Identity,
    current_identity,
    refusal,
    signed_in,
)
from services.routes import ROUTES

HASH = "pbkdf2:sha256:1000$salt$" + "ab" * 32
DIGEST = "0" * 64


def parse_users(text: str) -> dict:
    return credentials.parse(text, "users", tokens=False)


def test_a_users_file_with_comments_and_blank_lines_parses():
    found = parse_users(f"# team\n\nalice:admin:{HASH}\n bob:viewer:{HASH} \n")
    assert {n: c.role for n, c in found.items()} == {"alice": "admin", "bob": "viewer"}
    assert found["alice"].secret_hash == HASH


@pytest.mark.parametrize(
    "line, problem",
    [("alice", "name:role:hash"), ("alice:root:" + HASH, "role"),
     ("al ice:admin:" + HASH, "name"), ("alice:admin:plaintext-password", "werkzeug"),
     ("alice:admin:md5:" + "a" * 32, "werkzeug")],
)  # fmt: skip
def test_a_bad_line_names_its_number_and_never_repeats_itself(line, problem):
    with pytest.raises(CredentialFileError, match=problem) as raised:
        parse_users(f"ok:viewer:{HASH}\n# comment\n{line}\n")
    message = str(raised.value)
    assert "line 3" in message
    assert line.split(":", 2)[-1] not in message


def test_a_name_twice_is_an_error():
    with pytest.raises(CredentialFileError, match="line 2: alice appears twice"):
        parse_users(f"alice:admin:{HASH}\nalice:viewer:{HASH}\n")


def test_a_tokens_file_holds_sha256_digests_only():
    assert (
        credentials.parse(f"ci:viewer:{DIGEST}", "t", tokens=True)["ci"].role
        == "viewer"
    )
    with pytest.raises(CredentialFileError, match="line 1"):
        credentials.parse(f"ci:viewer:{HASH}", "t", tokens=True)


def test_a_missing_file_names_its_setting(tmp_path):
    with pytest.raises(CredentialFileError, match="DRS_CAPACITY_USERS_FILE"):
        CredentialFile(
            str(tmp_path / "absent"), "DRS_CAPACITY_USERS_FILE", tokens=False
        )


def test_a_token_is_found_by_its_hash_only():
    token = credentials.new_token()
    entries = {"ci": Credential("ci", "admin", credentials.token_hash(token))}
    assert credentials.find_token(entries, token).name == "ci"
    assert credentials.find_token(entries, token[:-1]) is None
    assert credentials.find_token(entries, credentials.token_hash(token)) is None


def test_tokens_are_32_random_bytes_and_differ():
    tokens = {credentials.new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) == len(credentials.TOKEN_PREFIX) + 43 for t in tokens)


def test_a_changed_file_is_read_again_and_a_broken_one_signs_nobody_in(
    tmp_path, caplog
):
    path = tmp_path / "tokens"
    path.write_text(f"ci:viewer:{DIGEST}\n")
    watched = CredentialFile(str(path), "DRS_CAPACITY_TOKENS_FILE", tokens=True)
    assert list(watched.entries()) == ["ci"]
    credentials.put_line(str(path), Credential("ops", "admin", DIGEST.replace("0", "1")), replace=False)  # fmt: skip
    assert list(watched.entries()) == ["ci", "ops"]
    path.write_text("ci:viewer:not-a-digest-at-all\n")
    with caplog.at_level(logging.ERROR):
        assert watched.entries() == {}
    assert "line 1" in caplog.text and "not-a-digest" not in caplog.text


def test_rewriting_keeps_other_lines_and_comments(tmp_path):
    path = tmp_path / "users"
    path.write_text(f"# team\nalice:admin:{HASH}\nbob:viewer:{HASH}\n")
    credentials.put_line(str(path), Credential("bob", "admin", HASH), replace=True)
    assert path.read_text() == f"# team\nalice:admin:{HASH}\nbob:admin:{HASH}\n"
    assert credentials.remove_line(str(path), "alice")
    assert path.read_text() == f"# team\nbob:admin:{HASH}\n"
    assert path.stat().st_mode & 0o777 == 0o600


# -- identity and roles ------------------------------------------------------------------


def test_every_operation_behind_a_write_method_is_a_write():
    writes = {route.operation for route in ROUTES if route.method != "GET"}
    assert writes == WRITE_OPERATIONS


def test_a_viewer_is_refused_writes_and_allowed_reads():
    with signed_in(Identity("victor", "viewer", "basic")):
        assert current_identity().name == "victor"
        for operation in WRITE_OPERATIONS:
            assert refusal(operation).http_status == 403
        assert refusal("get_combined_capacity") is None
    assert current_identity() is None


def test_an_admin_and_no_sign_in_are_refused_nothing():
    with signed_in(Identity("alice", "admin", "token")):
        assert all(refusal(op) is None for op in WRITE_OPERATIONS)
    assert all(refusal(op) is None for op in WRITE_OPERATIONS)


def test_the_dispatcher_refuses_a_viewer_before_running_anything(operations):
    payload = {"targetAccountId": "111111111111", "stagingAccountId": "222222222222"}
    with signed_in(Identity("victor", "viewer", "proxy")):
        refused = operations.dispatch("remove_staging_account", payload)
    assert refused.status == 403 and refused.body["error"]["code"] == "FORBIDDEN"
    shown = operations.dispatch(
        "get_target_account", {"targetAccountId": "111111111111"}
    )
    assert "222222222222" in [s["accountId"] for s in shown.body["stagingAccounts"]]


def test_addedBy_is_the_signed_in_user_whatever_the_payload_says(operations):
    payload = {"targetAccountId": "111111111111", "accountId": "444444444444",
               "accountName": "n", "region": "us-east-1", "addedBy": {"forged": 1},
               "roleArn": "arn:aws:iam::444444444444:role/DRSCapacityRead"}  # fmt: skip
    with signed_in(Identity("alice", "admin", "basic")):
        added = operations.dispatch("add_staging_account", payload)
    assert added.status == 201
    by_id = {s["accountId"]: s for s in added.body["stagingAccounts"]}
    assert by_id["444444444444"]["addedBy"] == "alice"


@pytest.mark.parametrize(
    "added_by", ["\x1b[31mred", "nul\x00", "bidi\u202eevil", {"a": 1}, 7, "x" * 129]
)
def test_without_sign_in_addedBy_is_printable_text_or_refused(operations, added_by):
    payload = {"targetAccountId": "111111111111", "accountId": "444444444444",
               "accountName": "n", "region": "us-east-1", "addedBy": added_by,
               "roleArn": "arn:aws:iam::444444444444:role/DRSCapacityRead"}  # fmt: skip
    refused = operations.dispatch("add_staging_account", payload)
    assert refused.status == 400 and refused.body["error"]["field"] == "addedBy"
