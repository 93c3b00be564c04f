"""Forged and hostile requests (issue 9, items 3, 4, 6 and 7) over Flask's test client
and a real HTTP server: cross-site writes, media types, bodies that never end or nest
1,000 deep, malformed /api paths, security headers, cookies, an unreachable store."""

from __future__ import annotations

import io
import json
import select
import socket
import time

import pytest

from dashboard import create_app
from services.backend import build_backend
from services.json_body import MAX_BODY_BYTES
from services.settings import Settings
from tests.conftest import demo_backend, serving

TARGET = "111111111111"
NEW_TARGET = {"accountId": "999999999999", "accountName": "forged"}
DEEP = "[" * 1000 + "]" * 1000
API_WRITE = "/api/accounts"
DASH = "/_dash-update-component"


@pytest.fixture
def client(backend):
    return create_app(backend.settings, backend).server.test_client()


def assert_json_error(answer, status: int, code: str, field: str | None = None):
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/json"
    error = answer.get_json()["error"]
    assert error["code"] == code
    if field is not None:
        assert error["field"] == field
    return error


def targets(client) -> list[str]:
    return [t["accountId"] for t in client.get("/api/accounts").get_json()["targetAccounts"]]  # fmt: skip


# -- item 3: forged requests ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps(NEW_TARGET)),  # <form enctype="text/plain">
        ("application/x-www-form-urlencoded", "accountId=999999999999"),
        ("multipart/form-data; boundary=x", "--x--"),
        (None, json.dumps(NEW_TARGET)),  # fetch(url, {mode: "no-cors", body: blob})
        ("application/jsonx", json.dumps(NEW_TARGET)),
    ],
)
def test_a_write_that_is_not_application_json_is_415(client, content_type, body):
    answer = client.post(API_WRITE, data=body, content_type=content_type)
    error = assert_json_error(answer, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")
    assert "application/json" in error["message"]
    assert "999999999999" not in targets(client)


def test_dash_callbacks_must_be_application_json_too(client):
    answer = client.post(DASH, data="{}", content_type="text/plain")
    assert_json_error(answer, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")


def test_json_with_a_charset_is_accepted(client):
    answer = client.post(
        API_WRITE, data=json.dumps(NEW_TARGET),
        content_type="application/json; charset=utf-8",
    )  # fmt: skip
    assert answer.status_code == 201


def test_a_delete_without_a_body_needs_no_content_type(client):
    answer = client.delete(f"/api/accounts/{TARGET}/staging-accounts/222222222222")
    assert answer.status_code == 200  # what the CLI's --api-url client sends


def test_a_delete_with_a_form_body_is_415(client):
    answer = client.delete(
        f"/api/accounts/{TARGET}/staging-accounts/222222222222",
        data="x=1", content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert_json_error(answer, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "http://localhost:8050"},  # another port is another origin
        {"Origin": "https://localhost"},  # another scheme too
        {"Origin": "null"},  # a sandboxed frame or a file
        {"Referer": "https://evil.example/page.html"},
        {"Origin": "https://evil.example", "Referer": "http://localhost/"},
    ],
    ids=[
        "other-site",
        "lookalike",
        "other-port",
        "other-scheme",
        "null",
        "referer",
        "origin-wins",
    ],  # fmt: skip
)
def test_a_write_from_another_sites_page_is_403(client, headers):
    answer = client.post(API_WRITE, json=NEW_TARGET, headers=headers)
    header = "Origin" if "Origin" in headers else "Referer"
    assert_json_error(answer, 403, "CROSS_SITE_REQUEST", header)
    assert "999999999999" not in targets(client)


def test_a_dash_callback_from_another_site_is_403(client):
    answer = client.post(DASH, json={}, headers={"Origin": "https://evil.example"})
    assert_json_error(answer, 403, "CROSS_SITE_REQUEST", "Origin")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost"},
        {"Origin": "HTTP://LOCALHOST:80"},
        {"Referer": "http://localhost/?tab=1"},
        {},  # curl, scripts, the CLI: a browser always names the page
    ],
    ids=["origin", "default-port", "referer", "none"],
)
def test_a_write_from_the_dashboards_own_page_or_a_script_is_accepted(client, headers):
    answer = client.post(API_WRITE, json=NEW_TARGET, headers=headers)
    assert answer.status_code == 201
    assert "999999999999" in targets(client)


def test_behind_a_tls_proxy_the_forwarded_origin_is_the_dashboards_own(client):
    headers = {"Origin": "https://dashboard.example.com", "Host": "10.0.0.5:8050",
               "X-Forwarded-Proto": "https", "X-Forwarded-Host": "dashboard.example.com"}  # fmt: skip
    assert client.post(API_WRITE, json=NEW_TARGET, headers=headers).status_code == 201


def test_no_cors_header_is_ever_sent(client):
    preflight = client.options(
        API_WRITE,
        headers={"Origin": "https://evil.example",
                 "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    answered = client.get("/api/accounts", headers={"Origin": "https://evil.example"})
    for answer in (preflight, answered):
        names = [name.lower() for name, _ in answer.headers.items()]
        assert not [name for name in names if name.startswith("access-control")]


def test_every_cookie_is_httponly_and_samesite_strict_and_secure_behind_tls(backend):
    app = create_app(backend.settings, backend)

    @app.server.get("/cookie-probe")
    def probe():
        import flask

        answer = flask.Response("ok")
        answer.set_cookie("probe", "1", samesite="Lax")
        answer.set_cookie("other", "2", httponly=False, secure=False)
        return answer

    client = app.server.test_client()
    plain = client.get("/cookie-probe").headers.getlist("Set-Cookie")
    tls = client.get(
        "/cookie-probe", headers={"X-Forwarded-Proto": "https"}
    ).headers.getlist("Set-Cookie")
    assert len(plain) == len(tls) == 2
    for cookie in plain + tls:
        attributes = [a.strip().lower() for a in cookie.split(";")]
        assert "httponly" in attributes and "samesite=strict" in attributes
        assert "samesite=lax" not in attributes
    assert all("secure" in c.lower().split("; ") for c in tls)
    assert not any("secure" in c.lower().split("; ") for c in plain)
    assert app.server.config["SESSION_COOKIE_SAMESITE"] == "Strict"


# -- item 4: hostile input ------------------------------------------------------------


class EndlessBody(io.RawIOBase):
    """A body that goes on for `size` bytes, counting what the server pulled."""

    def __init__(self, size: int, chunk: bytes = b" " * 65536):
        self.size, self.chunk, self.pulled = size, chunk, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.pulled)
        buffer[:count] = (self.chunk * (count // len(self.chunk) + 1))[:count]
        self.pulled += count
        return count


def chunked_post(client, path: str, body: EndlessBody):
    """A POST without Content-Length, as a server passes a chunked one (werkzeug's and
    gunicorn's set wsgi.input_terminated and de-chunk the stream)."""
    return client.post(
        path,
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("path", [API_WRITE, DASH])
def test_a_chunked_body_over_the_limit_is_413_without_reading_it_all(client, path):
    body = EndlessBody(50 * MAX_BODY_BYTES)
    answer = chunked_post(client, path, body)
    assert_json_error(answer, 413, "VALIDATION_ERROR", "body")
    assert body.pulled <= MAX_BODY_BYTES + 65536  # the limit, plus at most one read


def test_a_chunked_body_over_the_limit_is_never_cut_to_valid_json(client):
    # werkzeug alone would stop at the limit and hand over the first MiB: valid JSON
    body = EndlessBody(2 * MAX_BODY_BYTES, chunk=b" " * 65536)
    prefix = json.dumps(NEW_TARGET).encode()
    body.chunk = prefix + b" " * (65536 - len(prefix))
    answer = chunked_post(client, API_WRITE, body)
    assert answer.status_code == 413
    assert "999999999999" not in targets(client)


def test_a_chunked_body_within_the_limit_is_read(client):
    raw = json.dumps(NEW_TARGET).encode()
    answer = chunked_post(client, API_WRITE, EndlessBody(len(raw), chunk=raw))
    assert answer.status_code == 201


def test_an_oversized_content_length_is_413_before_anything_else(client):
    answer = client.post(API_WRITE, data=b" " * (MAX_BODY_BYTES + 1),
                         content_type="text/plain")  # fmt: skip
    assert_json_error(answer, 413, "VALIDATION_ERROR", "body")


@pytest.mark.parametrize("path", [API_WRITE, DASH, "/api/staging-accounts/validate"])
@pytest.mark.parametrize("deep", [DEEP, "{" + '"a":{' * 999 + "}" * 1000])
def test_json_nested_1000_deep_is_400_naming_the_body(client, path, deep):
    answer = client.post(path, data=deep, content_type="application/json")
    error = assert_json_error(answer, 400, "VALIDATION_ERROR", "body")
    assert "levels deep" in error["message"]


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    body = {**NEW_TARGET, "accountName": "[" * 40 + "{" * 20}
    assert client.post(API_WRITE, json=body).status_code == 201  # 60 "levels" in a name


# -- every /api answer is JSON -----------------------------------------------------


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT"])
def test_unusual_methods_under_api_answer_json_405(client, method):
    answer = client.open("/api/accounts", method=method)
    assert_json_error(answer, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in answer.headers["Allow"]


@pytest.mark.parametrize("path", ["/api//accounts", "/api/accounts//x", "//api//x",
                                  "///api", "/api//"])  # fmt: skip
def test_doubled_slashes_under_api_answer_json(client, path):
    answer = client.get("/", environ_overrides={"PATH_INFO": path})
    assert answer.mimetype == "application/json"
    assert answer.status_code in (200, 404)
    assert "<html" not in answer.get_data(as_text=True).lower()


def test_a_path_with_doubled_slashes_is_404_not_the_dashboard(client):
    answer = client.get("/", environ_overrides={"PATH_INFO": "/api//accounts"})
    assert_json_error(answer, 404, "NOT_FOUND")


# -- item 7: headers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/api/accounts", "/assets/bootstrap.min.css", "/api/nothing", "/_dash-layout",
     "/no-such-page"],
)  # fmt: skip
def test_every_answer_has_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_api_answers_are_never_cached(client):
    for answer in (client.get("/api/accounts"), client.get("/api/nothing"),
                   client.open("/api/accounts", method="TRACE"),
                   client.post(API_WRITE, data="x", content_type="text/plain")):  # fmt: skip
        assert answer.headers["Cache-Control"] == "no-store"


def test_the_page_policy_allows_exactly_dashs_own_inline_scripts(backend):
    app = create_app(backend.settings, backend)
    policy = app.server.test_client().get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    scripts = directives["script-src"].split()
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert set(app.csp_hashes()) <= set(scripts)
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"


def test_json_answers_allow_nothing_to_run(client):
    policy = client.get("/api/accounts").headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'")


# -- item 6: store faults --------------------------------------------------------------


def test_an_unreachable_store_is_503_and_named_on_the_api(monkeypatch, aws_env):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", refused)
    settings = Settings(
        regions=("us-east-1",), aws_connect_timeout=1, aws_max_attempts=1
    )
    backend = build_backend(settings)
    try:
        client = create_app(settings, backend).server.test_client()
        started = time.monotonic()
        answer = client.get("/api/accounts")
        assert time.monotonic() - started < 10
        error = assert_json_error(answer, 503, "STORE_UNREACHABLE")
        assert "staging-account store" in error["message"]
        assert "cannot be reached" in error["message"]
        assert "No target account" not in answer.get_data(as_text=True)
    finally:
        backend.close()


# -- over real HTTP: a chunked body that never ends --------------------------------------


def send_chunked_until_answered(url: str, path: str, limit: int) -> tuple[int, bytes]:
    """POST a chunked body of up to `limit` bytes, stopping as soon as the server
    answers; return how much was sent and the answer."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
        try:
            while sent < limit:
                if select.select([connection], [], [], 0)[0]:
                    break  # the server has answered: stop sending
                connection.sendall(chunk)
                sent += 0x10000
        except (BrokenPipeError, ConnectionResetError):
            pass  # it answered and closed while we were still sending
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                data = connection.recv(65536)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    return sent, answer


def test_a_never_ending_chunked_body_over_http_is_refused_early():
    with demo_backend() as backend, serving(backend) as url:
        sent, answer = send_chunked_until_answered(url, API_WRITE, 200 << 20)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["error"]["field"] == "body"
    # the server stopped at 1 MiB; what the socket buffers absorbed is the rest
    assert sent < 32 << 20


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_a_forged_mute_from_another_sites_page_is_403(client, method):
    """The alert mutes (issue 12) are writes like any other: no cross-site page may
    silence an alert, nor lift a mute."""
    unit = f"/api/accounts/{TARGET}/mutes/222222222222:us-east-1"
    forged = {"Origin": "https://evil.example"}
    answer = client.open(unit, method=method, json={"for": "90d"}, headers=forged)
    assert_json_error(answer, 403, "CROSS_SITE_REQUEST", "Origin")
    mutes = client.get(f"/api/accounts/{TARGET}/mutes").get_json()["mutes"]
    assert mutes == []


MUTE = f"/api/accounts/{TARGET}/mutes/222222222222:us-east-1"


@pytest.mark.parametrize("deep", [DEEP, "{" + '"a":{' * 999 + "}" * 1000])
def test_a_mute_nested_1000_deep_is_400_and_an_oversized_one_413(client, deep):
    answer = client.put(MUTE, data=deep, content_type="application/json")
    assert_json_error(answer, 400, "VALIDATION_ERROR", "body")
    huge = client.put(MUTE, data=b" " * (MAX_BODY_BYTES + 1), content_type="text/plain")
    assert_json_error(huge, 413, "VALIDATION_ERROR", "body")
    assert client.get(f"/api/accounts/{TARGET}/mutes").get_json()["mutes"] == []


def test_markup_in_a_mute_reason_comes_back_as_the_same_text(client):
    reason = '<img src=x onerror="alert(1)">'
    answer = client.put(MUTE, json={"for": "1h", "reason": reason})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    (mute,) = client.get(f"/api/accounts/{TARGET}/mutes").get_json()["mutes"]
    assert mute["reason"] == reason  # data, never rendered here
