"""Over real HTTP: `python app.py --scenario FILE` in a subprocess (every endpoint, 24
concurrent adds), and the CLI with `--api-url` printing the same bytes as in-process."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

import cli
from services.api_client import ApiClient
from services.backend import build_operations
from tests.conftest import STAGING_SCENARIO, TEST_ENV, demo_backend, serving

ROOT = Path(__file__).resolve().parents[2]
TARGET = "111111111111"
STAGING = "222222222222"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None) -> tuple[int, str, str]:
    request = Request(url, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read().decode()


def wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app.py exited early:\n{log.read_text()}")
        try:
            urlopen(f"{url}/api/accounts", timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)  # the server is starting; nothing else to wait on
    pytest.fail(f"app.py did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory, aws_env_module):
    """`python app.py --scenario staging.json --port P` as a real process."""
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    argv = [sys.executable, "app.py", "--scenario", str(STAGING_SCENARIO),
            "--port", str(port)]  # fmt: skip
    with log.open("w") as sink:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=aws_env_module, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = log.read_text()
    assert "Traceback" not in text and "SecretAccessKey" not in text


@pytest.fixture(scope="module")
def aws_env_module():
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | TEST_ENV | {"AWS_CONFIG_FILE": os.devnull,
                             "AWS_SHARED_CREDENTIALS_FILE": os.devnull}  # fmt: skip


def staging_body(account_id: str) -> bytes:
    return json.dumps({
        "accountId": account_id, "accountName": f"bulk-{account_id[-2:]}",
        "roleArn": ROLE.format(account_id), "region": "us-east-1",
    }).encode()  # fmt: skip


def test_24_concurrent_adds_to_one_target_lose_nothing(server):
    ids = [f"2000000000{n:02d}" for n in range(24)]
    path = f"{server}/api/accounts/{TARGET}/staging-accounts"
    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda i: http("POST", path, staging_body(i)), ids))
    assert [status for status, _, _ in answers] == [201] * 24
    status, _, text = http("GET", f"{server}/api/accounts/{TARGET}")
    registered = {s["accountId"] for s in json.loads(text)["stagingAccounts"]}
    assert registered >= set(ids) and len(registered) == 24 + 2
    combined = json.loads(http("GET", f"{path[:-17]}/capacity")[2])["combined"]
    assert combined["configuredAccounts"] == 1 + 26


def test_every_endpoint_answers_over_http(server):
    api = ApiClient(server)
    validate = {"targetAccountId": TARGET, "accountId": "444444444444",
                "roleArn": ROLE.format("444444444444"), "externalId": "ext-444",
                "region": "us-east-1"}  # fmt: skip
    pair = {"targetAccountId": TARGET, "stagingAccountId": STAGING}
    calls = [
        ("get_target_accounts", {}, 200),
        ("add_target_account", {"accountId": "123456789012", "accountName": "t2"}, 201),
        ("add_target_account", {"accountId": "123456789012", "accountName": "t2"}, 409),
        ("get_target_account", {"targetAccountId": TARGET}, 200),
        ("get_target_account", {"targetAccountId": "999999999999"}, 404),
        ("validate_staging_account", validate, 200),
        ("validate_staging_account", {**validate, "region": "x"}, 400),
        ("add_staging_account", {**validate, "accountName": "new"}, 201),
        ("add_staging_account", {**validate, "accountName": "new"}, 409),
        ("get_removal_impact", pair, 200),
        (
            "get_combined_capacity",
            {"targetAccountId": TARGET, "region": "us-east-1", "refresh": True},
            200,
        ),  # fmt: skip
        ("export_capacity_csv", {"targetAccountId": TARGET}, 200),
        ("remove_staging_account", pair, 200),
        ("remove_staging_account", pair, 404),
    ]
    for operation, payload, status in calls:
        answer = api.dispatch(operation, payload)
        assert answer.status == status, (operation, answer.body)
        if isinstance(answer.body, dict):
            assert answer.body["success"] is (status < 400)
    assert api.dispatch("export_capacity_csv", {"targetAccountId": TARGET}).headers


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/nothing", None, 404),
        ("PUT", "/api/accounts", b"{}", 405),
        ("POST", "/api/accounts", b"{oops", 400),
        ("GET", "/api/openapi.json", None, 200),
    ],
)
def test_errors_are_json_over_http(server, method, path, body, status):
    code, content_type, text = http(method, server + path, body)
    assert code == status and content_type.startswith("application/json")
    document = json.loads(text)
    assert document.get("success", True) is (status < 400) or "openapi" in document


def test_cli_with_api_url_against_the_app_process(server):
    out = io.StringIO()
    code = cli.main(["--api-url", server, "staging", "list", TARGET],
                    stdout=out, stderr=io.StringIO())  # fmt: skip
    assert code == 0 and "333333333333" in out.getvalue()


# -- byte-identical output: in-process and --api-url over one backend ---------------


@pytest.fixture(scope="module")
def shared():
    """One backend behind both an in-thread HTTP server and the in-process CLI."""
    with demo_backend() as backend, serving(backend) as url:
        yield build_operations(backend), url


def outputs(argv: list[str], operations, url: str) -> tuple[tuple, tuple]:
    local_out, remote_out = io.StringIO(), io.StringIO()
    local = cli.main(argv, operations=operations, stdout=local_out,
                     stderr=io.StringIO())  # fmt: skip
    remote = cli.main(["--api-url", url, *argv], stdout=remote_out,
                      stderr=io.StringIO())  # fmt: skip
    return (local, local_out.getvalue()), (remote, remote_out.getvalue())


VALIDATE = ["staging", "validate", TARGET, "--account-id", "444444444444",
            "--role-arn", ROLE.format("444444444444"), "--region", "us-east-1"]  # fmt: skip
SAME_OUTPUT = [
    ["targets", "list"],
    ["targets", "show", TARGET],
    ["targets", "show", "999999999999"],
    ["targets", "show", "12345"],
    ["staging", "list", TARGET],
    [*VALIDATE, "--external-id", "ext-444"],
    [*VALIDATE, "--external-id", "wrong-id"],
    [*VALIDATE[:4], "555555555555", *VALIDATE[5:]],
    ["staging", "remove", TARGET, "444444444444", "--yes"],
    ["staging", "remove", TARGET, "abc", "--yes"],
    ["capacity", TARGET],
    ["capacity", TARGET, "--region", "us-west-2"],
    ["capacity", TARGET, "--region", "nowhere-1"],
    ["capacity", "999999999999"],
]


@pytest.mark.parametrize("fmt", ["json", "table"])
@pytest.mark.parametrize("argv", SAME_OUTPUT, ids=" ".join)
def test_api_url_output_is_byte_identical_to_in_process(shared, argv, fmt):
    operations, url = shared
    local, remote = outputs([*argv, "--format", fmt], operations, url)
    assert local == remote


def test_csv_over_api_url_is_byte_identical(shared):
    operations, url = shared
    local, remote = outputs(["capacity", TARGET, "--format", "csv"], operations, url)
    assert local == remote and local[1].startswith("targetAccountId,")
