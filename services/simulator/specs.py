"""Fleet specs of a scenario (SPEC §9): one account, one Region, parsed and checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from services.settings import DEFAULT_ENABLED_REGIONS, REPLICATION_STATES, drs_regions

ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)

# Error codes a Region may answer with, and the HTTP status real AWS gives them.
DRS_ERROR_STATUS = MappingProxyType(
    {
        "ThrottlingException": 429,
        "AccessDeniedException": 403,
        "InternalServerException": 500,
        "ValidationException": 400,
        "ResourceNotFoundException": 404,
        "ConflictException": 409,
        "ServiceQuotaExceededException": 402,
        "UnrecognizedClientException": 403,
        "ExpiredTokenException": 403,
    }
)
# Faults that are not HTTP answers: the connection times out or cannot be made.
TRANSPORT_FAULTS = frozenset({"timeout", "unreachable"})


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message begins with the JSON path at fault."""

    def __init__(self, message: str, *, path: str = ""):
        super().__init__(message)
        self.message = message
        self.path = path


def fail(path: str, problem: str) -> ScenarioError:
    return ScenarioError(f"{path}: {problem}", path=path)


@dataclass(frozen=True)
class RegionSpec:
    """One account's DRS in one Region: servers by state, or how the Region fails."""

    kind: str  # "ok" | "uninitialized" | "not-enabled" | "error"
    counts: tuple[tuple[str, int], ...] = ()  # replication state -> servers, in order
    extended: tuple[tuple[str, int], ...] = ()  # staging account -> extended servers
    error_code: str | None = None

    @property
    def native_servers(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def extended_servers(self) -> int:
        return sum(n for _, n in self.extended)


UNINITIALIZED = RegionSpec("uninitialized")
NOT_ENABLED = RegionSpec("not-enabled")


@dataclass(frozen=True)
class AccountSpec:
    """One account of the fleet: its Regions, or inaccessible to AssumeRole."""

    inaccessible: bool = False
    regions: Mapping[str, RegionSpec] = field(default_factory=dict)

    def region(self, name: str) -> RegionSpec:
        return self.regions.get(name, UNINITIALIZED)


INACCESSIBLE = AccountSpec(inaccessible=True)


def check_account_id(value, path: str) -> str:
    if not isinstance(value, str) or not ACCOUNT_ID.fullmatch(value):
        raise fail(path, f"expected 12 digits, got {value!r}")
    return value


def check_region(name, path: str) -> str:
    if not isinstance(name, str) or name not in drs_regions():
        raise fail(path, f"not a Region where DRS is offered: {name!r}")
    return name


def check_count(value, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(path, f"expected a non-negative integer, got {value!r}")
    return value


def parse_account_spec(value, path: str) -> AccountSpec:
    """`"inaccessible"` or a mapping of Region name to Region spec."""
    if value == "inaccessible":
        return INACCESSIBLE
    if not isinstance(value, Mapping):
        raise fail(
            path, f'expected "inaccessible" or an object of Regions, got {value!r}'
        )
    regions = {}
    for name, spec in value.items():
        check_region(name, f"{path}.{name}")
        regions[name] = parse_region_spec(spec, f"{path}.{name}", name)
    return AccountSpec(regions=MappingProxyType(dict(sorted(regions.items()))))


def parse_region_spec(value, path: str, region: str | None = None) -> RegionSpec:
    """A Region's spec: counts by state, "uninitialized", "not-enabled" or an error."""
    if value == "uninitialized":
        return UNINITIALIZED
    if value == "not-enabled":
        if region in DEFAULT_ENABLED_REGIONS:
            raise fail(
                path,
                f"{region} is enabled in every account: only opt-in Regions can be "
                '"not-enabled"',
            )
        return NOT_ENABLED
    if not isinstance(value, Mapping):
        raise fail(
            path,
            'expected an object of state counts, "uninitialized", "not-enabled" or '
            f'{{"error": CODE}}, got {value!r}',
        )
    if "error" in value:
        return _parse_error_spec(value, path)
    counts = dict.fromkeys(REPLICATION_STATES, 0)
    extended: tuple[tuple[str, int], ...] = ()
    for key, count in value.items():
        if key == "extended":
            extended = _parse_extended(count, f"{path}.extended")
        elif key in counts:
            counts[key] = check_count(count, f"{path}.{key}")
        else:
            expected = ", ".join((*REPLICATION_STATES, "extended", "error"))
            raise fail(f"{path}.{key}", f"unknown key; expected one of {expected}")
    kept = tuple((state, n) for state, n in counts.items() if n)
    return RegionSpec("ok", counts=kept, extended=extended)


def _parse_error_spec(value: Mapping, path: str) -> RegionSpec:
    extra = sorted(set(value) - {"error"})
    if extra:
        raise fail(f"{path}.{extra[0]}", 'unknown key beside "error"')
    code = value["error"]
    if code not in DRS_ERROR_STATUS and code not in TRANSPORT_FAULTS:
        known = ", ".join((*DRS_ERROR_STATUS, *sorted(TRANSPORT_FAULTS)))
        raise fail(
            f"{path}.error", f"unknown error code {code!r}; expected one of {known}"
        )
    return RegionSpec("error", error_code=code)


def _parse_extended(value, path: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, Mapping):
        raise fail(
            path, f"expected an object of staging account ID to count, got {value!r}"
        )
    extended = {}
    for source, count in value.items():
        check_account_id(source, f"{path}.{source}")
        extended[source] = check_count(count, f"{path}.{source}")
    return tuple(sorted((s, n) for s, n in extended.items() if n))
