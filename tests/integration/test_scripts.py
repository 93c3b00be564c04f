"""scripts/staging-accounts/*.sh (seed task 20): positional arguments in the seed's
order, --help, flags passed through to cli.py, in-process (--scenario) and --api-url."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import STAGING_SCENARIO, demo_backend, serving

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "staging-accounts"
NAMES = ("add-staging-account.sh", "remove-staging-account.sh",
         "validate-staging-account.sh", "list-staging-accounts.sh")  # fmt: skip
SCENARIO = ["--scenario", str(STAGING_SCENARIO)]
TARGET = "111111111111"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"


def script(name: str, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPTS / name), *args], env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_help_prints_usage(name):
    done = script(name, "--help")
    assert done.returncode == 0 and done.stdout.startswith(f"Usage: {name}")


@pytest.mark.parametrize("name", NAMES)
def test_missing_arguments_print_usage_and_exit_2(name):
    done = script(name)
    assert done.returncode == 2 and "Usage:" in done.stderr


def test_list_in_process(cli_env):
    done = script("list-staging-accounts.sh", TARGET, *SCENARIO, env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "222222222222" in done.stdout and "333333333333" in done.stdout


def test_validate_in_process(cli_env):
    done = script("validate-staging-account.sh", *SCENARIO, TARGET, "444444444444",
                  ROLE.format("444444444444"), "ext-444", "us-east-1", "--format",
                  "json", env=cli_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["valid"] is True and result["replicatingServers"] == 78


def test_add_in_process_validates_and_refuses(cli_env):
    done = script("add-staging-account.sh", TARGET, "555555555555", "locked",
                  ROLE.format("555555555555"), "-", "us-east-1", *SCENARIO,
                  "--format", "json", env=cli_env)  # fmt: skip
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["code"] == "ROLE_NOT_ACCESSIBLE"


def test_remove_in_process_with_yes(cli_env):
    done = script("remove-staging-account.sh", TARGET, "222222222222", "--yes",
                  *SCENARIO, env=cli_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "removed" in done.stdout and "Impact of removing" in done.stdout


@pytest.fixture(scope="module")
def api_url():
    with demo_backend() as backend, serving(backend) as url:
        yield url


def test_add_list_remove_against_a_server(api_url, cli_env):
    api = ["--api-url", api_url]
    added = script("add-staging-account.sh", TARGET, "444444444444", "new staging",
                   ROLE.format("444444444444"), "ext-444", *api, env=cli_env)  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    listed = script("list-staging-accounts.sh", *api, TARGET, "--format", "json",
                    env=cli_env)  # fmt: skip
    names = {s["accountId"]: s for s in json.loads(listed.stdout)["stagingAccounts"]}
    assert names["444444444444"]["accountName"] == "new staging"
    assert names["444444444444"]["region"] == "us-east-1"  # the default Region
    refused = script("remove-staging-account.sh", TARGET, "444444444444", *api,
                     env=cli_env)  # fmt: skip
    assert refused.returncode == 1 and "pass --yes" in refused.stderr
