"""Live DRS limits of one account × Region from Service Quotas, cached (SPEC §4.1).

GetServiceQuota gives the applied value; where none is applied (NoSuchResourceException),
GetAWSDefaultServiceQuota gives AWS's default; where Service Quotas cannot be read at all,
the product's setting stands in (or, for two TTLs at most, the value it last gave).
Reading a quota never fails: it falls back and says so in the log.

AWS's default is the same for every account of a Region, so it is read once per Region ×
quota and TTL, by whichever account needs it first, while the others wait for that read:
on a first collection of 100 accounts it is 6 calls, not 300.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.aws import ACCESS_DENIED, classify
from services.models import LimitSource, Quota
from services.settings import RECOVERY_QUOTA_CODE, REPLICATION_QUOTA_CODE, Settings

SERVICE = "service-quotas"
SERVICE_CODE = "drs"
# The setting that stands in for each quota when it is not read.
SETTING_OF = {
    REPLICATION_QUOTA_CODE: "replication_limit",
    RECOVERY_QUOTA_CODE: "max_recovery_instances",
}
# A fallback caused by an error is kept this long (at most the TTL), then read again.
# Refreshes come every 30 s: asking a throttled API again at each one would feed the
# throttling (up to 120 reads an hour per quota, account and Region), while keeping a
# fallback for the full hour would show a stand-in long after a blip has passed. Five
# minutes caps retries at 12 an hour and heals a transient failure within ten refreshes.
ERROR_RETRY_SECONDS = 300.0

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    quota: Quota
    expires_at: float
    read_at: float | None  # when Service Quotas last answered for this key


class QuotaReader:
    """Reads and caches quotas per (account, Region, quota code); thread-safe."""

    def __init__(
        self,
        gateway,  # services.gateway.AwsGateway
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._aws = gateway
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str, str], _Entry] = {}
        # (Region, quota code) -> AWS's default and when it expires; one read at a time
        self._defaults: dict[tuple[str, str], tuple[int, float]] = {}
        self._default_locks: dict[tuple[str, str], threading.Lock] = {}

    def replication_limit(self, account_id: str, region: str, access=None) -> Quota:
        return self.read(account_id, region, REPLICATION_QUOTA_CODE, access)

    def recovery_limit(self, account_id: str, region: str, access=None) -> Quota:
        return self.read(account_id, region, RECOVERY_QUOTA_CODE, access)

    def read(self, account_id: str, region: str, code: str, access=None) -> Quota:
        """The quota as cached, or read now with `access` (None = our own credentials)."""
        if self._settings.limits_source == "setting":
            return self.setting(code)
        key = (account_id, region, code)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached.expires_at > now:
            return cached.quota
        try:
            quota = self._fetch(region, code, access)
            entry = _Entry(quota, now + self._settings.quota_ttl_seconds, now)
        except Exception as exc:  # any failure: fall back, never fail the Region
            entry = self._fallback(key, cached, now, exc)
        with self._lock:
            self._cache[key] = entry
        return entry.quota

    def setting(self, code: str) -> Quota:
        return Quota(getattr(self._settings, SETTING_OF[code]), LimitSource.SETTING)

    def _fetch(self, region: str, code: str, access) -> Quota:
        with self._aws.acting_as(access):
            client = self._aws.client(SERVICE, region)
            try:
                answer = client.get_service_quota(
                    ServiceCode=SERVICE_CODE, QuotaCode=code
                )
                source = LimitSource.APPLIED
            except client.exceptions.NoSuchResourceException:  # nothing applied
                return Quota(
                    self._aws_default(client, region, code), LimitSource.AWS_DEFAULT
                )
        return Quota(whole_servers(answer["Quota"].get("Value")), source)

    def _aws_default(self, client, region: str, code: str) -> int:
        """AWS's default in `region`, read once per TTL whoever asks (a failed read is
        not kept: each account that needs it falls back on its own, and says so)."""
        key = (region, code)
        with self._lock:
            lock = self._default_locks.setdefault(key, threading.Lock())
        with lock:  # the accounts asking at once wait for one read
            known = self._defaults.get(key)
            if known is not None and known[1] > self._clock():
                return known[0]
            answer = client.get_aws_default_service_quota(
                ServiceCode=SERVICE_CODE, QuotaCode=code
            )
            value = whole_servers(answer["Quota"].get("Value"))
            self._defaults[key] = (
                value,
                self._clock() + self._settings.quota_ttl_seconds,
            )
            return value

    def _fallback(self, key, cached: _Entry | None, now: float, exc) -> _Entry:
        """The setting, retried after ERROR_RETRY_SECONDS. A value Service Quotas gave
        within the last two TTLs is kept instead: a raised quota must not flip to the
        stand-in (and the status to a false alarm) for one throttled read."""
        account_id, region, code = key
        ttl = self._settings.quota_ttl_seconds
        retry = min(ttl, ERROR_RETRY_SECONDS)
        fresh = cached is not None and cached.read_at is not None
        if fresh and now - cached.read_at <= 2 * ttl:
            entry = _Entry(cached.quota, now + retry, cached.read_at)
            kept = f"keeping {entry.quota.value} ({entry.quota.source}) read earlier"
        else:
            entry = _Entry(self.setting(code), now + retry, None)
            kept = f"using the setting {entry.quota.value}"
        error = classify(exc, operation="service_quotas", region=region)
        hint = _HINTS.get(error.code, "")
        _log.warning(
            "Service Quotas %s of account %s in %s not read (%s%s): %s; "
            "read again in %d s%s",
            code,
            account_id,
            region,
            error.code,
            f" {error.aws_code}" if error.aws_code else "",
            kept,
            retry,
            hint,
        )
        return entry


_HINTS = {
    ACCESS_DENIED: (
        "; grant servicequotas:GetServiceQuota and "
        "servicequotas:GetAWSDefaultServiceQuota, or set DRS_CAPACITY_LIMITS_SOURCE=setting"
    )
}


def whole_servers(value) -> int:
    """A quota value (a double in the API) as a count of servers: a fraction of a server
    cannot replicate, so it rounds down; anything not a non-negative number is refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"quota value is not a number: {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"quota value out of range: {value!r}")
    return math.floor(value)
