"""Guards against forged and hostile requests (issue 9, items 3, 4 and 7).

Before a request: a write from another site's page is refused (403), a write that is not
`application/json` too (415), a body over the limit is never read past it (413, chunked
included), a Dash callback body nested too deep is refused (400), and a malformed path
under /api answers JSON. After it: the security headers, and every cookie HttpOnly and
SameSite=Strict (Secure behind TLS). No CORS header is ever sent.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import flask
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from services.errors import InputError, ProductError
from services.json_body import MAX_BODY_BYTES, BodyTooLarge, nesting_exceeds
from services.operations import failure, to_json
from services.routes import NoRoute, resolve

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Origins besides the app's own whose pages may write (scheme://host[:port]), e.g. a
# portal on another host. Empty: only the app's own pages.
EXTRA_ALLOWED_ORIGINS: frozenset[str] = frozenset()
# Dash callback payloads carry ids, props and store data (a component tree taken as
# State is 3 levels per component): more room than an API body, still far from 1,000.
MAX_DASH_JSON_DEPTH = 64
DASH_PREFIX = "/_dash-"
DASH_UPDATE = "/_dash-update-component"

_DEFAULT_PORTS = {"http": "80", "https": "443"}
# Dash's page needs its own inline scripts (renderer, clientside callbacks: allowed by
# hash below) and inline styles (React/Plotly set them); everything else is the app's.
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(
    r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE
)
_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})


class UnsupportedMediaType(ProductError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    http_status = 415


class CrossSiteRequest(ProductError):
    code = "CROSS_SITE_REQUEST"
    http_status = 403


def install_guards(server: flask.Flask, settings) -> None:
    """Register the request guards and security headers on `server`."""
    server.config.update(
        # werkzeug stops reading any body (chunked too) after this many bytes; one more
        # than the limit, so that a body over it is told apart from one at it
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES + 1,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
    )
    trusted_hosts = getattr(settings, "trusted_hosts", None)
    if trusted_hosts:  # Host names the app answers to (DNS rebinding); 400 otherwise
        server.config["TRUSTED_HOSTS"] = list(trusted_hosts)
    allowed = _origins(EXTRA_ALLOWED_ORIGINS) | _origins(
        getattr(settings, "allowed_origins", None) or ()
    )

    @server.before_request
    def guard():
        try:
            _check(flask.request, allowed)
        except ProductError as refused:
            return json_answer(refused)
        return None

    server.after_request(_secure)
    server.register_error_handler(HTTPException, _json_under_api)
    _bound_dash_callbacks(server)


def read_body(request: flask.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, never reading more than `limit` + 1 bytes of it; BodyTooLarge above."""
    if (request.content_length or 0) > limit:
        raise BodyTooLarge(limit)
    request.max_content_length = limit + 1  # werkzeug's bound on the stream
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise BodyTooLarge(limit) from None
    if len(raw) > limit:
        raise BodyTooLarge(limit)
    return raw


def json_answer(error: ProductError) -> flask.Response:
    response = failure(error)
    return flask.Response(response.text, response.status, mimetype="application/json")


def under_api(path: str) -> bool:
    """True for /api and below, however many slashes a client put in."""
    merged = re.sub("/{2,}", "/", path)
    return merged == "/api" or merged.startswith("/api/")


# -- before the request -------------------------------------------------------------


def _check(request: flask.Request, allowed: frozenset[str]) -> None:
    path = request.path
    if under_api(path) and "//" in path:
        raise _NotFound(f"No API endpoint {request.method} {path}.")
    if request.method not in WRITE_METHODS:
        return
    _check_origin(request, allowed)
    if not (under_api(path) and _routed(request) or path.startswith(DASH_PREFIX)):
        return  # a write to no route: the API answers its JSON 404/405 unread
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    _check_content_type(request)


def _check_origin(request: flask.Request, allowed: frozenset[str]) -> None:
    """Refuse a write sent by another site's page. A browser always names the page's
    origin (Origin, else Referer) and cannot forge either; scripts send neither."""
    claimed = request.headers.get("Origin")
    header = "Origin"
    if claimed is None:
        claimed, header = request.headers.get("Referer"), "Referer"
    if claimed is None:
        return
    origin = _origin(claimed)
    if origin is None or origin not in (_own_origins(request) | allowed):
        raise CrossSiteRequest(
            f"Refused: the {header} header names another site ({claimed[:100]!r}); "
            "only the dashboard's own pages may change accounts.",
            field=header,
        )


def _own_origins(request: flask.Request) -> set[str]:
    """The origin the browser sees: the Host (or a proxy's X-Forwarded-Host) with the
    scheme (or X-Forwarded-Proto). Trusting the forwarded headers here is safe: a page
    on another site cannot make a browser send them."""
    hosts = {request.host, _first(request.headers.get("X-Forwarded-Host"))}
    schemes = {request.scheme, _first(request.headers.get("X-Forwarded-Proto"))}
    found = {_origin(f"{scheme}://{host}") for scheme in schemes for host in hosts}
    found.discard(None)
    return found


def _check_content_type(request: flask.Request) -> None:
    """Only application/json may write: a form or a no-cors fetch cannot send it."""
    has_body = (request.content_length or 0) > 0 or "chunked" in (
        request.headers.get("Transfer-Encoding", "").lower()
    )
    must = request.method != "DELETE" or has_body or request.content_type
    if must and request.mimetype != "application/json":
        sent = request.content_type or "none"
        raise UnsupportedMediaType(
            f"The Content-Type header must be application/json (got {sent[:100]!r}).",
            field="Content-Type",
        )


def _bound_dash_callbacks(server: flask.Flask) -> None:
    """Dash's callback route reads a bounded body of bounded nesting (it parses with
    json.loads: 1,000 levels was a RecursionError). Wrapped around the view, so it runs
    after sign-in: nobody's body is read before they are known."""
    for rule in server.url_map.iter_rules():
        if rule.rule.endswith(DASH_UPDATE):
            view = server.view_functions[rule.endpoint]
            server.view_functions[rule.endpoint] = functools.wraps(view)(
                functools.partial(_bounded_callback, view)
            )


def _bounded_callback(view, *args, **kwargs):
    try:
        if nesting_exceeds(read_body(flask.request), MAX_DASH_JSON_DEPTH):
            raise InputError(
                f"The body nests arrays/objects more than {MAX_DASH_JSON_DEPTH} "
                "levels deep.",
                field="body",
            )
    except ProductError as refused:
        return json_answer(refused)
    return view(*args, **kwargs)


def _routed(request: flask.Request) -> bool:
    try:
        resolve(request.method, request.path)
    except NoRoute:
        return False
    return True


class _NotFound(ProductError):
    code = "NOT_FOUND"
    http_status = 404


# -- after the request --------------------------------------------------------------


def _secure(response: flask.Response) -> flask.Response:
    request = flask.request
    cors = {k for k, _ in response.headers.items() if k.lower().startswith("access-")}
    for name in cors:  # never CORS: no other site's script may read an answer
        del response.headers[name]
    response.headers.update(_HEADERS)
    response.headers["Content-Security-Policy"] = _policy(response)
    if under_api(request.path):
        response.headers["Cache-Control"] = "no-store"
    secure = _over_tls(request)
    if secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    cookies = response.headers.getlist("Set-Cookie")
    if cookies:
        response.headers.setlist(
            "Set-Cookie", [_strict_cookie(c, secure) for c in cookies]
        )
    return response


def _policy(response: flask.Response) -> str:
    if response.mimetype != "text/html" or response.is_streamed:
        return _OTHER_POLICY
    page = response.get_data(as_text=True)
    hashes = "".join(f" '{h}'" for h in _inline_script_hashes(page))
    return _PAGE_POLICY.format(hashes=hashes)


def _inline_script_hashes(page: str) -> list[str]:
    """The sha256 of each inline script of a page the app rendered (Dash's index, built
    from the app's own code: no request data reaches it), as `app.csp_hashes()` would."""
    hashes = []
    for script in _INLINE_SCRIPT.finditer(page):
        attrs = script["attrs"]
        kind = _SCRIPT_TYPE.search(attrs)
        if "src=" in attrs.lower() or (kind and kind[1].lower() not in _JS_TYPES):
            continue  # a file (covered by 'self') or data such as _dash-config
        digest = hashlib.sha256(script["body"].encode("utf-8")).digest()
        hashes.append("sha256-" + base64.b64encode(digest).decode())
    return list(dict.fromkeys(hashes))


def _strict_cookie(cookie: str, secure: bool) -> str:
    parts = [p.strip() for p in cookie.split(";") if p.strip()]
    kept = [parts[0]] + [
        p
        for p in parts[1:]
        if p.split("=")[0].strip().lower() not in ("httponly", "samesite", "secure")
    ]
    kept += ["HttpOnly", "SameSite=Strict"] + (["Secure"] if secure else [])
    return "; ".join(kept)


def _json_under_api(exc: HTTPException):
    """Routing failures (TRACE, unknown methods) under /api answer JSON, not HTML."""
    if not under_api(flask.request.path):
        return exc
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.code, "HTTP_ERROR")
    body = {"success": False, "error": {"code": code, "message": f"{exc.name}."}}
    answer = flask.Response(to_json(body), exc.code or 500, mimetype="application/json")
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        answer.headers["Allow"] = ", ".join(exc.valid_methods)
    return answer


# -- helpers ------------------------------------------------------------------------


def _over_tls(request: flask.Request) -> bool:
    forwarded = _first(request.headers.get("X-Forwarded-Proto"))
    return request.is_secure or forwarded == "https"


def _first(value: str | None) -> str | None:
    return value.split(",")[0].strip() if value else None


def _origin(url: str) -> str | None:
    """scheme://host[:port], lowercase, default port dropped; None if it is not a URL
    of the web (such as the `null` origin of a sandboxed frame or a file)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    shown = "" if port is None or str(port) == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{shown}"


def _origins(urls: Iterable[str]) -> frozenset[str]:
    return frozenset(filter(None, (_origin(url) for url in urls)))
