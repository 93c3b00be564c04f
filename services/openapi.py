"""The OpenAPI 3.1 document of the REST API, built from the route table (SPEC §7)."""

from __future__ import annotations

from functools import lru_cache

from services.api_schemas import ACCOUNT_ID, BOOL, NUMBER, STRING, all_schemas, ref
from services.identity import is_public
from services.routes import ALL_ROUTES, Route

_ERROR_TEXT = {400: "Invalid input (error.field names it)",
               401: "Sign-in required, or the credentials were refused",
               403: "Signed in as a viewer: only an admin may write", 404: "Not found",
               405: "Method not allowed", 409: "Conflict", 413: "Body too large",
               500: "Internal error",
               504: "The collection ran past its deadline (reported, given up)",
               503: "Not ready: the store cannot be read"}  # fmt: skip


def _parameters(route: Route) -> list[dict]:
    found = [
        {"name": name, "in": "path", "required": True, "schema": ACCOUNT_ID}
        for name in route.params
    ]
    query = {
        "region": ("One Region as scope (default: all Regions)", STRING),
        "refresh": ("true: collect now instead of using the cache", BOOL),
        "wait": (
            "true: wait for the collection even where the server answers "
            "stale-while-revalidate (DRS_CAPACITY_REFRESH_WAIT_SECONDS)",
            BOOL,
        ),
        "days": ("Days of history, more than 0 and at most 400 (default 7)", NUMBER),
    }
    for name in route.query:
        description, schema = query[name]
        found.append(
            {"name": name, "in": "query", "required": False,
             "description": description, "schema": schema}
        )  # fmt: skip
    return found


def _responses(route: Route) -> dict:
    if route.response == "CSV":
        content = {"text/csv": {"schema": STRING}}
    elif route.response == "OpenAPI":
        content = {"application/json": {"schema": {"type": "object"}}}
    else:
        content = {"application/json": {"schema": ref(route.response)}}
    answers = {str(route.status): {"description": route.summary, "content": content}}
    if route.accepted:
        answers["202"] = {
            "description": "No snapshot yet: collecting; ask again after Retry-After",
            "content": {"application/json": {"schema": ref(route.accepted)}},
        }
    too_large = (413,) if route.request else ()  # the API refuses bodies over 1 MiB
    signed_in = () if is_public(route.path) else (401,)
    writes = (403,) if route.method != "GET" and signed_in else ()
    for status in (*route.failures, *signed_in, *writes, *too_large, 500):
        # a readiness answer keeps its shape when not ready: it says what is missing
        body = route.response if status == 503 else "ErrorEnvelope"
        answers[str(status)] = {
            "description": _ERROR_TEXT[status],
            "content": {"application/json": {"schema": ref(body)}},
        }
    return answers


def _operation(route: Route) -> dict:
    spec = {
        "operationId": route.operation,
        "summary": route.summary,
        "parameters": _parameters(route),
        "responses": _responses(route),
    }
    if is_public(route.path):
        spec["security"] = []
    if route.request:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(route.request)}},
        }
    return spec


SECURITY_SCHEMES = {
    "basicAuth": {
        "type": "http",
        "scheme": "basic",
        "description": "DRS_CAPACITY_AUTH=basic: a user of DRS_CAPACITY_USERS_FILE",
    },
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `cli.py tokens create` (basic and proxy)",
    },
    "proxyIdentity": {
        "type": "apiKey",
        "in": "header",
        "name": "x-amzn-oidc-identity",
        "description": "DRS_CAPACITY_AUTH=proxy: set by the signing-in load balancer "
        "(header DRS_CAPACITY_PROXY_HEADER), believed only from "
        "DRS_CAPACITY_TRUSTED_PROXIES",
    },
}


@lru_cache(maxsize=1)
def _document() -> dict:
    paths: dict[str, dict] = {}
    for route in ALL_ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    schemas = all_schemas()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DRS Capacity Dashboard API",
            "version": "1.0.0",
            "description": "Staging accounts and combined DRS replication capacity. "
            "Every answer is JSON with `success`; failures add `error`.",
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
        # alternatives: whichever DRS_CAPACITY_AUTH enables (none: no sign-in)
        "security": [{name: []} for name in SECURITY_SCHEMES],
    }


def openapi_document() -> dict:
    """A fresh copy of the document (callers may change it)."""
    import copy

    return copy.deepcopy(_document())
