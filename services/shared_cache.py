"""State every worker and host shares through Redis (DRS_CAPACITY_CACHE_URL): the last
collection of each target, the single-flight lock, and why the last collection failed.

Readings travel as JSON (never pickle: whoever can write to Redis must not be able to
run code in the dashboard). The lock is `SET NX PX`, so a dead worker's lock expires.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from services.models import (
    AccountReading,
    ErrorInfo,
    LimitSource,
    Quota,
    RegionCapacity,
    RegionState,
    to_wire,
)

KEEP_SECONDS = 7 * 24 * 3600  # a collection outlives its TTL: stale-while-revalidate
FAILURE_SECONDS = 60  # long enough for every waiter to read why the holder failed

# land: cache the collection and free the lock, only while the lock is still ours
# (an invalidation deletes the lock, and an expired lock may be someone else's now)
_OURS = """
local held = redis.call('GET', KEYS[1])
if not held or cjson.decode(held).token ~= ARGV[1] then return 0 end
"""
_LAND = (
    _OURS
    + """
redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'meta', ARGV[2], 'readings', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
"""
)
# release: free the lock if it is still ours, saying why the collection failed
_RELEASE = (
    _OURS
    + """
redis.call('DEL', KEYS[1])
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1
"""
)


# -- readings as JSON -------------------------------------------------------------------


def readings_to_json(readings: Iterable[AccountReading]) -> str:
    return json.dumps([to_wire(r) for r in readings], separators=(",", ":"))


def readings_from_json(text: str) -> list[AccountReading]:
    return [_reading(item) for item in json.loads(text)]


def _reading(item: Mapping[str, Any]) -> AccountReading:
    return AccountReading(
        item["accountId"],
        item["accountName"],
        item["accountType"],
        bool(item["accessible"]),
        tuple(_region(r) for r in item.get("regions") or ()),
        _error(item.get("error")),
    )


def _region(item: Mapping[str, Any]) -> RegionCapacity:
    return RegionCapacity(
        item["region"],
        RegionState(item["state"]),
        int(item["totalServers"]),
        int(item["replicatingServers"]),
        int(item["extendedServers"]),
        {str(k): int(v) for k, v in item["byState"].items()},
        _error(item.get("error")),
        _quota(item.get("replicationLimit")),
        _quota(item.get("recoveryLimit")),
    )


def _error(item: Mapping[str, Any] | None) -> ErrorInfo | None:
    return None if item is None else ErrorInfo(str(item["code"]), str(item["message"]))


def _quota(item: Mapping[str, Any] | None) -> Quota | None:
    return (
        None if item is None else Quota(int(item["value"]), LimitSource(item["source"]))
    )


# -- the shared cache -------------------------------------------------------------------


class SharedCache:
    """One Redis for every worker: collections, the lock, failures (keys per target)."""

    def __init__(
        self,
        client,
        prefix: str = "drs-capacity",
        clock: Callable[[], float] = time.time,
    ):
        self._redis = client
        self._prefix = prefix
        self.now = clock  # wall clock: monotonic clocks do not agree between hosts
        self._land = client.register_script(_LAND)
        self._release = client.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, prefix: str = "drs-capacity") -> SharedCache:
        import redis  # only where a cache URL is set

        client = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
        )
        return cls(client, prefix)

    def ping(self) -> bool:
        return bool(self._redis.ping())

    def _key(self, kind: str, target_id: str) -> str:
        return f"{self._prefix}:{kind}:{target_id}"

    # collections: a hash of `meta` (small, read by every request) and `readings`

    def meta(self, target_id: str) -> dict | None:
        raw = self._redis.hget(self._key("collection", target_id), "meta")
        return None if raw is None else json.loads(raw)

    def load(self, target_id: str) -> tuple[dict, list[AccountReading]] | None:
        meta, readings = self._redis.hmget(
            self._key("collection", target_id), ["meta", "readings"]
        )
        if meta is None or readings is None:
            return None
        return json.loads(meta), readings_from_json(readings)

    def land(
        self, target_id: str, token: str, meta: dict, readings: list[AccountReading]
    ) -> bool:
        """Cache a collection and free the lock; False when the lock is no longer ours
        (invalidated, or expired and taken over): then nothing is cached."""
        keys = [self._key("lock", target_id), self._key("collection", target_id)]
        args = [
            token,
            json.dumps(meta),
            readings_to_json(readings),
            KEEP_SECONDS * 1000,
        ]
        return bool(self._land(keys=keys, args=args))

    # the single flight's lock

    def acquire(self, target_id: str, forced: bool, seconds: float) -> str | None:
        """Become the one collector of `target_id` for at most `seconds` (None: taken)."""
        token = uuid.uuid4().hex
        value = json.dumps({"token": token, "forced": forced, "at": self.now()})
        taken = self._redis.set(
            self._key("lock", target_id), value, nx=True, px=max(1, int(seconds * 1000))
        )
        return token if taken else None

    def holder(self, target_id: str) -> dict | None:
        raw = self._redis.get(self._key("lock", target_id))
        return None if raw is None else json.loads(raw)

    def release(
        self, target_id: str, token: str, failure: ErrorInfo | None = None
    ) -> bool:
        """Free the lock if it is still ours; a failure is kept for the waiters."""
        record = (
            ""
            if failure is None
            else json.dumps({"token": token, "at": self.now(), **to_wire(failure)})
        )
        keys = [self._key("lock", target_id), self._key("failure", target_id)]
        args = [token, record, FAILURE_SECONDS * 1000]
        return bool(self._release(keys=keys, args=args))

    def failure(self, target_id: str) -> tuple[str, ErrorInfo, float] | None:
        """The token of the last failed collection, why and when (the shared clock's
        seconds) it failed."""
        raw = self._redis.get(self._key("failure", target_id))
        if raw is None:
            return None
        record = json.loads(raw)
        info = ErrorInfo(record["code"], record["message"])
        return record["token"], info, float(record.get("at", 0.0))

    def region_memory(self) -> SharedRegionMemory:
        return SharedRegionMemory(self._redis, self._prefix)

    def invalidate(self, target_id: str) -> None:
        """Forget the collection and free the lock: a running collection's config is
        stale, so it will not be cached (its lock is gone) and the next asker collects."""
        self._redis.delete(
            self._key("collection", target_id),
            self._key("lock", target_id),
            self._key("failure", target_id),
        )


class SharedRegionMemory:
    """The collector's memory of empty Regions (uninitialized, not enabled), shared:
    a Region one worker found empty is skipped by every worker until its rescan is due
    (the key expires then)."""

    def __init__(self, client, prefix: str):
        self._redis = client
        self._prefix = prefix

    def _key(self, key: tuple[str, str]) -> str:
        account_id, region = key
        return f"{self._prefix}:empty:{account_id}:{region}"

    def recall(self, key: tuple[str, str]) -> RegionState | None:
        raw = self._redis.get(self._key(key))
        return None if raw is None else RegionState(raw.decode())

    def remember(self, key: tuple[str, str], state: RegionState, seconds: float):
        self._redis.set(self._key(key), state.value, px=max(1, int(seconds * 1000)))

    def forget(self, key: tuple[str, str]) -> None:
        self._redis.delete(self._key(key))
