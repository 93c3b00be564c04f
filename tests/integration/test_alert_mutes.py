"""Alert mutes through the REST API and the CLI (issue 12, item 6): per unit, with an
expiry, behind sign-in like every write, with errors naming the field."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

import cli
from services.identity import Identity, signed_in
from tests.conftest import serving

TARGET = "111111111111"
MUTES = f"/api/accounts/{TARGET}/mutes"
UNIT = f"{MUTES}/222222222222:us-east-1"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(backend):
    moment = {"now": NOW}
    backend.alerts.clock = lambda: moment["now"]
    return moment


def test_mute_list_and_unmute(client, clock):
    muted = client.put(UNIT, json={"for": "2h", "reason": "wave 3 migration"})
    assert muted.status_code == 200, muted.get_json()
    assert muted.get_json()["mute"] == {
        "unit": "222222222222:us-east-1", "accountId": "222222222222",
        "region": "us-east-1", "until": "2026-12-01T10:00:00Z", "mutedBy": "api",
        "reason": "wave 3 migration",
    }  # fmt: skip
    combined = client.put(
        f"{MUTES}/combined:eu-west-1", json={"until": "2026-12-02T08:00:00Z"}
    )
    assert combined.status_code == 200
    listed = client.get(MUTES).get_json()["mutes"]
    assert [m["unit"] for m in listed] == [
        "combined:eu-west-1",
        "222222222222:us-east-1",
    ]
    assert client.delete(UNIT).status_code == 200
    assert [m["unit"] for m in client.get(MUTES).get_json()["mutes"]] == [
        "combined:eu-west-1"
    ]
    again = client.delete(UNIT)
    assert again.status_code == 404 and again.get_json()["error"]["field"] == "unit"


def test_a_mute_expires_by_itself(client, clock):
    assert client.put(UNIT, json={"for": "30m"}).status_code == 200
    clock["now"] = NOW + timedelta(minutes=29)
    assert len(client.get(MUTES).get_json()["mutes"]) == 1
    clock["now"] = NOW + timedelta(minutes=30)
    assert client.get(MUTES).get_json()["mutes"] == []
    assert client.delete(UNIT).status_code == 404


def test_muting_again_replaces_the_expiry(client, clock):
    client.put(UNIT, json={"for": "2h"})
    client.put(UNIT, json={"for": "1d"})
    (mute,) = client.get(MUTES).get_json()["mutes"]
    assert mute["until"] == "2026-12-02T08:00:00Z"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (f"{MUTES}/222222222222", {"for": "2h"}, "unit"),
        (f"{MUTES}/combined:mars-1", {"for": "2h"}, "unit"),
        (UNIT, {"for": "forever"}, "for"),
        (UNIT, {"for": "91d"}, "for"),
        (UNIT, {}, "for"),
        (UNIT, {"for": "2h", "until": "2026-12-01T09:00:00Z"}, "for"),
        (UNIT, {"until": "yesterday"}, "until"),
        (UNIT, {"until": "2026-11-30T08:00:00Z"}, "until"),
        (UNIT, {"for": "2h", "reason": "a\\x1b[31m"}, "reason"),
        (UNIT, {"for": "2h", "reason": 7}, "reason"),
        (UNIT, {"for": "2h", "colour": "red"}, "colour"),
    ],
)
def test_bad_mutes_are_400_naming_the_field(client, clock, path, body, field):
    if "reason" in body and isinstance(body["reason"], str):
        body = body | {"reason": "a\x1b[31m"}
    answer = client.put(path, json=body)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field


def test_an_unknown_target_is_404(client, clock):
    answer = client.get("/api/accounts/999999999999/mutes")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["field"] == "targetAccountId"


def test_only_an_admin_mutes_and_the_mute_names_them(operations, backend, clock):
    payload = {"targetAccountId": TARGET, "unit": "combined:us-east-1", "for": "1h"}
    with signed_in(Identity("vera", "viewer", "basic")):
        refused = operations.dispatch("mute_alerts", payload)
        assert refused.status == 403
        assert operations.dispatch("get_alert_mutes", payload).status == 200
        assert operations.dispatch("unmute_alerts", payload).status == 403
    with signed_in(Identity("ada", "admin", "basic")):
        done = operations.dispatch("mute_alerts", payload | {"addedBy": "mallory"})
    assert done.status == 200 and done.body["mute"]["mutedBy"] == "ada"


def run_cli(operations, *argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), operations=operations, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_cli_mutes_lists_and_unmutes(operations, clock):
    code, out, _ = run_cli(operations, "alerts", "mute", TARGET, "--account",
                           "222222222222", "--region", "us-east-1", "--for", "2h",
                           "--reason", "wave 3")  # fmt: skip
    assert code == 0 and "muted until 2026-12-01T10:00:00Z" in out
    code, out, _ = run_cli(operations, "alerts", "mute", TARGET, "--combined",
                           "--region", "eu-west-1", "--until", "2026-12-01T12:00:00Z")  # fmt: skip
    assert code == 0
    code, out, _ = run_cli(operations, "alerts", "mutes", TARGET)
    assert code == 0
    assert "222222222222:us-east-1 until 2026-12-01T10:00:00Z by cli (wave 3)" in out
    assert "combined:eu-west-1 until 2026-12-01T12:00:00Z" in out
    code, out, _ = run_cli(operations, "alerts", "unmute", TARGET, "--combined",
                           "--region", "eu-west-1")  # fmt: skip
    assert code == 0 and "unmuted" in out
    code, out, err = run_cli(operations, "alerts", "unmute", TARGET, "--combined",
                             "--region", "eu-west-1")  # fmt: skip
    assert code == 1 and '"field": "unit"' in out


def test_the_cli_refuses_a_bad_duration_naming_the_field(operations, clock):
    code, out, _ = run_cli(operations, "--format", "json", "alerts", "mute", TARGET,
                           "--account", "222222222222", "--region", "us-east-1",
                           "--for", "soon")  # fmt: skip
    assert code == 1 and '"field": "for"' in out


def test_the_cli_mutes_through_a_running_server(backend, clock, cli_env):
    with serving(backend) as url:
        code, out, _ = run_cli(None, "--api-url", url, "alerts", "mute", TARGET,
                               "--combined", "--region", "us-east-1", "--for", "1h")  # fmt: skip
        assert code == 0, out
        code, out, _ = run_cli(None, "--api-url", url, "--format", "json", "alerts",
                               "mutes", TARGET)  # fmt: skip
    assert code == 0 and '"unit": "combined:us-east-1"' in out
