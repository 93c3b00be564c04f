"""cli.py: every command in-process (over a scenario or an injected dispatcher), exit
codes 0/1/3, `--fail-on`, confirmation of removals, and global options anywhere."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from services.backend import build_operations
from services.responses import Response
from tests.conftest import STAGING_SCENARIO, demo_backend
from tests.unit.snapshot_factory import inaccessible, make_snapshot, staging, target

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(STAGING_SCENARIO)
TARGET = "111111111111"
STAGING = "222222222222"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"


class Terminal(io.StringIO):
    """A stdin that says it is a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def json(self) -> dict:
        return json.loads(self.out)


def run(*argv: str, operations=None, stdin=None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        list(argv), operations=operations, stdin=stdin or io.StringIO(),
        stdout=out, stderr=err,
    )  # fmt: skip
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def reader():
    with demo_backend() as backend:
        yield build_operations(backend)


def staging_args(account_id: str, external_id: str | None, *extra: str) -> list[str]:
    args = [TARGET, "--account-id", account_id, "--role-arn", ROLE.format(account_id)]
    args += ["--region", "us-east-1", *extra]
    return args + (["--external-id", external_id] if external_id else [])


# -- in-process over a scenario (the real path: settings, backend, close) -----------


def test_targets_list_and_show_over_a_scenario(cli_env):
    listed = run("--scenario", SCENARIO, "targets", "list")
    assert listed.code == 0 and TARGET in listed.out and "dr-target" in listed.out
    shown = run("targets", "show", TARGET, "--scenario", SCENARIO, "--format", "json")
    assert shown.code == 0 and shown.json["targetAccount"]["accountId"] == TARGET


def test_unknown_target_prints_the_json_error_in_every_format(cli_env):
    for fmt in ("table", "json", "csv"):
        result = run(
            "--scenario", SCENARIO, "--format", fmt, "capacity", "999999999999"
        )
        assert result.code == 1
        assert result.json["success"] is False
        assert result.json["error"]["code"] == "NOT_FOUND"
        if fmt != "json":
            assert result.err.startswith("error: NOT_FOUND:")


def test_bad_scenario_file_is_a_json_error(cli_env, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run("--scenario", str(broken), "targets", "list")
    assert result.code == 1 and result.json["error"]["code"] == "SCENARIO_INVALID"


def test_unreachable_api_url_is_a_json_error(cli_env):
    result = run(
        "--api-url", "http://127.0.0.1:9", "targets", "list", "--format", "json"
    )
    assert result.code == 1 and result.json["error"]["code"] == "API_UNREACHABLE"


def test_python_cli_runs_with_options_after_the_command(cli_env):
    argv = [sys.executable, "cli.py", "capacity", TARGET, "--scenario", SCENARIO]
    done = subprocess.run(
        [*argv, "--format", "json", "--fail-on", "warning"],
        cwd=ROOT, env=cli_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["combined"]["configuredAccounts"] == 3
    assert done.stderr == ""


# -- parsing -----------------------------------------------------------------------


def test_global_options_work_before_and_after_the_command():
    before = cli.parse(["--scenario", "F", "--format", "json", "capacity", TARGET])
    after = cli.parse(["capacity", TARGET, "--scenario", "F", "--format", "json"])
    middle = cli.parse(["staging", "--format", "json", "list", TARGET])
    for args in (before, after):
        assert (args.scenario, args.format, args.target) == ("F", "json", TARGET)
    assert middle.format == "json"
    assert cli.parse(["targets", "list"]).format == "table"


@pytest.mark.parametrize(
    "argv",
    [
        ["targets", "list", "--format", "csv"],
        ["--api-url", "http://x", "--scenario", "F", "targets", "list"],
        ["capacity", TARGET, "--fail-on", "LOW"],
        ["staging", "add", TARGET, "--account-id", "1"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.parse(argv)
    assert stopped.value.code == 2


# -- commands over an injected dispatcher --------------------------------------------


def test_capacity_formats(reader):
    table = run("capacity", TARGET, operations=reader)
    assert table.code == 0 and table.out.startswith("Overall WARNING | target ")
    for text in ("Combined", "Recovery", "staging-01", "WARNING", "action:"):
        assert text in table.out
    as_json = run("capacity", TARGET, "--format", "json", operations=reader)
    expected = reader.dispatch("get_combined_capacity", {"targetAccountId": TARGET})
    assert as_json.out == expected.text + "\n"
    as_csv = run("capacity", TARGET, "--format", "csv", operations=reader)
    exported = reader.dispatch("export_capacity_csv", {"targetAccountId": TARGET})
    assert as_csv.out == exported.text


def test_history_table_json_and_csv_are_the_apis_answers(reader):
    reader.dispatch("get_combined_capacity", {"targetAccountId": TARGET})  # recorded
    table = run("history", TARGET, "--days", "30", operations=reader)
    assert table.code == 0 and table.out.startswith(f"History of {TARGET}: the last 30")
    assert "Growth/week" in table.out and "combined" in table.out
    as_json = run("history", TARGET, "--format", "json", operations=reader)
    expected = reader.dispatch("get_capacity_history", {"targetAccountId": TARGET})
    assert as_json.out == expected.text + "\n"
    as_csv = run("history", TARGET, "--format", "csv", operations=reader)
    exported = reader.dispatch("export_history_csv", {"targetAccountId": TARGET})
    assert as_csv.out == exported.text and as_csv.out.startswith("time,scope,")
    assert run("history", TARGET, "--days", "500", operations=reader).code == 1


@pytest.mark.parametrize(
    ("level", "code"),
    [("INFO", 3), ("WARNING", 3), ("CRITICAL", 0), ("HYPER-CRITICAL", 0)],
)
def test_fail_on_exits_3_when_the_worst_status_reaches_the_level(reader, level, code):
    # staging-01 holds 230 replicating servers: WARNING; nothing is CRITICAL
    for fmt in ("table", "json", "csv"):
        argv = ("capacity", TARGET, "--fail-on", level, "--format", fmt)
        assert run(*argv, operations=reader).code == code


def test_capacity_of_one_region(reader):
    result = run("capacity", TARGET, "--region", "us-west-2", "--format", "json",
                 operations=reader)  # fmt: skip
    assert result.json["scope"] == "us-west-2"


def test_targets_add(operations):
    added = run("targets", "add", "--account-id", "123456789012", "--name", "second",
                operations=operations)  # fmt: skip
    assert added.code == 0 and "123456789012 added" in added.out
    again = run("targets", "add", "--account-id", "123456789012", "--name", "second",
                "--format", "json", operations=operations)  # fmt: skip
    assert again.code == 1 and again.json["error"]["field"] == "accountId"


def test_staging_list(reader):
    result = run("staging", "list", TARGET, operations=reader)
    assert result.code == 0 and STAGING in result.out and "333333333333" in result.out


def test_staging_validate_exit_codes(reader):
    valid = run("staging", "validate", *staging_args("444444444444", "ext-444"),
                operations=reader)  # fmt: skip
    assert valid.code == 0 and "VALID" in valid.out
    denied = run("staging", "validate", *staging_args("444444444444", "wrong-id"),
                 "--format", "json", operations=reader)  # fmt: skip
    assert denied.code == 1 and denied.json["error"]["code"] == "ROLE_NOT_ACCESSIBLE"


def test_staging_add_validates_first_and_refuses_an_invalid_account(operations):
    refused = run("staging", "add", *staging_args("555555555555", None),
                  "--name", "locked", operations=operations)  # fmt: skip
    assert refused.code == 1 and "ROLE_NOT_ACCESSIBLE" in refused.out
    assert "Not added" in refused.out
    listed = operations.dispatch("get_target_account", {"targetAccountId": TARGET})
    assert "555555555555" not in str(listed.body["stagingAccounts"])
    added = run("staging", "add", *staging_args("444444444444", "ext-444"),
                "--name", "new", "--format", "json", operations=operations)  # fmt: skip
    assert added.code == 0 and added.json["stagingAccounts"][-1]["addedBy"] == "cli"
    assert "can be read" in added.err  # the validation summary stays off stdout


def test_staging_add_skip_validation(operations):
    added = run("staging", "add", *staging_args("555555555555", None), "--name", "x",
                "--skip-validation", operations=operations)  # fmt: skip
    assert added.code == 0 and "555555555555 added" in added.out


def test_staging_remove_without_a_terminal_refuses(operations):
    result = run("staging", "remove", TARGET, STAGING, operations=operations)
    assert result.code == 1
    assert "Impact of removing 222222222222" in result.out
    assert "pass --yes" in result.err
    assert run("staging", "list", TARGET, operations=operations).out.count(STAGING)


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 1), ("\n", 1)])
def test_staging_remove_asks_on_a_terminal(operations, answer, code):
    result = run("staging", "remove", TARGET, STAGING, operations=operations,
                 stdin=Terminal(answer))  # fmt: skip
    assert result.code == code and "Remove? [y/N]" in result.out
    still_there = STAGING in run("staging", "list", TARGET, operations=operations).out
    assert still_there == (code != 0)


def test_staging_remove_yes_prints_the_impact(operations):
    result = run("staging", "remove", TARGET, STAGING, "--yes", "--format", "json",
                 operations=operations)  # fmt: skip
    assert result.code == 0 and result.json["impact"]["replicatingServers"] == 230
    missing = run("staging", "remove", TARGET, STAGING, "--yes",
                  operations=operations)  # fmt: skip
    assert missing.code == 1 and "NOT_FOUND" in missing.err


class Snapshots:
    """A dispatcher that answers every capacity request with one snapshot."""

    def __init__(self, snapshot: dict):
        self.snapshot = snapshot

    def dispatch(self, operation: str, payload: dict) -> Response:
        return Response(200, {"success": True, **self.snapshot})


@pytest.mark.parametrize(
    ("level", "code"),
    [("INFO", 3), ("WARNING", 3), ("CRITICAL", 3), ("HYPER-CRITICAL", 0)],
)
def test_fail_on_follows_the_overall_status_not_only_the_combined(level, code):
    # combined OK in every Region, one staging account x Region at 260 of 300: CRITICAL
    snapshot = make_snapshot(
        target(regions={"us-east-1": 10}),
        staging(STAGING, {"us-east-1": 20, "us-west-2": 260}),
    )
    assert snapshot["combined"]["status"] == "OK" and snapshot["status"] == "CRITICAL"
    ops = Snapshots(snapshot)
    result = run("capacity", TARGET, "--fail-on", level, operations=ops)
    assert result.code == code
    assert result.out.startswith("Overall CRITICAL")


def test_fail_on_treats_an_account_that_is_not_reporting_as_a_warning():
    snapshot = make_snapshot(
        target(regions={"us-east-1": 10}), inaccessible("333333333333")
    )
    assert snapshot["status"] == "OK"  # UNKNOWN never shows above a known level
    assert cli._reaches(snapshot, "WARNING") is True
    assert cli._reaches(snapshot, "CRITICAL") is False


def test_fail_on_treats_nothing_known_as_a_warning():
    snapshot = make_snapshot(inaccessible(TARGET, account_type="target"))
    assert snapshot["status"] == "UNKNOWN"
    assert cli._reaches(snapshot, "WARNING") is True
    assert cli._reaches(snapshot, "CRITICAL") is False


def test_fail_on_is_quiet_when_every_account_reports_below_the_level():
    snapshot = make_snapshot(target(regions={"us-east-1": 10}), staging(STAGING))
    assert snapshot["status"] == "OK"
    assert cli._reaches(snapshot, "INFO") is False


# -- users and tokens: the sign-in files (issue 9, item 1) -----------------------------


def test_users_add_reads_the_password_from_stdin_and_stores_only_a_hash(tmp_path):
    from werkzeug.security import check_password_hash

    users = tmp_path / "users"
    added = run("users", "add", "alice", "--role", "admin", "--users-file", str(users),
                stdin=io.StringIO("correct horse battery\n"))  # fmt: skip
    assert added.code == 0, added.err
    assert "correct horse" not in added.out + added.err
    name, role, secret_hash = users.read_text().strip().split(":", 2)
    assert (name, role) == ("alice", "admin")
    assert check_password_hash(secret_hash, "correct horse battery")
    assert users.stat().st_mode & 0o077 == 0
    listed = run("users", "list", "--users-file", str(users))
    assert listed.out == "alice\tadmin\n"


def test_users_add_prompts_twice_on_a_terminal(tmp_path, monkeypatch):
    answers = iter(["pw-typed-twice", "pw-typed-twice"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    users = tmp_path / "users"
    added = run("users", "add", "bob", "--role", "viewer", "--users-file", str(users),
                stdin=Terminal(""))  # fmt: skip
    assert added.code == 0 and users.read_text().startswith("bob:viewer:scrypt:")


def test_users_add_refuses_a_short_password_a_bad_name_or_a_duplicate(tmp_path):
    users = str(tmp_path / "users")

    def add(name: str, password: str, *extra: str) -> Run:
        return run("users", "add", name, "--role", "viewer", "--users-file", users,
                   *extra, stdin=io.StringIO(password + "\n"))  # fmt: skip

    assert add("carol", "short").code == 1
    assert add("ca:rol", "long-enough-pw").code == 1
    assert add("carol", "long-enough-pw").code == 0
    again = add("carol", "another-password")
    assert again.code == 1 and "already exists" in again.err
    assert add("carol", "another-password", "--replace").code == 0
    assert run("users", "remove", "carol", "--users-file", users).code == 0
    assert run("users", "remove", "carol", "--users-file", users).code == 1


def test_users_and_tokens_name_their_file_setting_when_none_is_given(monkeypatch):
    monkeypatch.delenv("DRS_CAPACITY_TOKENS_FILE", raising=False)
    result = run("tokens", "list")
    assert result.code == 1 and "DRS_CAPACITY_TOKENS_FILE" in result.err


def test_tokens_create_prints_the_token_once_and_stores_its_hash(tmp_path):
    from services.credentials import TOKEN_PREFIX, token_hash

    tokens = tmp_path / "tokens"
    created = run("tokens", "create", "ci-bot", "--role", "viewer",
                  "--tokens-file", str(tokens))  # fmt: skip
    assert created.code == 0
    token = created.out.strip()
    assert token.startswith(TOKEN_PREFIX) and len(token) > 40
    stored = tokens.read_text()
    assert token not in stored and stored == f"ci-bot:viewer:{token_hash(token)}\n"
    assert run("tokens", "list", "--tokens-file", str(tokens)).out == "ci-bot\tviewer\n"
    assert run("tokens", "revoke", "ci-bot", "--tokens-file", str(tokens)).code == 0
    assert tokens.read_text() == ""


def test_api_url_sends_the_token_from_a_file_or_the_environment(tmp_path, monkeypatch):
    from tests.conftest import scenario_settings, serving

    users, tokens = tmp_path / "users", tmp_path / "tokens"
    run("users", "add", "alice", "--role", "admin", "--users-file", str(users),
        stdin=io.StringIO("alice-password\n"))  # fmt: skip
    token = run("tokens", "create", "ci-bot", "--role", "admin",
                "--tokens-file", str(tokens)).out.strip()  # fmt: skip
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    settings = scenario_settings(
        auth="basic", users_file=str(users), tokens_file=str(tokens)
    )
    monkeypatch.delenv("DRS_CAPACITY_TOKEN", raising=False)
    with demo_backend(settings=settings) as backend, serving(backend) as url:
        refused = cli.main(["--api-url", url, "targets", "list", "--format", "json"],
                           stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
        assert refused == 1
        listed = run("--api-url", url, "--token-file", str(token_file), "targets",
                     "list", "--format", "json")  # fmt: skip
        assert listed.code == 0 and listed.json["targetAccounts"]
        monkeypatch.setenv("DRS_CAPACITY_TOKEN", token)
        assert run("--api-url", url, "targets", "list").code == 0
    assert token not in listed.out + listed.err


def test_token_file_without_api_url_is_a_usage_error():
    with pytest.raises(SystemExit):
        cli.parse(["--token-file", "t", "targets", "list"])
