"""Properties of the target-account store (seed Properties 1, 2 and 13)."""

from __future__ import annotations

import itertools
import string
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import inputs
from services.clock import iso_utc
from services.models import TargetAccount
from services.settings import drs_regions
from services.store import AccountStore

# The moto table is built once per test function and shared by its examples, which stay
# independent by using a fresh target ID each.
PER_TEST_TABLE = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_target_numbers = itertools.count()


def fresh_target_id() -> str:
    return f"9{next(_target_numbers):011d}"  # staging IDs below never start with 9


ALNUM = string.ascii_letters + string.digits
iam_names = st.text(ALNUM + "_+=,.@-", min_size=1, max_size=64)
external_ids = st.text(ALNUM + "+=,.@:/_-", min_size=2, max_size=64)
printable_text = st.text(
    st.characters(blacklist_categories=("C", "Z")) | st.just(" "),
    min_size=1,
    max_size=64,
)
staging_ids = st.integers(0, 9 * 10**11 - 1).map(lambda n: f"{n:012d}")


@st.composite
def staging_accounts(draw, account_id=staging_ids):
    """Any staging account the input rules accept."""
    staging_id = draw(account_id)
    partition = draw(st.sampled_from(["aws", "aws-cn", "aws-us-gov"]))
    path = "".join(f"{segment}/" for segment in draw(st.lists(iam_names, max_size=3)))
    payload = {
        "accountId": staging_id,
        "accountName": draw(printable_text.filter(str.strip)),
        "roleArn": f"arn:{partition}:iam::{staging_id}:role/{path}{draw(iam_names)}",
        "externalId": draw(st.none() | external_ids),
        "region": draw(st.sampled_from(drs_regions())),
    }
    added_at = draw(st.datetimes(datetime(2000, 1, 1), timezones=st.just(UTC)))
    added_by = draw(printable_text)
    return inputs.staging_account_input(
        payload, "999999999999", added_by, iso_utc(added_at)
    )


def unique_staging_lists(min_size: int, max_size: int):
    return st.lists(
        staging_accounts(),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda staging: staging.account_id,
    )


def new_store(table) -> AccountStore:
    return AccountStore(table, clock=lambda: datetime(2026, 11, 26, 8, 30, tzinfo=UTC))


@PER_TEST_TABLE
@given(existing=unique_staging_lists(0, 2), staging=staging_accounts())
def test_property_1_staging_account_persistence_round_trip(
    dynamodb_table, existing, staging
):
    """Property 1: a valid staging account added, then read back, equals itself."""
    existing = [s for s in existing if s.account_id != staging.account_id]
    store = new_store(dynamodb_table)
    target_id = fresh_target_id()
    store.add_target(
        TargetAccount(target_id, "target", staging_accounts=tuple(existing))
    )

    returned = store.add_staging(target_id, staging, max_staging=100)

    read_back = store.get_target(target_id)
    assert read_back == returned
    assert read_back.staging_accounts == (*existing, staging)
    assert read_back.staging_accounts[-1] == staging  # field for field


@PER_TEST_TABLE
@given(entries=unique_staging_lists(1, 5), data=st.data())
def test_property_2_staging_account_removal_completeness(dynamodb_table, entries, data):
    """Property 2: the removed account is gone; the others are unchanged, in order."""
    index = data.draw(st.integers(0, len(entries) - 1), label="index")
    store = new_store(dynamodb_table)
    target_id = fresh_target_id()
    store.add_target(
        TargetAccount(target_id, "target", staging_accounts=tuple(entries))
    )

    target, removed = store.remove_staging(target_id, entries[index].account_id)

    others = (*entries[:index], *entries[index + 1 :])
    assert removed == entries[index]
    assert target.staging_accounts == others
    assert store.get_target(target_id).staging_accounts == others


@PER_TEST_TABLE
@given(
    staging_attribute=st.sampled_from(["missing", "empty", "null"]),
    version=st.none() | st.integers(0, 10**6),
    name=printable_text.filter(str.strip),
)
def test_property_13_empty_staging_accounts_default(
    dynamodb_table, staging_attribute, version, name
):
    """Property 13: a missing, empty or null stagingAccounts reads as an empty tuple."""
    target_id = fresh_target_id()
    item = {"accountId": target_id, "accountName": name}
    if staging_attribute != "missing":
        item["stagingAccounts"] = [] if staging_attribute == "empty" else None
    if version is not None:
        item["version"] = version
    dynamodb_table.put_item(Item=item)

    target = new_store(dynamodb_table).get_target(target_id)

    assert target.staging_accounts == ()
    assert isinstance(target.staging_accounts, tuple)
    assert target.version == (version or 0)
