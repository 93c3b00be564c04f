"""Liveness and readiness answers for /api/health and /api/ready (issue 11, item 5).

Health proves the process answers and touches nothing. Ready reads the store (one
item by key: the cheapest read DynamoDB has), pings the shared cache (Redis) where there
is one, and says how old each target's last collection in this process is; 503 when
either cannot be read. Neither names a
table, a URL or a credential.
"""

from __future__ import annotations

import logging

from services.errors import NotFoundError
from services.responses import Response

log = logging.getLogger(__name__)
PROBE_ACCOUNT = "000000000000"  # never a real account: reading it costs one GetItem


def health() -> Response:
    return Response(200, {"success": True, "status": "ok"})


def readiness(backend) -> Response:
    """Ready when the store answers and so does the shared cache, where there is one
    (every request reads it); collection ages are for people."""
    store = _store_state(backend.store)
    cache = backend.service.cache_state()
    ready = store["reachable"] and cache["reachable"]
    body = {
        "success": ready,
        "status": "ready" if ready else "not-ready",
        "mode": backend.settings.mode or ("scenario" if backend.demo else "aws"),
        "store": store,
        "cache": cache,
        "collections": _collections(backend.collector),
    }
    return Response(200 if ready else 503, body)


def _store_state(store) -> dict:
    try:
        store.get_target(PROBE_ACCOUNT)
    except NotFoundError:
        pass  # the table answered
    except Exception as exc:  # unreachable, denied, missing table: not ready
        code = getattr(exc, "code", None) or type(exc).__name__
        log.warning("readiness: the store cannot be read (%s)", code)
        return {"reachable": False, "error": code}
    return {"reachable": True}


def _collections(collector) -> list[dict]:
    ages = collector.collection_ages()
    return [
        {"targetAccountId": target, "ageSeconds": round(max(age, 0.0), 1)}
        for target, age in sorted(ages.items())
    ]
