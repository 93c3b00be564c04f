"""Source servers of one account and Region, generated on demand from their index.

Servers are never stored: index -> record is a pure, seeded function, so a fleet of
100 accounts x 3,000 servers costs nothing until a page of it is asked for.
Index layout: the account's own servers by state (REPLICATION_STATES order), then the
extended servers, grouped by staging account.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from services.simulator.specs import RegionSpec

_BITS = 68  # "s-" + 17 hex digits
_MASK = (1 << _BITS) - 1
_HALF = _BITS // 2
_M1 = 0x9E3779B97F4A7C15  # odd, so multiplying is a bijection modulo 2**68
_M2 = 0xBF58476D1CE4E5B9
_M1_INV = pow(_M1, -1, 1 << _BITS)
_M2_INV = pow(_M2, -1, 1 << _BITS)
_DAYS = tuple(
    f"2025-{1 + d % 12:02d}-{1 + d % 28:02d}T08:{d % 60:02d}:00Z" for d in range(84)
)
_LAST_SEEN = "2026-11-26T08:00:00Z"
_INSTANCE_TYPES = ("m5.large", "c5.xlarge", "r5.large", "t3.medium", "m6i.2xlarge")


@lru_cache(maxsize=4096)
def _id_base(account_id: str, region: str, seed: int) -> int:
    digest = hashlib.blake2b(f"{seed}/{account_id}/{region}".encode(), digest_size=9)
    return int.from_bytes(digest.digest(), "big") & _MASK


def server_number(base: int, index: int) -> int:
    """A bijective scramble of the index, so IDs look random yet invert exactly."""
    x = (index * _M1 + base) & _MASK
    x ^= x >> _HALF
    return (x * _M2) & _MASK


def server_index(base: int, number: int) -> int:
    x = (number * _M2_INV) & _MASK
    x ^= x >> _HALF
    return ((x - base) * _M1_INV) & _MASK


def server_id(account_id: str, region: str, index: int, seed: int) -> str:
    return f"s-{server_number(_id_base(account_id, region, seed), index):017x}"


def hostname(account_id: str, region: str, index: int) -> str:
    return f"app-{region}-{index:04d}.{account_id}.corp.example"


class RegionServers:
    """The servers one account holds in one Region (an immutable view of a RegionSpec)."""

    def __init__(self, account_id: str, region: str, spec: RegionSpec, seed: int):
        self.account_id = account_id
        self.region = region
        self.seed = seed
        self.base = _id_base(account_id, region, seed)
        self.state_blocks = _blocks(spec.counts)
        self.native_total = spec.native_servers
        self.extended_blocks = _blocks(spec.extended, start=self.native_total)
        self.total = self.native_total + spec.extended_servers
        self.arn_prefix = f"arn:aws:drs:{region}:{account_id}:source-server/"
        self.zone = f"{region}a"

    def index_of(self, source_server_id: str) -> int | None:
        """The index of one of this Region's IDs, else None."""
        if len(source_server_id) != 19 or not source_server_id.startswith("s-"):
            return None
        try:
            number = int(source_server_id[2:], 16)
        except ValueError:
            return None
        if source_server_id[2:] != f"{number:017x}":
            return None
        index = server_index(self.base, number)
        return index if index < self.total else None

    def extended_ranges(self, staging_ids) -> list[tuple[int, int]]:
        return [
            (a, b) for a, b, source in self.extended_blocks if source in staging_ids
        ]

    def records(self, start: int, stop: int) -> list[dict]:
        """Server records for indices start..stop-1."""
        page: list[dict] = []
        for a, b, state in self.state_blocks:
            if a < stop and start < b:
                self._fill(page, max(a, start), min(b, stop), state)
        for a, b, source in self.extended_blocks:
            if a < stop and start < b:
                self._fill(page, max(a, start), min(b, stop), "CONTINUOUS", source, a)
        return page

    def _fill(self, page, start, stop, state, source=None, first=0) -> None:
        """Append records start..stop-1; this loop is the hot path of every benchmark."""
        base, prefix, zone = self.base, self.arn_prefix, self.zone
        host_prefix = f"app-{self.region}-"
        host_suffix = f".{source or self.account_id}.corp.example"
        if source is not None:  # the k-th extended server is the staging one's k-th
            source_base = _id_base(source, self.region, self.seed)
            source_prefix = f"arn:aws:drs:{self.region}:{source}:source-server/s-"
        append = page.append
        for i in range(start, stop):
            x = (i * _M1 + base) & _MASK
            x ^= x >> _HALF
            sid = f"s-{(x * _M2) & _MASK:017x}"
            if source is None:
                name = f"{host_prefix}{i:04d}{host_suffix}"
                area = {"status": "NOT_EXTENDED"}
            else:
                k = i - first
                name = f"{host_prefix}{k:04d}{host_suffix}"
                area = {
                    "status": "EXTENDED",
                    "stagingAccountID": source,
                    "stagingSourceServerArn": f"{source_prefix}{server_number(source_base, k):017x}",
                }
            added = _DAYS[i % 84]
            append(
                {
                    "sourceServerID": sid,
                    "arn": prefix + sid,
                    "tags": {},
                    "lastLaunchResult": "NOT_STARTED",
                    "dataReplicationInfo": {
                        "dataReplicationState": state,
                        "stagingAvailabilityZone": zone,
                    },
                    "lifeCycle": {
                        "addedToServiceDateTime": added,
                        "lastSeenByServiceDateTime": _LAST_SEEN,
                    },
                    "sourceProperties": {
                        "identificationHints": {"hostname": name, "fqdn": name},
                        "lastUpdatedDateTime": added,
                        "recommendedInstanceType": _INSTANCE_TYPES[i % 5],
                    },
                    "stagingArea": area,
                    "replicationDirection": "FAILOVER",
                }
            )


def _blocks(counts, start: int = 0) -> tuple[tuple[int, int, str], ...]:
    blocks = []
    for key, n in counts:
        blocks.append((start, start + n, key))
        start += n
    return tuple(blocks)
