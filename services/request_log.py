"""One log line per HTTP request (issue 11, item 5): method, path, status, duration and
a request id, echoed in the `X-Request-Id` header.

An incoming X-Request-Id (a load balancer's, a client's) is kept when it is short and
printable, else replaced. The line never carries the query string, a header value other
than the id, or a body: tokens and secrets travel there.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import flask

HEADER = "X-Request-Id"
_ACCEPTED_ID = re.compile(
    r"[!-~]{1,128}"
)  # visible ASCII: nothing to forge a line with
log = logging.getLogger("drs.request")


def request_id(incoming: str | None) -> str:
    """The incoming id when it is short and printable, else a new one."""
    if incoming and _ACCEPTED_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def install_request_log(server: flask.Flask) -> None:
    """Register the hooks; call before any hook that may answer early (sign-in)."""
    server.before_request(_start)
    server.after_request(_finish)


def _start() -> None:
    flask.g.drs_started = time.perf_counter()
    flask.g.drs_request_id = request_id(flask.request.headers.get(HEADER))


def _finish(response: flask.Response) -> flask.Response:
    started = flask.g.get("drs_started", time.perf_counter())
    ident = flask.g.get("drs_request_id") or request_id(None)
    response.headers[HEADER] = ident
    request = flask.request
    fields = {
        "event": "request",
        "method": request.method,
        "path": request.path,  # without the query string
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "request_id": ident,
    }
    log.info(
        "%s %s %s %.1f ms id=%s", fields["method"], fields["path"], fields["status"],
        fields["duration_ms"], ident, extra={"fields": fields},
    )  # fmt: skip
    return response
