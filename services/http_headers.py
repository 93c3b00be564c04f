"""The security headers of every answer (issue 9, item 7): a Content-Security-Policy as
strict as the Dash page allows, no framing, no sniffing, no referrer to other sites,
no-store on /api; every cookie HttpOnly and SameSite=Strict (Secure behind TLS); never a
CORS header."""

from __future__ import annotations

import base64
import hashlib
import re

import flask

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


def secure_headers(response: flask.Response) -> flask.Response:
    """The after-request hook: every answer leaves with these headers."""
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


def _over_tls(request: flask.Request) -> bool:
    forwarded = first_value(request.headers.get("X-Forwarded-Proto"))
    return request.is_secure or forwarded == "https"


def first_value(value: str | None) -> str | None:
    """The first of a proxy header's comma-separated values (the client's side)."""
    return value.split(",")[0].strip() if value else None


def under_api(path: str) -> bool:
    """True for /api and below, however many slashes a client put in."""
    merged = re.sub("/{2,}", "/", path)
    return merged == "/api" or merged.startswith("/api/")
