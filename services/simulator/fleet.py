"""The simulated fleet's current state: account specs that tests may change at run time."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType

from services.simulator.servers import RegionServers
from services.simulator.specs import UNINITIALIZED, AccountSpec, RegionSpec


class Fleet:
    """Account specs by ID, and the server views built from them (thread-safe)."""

    def __init__(self, accounts: Mapping[str, AccountSpec], seed: int):
        self.seed = seed
        self._lock = threading.Lock()
        self._accounts = dict(accounts)
        self._servers: dict[tuple[str, str], tuple[RegionSpec, RegionServers]] = {}

    def account(self, account_id: str) -> AccountSpec | None:
        return self._accounts.get(account_id)

    def servers(self, account_id: str, region: str) -> RegionServers:
        """The servers an account holds in a Region ("ok" or not: none if not ok)."""
        account = self._accounts.get(account_id)
        spec = account.region(region) if account else UNINITIALIZED
        cached = self._servers.get((account_id, region))
        if cached is not None and cached[0] is spec:
            return cached[1]
        servers = RegionServers(account_id, region, spec, self.seed)
        with self._lock:
            self._servers[(account_id, region)] = (spec, servers)
        return servers

    def set_account(self, account_id: str, spec: AccountSpec) -> None:
        with self._lock:
            self._accounts[account_id] = spec

    def set_region(self, account_id: str, region: str, spec: RegionSpec) -> None:
        """Replace one Region's spec; an inaccessible or unknown account becomes readable."""
        with self._lock:
            self._replace_region(account_id, region, spec)

    def initialize(self, account_id: str, region: str) -> None:
        """InitializeService: an uninitialized Region becomes initialized and empty."""
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None or account.region(region).kind == "uninitialized":
                self._replace_region(account_id, region, RegionSpec("ok"))

    def _replace_region(self, account_id: str, region: str, spec: RegionSpec) -> None:
        account = self._accounts.get(account_id)
        regions = dict(account.regions) if account else {}
        regions[region] = spec
        self._accounts[account_id] = AccountSpec(
            regions=MappingProxyType(dict(sorted(regions.items())))
        )
