"""AWS Lambda entry for the seed's Query and Data Management Lambdas.

A direct event `{"operation": "add_staging_account", ...payload}` returns the API's JSON
envelope; an API Gateway proxy event (REST v1 or HTTP v2) is routed by method and path
through the same route table and returns `{"statusCode", "headers", "body"}`.
The backend (real AWS, settings from `DRS_CAPACITY_*`) is built once per container.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Mapping

from services.errors import InputError
from services.operations import Response, failure
from services.routes import OPENAPI, NoRoute, resolve

QUERY_OPERATIONS = frozenset({
    "get_target_accounts", "get_target_account", "validate_staging_account",
    "get_combined_capacity", "export_capacity_csv", "get_removal_impact",
})  # fmt: skip
DATA_OPERATIONS = frozenset({
    "get_target_accounts", "get_target_account", "add_target_account",
    "add_staging_account", "remove_staging_account", "get_removal_impact",
})  # fmt: skip

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict = {}


def operations():
    """The dispatcher of this container, built on first use."""
    with _lock:
        if "operations" not in _state:
            from services.backend import build_backend, build_operations
            from services.logs import configure_logging
            from services.settings import Settings

            configure_logging(logging.INFO)
            backend = build_backend(Settings.from_env())
            _state.update(backend=backend, operations=build_operations(backend))
        return _state["operations"]


def reset() -> None:
    """Forget the container's backend (tests; a new configuration)."""
    with _lock:
        backend = _state.pop("backend", None)
        _state.clear()
    if backend is not None:
        backend.close()


def handler(event, context=None, allowed: frozenset[str] | None = None):
    """Every operation; `query_handler`/`data_management_handler` allow a subset."""
    if isinstance(event, Mapping) and _is_proxy(event):
        return _proxy(event, allowed)
    if not isinstance(event, Mapping) or not isinstance(event.get("operation"), str):
        error = InputError("The event needs an operation name.", field="operation")
        return failure(error).body
    name = event["operation"]
    payload = {k: v for k, v in event.items() if k != "operation"}
    response = _dispatch(name, payload, allowed)
    if isinstance(response.body, str):  # the CSV export, inside a JSON envelope
        return {"success": True, "contentType": response.content_type,
                "csv": response.body}  # fmt: skip
    return response.body


def query_handler(event, context=None):
    return handler(event, context, QUERY_OPERATIONS)


def data_management_handler(event, context=None):
    return handler(event, context, DATA_OPERATIONS)


def _dispatch(name: str, payload: Mapping, allowed) -> Response:
    if allowed is not None and name not in allowed:
        message = f"Operation {name!r} is not served by this function."
        return failure(InputError(message, field="operation"))
    return operations().dispatch(name, payload)


def _is_proxy(event: Mapping) -> bool:
    return "httpMethod" in event or "http" in (event.get("requestContext") or {})


def _proxy(event: Mapping, allowed) -> dict:
    method = event.get("httpMethod") or event["requestContext"]["http"]["method"]
    path = event.get("path") or event.get("rawPath") or "/"
    stage = (event.get("requestContext") or {}).get("stage")
    if "rawPath" in event and stage and stage != "$default":
        path = path.removeprefix(f"/{stage}") or "/"  # HTTP APIs keep the stage
    if not path.startswith("/api"):
        path = "/api" + path  # a gateway mounted at /api strips it
    try:
        route, params = resolve(method, path)
    except NoRoute as missing:
        return _proxy_answer(Response(missing.status, missing.body()))
    if route is OPENAPI:
        from services.openapi import openapi_document

        return _proxy_answer(Response(200, openapi_document()))
    payload = _proxy_payload(event, route, params)
    if isinstance(payload, Response):
        return _proxy_answer(payload)
    return _proxy_answer(_dispatch(route.operation, payload, allowed))


def _proxy_payload(event: Mapping, route, params: Mapping) -> dict | Response:
    body: object = {}
    if route.request is not None and event.get("body"):
        raw = event["body"]
        try:
            if event.get("isBase64Encoded"):
                raw = base64.b64decode(raw).decode("utf-8")
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return failure(InputError("The body is not valid JSON.", field="body"))
        if not isinstance(body, Mapping):
            return failure(
                InputError("The request body must be a JSON object.", field="body")
            )
    args = event.get("queryStringParameters") or {}
    query = {name: args[name] for name in route.query if name in args}
    return {**body, **query, **params}


def _proxy_answer(response: Response) -> dict:
    headers = {"Content-Type": response.content_type, **response.headers}
    return {"statusCode": response.status, "headers": headers, "body": response.text}
