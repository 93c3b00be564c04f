"""Hypothesis strategies for the capacity domain (SPEC §3): Regions, account readings, limits.

Counts are built from a population of servers, so every `ok` Region is consistent by
construction: `total = Σ byState`, extended servers are in `total` and `extended` but never
in `replicating`, and only states outside the non-counting set replicate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from services.capacity import Limits
from services.models import AccountReading, ErrorInfo, RegionCapacity, RegionState
from services.settings import REPLICATION_STATES

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
NON_REPLICATING = frozenset({"STOPPED", "DISCONNECTED"})  # SPEC §3 default
REGION_ERRORS = (
    ErrorInfo("AWS_THROTTLED", "Rate exceeded after retries"),
    ErrorInfo("AWS_UNREACHABLE", "Read timeout on the DRS endpoint"),
    ErrorInfo("ROLE_NOT_ACCESSIBLE", "AccessDenied on DescribeSourceServers"),
)
ACCOUNT_ERRORS = (
    ErrorInfo("ROLE_NOT_ACCESSIBLE", "AssumeRole denied: check trust policy"),
    ErrorInfo("CREDENTIALS_INVALID", "The dashboard's own credentials are invalid"),
)


# --- plain builders (also handy in example-based tests) ---------------------------------


def region_from_servers(
    region: str,
    plain: Mapping[str, int] | None = None,
    extended: Mapping[str, int] | None = None,
    non_replicating: frozenset[str] = NON_REPLICATING,
) -> RegionCapacity:
    """An `ok` Region holding `plain` and `extended` servers per replication state."""
    plain, extended = dict(plain or {}), dict(extended or {})
    by_state = {s: plain.get(s, 0) + extended.get(s, 0) for s in REPLICATION_STATES}
    return RegionCapacity(
        region=region,
        state=RegionState.OK,
        total_servers=sum(by_state.values()),
        replicating_servers=sum(
            n for s, n in plain.items() if s not in non_replicating
        ),
        extended_servers=sum(extended.values()),
        by_state=by_state,
    )


def replicating_region(region: str, replicating: int) -> RegionCapacity:
    """An `ok` Region with exactly `replicating` CONTINUOUS servers and nothing else."""
    return region_from_servers(region, {"CONTINUOUS": replicating})


def empty_region(region: str, state: RegionState) -> RegionCapacity:
    """An uninitialized or not-enabled Region: it counts zero (SPEC §3)."""
    return RegionCapacity(region, state)


def error_region(region: str, error: ErrorInfo = REGION_ERRORS[0]) -> RegionCapacity:
    return RegionCapacity(region, RegionState.ERROR, error=error)


def reading(
    account_id: str,
    regions: Sequence[RegionCapacity] = (),
    account_type: str = "staging",
    name: str | None = None,
) -> AccountReading:
    """An accessible account's reading."""
    return AccountReading(
        account_id,
        name or f"acct-{account_id[-4:]}",
        account_type,
        True,
        tuple(regions),
    )


def unreachable(
    account_id: str,
    account_type: str = "staging",
    error: ErrorInfo = ACCOUNT_ERRORS[0],
    name: str | None = None,
) -> AccountReading:
    """An account whose credentials could not be obtained."""
    return AccountReading(
        account_id, name or f"acct-{account_id[-4:]}", account_type, False, (), error
    )


# --- strategies ---------------------------------------------------------------------------

account_ids = st.integers(0, 10**12 - 1).map(lambda n: f"{n:012d}")
account_names = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20
)
COUNTING_STATES = tuple(s for s in REPLICATION_STATES if s not in NON_REPLICATING)


@st.composite
def ok_regions(draw, region: str | None = None, scale: int = 100):
    """A Region that was read, holding up to about `scale` replicating servers; may be empty.

    Replicating servers are split over two counting states; stopped, disconnected and
    extended servers (any state) come on top.
    """
    name = region or draw(st.sampled_from(REGIONS))
    # Half the time in the top third, where the bands are (200–300 of 300).
    replicating = draw(st.integers(0, scale) | st.integers(scale * 2 // 3, scale))
    first = draw(st.integers(0, replicating))
    a, b = (
        draw(st.sampled_from(COUNTING_STATES)),
        draw(st.sampled_from(COUNTING_STATES)),
    )
    plain = {a: first}
    plain[b] = plain.get(b, 0) + replicating - first
    small = st.integers(0, max(scale // 4, 1))
    for state in draw(st.sets(st.sampled_from(sorted(NON_REPLICATING)))):
        plain[state] = draw(small)
    extended = {draw(st.sampled_from(REPLICATION_STATES)): draw(small)}
    return region_from_servers(name, plain, extended)


def error_regions(region: str | None = None) -> st.SearchStrategy[RegionCapacity]:
    name = st.just(region) if region else st.sampled_from(REGIONS)
    return st.builds(error_region, name, st.sampled_from(REGION_ERRORS))


def uninitialized_regions(region: str | None = None):
    name = st.just(region) if region else st.sampled_from(REGIONS)
    return name.map(lambda r: empty_region(r, RegionState.UNINITIALIZED))


def not_enabled_regions(region: str | None = None):
    name = st.just(region) if region else st.sampled_from(REGIONS)
    return name.map(lambda r: empty_region(r, RegionState.NOT_ENABLED))


REGION_KINDS = ("ok", "ok", "ok", "uninitialized", "not-enabled", "error")


@st.composite
def region_capacities(draw, region: str, *, errors: bool = True, scale: int = 100):
    """One Region in any of the four states (mostly `ok`)."""
    kinds = REGION_KINDS if errors else REGION_KINDS[:-1]
    kind = draw(st.sampled_from(kinds))
    if kind == "ok":
        return draw(ok_regions(region, scale))
    if kind == "error":
        return error_region(region, draw(st.sampled_from(REGION_ERRORS)))
    return empty_region(region, RegionState(kind))


@st.composite
def region_sets(draw, *, errors: bool = True, scale: int = 100, min_size: int = 0):
    """An account's Regions: distinct names, each in some state."""
    names = draw(
        st.lists(st.sampled_from(REGIONS), unique=True, min_size=min_size, max_size=3)
    )
    return tuple(draw(region_capacities(n, errors=errors, scale=scale)) for n in names)


@st.composite
def accessible_readings(
    draw, account_id=None, account_type="staging", *, errors=True, scale=100
):
    return AccountReading(
        account_id or draw(account_ids),
        draw(account_names),
        account_type,
        True,
        draw(region_sets(errors=errors, scale=scale)),
    )


@st.composite
def inaccessible_readings(draw, account_id=None, account_type="staging"):
    return unreachable(
        account_id or draw(account_ids),
        account_type,
        draw(st.sampled_from(ACCOUNT_ERRORS)),
        draw(account_names),
    )


@st.composite
def account_readings(
    draw,
    *,
    min_staging: int = 0,
    max_staging: int = 3,
    inaccessible: bool = True,
    errors: bool = True,
    scale: int = 100,
) -> list[AccountReading]:
    """One collection: the target first, then its staging accounts (distinct IDs)."""
    ids = draw(
        st.lists(account_ids, min_size=min_staging + 1, max_size=max_staging + 1,
                 unique=True)
    )  # fmt: skip
    readings = []
    for index, account_id in enumerate(ids):
        kind = "target" if index == 0 else "staging"
        # About one account in four cannot be read.
        if inaccessible and draw(st.sampled_from((False, False, False, True))):
            readings.append(draw(inaccessible_readings(account_id, kind)))
        else:
            readings.append(
                draw(accessible_readings(account_id, kind, errors=errors, scale=scale))
            )
    return readings


replication_limits = st.one_of(
    st.just(300), st.sampled_from((7, 15, 600)), st.integers(1, 400)
)
limits = st.builds(
    Limits,
    replication=replication_limits,
    recovery=st.one_of(st.just(4000), st.integers(1, 1000)),
)


@st.composite
def fleets(draw, *, min_staging: int = 0, inaccessible: bool = True):
    """(readings, limits) with counts scaled to the limits, so every band shows up."""
    replication = draw(replication_limits)
    recovery = draw(st.just(4000) | st.integers(1, 3 * replication + 10))
    readings = draw(
        account_readings(
            min_staging=min_staging, inaccessible=inaccessible, scale=replication
        )
    )
    return readings, Limits(replication, recovery)
