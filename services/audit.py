"""The audit log: every write (add or validate an account, remove a staging account) as
one JSON line on the `drs_capacity.audit` logger: who, what, on which accounts, result.

Values that come from the caller are written only when they have the shape they should
(a 12-digit account ID); anything else is recorded as "invalid", so a hostile value never
reaches the log. External IDs, role ARNs and request bodies are never written.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping

from services.identity import WRITE_OPERATIONS, current_identity

log = logging.getLogger("drs_capacity.audit")
_ACCOUNT_ID = re.compile(r"\d{12}")
# which payload fields name the accounts an operation is about
_ACCOUNT_FIELDS = ("targetAccountId", "stagingAccountId", "accountId")


def _account(value) -> str | None:
    if value is None:
        return None
    return (
        value if isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) else "invalid"
    )


def audit_record(operation: str, payload: Mapping, status: int, body) -> dict:
    """The audit record of one write: who (the signed-in user, or "no sign-in"), the
    operation, its accounts and its result (HTTP status and error code)."""
    identity = current_identity()
    record = {
        "event": "audit",
        "operation": operation,
        "who": identity.name if identity else None,
        "role": identity.role if identity else None,
        "signIn": identity.method if identity else "none",
    }
    for field in _ACCOUNT_FIELDS:
        account = _account(payload.get(field))
        if account is not None:
            record[field] = account
    error = body.get("error") if isinstance(body, Mapping) else None
    record["status"] = status
    record["result"] = "ok" if status < 400 else (error or {}).get("code", "error")
    return record


def audit(operation: str, payload: Mapping, status: int, body) -> None:
    """Log the write as one JSON line (reads are not audited)."""
    if operation in WRITE_OPERATIONS:
        record = audit_record(operation, payload, status, body)
        log.info(json.dumps(record, sort_keys=True))
