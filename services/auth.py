"""Sign-in for the page, every Dash route and the API (issue 9).

`DRS_CAPACITY_AUTH`:
- `none`: no sign-in (the default; app.py then listens on loopback only).
- `basic`: HTTP Basic against the users file; API tokens (`Authorization: Bearer`).
- `proxy`: the identity header of a signing-in load balancer (ALB with OIDC), trusted
  only from `DRS_CAPACITY_TRUSTED_PROXIES`; admins from `DRS_CAPACITY_ADMINS`; tokens too.

A password check costs 150-300 ms (scrypt, on purpose) and a page load makes dozens of
requests, so after one good Basic check the browser gets a signed session cookie
(HttpOnly, SameSite=Strict, Secure behind TLS) that later requests use instead.
Roles are enforced where operations run (services.identity, read by the dispatcher).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass

import flask
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from services.credentials import CredentialFile, find_token
from services.identity import ADMIN, VIEWER, Identity, is_public, set_identity
from services.responses import to_json

log = logging.getLogger(__name__)
REALM = "DRS Capacity"
SESSION_COOKIE = "drs_capacity_session"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_NAME = 256


def install_sign_in(server: flask.Flask, settings) -> None:
    """Put every route of `server` behind the configured sign-in (none: nothing)."""
    if settings.auth == "none":
        return
    gate = SignIn(settings)  # a bad users/tokens file fails here, at start
    server.before_request(gate.before_request)
    server.after_request(gate.after_request)
    server.teardown_request(lambda _exc: set_identity(None))
    server.extensions["drs_sign_in"] = gate


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


class SignIn:
    def __init__(self, settings):
        self.mode = settings.auth
        self.users = _file(settings.users_file, "DRS_CAPACITY_USERS_FILE", False)
        self.tokens = _file(settings.tokens_file, "DRS_CAPACITY_TOKENS_FILE", True)
        self.proxy_header = settings.proxy_header
        self.proxies = tuple(
            ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies
        )
        self.admins = frozenset(settings.admins)
        secret = settings.session_secret or secrets.token_hex(32)
        self.sessions = URLSafeTimedSerializer(secret, salt="drs-capacity-session")
        self.session_ttl = settings.session_ttl_seconds
        # an unknown user costs one hash check too: no timing tells who exists
        self._decoy = generate_password_hash(secrets.token_hex(16))

    # -- per request ------------------------------------------------------------------

    def before_request(self):
        request = flask.request
        set_identity(None)
        if is_public(request.path):
            return None
        identity = self.identify(request)
        if isinstance(identity, Refusal):
            return self.answer(identity, request.path)
        flask.g.drs_identity = identity
        set_identity(identity)
        if (
            request.path.startswith("/api")
            and request.method not in READ_METHODS
            and not identity.may_write
        ):
            message = f"{identity.name} is a viewer: only an admin may change accounts."
            return self.answer(Refusal(403, "FORBIDDEN", message), request.path)
        return None

    def after_request(self, response: flask.Response) -> flask.Response:
        identity = flask.g.get("drs_identity")
        session = None
        if identity is not None and identity.method == "basic":
            session = self._session_for(identity.name)
        if session is not None:
            response.set_cookie(
                SESSION_COOKIE,
                session,
                max_age=int(self.session_ttl),
                httponly=True,
                samesite="Strict",
                secure=self._behind_tls(flask.request),
            )
        return response

    def identify(self, request) -> Identity | Refusal:
        authorization = request.headers.get("Authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer" and self.tokens is not None:
            return self._token(credentials.strip(), request)
        if self.mode == "proxy":
            return self._proxy(request)
        session = self._session(request, credentials if scheme == "basic" else None)
        if session is not None:
            return session
        if scheme == "basic":
            return self._basic(credentials.strip(), request)
        return Refusal(401, "UNAUTHENTICATED", "Sign in to use the dashboard.")

    # -- the ways in ---------------------------------------------------------------------

    def _basic(self, encoded: str, request) -> Identity | Refusal:
        name, password = _basic_pair(encoded)
        user = self.users.entries().get(name) if name else None
        stored = user.secret_hash if user else self._decoy
        matches = check_password_hash(stored, password or "")
        if user is None or not matches:
            return self._failed(f"wrong name or password for {_shown(name)}", request)
        return Identity(user.name, user.role, "basic")

    def _token(self, token: str, request) -> Identity | Refusal:
        found = find_token(self.tokens.entries(), token) if token else None
        if found is None:
            return self._failed("unknown or revoked API token", request)
        return Identity(found.name, found.role, "token")

    def _proxy(self, request) -> Identity | Refusal:
        if not self._from_trusted_proxy(request):
            return self._failed("not from a trusted proxy", request, quiet=True)
        name = request.headers.get(self.proxy_header, "").strip()
        if not name or len(name) > _MAX_NAME or not name.isprintable():
            return self._failed(f"no usable {self.proxy_header} header", request)
        return Identity(name, ADMIN if name in self.admins else VIEWER, "proxy")

    def _session(self, request, basic: str | None) -> Identity | None:
        """The identity of a valid session cookie, when the Basic header (if any)
        names the same user; a changed password or a removed user ends it."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie or self.users is None:
            return None
        try:
            name, fingerprint = self.sessions.loads(cookie, max_age=self.session_ttl)
        except (BadSignature, ValueError, TypeError):
            return None
        if basic is not None and _basic_pair(basic.strip())[0] != name:
            return None
        user = self.users.entries().get(name)
        if user is None or not hmac.compare_digest(fingerprint, _fingerprint(user)):
            return None
        return Identity(user.name, user.role, "session")

    def _session_for(self, name: str) -> str | None:
        user = self.users.entries().get(name)
        return self.sessions.dumps([name, _fingerprint(user)]) if user else None

    def _from_trusted_proxy(self, request) -> bool:
        # the socket's peer, never X-Forwarded-For: a client writes that header itself
        try:
            peer = ipaddress.ip_address(request.remote_addr or "")
        except ValueError:
            return False
        return any(peer in network for network in self.proxies)

    def _behind_tls(self, request) -> bool:
        if request.is_secure:
            return True
        forwarded = request.headers.get("X-Forwarded-Proto", "").lower()
        return forwarded == "https" and self._from_trusted_proxy(request)

    def _failed(self, reason: str, request, *, quiet: bool = False) -> Refusal:
        level = logging.INFO if quiet else logging.WARNING
        log.log(level, "sign-in refused from %s: %s", request.remote_addr, reason)
        return Refusal(401, "UNAUTHENTICATED", "Sign-in failed or required.")

    # -- answers ---------------------------------------------------------------------

    def answer(self, refusal: Refusal, path: str) -> flask.Response:
        if path.startswith("/api"):
            body = {
                "success": False,
                "error": {"code": refusal.code, "message": refusal.message},
            }  # the API's own rendering: `success` first
            response = flask.Response(
                to_json(body), refusal.status, mimetype="application/json"
            )
        else:
            response = flask.Response(
                refusal.message, refusal.status, mimetype="text/plain"
            )
        if refusal.status == 401:
            response.headers["WWW-Authenticate"] = self.challenge
        response.headers["Cache-Control"] = "no-store"
        return response

    @property
    def challenge(self) -> str:
        scheme = "Basic" if self.mode == "basic" else "Bearer"
        return f'{scheme} realm="{REALM}"'


def _file(path: str | None, variable: str, tokens: bool) -> CredentialFile | None:
    return CredentialFile(path, variable, tokens=tokens) if path else None


def _basic_pair(encoded: str) -> tuple[str | None, str | None]:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None, None
    name, colon, password = decoded.partition(":")
    return (name, password) if colon else (None, None)


def _fingerprint(user) -> str:
    """Ties a session to the stored hash: changing the password ends old sessions."""
    return hashlib.sha256(user.secret_hash.encode()).hexdigest()[:32]


def _shown(name: str | None) -> str:
    """A user name as a log line may show it: printable, short, quoted."""
    if name is None:
        return "an unreadable Basic header"
    return repr(name[:64]) if name.isprintable() else "a name with control characters"
