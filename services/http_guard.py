"""Guards against hostile requests (issue 9): to be written."""

from __future__ import annotations


def install_guards(server, settings) -> None:
    """Register the request guards and security headers on `server` (none yet)."""
