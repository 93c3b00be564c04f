"""Hypothesis strategies for the capacity domain (SPEC §3, §4.1): Regions, account readings
with per account × Region limits, and the settings' limits.

Counts are built from a population of servers, so every `ok` Region is consistent by
construction: `total = Σ byState`, extended servers are in `total` and `extended` but never
in `replicating`, and only states outside the non-counting set replicate.

Limits follow the collector's contract (SPEC §4.1): a quota is read only for an `ok`
Region (`replication_limit`, and `recovery_limit` for the target); None means Service
Quotas gave nothing and the setting applies. Counts are scaled to each unit's own limit, so
every band of every unit shows up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from services.capacity import Limits
from services.models import (
    AccountReading,
    ErrorInfo,
    LimitSource,
    Quota,
    RegionCapacity,
    RegionState,
)
from services.settings import REPLICATION_STATES

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
NON_REPLICATING = frozenset({"STOPPED", "DISCONNECTED"})  # SPEC §3 default
AWS_DEFAULT_REPLICATION = 300  # SPEC §1: AWS's default of L-C1D14A2B
AWS_DEFAULT_RECOVERY = 4000  # SPEC §1: AWS's default of L-E28BE5E0
# Raised and lowered quotas worth hitting on purpose (SPEC §4.2 examples and odd ones).
NOTABLE_LIMITS = (7, 100, 250, 300, 500, 1000)
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


def applied(value: int) -> Quota:
    """An applied Service Quotas value (raised or lowered)."""
    return Quota(value, LimitSource.APPLIED)


def aws_default(value: int = AWS_DEFAULT_REPLICATION) -> Quota:
    """AWS's default, read where nothing is applied."""
    return Quota(value, LimitSource.AWS_DEFAULT)


def region_from_servers(
    region: str,
    plain: Mapping[str, int] | None = None,
    extended: Mapping[str, int] | None = None,
    non_replicating: frozenset[str] = NON_REPLICATING,
    *,
    limit: Quota | None = None,
    recovery_limit: Quota | None = None,
) -> RegionCapacity:
    """An `ok` Region holding `plain` and `extended` servers per replication state, with
    its quotas as read (None: the setting applies)."""
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
        replication_limit=limit,
        recovery_limit=recovery_limit,
    )


def replicating_region(
    region: str,
    replicating: int,
    *,
    limit: Quota | None = None,
    recovery_limit: Quota | None = None,
) -> RegionCapacity:
    """An `ok` Region with exactly `replicating` CONTINUOUS servers and nothing else."""
    return region_from_servers(
        region,
        {"CONTINUOUS": replicating},
        limit=limit,
        recovery_limit=recovery_limit,
    )


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

NO_QUOTA: st.SearchStrategy[Quota | None] = st.none()  # the setting everywhere
limit_values = st.one_of(st.sampled_from(NOTABLE_LIMITS), st.integers(1, 1200))
applied_quotas = limit_values.map(applied)
# L(a, r) as the collector reads it: nothing (the setting), AWS's default, or applied.
replication_quotas = st.one_of(
    st.none(), st.just(aws_default()), applied_quotas, applied_quotas
)
# With every limit 300: the seed's world, whatever the source says.
uniform_300_quotas = st.sampled_from(
    (None, aws_default(), applied(AWS_DEFAULT_REPLICATION))
)


def recovery_quotas_for(total: int) -> st.SearchStrategy[Quota | None]:
    """RL(t, r) for a target Region holding `total` servers: nothing, AWS's default, or
    an applied value mostly near `total` so that the recovery bands (80 %, 90 %) show."""
    near = st.integers(max(total, 1), max(total, 1) * 3 // 2 + 2)
    return st.one_of(
        st.none(),
        st.just(aws_default(AWS_DEFAULT_RECOVERY)),
        near.map(applied),
        near.map(applied),
        st.integers(1, 5000).map(applied),
    )


@st.composite
def ok_regions(
    draw,
    region: str | None = None,
    scale: int = 100,
    *,
    quotas: st.SearchStrategy[Quota | None] = NO_QUOTA,
    recovery: bool = False,
):
    """A Region that was read, with its quota drawn from `quotas`; it holds up to about
    its own limit (the quota's value, else `scale`) of replicating servers; may be empty.

    Replicating servers are split over two counting states; stopped, disconnected and
    extended servers (any state) come on top. With `recovery`, the Region also gets a
    recovery quota (the target's).
    """
    name = region or draw(st.sampled_from(REGIONS))
    quota = draw(quotas)
    limit = quota.value if quota is not None else scale
    # Half the time in the top third, where the bands are (200–300 of 300), or over.
    replicating = draw(
        st.integers(0, limit) | st.integers(limit * 2 // 3, limit + limit // 10 + 1)
    )
    first = draw(st.integers(0, replicating))
    a, b = (
        draw(st.sampled_from(COUNTING_STATES)),
        draw(st.sampled_from(COUNTING_STATES)),
    )
    plain = {a: first}
    plain[b] = plain.get(b, 0) + replicating - first
    small = st.integers(0, max(limit // 4, 1))
    for state in draw(st.sets(st.sampled_from(sorted(NON_REPLICATING)))):
        plain[state] = draw(small)
    extended = {draw(st.sampled_from(REPLICATION_STATES)): draw(small)}
    built = region_from_servers(name, plain, extended, limit=quota)
    if not recovery:
        return built
    rl = draw(recovery_quotas_for(built.total_servers))
    return region_from_servers(name, plain, extended, limit=quota, recovery_limit=rl)


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
def region_capacities(
    draw,
    region: str,
    *,
    errors: bool = True,
    scale: int = 100,
    quotas: st.SearchStrategy[Quota | None] = NO_QUOTA,
    recovery: bool = False,
):
    """One Region in any of the four states (mostly `ok`); quotas only where `ok`."""
    kinds = REGION_KINDS if errors else REGION_KINDS[:-1]
    kind = draw(st.sampled_from(kinds))
    if kind == "ok":
        return draw(ok_regions(region, scale, quotas=quotas, recovery=recovery))
    if kind == "error":
        return error_region(region, draw(st.sampled_from(REGION_ERRORS)))
    return empty_region(region, RegionState(kind))


@st.composite
def region_sets(
    draw,
    *,
    errors: bool = True,
    scale: int = 100,
    min_size: int = 0,
    max_size: int = 3,
    regions: Sequence[str] = REGIONS,
    quotas: st.SearchStrategy[Quota | None] = NO_QUOTA,
    recovery: bool = False,
):
    """An account's Regions: distinct names, each in some state."""
    names = draw(
        st.lists(
            st.sampled_from(tuple(regions)),
            unique=True,
            min_size=min_size,
            max_size=min(max_size, len(regions)),
        )
    )
    return tuple(
        draw(
            region_capacities(
                n, errors=errors, scale=scale, quotas=quotas, recovery=recovery
            )
        )
        for n in names
    )


@st.composite
def accessible_readings(
    draw,
    account_id=None,
    account_type="staging",
    *,
    errors=True,
    scale=100,
    regions: Sequence[str] = REGIONS,
    quotas: st.SearchStrategy[Quota | None] = NO_QUOTA,
):
    """An accessible account; a target gets recovery quotas on its `ok` Regions."""
    return AccountReading(
        account_id or draw(account_ids),
        draw(account_names),
        account_type,
        True,
        draw(
            region_sets(
                errors=errors,
                scale=scale,
                regions=regions,
                quotas=quotas,
                recovery=account_type == "target",
            )
        ),
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
    regions: Sequence[str] = REGIONS,
    quotas: st.SearchStrategy[Quota | None] = NO_QUOTA,
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
                draw(
                    accessible_readings(
                        account_id,
                        kind,
                        errors=errors,
                        scale=scale,
                        regions=regions,
                        quotas=quotas,
                    )
                )
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
def fleets(
    draw,
    *,
    min_staging: int = 0,
    max_staging: int = 3,
    inaccessible: bool = True,
    errors: bool = True,
    quotas: bool = True,
    regions: Sequence[str] = REGIONS,
):
    """(readings, limits): every account × Region with its own L (an applied quota,
    AWS's default or the setting), the target's Regions with their RL, counts scaled to
    each unit's limit so every band shows up."""
    replication = draw(replication_limits)
    recovery = draw(st.just(4000) | st.integers(1, 3 * replication + 10))
    readings = draw(
        account_readings(
            min_staging=min_staging,
            max_staging=max_staging,
            inaccessible=inaccessible,
            errors=errors,
            scale=replication,
            regions=regions,
            quotas=replication_quotas if quotas else st.none(),
        )
    )
    return readings, Limits(replication, recovery)


@st.composite
def uniform_300_fleets(draw, *, regions: Sequence[str] = REGIONS, min_staging: int = 0):
    """(readings, limits) where every L is 300 (setting 300; read quotas, if any, are
    300 too): the seed's world, spread over Regions."""
    readings = draw(
        account_readings(
            min_staging=min_staging,
            scale=300,
            regions=regions,
            quotas=uniform_300_quotas,
        )
    )
    recovery = draw(st.just(4000) | st.integers(1, 1000))
    return readings, Limits(300, recovery)
