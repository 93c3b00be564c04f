"""The REST API of SPEC §7 as a Flask blueprint at /api, routed by services.routes.

Every /api answer is JSON (or the CSV export): unknown paths 404, wrong methods 405,
malformed bodies 400, unexpected failures 500 without a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import flask
from werkzeug.exceptions import HTTPException

from services.errors import InputError
from services.http_guard import read_body
from services.json_body import MAX_BODY_BYTES, json_object_body
from services.openapi import openapi_document
from services.operations import Operations
from services.readiness import health
from services.responses import Response, failure
from services.routes import HEALTH, OPENAPI, READY, NoRoute, resolve

log = logging.getLogger(__name__)
__all__ = ["MAX_BODY_BYTES", "api_blueprint"]
_NO_READINESS = {"success": False, "status": "not-ready", "mode": None,
                 "store": {"reachable": False, "error": "NOT_CONFIGURED"},
                 "cache": {"shared": False}, "collections": []}  # fmt: skip
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def api_blueprint(
    operations: Operations, ready: Callable[[], Response] | None = None
) -> flask.Blueprint:
    """Every /api path goes through one view, so unknown paths never reach Dash.

    `ready` answers /api/ready (services/readiness.py); /api/health needs nothing.
    """
    blueprint = flask.Blueprint("api", __name__, url_prefix="/api")
    document = openapi_document()

    def view(rest: str = "") -> flask.Response:
        request = flask.request
        try:
            route, params = resolve(request.method, request.path)
        except NoRoute as missing:
            return _no_route(missing, request.method)
        if route is OPENAPI:
            return _send(Response(200, document))
        if route is HEALTH:
            return _send(health())
        if route is READY:
            return _send(ready() if ready else Response(503, _NO_READINESS))
        payload = _payload(route, params, request)
        if isinstance(payload, Response):
            return _send(payload)
        return _send(operations.dispatch(route.operation, payload))

    blueprint.add_url_rule("/", "root", view, methods=_METHODS, strict_slashes=False)
    blueprint.add_url_rule("/<path:rest>", "any", view, methods=_METHODS)
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(Exception, _internal_error)
    return blueprint


def _payload(route, params: Mapping[str, str], request) -> dict | Response:
    """Body (for POST), then the route's query parameters, then the path parameters."""
    body: dict = {}
    if route.request is not None:
        try:
            body = json_object_body(read_body(request))
        except InputError as error:
            return failure(error)
    query = {name: request.args[name] for name in route.query if name in request.args}
    return {**body, **query, **params}


def _no_route(missing: NoRoute, method: str) -> flask.Response:
    headers = {"Allow": ", ".join(missing.allowed)} if missing.allowed else {}
    if method == "OPTIONS" and missing.status == 405:
        return _send(Response(204, ""), headers)
    return _send(Response(missing.status, missing.body()), headers)


def _send(
    response: Response, headers: Mapping[str, str] | None = None
) -> flask.Response:
    if response.status == 204:
        answer = flask.Response(status=204)
    else:
        mimetype = response.content_type.split(";")[0]
        answer = flask.Response(response.text, response.status, mimetype=mimetype)
    answer.headers.update(response.headers)
    answer.headers.update(headers or {})
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _http_error(exc: HTTPException) -> flask.Response:
    code = "NOT_FOUND" if exc.code == 404 else "HTTP_ERROR"
    body = {"success": False, "error": {"code": code, "message": exc.name + "."}}
    return _send(Response(exc.code or 500, body))


def _internal_error(exc: Exception) -> flask.Response:
    log.error("API request failed unexpectedly: %s", type(exc).__name__)
    body = {
        "success": False,
        "error": {
            "code": "INTERNAL_ERROR",
            "message": "Internal error; see the server log.",
        },
    }
    return _send(Response(500, body))
