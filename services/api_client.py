"""The REST API over HTTP (urllib only), with the dispatcher's interface: the CLI's
`--api-url` mode runs every command through it instead of in-process."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from services import inputs
from services.errors import InputError, ProductError
from services.responses import Response, failure
from services.routes import BY_OPERATION


class ApiClient:
    """`dispatch(operation, payload) -> Response`, answered by a running server."""

    def __init__(
        self, base_url: str, timeout: float = 120.0, *, token: str | None = None
    ):
        base = base_url.rstrip("/")
        self.base_url = base[: -len("/api")] if base.endswith("/api") else base
        self.timeout = timeout
        self._token = token  # sent as a bearer token; never in a message

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r})"

    def dispatch(self, operation: str, payload: Mapping | None = None) -> Response:
        route = BY_OPERATION.get(operation)
        if route is None:
            return failure(
                InputError(f"Unknown operation {operation!r}.", field="operation")
            )
        payload = dict(payload or {})
        try:
            for name in route.params:  # the server would answer the same 400
                _path_id(payload.get(name), name)
        except ProductError as exc:
            return failure(exc)
        path, query, body = route.request_parts(payload)
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = Request(url, data=data, method=route.method)
        request.add_header("Accept", f"{route.content_type}, application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self._token:
            # unredirected: a redirect to another host must not carry the token
            request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        return self._send(request)

    def _send(self, request: Request) -> Response:
        try:
            with urlopen(request, timeout=self.timeout) as answer:
                return _response(answer.status, answer.headers, answer.read())
        except HTTPError as error:
            with error:
                return _response(error.code, error.headers, error.read())
        except (URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return _unreachable(f"Cannot reach the API at {self.base_url}: {reason}.")


def _path_id(value, name: str) -> str:
    if value is None or value == "":
        raise InputError(f"{name} is required", field=name)
    if not name.endswith("AccountId"):  # an alert mute's unit: the server checks it
        return str(value)
    return inputs.account_id(value, name)


def _response(status: int, headers, raw: bytes) -> Response:
    content_type = headers.get("Content-Type", "application/json")
    if content_type.startswith("text/csv"):
        kept = {
            k: headers[k]
            for k in ("Content-Disposition",)
            if headers.get(k) is not None
        }
        return Response(status, raw.decode("utf-8"), content_type, kept)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return _unreachable(f"The API answered HTTP {status} without JSON.", 502)
    if not isinstance(body, dict):
        return _unreachable(
            f"The API answered HTTP {status} with unexpected JSON.", 502
        )
    return Response(status, body)


def _unreachable(message: str, status: int = 503) -> Response:
    body = {"success": False, "error": {"code": "API_UNREACHABLE", "message": message}}
    return Response(status, body)
