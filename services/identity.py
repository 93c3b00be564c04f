"""Who is asking: the signed-in identity of the current request, and what a role may do.

The web layer sets it per request (services.auth); the dispatcher reads it, so every way
into an operation (API, Dash callback) is checked in one place. The CLI and the Lambda
entry have no sign-in: no identity is set there, and nothing changes for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from services.errors import ProductError

# Reachable without signing in: exact paths only (a load balancer's health checks).
PUBLIC_PATHS = frozenset({"/api/health", "/api/ready"})
ADMIN, VIEWER = "admin", "viewer"
ROLES = (ADMIN, VIEWER)
# Every operation behind POST/PUT/PATCH/DELETE: validation too, since it makes the
# dashboard assume a role named by the caller (an oracle for external IDs otherwise).
WRITE_OPERATIONS = frozenset({
    "add_target_account", "add_staging_account", "remove_staging_account",
    "validate_staging_account", "mute_alerts", "unmute_alerts",
})  # fmt: skip


class ForbiddenError(ProductError):
    code = "FORBIDDEN"
    http_status = 403


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    method: str  # "basic", "session", "token" or "proxy": how it was proven

    @property
    def may_write(self) -> bool:
        return self.role == ADMIN


_current: ContextVar[Identity | None] = ContextVar("drs_identity", default=None)


def current_identity() -> Identity | None:
    """The signed-in identity of this request; None where there is no sign-in."""
    return _current.get()


def set_identity(identity: Identity | None) -> None:
    """Set by the web layer at the start of each request, cleared at its end."""
    _current.set(identity)


@contextmanager
def signed_in(identity: Identity | None) -> Iterator[None]:
    """Run a block as `identity` (tests, or any caller without a web request)."""
    token = _current.set(identity)
    try:
        yield
    finally:
        _current.reset(token)


def is_public(path: str) -> bool:
    """Whether `path` answers without sign-in."""
    return path in PUBLIC_PATHS or path.rstrip("/") in PUBLIC_PATHS


def refusal(operation: str) -> ForbiddenError | None:
    """Why the current identity may not run `operation`, or None when it may."""
    identity = current_identity()
    if identity is None or identity.may_write or operation not in WRITE_OPERATIONS:
        return None
    return ForbiddenError(
        f"{identity.name} signed in as {identity.role}: only an admin may run "
        f"{operation}."
    )
