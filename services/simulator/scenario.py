"""Scenario files (SPEC §9): load, check and describe a simulated fleet.

Beyond SPEC §9: `roles` gives fleet accounts not registered at start the roleArn and/or
externalId AssumeRole must match; `description` is free text; `quotas` may also be
`"throttled"` for an account (see services/simulator/quotas.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services import inputs
from services.errors import InputError
from services.simulator.quotas import AccountQuotas, parse_quotas
from services.simulator.specs import (
    AccountSpec,
    ScenarioError,
    check_account_id,
    check_count,
    check_region,
    fail,
    parse_account_spec,
)

TOP_LEVEL_KEYS = (
    "description",
    "target",
    "staging",
    "fleet",
    "roles",
    "quotas",
    "latencyMs",
)
_ENTRY_KEYS = {
    "target": (("accountId", "accountName"), ("roleArn", "externalId")),
    "staging": (("accountId", "accountName", "roleArn"), ("externalId", "region")),
    "roles": ((), ("roleArn", "externalId")),
}


@dataclass(frozen=True)
class RoleTrust:
    """What AssumeRole into one account requires: a role ARN and/or an external ID."""

    role_arn: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, eq=False)
class Scenario:
    target: dict
    staging: list[dict]
    fleet: Mapping[str, AccountSpec]
    roles: Mapping[str, dict] = field(default_factory=dict)
    quotas: Mapping[str, AccountQuotas] = field(default_factory=dict)
    latency_ms: int = 0
    description: str = ""

    @property
    def regions(self) -> tuple[str, ...]:
        """Every Region named anywhere in the fleet, sorted."""
        return tuple(sorted({r for spec in self.fleet.values() for r in spec.regions}))

    def trust(self, account_id: str) -> RoleTrust:
        """The role and external ID the scenario demands for this account, if any."""
        entries = [s for s in self.staging if s["accountId"] == account_id]
        entries.append(self.roles.get(account_id, {}))
        if self.target["accountId"] == account_id:
            entries.append(self.target)
        for entry in entries:
            if entry.get("roleArn") or entry.get("externalId"):
                return RoleTrust(entry.get("roleArn"), entry.get("externalId"))
        return RoleTrust()


def load_scenario(source: str | os.PathLike | Mapping) -> Scenario:
    """A checked Scenario from a JSON file path or an already-parsed mapping."""
    if isinstance(source, Mapping):
        return parse_scenario(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    try:
        return parse_scenario(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{exc.message} (in {path})", path=exc.path) from None


def parse_scenario(data) -> Scenario:
    if not isinstance(data, Mapping):
        raise fail("$", f"expected an object, got {type(data).__name__}")
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise fail(key, f"unknown key; expected one of {', '.join(TOP_LEVEL_KEYS)}")
    if "target" not in data:
        raise fail("target", "missing")
    target = _entry(data["target"], "target", "target")
    staging = _staging(data.get("staging", []))
    fleet = _fleet(data.get("fleet", {}))
    roles = _roles(data.get("roles", {}))
    quotas = parse_quotas(data.get("quotas", {}))
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("description", f"expected a string, got {description!r}")
    _check_accounts_distinct(target, staging, roles)
    return Scenario(
        target=target,
        staging=staging,
        fleet=fleet,
        roles=roles,
        quotas=quotas,
        latency_ms=check_count(data.get("latencyMs", 0), "latencyMs"),
        description=description,
    )


def _entry(value, kind: str, path: str) -> dict:
    required, optional = _ENTRY_KEYS[kind]
    if not isinstance(value, Mapping):
        raise fail(path, f"expected an object, got {value!r}")
    for key in value:
        if key not in required and key not in optional:
            expected = ", ".join((*required, *optional))
            raise fail(f"{path}.{key}", f"unknown key; expected one of {expected}")
    for key in required:
        if key not in value:
            raise fail(f"{path}.{key}", "missing")
    entry = dict(value)
    if "accountId" in entry:
        check_account_id(entry["accountId"], f"{path}.accountId")
    if "accountName" in entry:
        name = entry["accountName"]
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
            raise fail(f"{path}.accountName", f"expected 1-64 characters, got {name!r}")
    if "roleArn" in entry:
        _check_role_arn(entry["roleArn"], entry.get("accountId"), f"{path}.roleArn")
    if "externalId" in entry:
        _check(inputs.external_id, entry["externalId"], f"{path}.externalId")
    if "region" in entry:
        check_region(entry["region"], f"{path}.region")
    return entry


def _check_role_arn(arn, account_id: str | None, path: str) -> None:
    account = _check(inputs.role_arn_account, arn, path)
    if account_id is not None and account != account_id:
        raise fail(path, f"role is in account {account}, not {account_id}")


def _check(rule, value, path: str):
    """The product's own input rule, its failure reported at the scenario's JSON path."""
    try:
        return rule(value)
    except InputError as exc:
        raise fail(path, exc.message) from None


def _staging(value) -> list[dict]:
    if not isinstance(value, list):
        raise fail("staging", f"expected a list, got {value!r}")
    return [_entry(item, "staging", f"staging[{i}]") for i, item in enumerate(value)]


def _fleet(value) -> dict[str, AccountSpec]:
    if not isinstance(value, Mapping):
        raise fail("fleet", f"expected an object of account ID to spec, got {value!r}")
    fleet = {}
    for account_id, spec in value.items():
        check_account_id(account_id, f"fleet.{account_id}")
        fleet[account_id] = parse_account_spec(spec, f"fleet.{account_id}")
    return fleet


def _roles(value) -> dict[str, dict]:
    if not isinstance(value, Mapping):
        raise fail("roles", f"expected an object of account ID to role, got {value!r}")
    roles = {}
    for account_id, entry in value.items():
        check_account_id(account_id, f"roles.{account_id}")
        roles[account_id] = _entry(entry, "roles", f"roles.{account_id}")
        if "roleArn" in entry:
            _check_role_arn(entry["roleArn"], account_id, f"roles.{account_id}.roleArn")
    return roles


def _check_accounts_distinct(target: dict, staging: list[dict], roles: Mapping) -> None:
    seen = {target["accountId"]}
    for i, entry in enumerate(staging):
        if entry["accountId"] in seen:
            raise fail(
                f"staging[{i}].accountId",
                f"{entry['accountId']} appears twice (or is the target)",
            )
        seen.add(entry["accountId"])
    for account_id in roles:
        if account_id in seen:
            raise fail(
                f"roles.{account_id}",
                "account is already the target or a "
                "staging account; put its roleArn/externalId there",
            )
