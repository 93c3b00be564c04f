"""AWS Lambda entry for the seed's Query and Data Management Lambdas and the schedule's.

A direct event `{"operation": "add_staging_account", ...payload}` returns the API's JSON
envelope; an API Gateway proxy event (REST v1 or HTTP v2) is routed by method and path
through the same route table and returns `{"statusCode", "headers", "body"}`; an
EventBridge "Scheduled Event" (or `{"operation": "record_history"}`) runs one watch pass,
collecting and recording every target (services/watch.py), and returns a summary.
The backend (settings from `DRS_CAPACITY_*`; real AWS unless DRS_CAPACITY_MODE says
otherwise) is built once per container.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Mapping

from services.errors import InputError, ProductError
from services.json_body import (
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    BodyTooLarge,
    json_object_body,
    value_depth_exceeds,
)
from services.responses import Response, failure
from services.routes import HEALTH, OPENAPI, READY, NoRoute, resolve
from services.watch import RECORD_HISTORY, pass_summary, run_pass

QUERY_OPERATIONS = frozenset({
    "get_target_accounts", "get_target_account", "validate_staging_account",
    "get_combined_capacity", "export_capacity_csv", "get_removal_impact",
})  # fmt: skip
DATA_OPERATIONS = frozenset({
    "get_target_accounts", "get_target_account", "add_target_account",
    "add_staging_account", "remove_staging_account", "get_removal_impact",
})  # fmt: skip
COLLECTION_OPERATIONS = frozenset({RECORD_HISTORY})  # the schedule's function
ALERT_FLUSH_SECONDS = 60.0  # a dead webhook: ~47 s per message, then given up

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict = {}


def operations():
    """The dispatcher of this container, built on first use."""
    with _lock:
        if "operations" not in _state:
            from services.backend import build_backend, build_operations
            from services.logs import configure_logging
            from services.mode import resolve_mode
            from services.settings import Settings

            settings = Settings.from_env()
            if settings.collect_processes is None:  # Lambda has no /dev/shm for them
                settings = settings.with_overrides(collect_processes=1)
            configure_logging(logging.INFO, settings)
            # as a WSGI server: no mode set means AWS (the function's role), else a
            # refusal naming what to set; never the demo fleet by accident
            backend = build_backend(resolve_mode(settings, server=True))
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
    """Every operation; `query_handler`/`data_management_handler` allow a subset.

    Never raises: a malformed event is a 4xx JSON answer naming the field at fault.
    """
    proxy = isinstance(event, Mapping) and _is_proxy(event)
    try:
        if value_depth_exceeds(event):
            raise InputError(
                f"The event nests objects/arrays more than {MAX_JSON_DEPTH} levels "
                "deep.",
                field="body" if proxy else "event",
            )
        if not proxy and _is_collection(event):
            return _collect(event, allowed)
        return _proxy(event, allowed) if proxy else _direct(event, allowed)
    except ProductError as error:
        refused = failure(error)
        return _proxy_answer(refused) if proxy else refused.body
    except Exception as exc:  # the envelope never carries a stack trace
        log.error("Lambda event failed unexpectedly: %s", type(exc).__name__)
        broken = failure(ProductError("Internal error; see the function's log."))
        return _proxy_answer(broken) if proxy else broken.body


def _direct(event, allowed) -> dict:
    if not isinstance(event, Mapping) or not isinstance(event.get("operation"), str):
        raise InputError("The event needs an operation name.", field="operation")
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


def collection_handler(event, context=None):
    """The EventBridge schedule's function: one watch pass, nothing else."""
    return handler(event, context, COLLECTION_OPERATIONS)


def _is_collection(event) -> bool:
    if not isinstance(event, Mapping):
        return False
    scheduled = event.get("source") == "aws.events" and (
        event.get("detail-type") == "Scheduled Event"
    )
    return scheduled or event.get("operation") == RECORD_HISTORY


def _collect(event: Mapping, allowed) -> dict:
    """Collect and record every target (or those the event names): a small summary."""
    refused = _refusal(RECORD_HISTORY, allowed)
    if refused is not None:
        return refused.body
    results = run_pass(operations(), _named_targets(event))
    for result in results:
        log.info("watch: %s", result.text())
    _deliver_alerts()
    return pass_summary(results)


def _deliver_alerts() -> None:
    """Alerts go out on a background thread, and the container freezes once the
    handler returns: wait for them (services/alert_monitor.py)."""
    alerts = getattr(_state.get("backend"), "alerts", None)
    if alerts is not None:
        alerts.flush(timeout=ALERT_FLUSH_SECONDS)


def _named_targets(event: Mapping) -> list[str]:
    """`targetAccountIds` (or one `targetAccountId`) of a direct event; none: all."""
    named = event.get("targetAccountIds")
    if named is None and event.get("targetAccountId") is not None:
        named = [event["targetAccountId"]]
    if named is None:
        return []
    if not isinstance(named, list) or not all(isinstance(t, str) for t in named):
        got = "other items" if isinstance(named, list) else _kind(named)
        raise InputError(
            f"targetAccountIds must be an array of account ID strings; got {got}",
            field="targetAccountIds",
        )
    return named


def _dispatch(name: str, payload: Mapping, allowed) -> Response:
    return _refusal(name, allowed) or operations().dispatch(name, payload)


def _refusal(name: str, allowed) -> Response | None:
    """The answer when this function does not serve the operation (None: it does)."""
    if allowed is not None and name not in allowed:
        message = f"Operation {name!r} is not served by this function."
        return failure(InputError(message, field="operation"))
    return None


def _is_proxy(event: Mapping) -> bool:
    """An API Gateway event: REST (v1) has httpMethod, HTTP APIs (v2) requestContext."""
    return "httpMethod" in event or (
        "operation" not in event and "requestContext" in event
    )


def _proxy(event: Mapping, allowed) -> dict:
    method = _method(event)
    path = _path(event)
    try:
        route, params = resolve(method, path)
    except NoRoute as missing:
        return _proxy_answer(Response(missing.status, missing.body()))
    if route is OPENAPI:
        from services.openapi import openapi_document

        return _proxy_answer(Response(200, openapi_document()))
    if route in (HEALTH, READY):
        from services.readiness import health, readiness

        if route is HEALTH:
            return _proxy_answer(health())
        operations()  # the container's backend, built on first use
        return _proxy_answer(readiness(_state["backend"]))
    payload = _proxy_payload(event, route, params)
    return _proxy_answer(_dispatch(route.operation, payload, allowed))


def _method(event: Mapping) -> str:
    method, field = event.get("httpMethod"), "httpMethod"
    if method is None and "requestContext" in event:  # HTTP API (v2)
        http = _object(_object(event, "requestContext", "requestContext"), "http",
                       "requestContext.http")  # fmt: skip
        method, field = http.get("method"), "requestContext.http.method"
    if not isinstance(method, str) or not method.isalpha():
        raise InputError(
            f"{field} must be an HTTP method such as GET; got {_kind(method)}",
            field=field,
        )
    return method


def _path(event: Mapping) -> str:
    field = "path" if event.get("path") is not None else "rawPath"
    path = event.get(field)
    if path is None:
        path = "/"
    if not isinstance(path, str):
        raise InputError(
            f"{field} must be a string such as /api/accounts; got {_kind(path)}",
            field=field,
        )
    context = event.get("requestContext")
    stage = context.get("stage") if isinstance(context, Mapping) else None
    if field == "rawPath" and isinstance(stage, str) and stage and stage != "$default":
        path = path.removeprefix(f"/{stage}") or "/"  # HTTP APIs keep the stage
    if not path.startswith("/api"):
        path = "/api" + path  # a gateway mounted at /api strips it
    return path


def _proxy_payload(event: Mapping, route, params: Mapping) -> dict:
    body = _body_text(event)
    payload = json_object_body(body) if route.request is not None and body else {}
    args = event.get("queryStringParameters")
    if args is None:
        args = {}
    if not isinstance(args, Mapping):
        raise InputError(
            f"queryStringParameters must be an object of names to strings; got "
            f"{_kind(args)}",
            field="queryStringParameters",
        )
    query = {name: args[name] for name in route.query if args.get(name) is not None}
    for name, value in query.items():
        if not isinstance(value, str):
            raise InputError(
                f"queryStringParameters.{name} must be a string; got {_kind(value)}",
                field=name,
            )
    return {**payload, **query, **params}


def _body_text(event: Mapping) -> str | None:
    """The body as API Gateway sends it: null or a string (base64 if so flagged)."""
    raw = event.get("body")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InputError(
            f"body must be the request's JSON text (a string) or null; got {_kind(raw)}",
            field="body",
        )
    if event.get("isBase64Encoded") is True:
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise InputError(
                "body is flagged isBase64Encoded but is not base64 of UTF-8 text.",
                field="body",
            ) from None
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    return raw


def _object(event: Mapping, key: str, field: str) -> Mapping:
    value = event.get(key)
    if not isinstance(value, Mapping):
        raise InputError(f"{field} must be an object; got {_kind(value)}", field=field)
    return value


def _kind(value) -> str:
    """How a message names a wrong value: its JSON type, never its content."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "an array", dict: "an object"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _proxy_answer(response: Response) -> dict:
    headers = {"Content-Type": response.content_type, **response.headers}
    return {"statusCode": response.status, "headers": headers, "body": response.text}
