"""The backend mode (issue 11, item 1): one rule for app.py, the WSGI server, the CLI
and the Lambda entry; a server never falls back to the demo fleet by itself."""

from __future__ import annotations

import importlib
import io
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.backend import DEMO_SCENARIO
from services.mode import ModeError, resolve_mode
from services.settings import Settings
from tests.conftest import STAGING_SCENARIO, TEST_ENV

AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT", "DRS_CAPACITY_SCENARIO_PATH",
    "DRS_CAPACITY_MODE",
)  # fmt: skip


@pytest.fixture
def no_aws(monkeypatch, tmp_path):
    """No credentials anywhere botocore looks, instance metadata switched off."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-creds"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def env_settings(**env) -> Settings:
    return Settings.from_env({f"DRS_CAPACITY_{k.upper()}": v for k, v in env.items()})


# -- the rule --------------------------------------------------------------------------


def test_mode_demo_runs_the_shipped_demo_fleet(no_aws):
    settings = resolve_mode(env_settings(mode="demo"), server=True)
    assert (settings.mode, settings.scenario_path) == ("demo", str(DEMO_SCENARIO))
    assert settings.demo  # the page badges a simulated backend


def test_mode_scenario_runs_the_named_file(no_aws):
    chosen = env_settings(mode="scenario", scenario_path=str(STAGING_SCENARIO))
    settings = resolve_mode(chosen, server=True)
    assert (settings.mode, settings.scenario_path) == (
        "scenario",
        str(STAGING_SCENARIO),
    )


def test_mode_scenario_without_a_file_says_what_to_set(no_aws):
    with pytest.raises(ModeError, match="DRS_CAPACITY_SCENARIO_PATH"):
        resolve_mode(env_settings(mode="scenario"))


def test_mode_aws_with_a_scenario_file_is_a_contradiction(no_aws):
    chosen = env_settings(mode="aws", scenario_path=str(STAGING_SCENARIO))
    with pytest.raises(ModeError, match="scenario"):
        resolve_mode(chosen)


def test_mode_aws_needs_no_credentials_to_be_chosen(no_aws):
    settings = resolve_mode(env_settings(mode="AWS"), server=True)
    assert (settings.mode, settings.scenario_path, settings.demo) == (
        "aws",
        None,
        False,
    )


def test_an_unknown_mode_names_the_variable():
    with pytest.raises(ValueError, match="DRS_CAPACITY_MODE: expected one of aws"):
        env_settings(mode="production")


@pytest.mark.parametrize(
    ("flag", "expected"), [("demo", "demo"), ("aws", "aws")]
)  # fmt: skip
def test_a_flag_beats_the_environment(no_aws, flag, expected):
    chosen = env_settings(mode="scenario", scenario_path=str(STAGING_SCENARIO))
    assert resolve_mode(chosen, flag).mode == expected


def test_a_scenario_file_alone_means_scenario_mode(no_aws):
    settings = resolve_mode(
        env_settings(scenario_path=str(STAGING_SCENARIO)), server=True
    )
    assert settings.mode == "scenario"


def test_interactively_with_nothing_set_the_demo_runs(no_aws):
    settings = resolve_mode(Settings())
    assert (settings.mode, settings.scenario_path) == ("demo", str(DEMO_SCENARIO))


def test_a_server_with_nothing_set_refuses_and_says_what_to_set(no_aws):
    with pytest.raises(ModeError) as refused:
        resolve_mode(Settings(), server=True)
    message = str(refused.value)
    for choice in ("DRS_CAPACITY_MODE=aws", "DRS_CAPACITY_MODE=demo",
                   "DRS_CAPACITY_SCENARIO_PATH"):  # fmt: skip
        assert choice in message


def test_a_server_with_credentials_in_the_environment_runs_on_aws(no_aws):
    no_aws.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    no_aws.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert resolve_mode(Settings(), server=True).mode == "aws"


class _InstanceMetadata(BaseHTTPRequestHandler):
    """EC2's instance metadata service (IMDSv2) with one role attached."""

    def do_PUT(self):  # noqa: N802
        self._answer("token-1")

    def do_GET(self):  # noqa: N802
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self._answer("dashboard-role")
        if self.path == base + "dashboard-role":
            return self._answer(json.dumps({
                "Code": "Success", "Type": "AWS-HMAC",
                "AccessKeyId": "ASIAEXAMPLEEXAMPLE00", "SecretAccessKey": "s",
                "Token": "t", "Expiration": "2999-01-01T00:00:00Z",
            }))  # fmt: skip
        self.send_error(404)

    def _answer(self, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args) -> None:
        pass


@contextmanager
def instance_metadata():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _InstanceMetadata)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_on_an_instance_role_runs_on_aws(no_aws):
    """No variable, no file: only the instance metadata service has credentials."""
    no_aws.delenv("AWS_EC2_METADATA_DISABLED")
    with instance_metadata() as endpoint:
        no_aws.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)
        assert resolve_mode(Settings(), server=True).mode == "aws"


# -- every entry uses it -----------------------------------------------------------------


@pytest.fixture
def app_module(no_aws):
    import app

    yield importlib.reload(app)
    built = vars(app).pop("_dash_app", None)
    vars(app).pop("server", None)
    if built is not None:
        built.drs_backend.close()


def test_the_wsgi_server_without_a_mode_or_credentials_refuses(app_module):
    with pytest.raises(ModeError, match="DRS_CAPACITY_MODE"):
        app_module.server  # noqa: B018 (built on access)
    assert "_dash_app" not in vars(app_module)  # no silent demo


def find(node, component_id: str):
    """The component with this id in a /_dash-layout tree."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        children = node.get("props", {}).get("children")
        return find(children, component_id)
    if isinstance(node, list):
        for child in node:
            found = find(child, component_id)
            if found is not None:
                return found
    return None


def test_the_wsgi_server_runs_the_demo_when_told_and_badges_it(app_module, no_aws):
    from components.ids import DEMO_BADGE

    no_aws.setenv("DRS_CAPACITY_MODE", "demo")
    layout = app_module.server.test_client().get("/_dash-layout").get_json()
    assert app_module._dash_app.drs_backend.demo
    badge = find(layout, DEMO_BADGE)
    assert badge is not None and badge["props"].get("style") is None  # shown


def test_app_py_flags_map_to_the_modes(app_module):
    assert app_module.settings_for(app_module.parse(["--demo"])).mode == "demo"
    assert app_module.settings_for(app_module.parse(["--aws"])).mode == "aws"
    chosen = app_module.parse(["--scenario", str(STAGING_SCENARIO)])
    assert app_module.settings_for(chosen).mode == "scenario"


def test_the_cli_follows_the_mode_variable(no_aws):
    import cli

    no_aws.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")  # AWS is configured …
    no_aws.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    no_aws.setenv("DRS_CAPACITY_MODE", "demo")  # … but the demo is asked for
    out = io.StringIO()
    code = cli.main(["targets", "list", "--format", "json"], stdout=out,
                    stderr=io.StringIO())  # fmt: skip
    assert code == 0, out.getvalue()
    demo = json.loads(DEMO_SCENARIO.read_text())["target"]["accountId"]
    listed = json.loads(out.getvalue())["targetAccounts"]
    assert [t["accountId"] for t in listed] == [demo]


def test_the_lambda_entry_follows_the_mode_variable(no_aws):
    import lambda_handler

    no_aws.setenv("DRS_CAPACITY_MODE", "scenario")
    no_aws.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    lambda_handler.reset()
    try:
        answer = lambda_handler.handler({"operation": "get_target_accounts"})
        assert answer["success"] is True
        assert lambda_handler._state["backend"].settings.mode == "scenario"
    finally:
        lambda_handler.reset()


def test_aws_mode_needs_no_moto(tmp_path):
    """moto is the demo extra: building the AWS backend and app never imports it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "from services.settings import Settings\n"
        "from dashboard import create_app\n"
        "app = create_app(Settings(mode='aws', regions=('us-east-1',)))\n"
        "import cli, lambda_handler\n"
        "assert 'moto' not in sys.modules, 'moto imported'\n"
        "app.drs_backend.close()\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE0000000",
           "AWS_SECRET_ACCESS_KEY": "secret"}  # fmt: skip
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
