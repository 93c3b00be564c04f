"""Simulated DRS: the few operations the dashboard uses, with real paging and faults."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence

from services.simulator import faults
from services.simulator.fleet import Fleet
from services.simulator.servers import RegionServers, hostname, server_id
from services.simulator.specs import DRS_ERROR_STATUS, UNINITIALIZED, RegionSpec

Ranges = Sequence[tuple[int, int]]


class SimulatedDrs:
    def __init__(self, fleet: Fleet):
        self._fleet = fleet
        self._operations: dict[str, Callable[[str, str, RegionSpec, dict], dict]] = {
            "DescribeSourceServers": self.describe_source_servers,
            "ListStagingAccounts": self.list_staging_accounts,
            "ListExtensibleSourceServers": self.list_extensible_source_servers,
            "InitializeService": self.initialize_service,
        }

    def call(self, operation: str, account_id: str, region: str, params: dict) -> dict:
        """Answer one call made with credentials of `account_id` in `region`."""
        answer = self._operations.get(operation)
        if answer is None:
            raise NotImplementedError(
                f"the simulated DRS does not implement {operation}"
            )
        account = self._fleet.account(account_id)
        if account is not None and account.inaccessible:
            raise faults.region_error("AccessDeniedException", 403, operation)
        spec = account.region(region) if account else UNINITIALIZED
        _raise_region_fault(spec, operation, region)
        return answer(account_id, region, spec, params)

    def describe_source_servers(self, account_id, region, spec, params) -> dict:
        limit = params.get("maxResults", 1000)
        if limit > 1000:
            raise faults.validation("maxResults must be between 1 and 1000")
        filters = params.get("filters") or {}
        if filters.get("hardwareId"):
            raise NotImplementedError("the simulated DRS does not filter by hardwareId")
        servers = self._fleet.servers(account_id, region)
        ranges = _selection(servers, filters)
        return _page(ranges, params.get("nextToken"), limit, "items", servers.records)

    def list_staging_accounts(self, account_id, region, spec, params) -> dict:
        accounts = [(i, i + 1) for i in range(len(spec.extended))]

        def build(start: int, stop: int) -> list[dict]:
            return [{"accountID": spec.extended[i][0]} for i in range(start, stop)]

        return _page(
            accounts,
            params.get("nextToken"),
            params.get("maxResults", 50),
            "accounts",
            build,
        )

    def list_extensible_source_servers(self, account_id, region, spec, params) -> dict:
        staging_id = params["stagingAccountID"]
        if staging_id == account_id:
            raise faults.validation("stagingAccountID must not be the caller's account")
        staging = self._fleet.account(staging_id)
        if staging is None or staging.inaccessible:
            raise faults.region_error(
                "AccessDeniedException", 403, "ListExtensibleSourceServers"
            )
        already = dict(spec.extended).get(staging_id, 0)
        total = staging.region(region).native_servers
        seed = self._fleet.seed

        def build(start: int, stop: int) -> list[dict]:
            prefix = f"arn:aws:drs:{region}:{staging_id}:source-server/"
            return [
                {
                    "arn": prefix + server_id(staging_id, region, k, seed),
                    "hostname": hostname(staging_id, region, k),
                    "tags": {},
                }
                for k in range(start, stop)
            ]

        ranges = [(already, total)] if already < total else []
        return _page(
            ranges,
            params.get("nextToken"),
            params.get("maxResults", 300),
            "items",
            build,
        )

    def initialize_service(self, account_id, region, spec, params) -> dict:
        self._fleet.initialize(account_id, region)
        return {}


def _raise_region_fault(spec: RegionSpec, operation: str, region: str) -> None:
    if spec.kind == "ok":
        return
    if spec.kind == "uninitialized":
        if operation != "InitializeService":
            raise faults.uninitialized()
    elif spec.kind == "not-enabled":
        raise faults.not_enabled()
    elif spec.error_code in DRS_ERROR_STATUS:
        status = DRS_ERROR_STATUS[spec.error_code]
        raise faults.region_error(spec.error_code, status, operation)
    else:
        raise faults.transport_fault(spec.error_code, region, operation)


def _selection(servers: RegionServers, filters: dict) -> Ranges:
    """The index ranges the filters keep, in index order."""
    ranges: Ranges = [(0, servers.total)]
    if filters.get("stagingAccountIDs"):
        ranges = servers.extended_ranges(set(filters["stagingAccountIDs"]))
    if filters.get("sourceServerIDs"):
        found = {servers.index_of(sid) for sid in filters["sourceServerIDs"]}
        ranges = [
            (i, i + 1)
            for i in sorted(found - {None})
            if any(a <= i < b for a, b in ranges)
        ]
    return ranges


def _page(
    ranges: Ranges,
    token: str | None,
    limit: int,
    key: str,
    build: Callable[[int, int], list],
) -> dict:
    """One page of at most `limit` items from the ranges, resuming after `token`."""
    offset = _decode_token(token)
    items: list = []
    skip = offset
    for a, b in ranges:
        if skip >= b - a:
            skip -= b - a
            continue
        start, skip = a + skip, 0
        stop = min(b, start + limit - len(items))
        items.extend(build(start, stop))
        if len(items) >= limit:
            break
    answer = {key: items}
    if offset + len(items) < sum(b - a for a, b in ranges):
        answer["nextToken"] = _encode_token(offset + len(items))
    return answer


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"drs-sim:{offset}".encode()).decode()


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, offset = text.split(":")
        if prefix == "drs-sim" and offset.isdigit():
            return int(offset)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise faults.validation("Invalid nextToken")
