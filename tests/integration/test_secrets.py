"""No stack trace and no AWS secret in any response or log line (SPEC §7), with the
simulator issuing real-looking AssumeRole credentials and every logger at DEBUG."""

from __future__ import annotations

import io
import logging

import cli
from services.logs import QUIET

TARGET = "111111111111"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"
FORBIDDEN_WORDS = ("SecretAccessKey", "SessionToken", "aws_secret_access_key",
                   "aws_session_token", "Traceback")  # fmt: skip


def validation(account_id: str, external_id: str | None, region="us-east-1") -> dict:
    body = {"targetAccountId": TARGET, "accountId": account_id,
            "roleArn": ROLE.format(account_id), "region": region}  # fmt: skip
    return body | ({"externalId": external_id} if external_id else {})


def exercise(client, operations) -> list[str]:
    """Every operation, succeeding and failing; the text of every answer."""
    staging = f"/api/accounts/{TARGET}/staging-accounts"
    answers = [
        client.get("/api/accounts"),
        client.post(
            "/api/accounts", json={"accountId": "123456789012", "accountName": "t2"}
        ),  # fmt: skip
        client.get(f"/api/accounts/{TARGET}"),
        client.post(
            "/api/staging-accounts/validate", json=validation("444444444444", "ext-444")
        ),  # fmt: skip
        client.post(
            "/api/staging-accounts/validate",
            json=validation("444444444444", "wrong-id"),
        ),  # fmt: skip
        client.post(
            "/api/staging-accounts/validate", json=validation("555555555555", None)
        ),
        client.post(
            "/api/staging-accounts/validate",
            json=validation("777777777777", None, "us-west-2"),
        ),  # fmt: skip
        client.post(
            staging,
            json={**validation("444444444444", "ext-444"), "accountName": "new"},
        ),  # fmt: skip
        client.get(f"/api/accounts/{TARGET}/capacity?refresh=true"),
        client.get(f"/api/accounts/{TARGET}/capacity.csv"),
        client.get(f"{staging}/222222222222/impact"),
        client.delete(f"{staging}/222222222222"),
        client.post("/api/accounts", data=b"{broken"),
        client.get("/api/unknown"),
    ]
    texts = [a.get_data(as_text=True) for a in answers]
    for argv in (["capacity", TARGET, "--format", "json"], ["capacity", TARGET],
                 ["staging", "validate", TARGET, "--account-id", "555555555555",
                  "--role-arn", ROLE.format("555555555555"), "--region", "us-east-1"]):  # fmt: skip
        out, err = io.StringIO(), io.StringIO()
        cli.main(argv, operations=operations, stdout=out, stderr=err)
        texts += [out.getvalue(), err.getvalue()]
    return texts


def issued_secrets(backend) -> list[str]:
    credentials = list(backend.gateway._credentials.values())
    secrets = [c.secret_key for c in credentials] + [c.token for c in credentials]
    return secrets + [backend.simulator.own_credentials["aws_secret_access_key"]]


def test_no_secret_or_traceback_in_any_answer_or_log_line(
    backend, app, operations, caplog
):
    caplog.set_level(logging.DEBUG)
    for name in QUIET:  # even if an entry point quieted them earlier in this process
        caplog.set_level(logging.DEBUG, logger=name)
    texts = exercise(app.server.test_client(), operations)
    secrets = issued_secrets(backend)
    assert len(backend.gateway._credentials) >= 3  # 222, 333, 444 were assumed
    lines = [record.getMessage() for record in caplog.records]
    lines += [record.exc_text or "" for record in caplog.records]
    lines.append(caplog.text)
    assert len(caplog.records) > 100  # botocore's DEBUG chatter was captured
    for text in texts + lines:
        for secret in secrets:
            assert secret not in text
        for word in FORBIDDEN_WORDS:
            assert word not in text


def test_credentials_never_print_their_secret(backend, operations):
    operations.dispatch("get_combined_capacity", {"targetAccountId": TARGET})
    for credentials in backend.gateway._credentials.values():
        shown = repr(credentials) + str(credentials)
        assert credentials.secret_key not in shown and credentials.token not in shown
