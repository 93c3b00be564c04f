"""What every API answer looks like: the JSON schemas of the OpenAPI document, by
kind of answer (snapshot, accounts, validation, operations, history). services/openapi.py
assembles them with the route table into the document."""

from __future__ import annotations

from services.models import LimitSource, RegionState, Status
from services.settings import REPLICATION_STATES

ACCOUNT_ID = {"type": "string", "pattern": "^[0-9]{12}$", "example": "111111111111"}
STRING = {"type": "string"}
INT = {"type": "integer"}
NUMBER = {"type": "number"}
BOOL = {"type": "boolean"}
STATUS = {"type": "string", "enum": [s.value for s in Status]}


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


def snapshot_schemas() -> dict:
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
        # stale-while-revalidate (DRS_CAPACITY_REFRESH_WAIT_SECONDS) adds `refreshing`
        # and, when the last collection failed, `refreshError`
        "CapacitySnapshot": envelope(
            {**snapshot, **_revalidation()}, ("refreshing", "refreshError")
        ),
        "CapacityCollecting": envelope(
            {
                "targetAccountId": ACCOUNT_ID,
                "scope": {"type": "string"},
                "collectedAt": {"type": "null"},
                **_revalidation(),
            },
            ("refreshError",),
        ),
    }


def _revalidation() -> dict:
    return {
        "refreshing": {
            **BOOL,
            "description": "a collection is running: this answer is the last one",
        },
        "refreshError": ref("ErrorInfo"),
    }


def account_schemas() -> dict:
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


def validation_schemas() -> dict:
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


def operations_schemas() -> dict:
    """/api/health and /api/ready: what a load balancer or an operator reads."""
    store = closed({"reachable": BOOL, "error": STRING}, ("error",))
    collection = closed({"targetAccountId": ACCOUNT_ID, "ageSeconds": NUMBER})
    readiness = {
        "success": BOOL,
        "status": enum(("ready", "not-ready")),
        "mode": null(enum(("aws", "demo", "scenario"))),
        "store": store,
        "cache": closed({"shared": BOOL, "reachable": BOOL}),
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


def all_schemas() -> dict:
    """Every named schema of the document."""
    return {**snapshot_schemas(), **account_schemas(), **validation_schemas(),
            **operations_schemas(), **history_schemas(),
            **alert_schemas()}  # fmt: skip


def alert_schemas() -> dict:
    """Mutes of alerts per unit (issue 12, item 6)."""
    time = {"type": "string", "format": "date-time"}
    mute = closed({
        "unit": {"type": "string", "example": "111111111111:us-east-1"},
        "accountId": null(ACCOUNT_ID), "region": STRING, "until": time,
        "mutedBy": STRING, "reason": STRING,
    })  # fmt: skip
    duration = {"type": "string", "pattern": "^[0-9]{1,7}[smhdw]?$", "example": "2h"}
    mute_input = {
        "type": "object",
        "properties": {
            "for": duration,
            "until": time,
            "reason": {"type": "string", "maxLength": 200},
            "addedBy": {"type": "string", "description": "who mutes, without sign-in"},
        },
        "additionalProperties": False,
        "description": "Exactly one of `for` or `until` (at most 90 days ahead)",
    }
    return {
        "AlertMute": mute,
        "AlertMutes": envelope(
            {"targetAccountId": ACCOUNT_ID, "mutes": array("AlertMute")}
        ),
        "MuteInput": mute_input,
        "MuteChanged": envelope({"message": STRING, "mute": ref("AlertMute")}),
    }


def history_schemas() -> dict:
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
