"""The OpenAPI 3.1 document of the REST API, built from the route table (SPEC §7)."""

from __future__ import annotations

from functools import lru_cache

from services.identity import is_public
from services.models import LimitSource, RegionState, Status
from services.routes import ALL_ROUTES, Route
from services.settings import REPLICATION_STATES

ACCOUNT_ID = {"type": "string", "pattern": "^[0-9]{12}$", "example": "111111111111"}
STRING = {"type": "string"}
INT = {"type": "integer"}
NUMBER = {"type": "number"}
BOOL = {"type": "boolean"}
STATUS = {"type": "string", "enum": [s.value for s in Status]}
_ERROR_TEXT = {400: "Invalid input (error.field names it)",
               401: "Sign-in required, or the credentials were refused",
               403: "Signed in as a viewer: only an admin may write", 404: "Not found",
               405: "Method not allowed", 409: "Conflict", 413: "Body too large",
               500: "Internal error",
               503: "Not ready: the store cannot be read"}  # fmt: skip


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def null(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def closed(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    """An object with exactly these properties, all required but `optional`."""
    schema = obj(properties, tuple(k for k in properties if k not in optional))
    schema["additionalProperties"] = False
    return schema


def envelope(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    """A success body with exactly these fields beside `success`."""
    return closed(
        {"success": {"type": "boolean", "const": True}, **properties}, optional
    )


def same(schema: dict, *names: str) -> dict:
    """The same schema for several properties."""
    return dict.fromkeys(names, schema)


def enum(values) -> dict:
    return {"type": "string", "enum": [getattr(v, "value", v) for v in values]}


def array(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


SCOPES = ["account", "combined", "recovery", "data"]
REGION_STATE = enum(RegionState)
LIMIT_SOURCE = enum(LimitSource)
RECOVERY_STATUS = enum((Status.OK, Status.WARNING, Status.CRITICAL, Status.UNKNOWN))
# Regions counted in emptyRegions: read and empty, or without DRS (never `error`)
EMPTY_STATES = [s.value for s in RegionState if s is not RegionState.ERROR]


def _unit_figures() -> dict:
    """Counts and limit figures shared by an account × Region and an account."""
    return {
        **same(null(INT), "totalServers", "replicatingServers", "extendedServers"),
        "byState": null(ref("ByState")),
        **same(INT, "maxReplicating", "operationalLimit"),
        "percentUsed": null(NUMBER),
        "availableSlots": null(INT),
        "status": STATUS,
        "error": null(ref("ErrorInfo")),
    }


def _snapshot_schemas() -> dict:
    """The capacity snapshot of SPEC §7, field for field: every schema is closed, so
    an answer with a field the document lacks (or without one it lists) fails."""
    region = {"region": STRING, "state": REGION_STATE, **_unit_figures()}
    region["limitSource"] = LIMIT_SOURCE
    account = {
        "accountId": ACCOUNT_ID,
        "accountName": STRING,
        "accountType": enum(("target", "staging")),
        **same(BOOL, "accessible", "complete"),
        **_unit_figures(),
        "busiestRegion": null(STRING),
        "regionalBreakdown": array("RegionCapacity"),
        "emptyRegions": {
            "type": "object",
            "description": "Regions in scope not listed, counted by state",
            "propertyNames": {"enum": EMPTY_STATES},
            "additionalProperties": INT,
        },
    }
    combined = {
        "region": null(STRING),
        **same(INT, "totalReplicating", "maxReplicating", "operationalLimit"),
        "percentUsed": null(NUMBER),
        "availableSlots": INT,
        "status": STATUS,
        "message": STRING,
        **same(INT, "configuredAccounts", "reportingAccounts"),
    }
    recovery = {
        "region": null(STRING),
        "currentServers": null(INT),
        "maxRecoveryInstances": INT,
        "limitSource": LIMIT_SOURCE,
        "percentUsed": null(NUMBER),
        "availableSlots": null(INT),
        "status": RECOVERY_STATUS,
    }
    warning = {
        "level": STATUS,
        "scope": enum(SCOPES),
        "accountId": null(ACCOUNT_ID),
        "region": null(STRING),
        **same(STRING, "message", "action"),
    }
    snapshot = {
        "targetAccountId": ACCOUNT_ID,
        "scope": {"type": "string", "description": '"all" or a Region'},
        "collectedAt": {"type": "string", "format": "date-time"},
        "complete": BOOL,
        "status": {**STATUS, "description": "overall: the worst of every unit"},
        "combined": ref("CombinedCapacity"),
        "combinedByRegion": array("CombinedCapacity"),
        "accounts": array("AccountCapacity"),
        "recoveryCapacity": ref("RecoveryCapacity"),
        "recoveryByRegion": array("RecoveryCapacity"),
        "warnings": array("CapacityWarning"),
    }
    return {
        "ByState": closed(same(INT, *REPLICATION_STATES)),
        "ErrorInfo": closed(same(STRING, "code", "message")),
        "RegionCapacity": closed(region),
        "AccountCapacity": closed(account),
        "CombinedCapacity": closed(combined),
        "RecoveryCapacity": closed(recovery),
        "CapacityWarning": closed(warning),
        "CapacitySnapshot": envelope(snapshot),
    }


def _account_schemas() -> dict:
    """Requests may carry `externalId`; answers never do, only `hasExternalId`."""
    role = {"type": "string", "example": "arn:aws:iam::222222222222:role/Read"}
    external_id = {"type": "string", "minLength": 2, "maxLength": 1224}
    region = {"type": "string", "example": "us-east-1"}
    target_input = {"accountId": ACCOUNT_ID, "accountName": STRING, "roleArn": role}
    answer = {**target_input, "hasExternalId": BOOL}
    staging = {
        **answer,
        "region": region,
        "addedAt": STRING,
        "addedBy": {
            "type": "string",
            "readOnly": True,
            "description": "Who added it: the signed-in user's name (without "
            "sign-in, the caller's addedBy)",
        },
    }
    target = {
        **answer,
        **same(STRING, "createdAt", "updatedAt"),
        "version": INT,
        "stagingAccounts": array("StagingAccount"),
    }
    absent = ("roleArn", "region", "addedAt", "addedBy", "createdAt", "updatedAt")
    return {
        "StagingAccount": closed(staging, absent),
        "StagingAccountInput": obj(
            {
                **target_input,
                "externalId": external_id,
                "region": region,
                "addedBy": {
                    "type": "string",
                    "deprecated": True,
                    "description": "Ignored when sign-in is on: the signed-in user "
                    "is stored",
                },
            },
            ("accountId", "accountName", "roleArn", "region"),
        ),  # fmt: skip
        "TargetAccount": closed(target, (*absent, "version")),
        "TargetAccountInput": obj(
            {**target_input, "externalId": external_id}, ("accountId", "accountName")
        ),
        "TargetAccountList": envelope({"targetAccounts": array("TargetAccount")}),
        "TargetAccountCreated": envelope(
            {"message": STRING, "targetAccount": ref("TargetAccount")}
        ),
        "TargetAccountDetail": envelope(
            {
                "targetAccount": ref("TargetAccount"),
                "stagingAccounts": array("StagingAccount"),
            }
        ),
        "StagingAccountsChanged": envelope(
            {
                "message": STRING,
                "stagingAccounts": array("StagingAccount"),
                "impact": null(ref("RemovalImpact")),
            },
            ("impact",),
        ),
    }


def _validation_schemas() -> dict:
    account = {"accountId": ACCOUNT_ID, "region": STRING}
    request = {"targetAccountId": ACCOUNT_ID, **account}
    request |= same(STRING, "roleArn", "externalId")
    result = {
        **same(BOOL, "valid", "roleAccessible"),
        "drsInitialized": null(BOOL),
        **account,
        **same(null(INT), "currentServers", "replicatingServers"),
        "accountReplicatingServers": INT,
        **same(null(INT), "totalAfter", "maxAfter"),
        "percentAfter": null(NUMBER),
        "statusAfter": null(STATUS),
        "regionAfter": null(STRING),
        **same(BOOL, "projectionComplete", "alreadyRegistered"),
        "message": STRING,
        "error": ref("ErrorInfo"),
    }
    only_valid = (
        "accountReplicatingServers",
        "projectionComplete",
        "alreadyRegistered",
    )
    counts = same(INT, "totalBefore", "totalAfter", "maxBefore", "maxAfter")
    impact = {
        "accountId": ACCOUNT_ID,
        "replicatingServers": null(INT),
        "hasReplicatingServers": null(BOOL),
        **same(null(STRING), "regionBefore", "regionAfter"),
        **counts,
        "percentAfter": null(NUMBER),
        **same(STATUS, "statusBefore", "statusAfter"),
        "regions": array("RegionImpact"),
        "message": STRING,
    }
    region_impact = {
        "region": STRING,
        "serversLost": INT,
        **counts,
        **same(STATUS, "statusBefore", "statusAfter"),
    }
    error = {
        **same(STRING, "code", "message"),
        "field": {"type": "string", "description": "the input at fault"},
    }
    failed = {"success": {"type": "boolean", "const": False}, "error": ref("Error")}
    return {
        "ValidationRequest": obj(
            request, ("targetAccountId", "accountId", "roleArn", "region")
        ),
        "ValidationResult": envelope(result, (*only_valid, "error")),
        "RemovalImpact": closed(impact),
        "RegionImpact": closed(region_impact),
        "RemovalImpactEnvelope": envelope({"impact": ref("RemovalImpact")}),
        "Error": closed(error, ("field",)),
        "ErrorEnvelope": closed(failed),
    }


def _parameters(route: Route) -> list[dict]:
    found = [
        {"name": name, "in": "path", "required": True, "schema": ACCOUNT_ID}
        for name in route.params
    ]
    query = {
        "region": ("One Region as scope (default: all Regions)", STRING),
        "refresh": ("true: collect now instead of using the cache", BOOL),
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


def _operations_schemas() -> dict:
    """/api/health and /api/ready: what a load balancer or an operator reads."""
    store = closed({"reachable": BOOL, "error": STRING}, ("error",))
    collection = closed({"targetAccountId": ACCOUNT_ID, "ageSeconds": NUMBER})
    readiness = {
        "success": BOOL,
        "status": enum(("ready", "not-ready")),
        "mode": null(enum(("aws", "demo", "scenario"))),
        "store": store,
        "cache": closed({"shared": BOOL}),
        "collections": {
            "type": "array",
            "description": "Seconds since each target's last collection ended "
            "(in the answering process)",
            "items": collection,
        },
    }
    return {
        "Health": envelope({"status": {"type": "string", "const": "ok"}}),
        "Readiness": closed(readiness),
    }


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
    schemas = {**_snapshot_schemas(), **_account_schemas(), **_validation_schemas(),
               **_operations_schemas(), **_history_schemas()}  # fmt: skip
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


def _history_schemas() -> dict:
    """GET /api/accounts/{id}/history: points, trends and forecasts (issue 12)."""
    time = {"type": "string", "format": "date-time"}
    point = closed({
        "time": time, "accountId": ACCOUNT_ID, "region": STRING,
        "replicatingServers": INT, "totalServers": INT, "maxReplicating": INT,
        "status": STATUS,
    })  # fmt: skip
    region = closed({
        "time": time, "region": STRING, "totalReplicating": INT,
        "maxReplicating": NUMBER, "status": STATUS,
    })  # fmt: skip
    scope = enum(("account", "combined"))
    trend = closed({
        "scope": scope, "accountId": null(ACCOUNT_ID), "region": STRING,
        "growthPerWeek": null(NUMBER),
        "trend": enum(("growing", "not enough history", "no recent data",
                       "no growth trend", "shrinking")),
    })  # fmt: skip
    forecast = closed({
        "scope": scope, "accountId": null(ACCOUNT_ID), "region": STRING,
        "level": enum(("WARNING", "CRITICAL", "HYPER-CRITICAL")), "threshold": INT,
        "date": {"type": "string", "format": "date"}, "days": INT, "reached": BOOL,
        "text": STRING,
    })  # fmt: skip

    def items(schema: dict) -> dict:
        return {"type": "array", "items": schema}

    return {
        "CapacityHistory": envelope(
            {
                "targetAccountId": ACCOUNT_ID,
                "days": NUMBER,
                "points": items(point),
                "regions": items(region),
                "trends": items(trend),
                "forecasts": items(forecast),
            }
        )  # fmt: skip
    }
