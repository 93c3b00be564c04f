"""app.py: flags, demo fallback, and a `server` for gunicorn that is built lazily."""

from __future__ import annotations

import importlib

import pytest

from services.backend import DEMO_SCENARIO
from tests.conftest import STAGING_SCENARIO, TEST_ENV


@pytest.fixture
def app_module(monkeypatch, tmp_path):
    """app.py with no AWS configuration in sight."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "DRS_CAPACITY_SCENARIO_PATH"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    import app

    yield importlib.reload(app)
    built = vars(app).pop("_dash_app", None)
    vars(app).pop("server", None)
    if built is not None:
        built.drs_backend.close()


def test_importing_app_builds_nothing(app_module):
    assert "server" not in vars(app_module)
    assert "_dash_app" not in vars(app_module)


def test_defaults_and_the_demo_fallback(app_module):
    settings = app_module.settings_for(app_module.parse([]))
    assert (settings.host, settings.port) == ("127.0.0.1", 8050)
    assert settings.scenario_path == str(DEMO_SCENARIO)


def test_flags_override_the_settings(app_module):
    args = app_module.parse(
        ["--scenario", "f.json", "--host", "0.0.0.0", "--port", "9"]
    )
    settings = app_module.settings_for(args)
    assert (settings.scenario_path, settings.host, settings.port) == (
        "f.json",
        "0.0.0.0",
        9,
    )
    assert app_module.settings_for(app_module.parse(["--aws"])).scenario_path is None


def test_scenario_and_aws_together_is_a_usage_error(app_module):
    with pytest.raises(SystemExit):
        app_module.parse(["--scenario", "f.json", "--aws"])


def test_a_broken_scenario_exits_2(app_module, tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"target": 1}')
    assert app_module.main(["--scenario", str(broken)]) == 2
    assert "target" in capsys.readouterr().err


def test_server_is_built_on_first_access(app_module, monkeypatch):
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    server = app_module.server
    assert app_module.server is server
    answer = server.test_client().get("/api/accounts")
    assert answer.status_code == 200 and answer.get_json()["success"] is True


# -- no open door by accident (issue 9, item 2) --------------------------------------


def test_a_public_address_without_sign_in_exits_2_saying_how_to_sign_in(
    app_module, capsys, monkeypatch
):
    import dash

    def serve(*args, **kwargs):
        raise AssertionError("it would have listened on 0.0.0.0")

    monkeypatch.setattr(dash.Dash, "run", serve)
    assert app_module.main(["--demo", "--host", "0.0.0.0"]) == 2
    message = capsys.readouterr().err
    assert "DRS_CAPACITY_AUTH=basic" in message and "--insecure-no-auth" in message
    assert "docs/security.md" in message


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "[::]", "myhost"])
def test_any_non_loopback_address_is_refused_without_sign_in(app_module, host):
    settings = app_module.settings_for(app_module.parse(["--demo", "--host", host]))
    assert app_module.open_door(settings, insecure_no_auth=False) is not None


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_addresses_need_no_sign_in(app_module, host):
    settings = app_module.settings_for(app_module.parse(["--demo", "--host", host]))
    assert app_module.open_door(settings, insecure_no_auth=False) is None


def test_insecure_no_auth_lets_it_listen_anywhere(app_module):
    args = app_module.parse(["--demo", "--host", "0.0.0.0", "--insecure-no-auth"])
    assert args.insecure_no_auth is True
    assert (
        app_module.open_door(app_module.settings_for(args), args.insecure_no_auth)
        is None
    )


def test_with_sign_in_a_public_address_is_fine(app_module, monkeypatch, tmp_path):
    monkeypatch.setenv("DRS_CAPACITY_AUTH", "proxy")
    monkeypatch.setenv("DRS_CAPACITY_TRUSTED_PROXIES", "10.0.0.0/16")
    settings = app_module.settings_for(
        app_module.parse(["--demo", "--host", "0.0.0.0"])
    )
    assert app_module.open_door(settings, insecure_no_auth=False) is None


def test_a_gunicorn_server_without_sign_in_logs_a_warning(
    app_module, monkeypatch, caplog
):
    monkeypatch.setenv("DRS_CAPACITY_SCENARIO_PATH", str(STAGING_SCENARIO))
    app_module.server  # noqa: B018 (built on access)
    assert "No sign-in (DRS_CAPACITY_AUTH=none)" in caplog.text


def test_prewarm_collects_every_target_so_the_first_page_reads_the_cache():
    from dashboard import create_app, prewarm
    from services.settings import Settings

    app = create_app(Settings(scenario_path=str(STAGING_SCENARIO)))
    try:
        service = app.drs_backend.service
        assert service.collections == 0  # building the app collects nothing
        prewarm(app).join(timeout=60)
        assert service.collections == 1
        answer = app.server.test_client().get("/api/accounts")
        target = answer.get_json()["targetAccounts"][0]["accountId"]
        app.server.test_client().get(f"/api/accounts/{target}/capacity")
        assert service.collections == 1  # answered from the prewarmed cache
    finally:
        app.drs_backend.close()


def test_on_loopback_the_app_answers_only_to_localhosts_names(app_module):
    """DNS rebinding: a page whose own name now resolves to 127.0.0.1 sends its own
    name as Host; the app refuses it instead of treating it as its own origin."""
    from dashboard import create_app

    settings = app_module.loopback_names(
        app_module.settings_for(app_module.parse(["--scenario", str(STAGING_SCENARIO)]))
    )
    assert "localhost" in settings.trusted_hosts
    app = create_app(settings)
    try:
        client = app.server.test_client()
        evil = client.get("/api/accounts", headers={"Host": "evil.example:8050"})
        assert evil.status_code == 400
        for host in ("localhost:8050", "127.0.0.1:8050"):
            assert (
                client.get("/api/accounts", headers={"Host": host}).status_code == 200
            )
    finally:
        app.drs_backend.close()
    public = app_module.settings_for(app_module.parse(["--host", "0.0.0.0"]))
    assert app_module.loopback_names(public).trusted_hosts == ()
