"""The OpenAPI 3.1 document of the REST API, built from the route table (SPEC §7)."""

from __future__ import annotations

from functools import lru_cache

from services.models import Status
from services.routes import ALL_ROUTES, Route
from services.settings import REPLICATION_STATES

ACCOUNT_ID = {"type": "string", "pattern": "^[0-9]{12}$", "example": "111111111111"}
STRING = {"type": "string"}
INT = {"type": "integer"}
NUMBER = {"type": "number"}
BOOL = {"type": "boolean"}
STATUS = {"type": "string", "enum": [s.value for s in Status]}
_ERROR_TEXT = {400: "Invalid input (error.field names it)", 404: "Not found",
               405: "Method not allowed", 409: "Conflict", 500: "Internal error"}  # fmt: skip


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def null(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def envelope(properties: dict, required: tuple[str, ...] = ()) -> dict:
    """A success body: `success: true` beside the payload's own fields."""
    success = {"type": "boolean", "const": True}
    return obj({"success": success, **properties}, ("success", *required))


def _error_info() -> dict:
    return null(obj({"code": STRING, "message": STRING}, ("code", "message")))


def same(schema: dict, *names: str) -> dict:
    """The same schema for several properties."""
    return dict.fromkeys(names, schema)


def _counts() -> dict:
    return {
        **same(null(INT), "totalServers", "replicatingServers", "extendedServers"),
        "byState": null(ref("ByState")),
        "maxReplicating": INT,
        "percentUsed": null(NUMBER),
        "availableSlots": null(INT),
        "status": STATUS,
        "error": _error_info(),
    }


SCOPES = ["account", "region", "combined", "recovery", "data"]
REGION_STATES = ["ok", "uninitialized", "not-enabled", "error"]
SNAPSHOT_FIELDS = (
    "targetAccountId", "scope", "collectedAt", "complete", "combined", "accounts",
    "recoveryCapacity", "warnings",
)  # fmt: skip
VALIDATION_FIELDS = (
    "valid", "roleAccessible", "drsInitialized", "currentServers",
    "replicatingServers", "totalAfter", "maxAfter", "percentAfter", "statusAfter",
)  # fmt: skip


def _snapshot_schemas() -> dict:
    combined = {
        **same(INT, "totalReplicating", "maxReplicating", "availableSlots"),
        **same(INT, "configuredAccounts", "reportingAccounts"),
        "operationalLimit": NUMBER,
        "percentUsed": null(NUMBER),
        "status": STATUS,
        "message": STRING,
    }
    recovery = {
        **same(null(INT), "currentServers", "availableSlots"),
        "maxRecoveryInstances": INT,
        "percentUsed": null(NUMBER),
        "status": STATUS,
    }
    warning = {
        "level": STATUS,
        "scope": {"type": "string", "enum": SCOPES},
        **same(null(STRING), "accountId", "region"),
        **same(STRING, "message", "action"),
    }
    account = {
        "accountId": ACCOUNT_ID,
        "accountName": STRING,
        "accountType": {"type": "string", "enum": ["target", "staging"]},
        **same(BOOL, "accessible", "complete"),
        **_counts(),
        "regionalBreakdown": array("RegionCapacity"),
    }
    snapshot = {
        "targetAccountId": ACCOUNT_ID,
        "scope": {"type": "string", "description": '"all" or a Region'},
        "collectedAt": {"type": "string", "format": "date-time"},
        "complete": BOOL,
        "combined": ref("CombinedCapacity"),
        "accounts": array("AccountCapacity"),
        "recoveryCapacity": ref("RecoveryCapacity"),
        "warnings": array("CapacityWarning"),
    }
    region = {"region": STRING, "state": {"type": "string", "enum": REGION_STATES}}
    return {
        "ByState": obj(same(INT, *REPLICATION_STATES)),
        "RegionCapacity": obj({**region, **_counts()}, ("region", "state")),
        "AccountCapacity": obj(account, ("accountId", "accountType", "accessible")),
        "CombinedCapacity": obj(combined, ("totalReplicating", "maxReplicating")),
        "RecoveryCapacity": obj(recovery, ("maxRecoveryInstances", "status")),
        "CapacityWarning": obj(warning, ("level", "scope", "message", "action")),
        "CapacitySnapshot": envelope(snapshot, SNAPSHOT_FIELDS),
    }


def array(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


def _account_schemas() -> dict:
    role = {"type": "string", "example": "arn:aws:iam::222222222222:role/Read"}
    target = {
        "accountId": ACCOUNT_ID,
        "accountName": STRING,
        "roleArn": role,
        "externalId": {"type": "string", "minLength": 2, "maxLength": 1224},
    }
    staging = {**target, "region": {"type": "string", "example": "us-east-1"}}
    stored = same(STRING, "createdAt", "updatedAt")
    required = ("accountId", "accountName", "roleArn")
    return {
        "StagingAccount": obj({**staging, **same(STRING, "addedAt", "addedBy")}),
        "StagingAccountInput": obj(
            {**staging, "addedBy": STRING}, (*required, "region")
        ),
        "TargetAccount": obj(
            {
                **target,
                **stored,
                "version": INT,
                "stagingAccounts": array("StagingAccount"),
            },
            ("accountId", "accountName", "stagingAccounts"),
        ),
        "TargetAccountInput": obj(target, ("accountId", "accountName")),
        "TargetAccountList": envelope(
            {"targetAccounts": array("TargetAccount")}, ("targetAccounts",)
        ),
        "TargetAccountCreated": envelope(
            {"message": STRING, "targetAccount": ref("TargetAccount")},
            ("targetAccount",),
        ),
        "TargetAccountDetail": envelope(
            {
                "targetAccount": ref("TargetAccount"),
                "stagingAccounts": array("StagingAccount"),
            },
            ("targetAccount", "stagingAccounts"),
        ),
        "StagingAccountsChanged": envelope(
            {
                "message": STRING,
                "stagingAccounts": array("StagingAccount"),
                "impact": null(ref("RemovalImpact")),
            },
            ("message", "stagingAccounts"),
        ),
    }


def _validation_schemas() -> dict:
    account = {"accountId": ACCOUNT_ID, "region": STRING}
    request = {"targetAccountId": ACCOUNT_ID, **account}
    request |= same(STRING, "roleArn", "externalId")
    result = {
        **same(BOOL, "valid", "roleAccessible", "alreadyRegistered"),
        "drsInitialized": null(BOOL),
        **account,
        **same(null(INT), "currentServers", "replicatingServers"),
        **same(null(INT), "totalAfter", "maxAfter"),
        "percentAfter": null(NUMBER),
        "statusAfter": null(STATUS),
        "message": STRING,
        "error": _error_info(),
    }
    impact = {
        "accountId": ACCOUNT_ID,
        "replicatingServers": null(INT),
        "hasReplicatingServers": BOOL,
        **same(INT, "totalBefore", "totalAfter", "maxBefore", "maxAfter"),
        "percentAfter": null(NUMBER),
        "statusAfter": STATUS,
        "message": STRING,
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
        "ValidationResult": envelope(result, VALIDATION_FIELDS),
        "RemovalImpact": obj(impact, ("accountId", "totalAfter", "maxAfter")),
        "RemovalImpactEnvelope": envelope(
            {"impact": ref("RemovalImpact")}, ("impact",)
        ),
        "Error": obj(error, ("code", "message")),
        "ErrorEnvelope": obj(failed, ("success", "error")),
    }


def _parameters(route: Route) -> list[dict]:
    found = [
        {"name": name, "in": "path", "required": True, "schema": ACCOUNT_ID}
        for name in route.params
    ]
    query = {
        "region": ("One Region as scope (default: all Regions)", STRING),
        "refresh": ("true: collect now instead of using the cache", BOOL),
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
    for status in (*route.failures, 500):
        answers[str(status)] = {
            "description": _ERROR_TEXT[status],
            "content": {"application/json": {"schema": ref("ErrorEnvelope")}},
        }
    return answers


def _operation(route: Route) -> dict:
    spec = {
        "operationId": route.operation,
        "summary": route.summary,
        "parameters": _parameters(route),
        "responses": _responses(route),
    }
    if route.request:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(route.request)}},
        }
    return spec


@lru_cache(maxsize=1)
def _document() -> dict:
    paths: dict[str, dict] = {}
    for route in ALL_ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    schemas = {**_snapshot_schemas(), **_account_schemas(), **_validation_schemas()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DRS Capacity Dashboard API",
            "version": "1.0.0",
            "description": "Staging accounts and combined DRS replication capacity. "
            "Every answer is JSON with `success`; failures add `error`.",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }


def openapi_document() -> dict:
    """A fresh copy of the document (callers may change it)."""
    import copy

    return copy.deepcopy(_document())
