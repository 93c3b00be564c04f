"""Sign-in (issue 9, item 1) over Flask's test client: Basic users, API tokens, the
proxy header; 401 without credentials, 403 for a viewer's write (API and dashboard),
addedBy from the signed-in user, /api/health open, nothing secret in any answer."""

from __future__ import annotations

import base64
import logging

import pytest
from werkzeug.security import generate_password_hash

from dashboard import create_app
from services import credentials
from services.auth import SESSION_COOKIE
from services.credentials import Credential
from tests.conftest import demo_backend, scenario_settings

TARGET = "111111111111"
STAGING = "222222222222"
CANDIDATE = "444444444444"
ROLE = "arn:aws:iam::{}:role/DRSCapacityRead"
STAGING_PATH = f"/api/accounts/{TARGET}/staging-accounts"
PASSWORDS = {"alice": "alice-secret-pw", "victor": "victor-secret-pw"}
DASH_ROUTES = ["/", "/_dash-layout", "/_dash-dependencies", "/_reload-hash"]


def fast_hash(password: str) -> str:
    """A werkzeug hash that is quick to check (tests only: production uses scrypt)."""
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


@pytest.fixture
def files(tmp_path):
    users = tmp_path / "users"
    credentials.put_line(str(users), Credential("alice", "admin", fast_hash(PASSWORDS["alice"])), replace=False)  # fmt: skip
    credentials.put_line(str(users), Credential("victor", "viewer", fast_hash(PASSWORDS["victor"])), replace=False)  # fmt: skip
    tokens = tmp_path / "tokens"
    return users, tokens


def make_token(tokens_file, name: str, role: str) -> str:
    token = credentials.new_token()
    credential = Credential(name, role, credentials.token_hash(token))
    credentials.put_line(str(tokens_file), credential, replace=False)
    return token


@pytest.fixture
def basic_app(files):
    users, tokens = files
    tokens.write_text("")
    settings = scenario_settings(
        auth="basic", users_file=str(users), tokens_file=str(tokens)
    )
    with demo_backend(settings=settings) as backend:
        yield create_app(backend.settings, backend)


@pytest.fixture
def basic(basic_app):
    return basic_app.server.test_client()


def basic_header(name: str, password: str | None = None) -> dict:
    password = PASSWORDS.get(name, "") if password is None else password
    pair = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def staging_body(account_id: str = CANDIDATE, **changes) -> dict:
    return {
        "accountId": account_id,
        "accountName": "staging-new",
        "roleArn": ROLE.format(account_id),
        "region": "us-east-1",
        **changes,
    }


def staging_of(client, headers, account_id: str) -> dict | None:
    shown = client.get(f"/api/accounts/{TARGET}", headers=headers).get_json()
    found = [s for s in shown["stagingAccounts"] if s["accountId"] == account_id]
    return found[0] if found else None


# -- basic: 401 without credentials, everywhere ------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/"), ("GET", "/_dash-layout"), ("GET", "/_dash-dependencies"),
     ("POST", "/_dash-update-component"), ("GET", "/_reload-hash"),
     ("GET", "/api/accounts"), ("GET", "/api/openapi.json"),
     ("POST", STAGING_PATH), ("GET", "/assets/nothing.css"),
     ("GET", "/_dash-component-suites/dash/deps/react@18.3.1.min.js")],
)  # fmt: skip
def test_every_route_answers_401_with_a_basic_challenge(basic, method, path):
    answer = basic.open(path, method=method, json={} if method == "POST" else None)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="DRS Capacity"'
    assert SESSION_COOKIE not in answer.headers.get("Set-Cookie", "")


def test_api_refusals_are_json_envelopes(basic):
    answer = basic.get("/api/accounts")
    assert answer.mimetype == "application/json"
    assert answer.get_json()["error"]["code"] == "UNAUTHENTICATED"
    assert list(answer.get_json()) == ["success", "error"]  # as every API answer


def test_a_wrong_password_or_unknown_user_is_401_and_logged_without_it(basic, caplog):
    caplog.set_level(logging.INFO)
    for headers in (
        basic_header("alice", "guess-1234"),
        basic_header("mallory", "pw-x"),
    ):
        assert basic.get("/api/accounts", headers=headers).status_code == 401
    logged = caplog.text
    assert "sign-in refused" in logged and "'mallory'" in logged
    assert "guess-1234" not in logged and "pw-x" not in logged


def test_a_malformed_basic_header_is_401(basic):
    for value in (
        "Basic !!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Digest x",
    ):
        answer = basic.get("/", headers={"Authorization": value})
        assert answer.status_code == 401


@pytest.mark.parametrize("path", DASH_ROUTES + ["/api/accounts"])
def test_a_signed_in_viewer_reads_the_page_and_the_api(basic, path):
    assert basic.get(path, headers=basic_header("victor")).status_code == 200


def test_the_page_itself_shows_no_credential(basic):
    page = basic.get("/_dash-layout", headers=basic_header("alice"))
    text = page.get_data(as_text=True)
    assert PASSWORDS["alice"] not in text and "pbkdf2" not in text


# -- roles -----------------------------------------------------------------------------


def test_a_viewer_may_not_write_through_the_api(basic):
    viewer = basic_header("victor")
    refused = basic.post(STAGING_PATH, json=staging_body(), headers=viewer)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "FORBIDDEN"
    removal = basic.delete(f"{STAGING_PATH}/{STAGING}", headers=viewer)
    assert removal.status_code == 403
    validation = basic.post(
        "/api/staging-accounts/validate",
        json={**staging_body(), "targetAccountId": TARGET},
        headers=viewer,
    )
    assert validation.status_code == 403
    assert staging_of(basic, viewer, CANDIDATE) is None
    assert staging_of(basic, viewer, STAGING) is not None


def test_an_admin_adds_and_addedBy_is_the_signed_in_user(basic):
    admin = basic_header("alice")
    answer = basic.post(
        STAGING_PATH, json=staging_body(addedBy="\x1b[31mforged\u202e"), headers=admin
    )
    assert answer.status_code == 201
    assert staging_of(basic, admin, CANDIDATE)["addedBy"] == "alice"


def _dash_add(client, app, headers) -> str:
    """The add dialog's submit, as the browser posts it to /_dash-update-component."""
    from components import ids

    key = next(k for k in app.callback_map if k.lstrip(".").startswith(f"{ids.ADD_MODAL}."))  # fmt: skip
    spec = app.callback_map[key]
    values = {
        f"{ids.ADD_ACCOUNT_ID}.value": CANDIDATE,
        f"{ids.ADD_ACCOUNT_NAME}.value": "from-the-page",
        f"{ids.ADD_ROLE_ARN}.value": ROLE.format(CANDIDATE),
        f"{ids.ADD_REGION}.value": "us-east-1",
        f"{ids.TARGET_SELECT}.value": TARGET,
        f"{ids.ADD_SUBMIT}.n_clicks": 1,
    }

    def filled(dependencies):
        return [{**d, "value": values.get(f"{d['id']}.{d['property']}")} for d in dependencies]  # fmt: skip

    outputs = [{"id": o.component_id, "property": o.component_property} for o in spec["output"]]  # fmt: skip
    body = {"output": key, "outputs": outputs, "inputs": filled(spec["inputs"]),
            "state": filled(spec["state"]), "changedPropIds": [f"{ids.ADD_SUBMIT}.n_clicks"]}  # fmt: skip
    answer = client.post("/_dash-update-component", json=body, headers=headers)
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def test_a_viewer_may_not_add_through_the_dashboard(basic_app):
    client = basic_app.server.test_client()
    viewer = basic_header("victor")
    text = _dash_add(client, basic_app, viewer)
    assert "only an admin" in text
    assert staging_of(client, viewer, CANDIDATE) is None


def test_an_admin_adds_through_the_dashboard_as_themself(basic_app):
    client = basic_app.server.test_client()
    admin = basic_header("alice")
    _dash_add(client, basic_app, admin)
    assert staging_of(client, admin, CANDIDATE)["addedBy"] == "alice"


def test_a_viewer_may_not_remove_through_the_dashboard_dispatcher(basic_app):
    """Every dashboard write goes through DashboardContext.call -> dispatch."""
    from services.identity import Identity, signed_in

    context = basic_app.drs_context
    with signed_in(Identity("victor", "viewer", "basic")):
        body = context.call(
            "remove_staging_account", targetAccountId=TARGET, stagingAccountId=STAGING
        )
    assert body["success"] is False and body["error"]["code"] == "FORBIDDEN"
    assert staging_of(basic_app.server.test_client(), basic_header("victor"), STAGING)


# -- the session cookie after a Basic sign-in ---------------------------------------------


def test_a_basic_sign_in_sets_a_strict_http_only_session_cookie(basic):
    answer = basic.get("/_dash-layout", headers=basic_header("victor"))
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain http here
    assert PASSWORDS["victor"] not in cookie
    assert basic.get("/_dash-layout").status_code == 200  # the cookie alone


def test_the_session_cookie_is_secure_behind_tls(basic):
    answer = basic.get(
        "/_dash-layout", headers=basic_header("victor"), base_url="https://localhost"
    )
    assert "Secure" in answer.headers["Set-Cookie"]


def test_a_session_ends_when_the_password_changes(basic, files):
    users, _ = files
    assert basic.get("/_dash-layout", headers=basic_header("victor")).status_code == 200
    credentials.put_line(str(users), Credential("victor", "viewer", fast_hash("new-password-1")), replace=True)  # fmt: skip
    assert basic.get("/_dash-layout").status_code == 401


def test_a_forged_session_cookie_is_401(basic):
    basic.set_cookie(SESSION_COOKIE, '["alice", "x"].forged.signature')
    assert basic.get("/api/accounts").status_code == 401


def test_a_viewer_session_may_not_write(basic):
    basic.get("/", headers=basic_header("victor"))
    assert basic.post(STAGING_PATH, json=staging_body()).status_code == 403


# -- API tokens ----------------------------------------------------------------------


def test_a_bearer_token_signs_in_and_names_addedBy(basic_app, files):
    _, tokens = files
    token = make_token(tokens, "ci-bot", "admin")
    client = basic_app.server.test_client()
    answer = client.post(
        STAGING_PATH, json=staging_body(addedBy="x"), headers=bearer(token)
    )
    assert answer.status_code == 201
    assert "Set-Cookie" not in answer.headers  # scripts get no session
    assert staging_of(client, bearer(token), CANDIDATE)["addedBy"] == "ci-bot"


def test_a_viewer_token_reads_but_may_not_write(basic_app, files):
    _, tokens = files
    token = make_token(tokens, "monitor", "viewer")
    client = basic_app.server.test_client()
    assert client.get("/api/accounts", headers=bearer(token)).status_code == 200
    assert client.post(STAGING_PATH, json=staging_body(), headers=bearer(token)).status_code == 403  # fmt: skip


def test_a_wrong_or_revoked_token_is_401(basic_app, files, caplog):
    _, tokens = files
    token = make_token(tokens, "ci-bot", "admin")
    client = basic_app.server.test_client()
    assert client.get("/api/accounts", headers=bearer(token)).status_code == 200
    assert client.get("/api/accounts", headers=bearer(token + "x")).status_code == 401
    assert credentials.remove_line(str(tokens), "ci-bot")
    assert client.get("/api/accounts", headers=bearer(token)).status_code == 401
    assert token not in caplog.text


# -- proxy ---------------------------------------------------------------------------


@pytest.fixture
def proxy_app():
    settings = scenario_settings(
        auth="proxy", trusted_proxies=("10.0.0.0/16",), admins=("admin-sub",)
    )
    with demo_backend(settings=settings) as backend:
        yield create_app(backend.settings, backend)


def from_address(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def test_the_proxy_header_from_an_untrusted_address_is_ignored(proxy_app):
    client = proxy_app.server.test_client()
    headers = {"x-amzn-oidc-identity": "admin-sub"}
    for path in ("/", "/api/accounts"):
        answer = client.get(
            path, headers=headers, environ_base=from_address("192.0.2.7")
        )
        assert answer.status_code == 401
    posted = client.post(STAGING_PATH, json=staging_body(), headers=headers,
                         environ_base=from_address("127.0.0.1"))  # fmt: skip
    assert posted.status_code == 401


def test_the_proxy_header_from_a_trusted_address_signs_in(proxy_app):
    client = proxy_app.server.test_client()
    trusted = from_address("10.0.3.4")
    viewer = {"x-amzn-oidc-identity": "someone-else"}
    admin = {"x-amzn-oidc-identity": "admin-sub"}
    assert client.get("/", headers=viewer, environ_base=trusted).status_code == 200
    refused = client.post(STAGING_PATH, json=staging_body(), headers=viewer, environ_base=trusted)  # fmt: skip
    assert refused.status_code == 403
    added = client.post(STAGING_PATH, json=staging_body(addedBy="x"), headers=admin, environ_base=trusted)  # fmt: skip
    assert added.status_code == 201
    shown = client.get(f"/api/accounts/{TARGET}", headers=admin, environ_base=trusted)
    by_id = {s["accountId"]: s for s in shown.get_json()["stagingAccounts"]}
    assert by_id[CANDIDATE]["addedBy"] == "admin-sub"


def test_a_trusted_proxy_without_the_header_is_401(proxy_app):
    client = proxy_app.server.test_client()
    answer = client.get("/", environ_base=from_address("10.0.3.4"))
    assert answer.status_code == 401


# -- what stays open, and AUTH=none ---------------------------------------------------


def test_api_health_is_not_behind_sign_in(basic):
    from services.identity import is_public

    assert is_public("/api/health") and is_public("/api/health/")
    assert not is_public("/api/healthz") and not is_public("/api/accounts")
    assert basic.get("/api/health").status_code != 401


def test_without_sign_in_nothing_changes_and_addedBy_is_the_callers():
    with demo_backend() as backend:
        client = create_app(backend.settings, backend).server.test_client()
        answer = client.post(STAGING_PATH, json=staging_body(addedBy="ops-team"))
        assert answer.status_code == 201
        assert staging_of(client, {}, CANDIDATE)["addedBy"] == "ops-team"


def test_a_bad_users_file_fails_at_start_naming_the_line(tmp_path):
    users = tmp_path / "users"
    users.write_text(f"alice:admin:{fast_hash('x' * 10)}\nbob:root:scrypt:1$2$3\n")
    settings = scenario_settings(auth="basic", users_file=str(users))
    with (
        demo_backend(settings=settings) as backend,
        pytest.raises(ValueError, match="line 2") as raised,
    ):
        create_app(backend.settings, backend)
    assert "scrypt:1$2$3" not in str(raised.value)


# -- the OpenAPI document ------------------------------------------------------------


def test_the_api_document_declares_sign_in_and_its_refusals(basic):
    from openapi_schema_validator import OAS31Validator
    from openapi_spec_validator import validate

    document = basic.get("/api/openapi.json", headers=basic_header("victor")).get_json()
    validate(document)
    schemes = document["components"]["securitySchemes"]
    assert {schemes["basicAuth"]["scheme"], schemes["bearerAuth"]["scheme"]} == {
        "basic",
        "bearer",
    }
    staging = document["components"]["schemas"]["StagingAccount"]
    assert staging["properties"]["addedBy"]["readOnly"] is True
    add = document["paths"]["/api/accounts/{targetAccountId}/staging-accounts"]["post"]
    listing = document["paths"]["/api/accounts"]["get"]
    assert {"401", "403"} <= set(add["responses"]) and "403" not in listing["responses"]
    answers = {
        "401": basic.get("/api/accounts", headers=basic_header("nobody", "x" * 9)),
        "403": basic.post(STAGING_PATH, json=staging_body(), headers=basic_header("victor")),
    }  # fmt: skip
    for status, answer in answers.items():
        assert answer.status_code == int(status)
        schema = add["responses"][status]["content"]["application/json"]["schema"]
        root = {**schema, "components": document["components"]}
        assert not list(OAS31Validator(root).iter_errors(answer.get_json()))
