"""The REST route table (SPEC §7): one list shared by the Flask blueprint, the Lambda
proxy entry, the CLI's HTTP client and the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

_PARAM = re.compile(r"{(\w+)}")
METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    path: str  # "/api/accounts/{targetAccountId}": parameters in braces
    status: int  # HTTP status on success
    summary: str
    query: tuple[str, ...] = ()
    request: str | None = None  # schema name of the JSON body, if any
    response: str = "Envelope"  # schema name of the success body
    content_type: str = "application/json"
    failures: tuple[int, ...] = ()
    accepted: str | None = None  # schema of a 202 answer (still collecting), if any

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    @cached_property
    def _pattern(self) -> re.Pattern:
        parts = _PARAM.split(self.path)  # literal, name, literal, name, ...
        regex = "".join(
            f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part)
            for i, part in enumerate(parts)
        )
        return re.compile(regex)

    def match(self, path: str) -> dict[str, str] | None:
        found = self._pattern.fullmatch(path)
        return found.groupdict() if found else None

    def request_parts(
        self, payload: Mapping[str, Any]
    ) -> tuple[str, dict[str, str], dict | None]:
        """Split a dispatcher payload into (path, query, JSON body) for this route."""
        path = self.path
        for name in self.params:
            path = path.replace("{" + name + "}", quote(str(payload.get(name)), ""))
        query = {
            name: _query_text(payload[name])
            for name in self.query
            if payload.get(name) not in (None, False, "")
        }
        if self.method not in METHODS_WITH_BODY:
            return path, query, None
        skip = {*self.params, *self.query}
        body = {k: v for k, v in payload.items() if k not in skip}
        return path, query, body


def _query_text(value: Any) -> str:
    if value is True:
        return "true"
    return str(value)


ID = "targetAccountId"
ROUTES: tuple[Route, ...] = (
    Route("get_target_accounts", "GET", "/api/accounts", 200,
          "List the target accounts", response="TargetAccountList"),
    Route("add_target_account", "POST", "/api/accounts", 201,
          "Register a target account", request="TargetAccountInput",
          response="TargetAccountCreated", failures=(400, 409)),
    Route("get_target_account", "GET", "/api/accounts/{targetAccountId}", 200,
          "One target account and its staging accounts",
          response="TargetAccountDetail", failures=(400, 404)),
    Route("validate_staging_account", "POST", "/api/staging-accounts/validate", 200,
          "Check a staging account before adding it (valid or not: 200)",
          request="ValidationRequest", response="ValidationResult",
          failures=(400, 404)),
    Route("add_staging_account", "POST",
          "/api/accounts/{targetAccountId}/staging-accounts", 201,
          "Add a staging account to a target", request="StagingAccountInput",
          response="StagingAccountsChanged", failures=(400, 404, 409)),
    Route("remove_staging_account", "DELETE",
          "/api/accounts/{targetAccountId}/staging-accounts/{stagingAccountId}", 200,
          "Remove a staging account (the answer carries the capacity impact)",
          response="StagingAccountsChanged", failures=(400, 404)),
    Route("get_removal_impact", "GET",
          "/api/accounts/{targetAccountId}/staging-accounts/{stagingAccountId}/impact",
          200, "What removing a staging account would do to combined capacity",
          response="RemovalImpactEnvelope", failures=(400, 404)),
    Route("get_combined_capacity", "GET", "/api/accounts/{targetAccountId}/capacity",
          200, "The capacity snapshot of a target (all Regions or one)",
          query=("region", "refresh", "wait"), response="CapacitySnapshot",
          failures=(400, 404, 504), accepted="CapacityCollecting"),
    Route("export_capacity_csv", "GET", "/api/accounts/{targetAccountId}/capacity.csv",
          200, "The capacity snapshot as CSV (one row per account and Region)",
          query=("region", "refresh"), response="CSV",
          content_type="text/csv", failures=(400, 404)),
    Route("get_capacity_history", "GET", "/api/accounts/{targetAccountId}/history",
          200, "Capacity over time: every account × Region and Region total, with "
          "growth and time-to-level forecasts", query=("days",),
          response="CapacityHistory", failures=(400, 404)),
    Route("export_history_csv", "GET", "/api/accounts/{targetAccountId}/history.csv",
          200, "The capacity history as CSV (one row per time × account × Region)",
          query=("days",), response="CSV", content_type="text/csv",
          failures=(400, 404)),
    Route("get_alert_mutes", "GET", "/api/accounts/{targetAccountId}/mutes", 200,
          "The alert mutes in force, per account × Region or Region combined",
          response="AlertMutes", failures=(400, 404, 409)),
    Route("mute_alerts", "PUT", "/api/accounts/{targetAccountId}/mutes/{unit}", 200,
          "Mute the alerts of one unit (ACCOUNT_ID:REGION or combined:REGION) for a "
          "while", request="MuteInput", response="MuteChanged",
          failures=(400, 404, 409)),
    Route("unmute_alerts", "DELETE", "/api/accounts/{targetAccountId}/mutes/{unit}",
          200, "Lift the mute of one unit", response="MuteChanged",
          failures=(400, 404, 409)),
)  # fmt: skip
OPENAPI = Route(
    "get_openapi", "GET", "/api/openapi.json", 200, "This OpenAPI document",
    response="OpenAPI",
)  # fmt: skip
# Operations endpoints (issue 11): outside sign-in, answered by the web layer itself
HEALTH = Route(
    "get_health", "GET", "/api/health", 200,
    "Liveness: the process answers (touches neither the store nor AWS)",
    response="Health",
)  # fmt: skip
READY = Route(
    "get_ready", "GET", "/api/ready", 200,
    "Readiness: the store answers (503 when not); cache and collection ages",
    response="Readiness", failures=(503,),
)  # fmt: skip
ALL_ROUTES = (*ROUTES, OPENAPI, HEALTH, READY)
BY_OPERATION = {route.operation: route for route in ALL_ROUTES}


class NoRoute(Exception):
    """No route answers: 404 (unknown path) or 405 (known path, other methods)."""

    def __init__(self, status: int, message: str, allowed: tuple[str, ...] = ()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.allowed = allowed

    def body(self) -> dict:
        code = "METHOD_NOT_ALLOWED" if self.status == 405 else "NOT_FOUND"
        return {"success": False, "error": {"code": code, "message": self.message}}


def resolve(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for `method path` and its path parameters; NoRoute otherwise."""
    method = "GET" if method.upper() == "HEAD" else method.upper()
    if len(path) > 1:
        path = path.rstrip("/")
    allowed: list[str] = []
    for route in ALL_ROUTES:
        params = route.match(path)
        if params is None:
            continue
        if route.method == method:
            return route, params
        allowed.append(route.method)
    if allowed:
        raise NoRoute(
            405,
            f"{method} is not allowed on {path}; use {', '.join(allowed)}.",
            tuple(allowed),
        )
    raise NoRoute(404, f"No API endpoint {method} {path}; see GET /api/openapi.json.")
