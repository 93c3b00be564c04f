"""Guards against forged and hostile requests (issue 9, items 3 and 4).

Before a request: a write from another site's page is refused (403), a write that is not
`application/json` too (415), a body over the limit is never read past it (413, chunked
included), a Dash callback body nested too deep is refused (400), and a malformed path
under /api answers JSON. After it: services.http_headers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from urllib.parse import urlsplit

import flask
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from services.errors import InputError, ProductError
from services.http_headers import first_value, secure_headers, under_api
from services.json_body import MAX_BODY_BYTES, BodyTooLarge, nesting_exceeds
from services.responses import failure, to_json
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

    server.after_request(secure_headers)
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
    forwarded_host = first_value(request.headers.get("X-Forwarded-Host"))
    forwarded_proto = first_value(request.headers.get("X-Forwarded-Proto"))
    hosts = {request.host, forwarded_host} - {None}
    schemes = {request.scheme, forwarded_proto} - {None}
    found = {_origin(f"{scheme}://{host}") for scheme in schemes for host in hosts}
    return found - {None}


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
