"""Sign-in for the page, every Dash route and the API (issue 9): to be written."""

from __future__ import annotations


def install_sign_in(server, settings) -> None:
    """Put every route of `server` behind the configured sign-in (none yet)."""
