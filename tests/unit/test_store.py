"""AccountStore on moto DynamoDB: item format, errors, conditional retries, threads."""

from __future__ import annotations

import random
import socket
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import boto3
import pytest

from services.clock import iso_utc
from services.errors import ConflictError, InputError, NotFoundError
from services.models import StagingAccount, TargetAccount
from services.settings import Settings
from services.store import AccountStore, StoreUnreachable, TargetLocks, dynamodb_config

TARGET = "111111111111"
NOW = datetime(2026, 11, 26, 8, 30, 0, 123456, tzinfo=UTC)


def staging(number: int, **changes) -> StagingAccount:
    account_id = f"{200000000000 + number:012d}"
    values = {
        "account_id": account_id,
        "account_name": f"staging-{number:02d}",
        "role_arn": f"arn:aws:iam::{account_id}:role/DRSCapacityRead",
        "region": "us-east-1",
        "added_at": "2026-11-26T08:00:00Z",
        "added_by": "alice",
    }
    values.update(changes)
    return StagingAccount(**values)


@pytest.fixture
def store(dynamodb_table):
    store = AccountStore(dynamodb_table, clock=lambda: NOW)
    store.add_target(TargetAccount(TARGET, "dr-target"))
    return store


def raw_item(table, account_id=TARGET):
    return table.get_item(Key={"accountId": account_id})["Item"]


def test_timestamps_are_utc_seconds_ending_in_z():
    assert iso_utc(NOW) == "2026-11-26T08:30:00Z"
    paris = datetime(2026, 11, 26, 9, 30, 59, 9, timezone(timedelta(hours=1)))
    assert iso_utc(paris) == "2026-11-26T08:30:59Z"
    assert iso_utc(datetime(2026, 11, 26, 8, 30)) == "2026-11-26T08:30:00Z"
    assert iso_utc(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00Z"


def test_create_table_is_idempotent(dynamodb_table):
    resource = boto3.resource("dynamodb", region_name="us-east-1")
    again = AccountStore.create_table(resource, dynamodb_table.name)
    assert again.name == dynamodb_table.name
    assert again.key_schema == [{"AttributeName": "accountId", "KeyType": "HASH"}]


def test_new_target_item_omits_absent_attributes_and_starts_at_version_1(store):
    item = raw_item(store._table)
    assert item == {
        "accountId": TARGET,
        "accountName": "dr-target",
        "stagingAccounts": [],
        "createdAt": "2026-11-26T08:30:00Z",
        "updatedAt": "2026-11-26T08:30:00Z",
        "version": Decimal(1),
    }
    target = store.get_target(TARGET)
    assert (target.version, target.staging_accounts, target.role_arn) == (1, (), None)
    assert isinstance(target.version, int)


def test_target_round_trip_with_role(store):
    role = "arn:aws:iam::333333333333:role/R"
    created = "2026-01-01T00:00:00Z"
    target = TargetAccount("333333333333", "other", role, "ext", created_at=created)
    added = store.add_target(target)
    assert store.get_target("333333333333") == added
    assert (added.created_at, added.updated_at) == (created, "2026-11-26T08:30:00Z")
    assert (added.role_arn, added.external_id, added.version) == (role, "ext", 1)


def test_duplicate_target_is_a_conflict(store):
    with pytest.raises(ConflictError) as caught:
        store.add_target(TargetAccount(TARGET, "again"))
    assert (caught.value.http_status, caught.value.field) == (409, "accountId")
    assert store.get_target(TARGET).account_name == "dr-target"


def test_unknown_target_is_not_found(store):
    with pytest.raises(NotFoundError) as caught:
        store.get_target("999999999999")
    assert caught.value.http_status == 404
    assert "999999999999" in caught.value.message
    with pytest.raises(NotFoundError):
        store.add_staging("999999999999", staging(1), max_staging=100)
    with pytest.raises(NotFoundError):
        store.remove_staging("999999999999", staging(1).account_id)


class SpyTable:
    """Counts scans and updates; runs `before_update(n)` before the first `times`."""

    def __init__(self, table, before_update=None, times: int = 0):
        self._table = table
        self._before_update = before_update
        self._times = times
        self.scans = self.updates = 0

    def scan(self, **kwargs):
        self.scans += 1
        return self._table.scan(**kwargs)

    def update_item(self, **kwargs):
        self.updates += 1
        if self.updates <= self._times:
            self._before_update(self.updates)
        return self._table.update_item(**kwargs)

    def __getattr__(self, name):
        return getattr(self._table, name)


def test_list_targets_reads_every_scan_page_and_sorts(store):
    for number in range(40):  # 40 × 30 kB: more than the 1 MB of one scan page
        store._table.put_item(
            Item={"accountId": f"5{number:011d}", "accountName": "x" * 30_000}
        )
    store.add_target(TargetAccount("000000000001", "first"))
    table = SpyTable(store._table)
    ids = [target.account_id for target in AccountStore(table).list_targets()]
    assert table.scans > 1
    assert ids == sorted(ids)
    assert len(ids) == 42


def test_staging_round_trip_omits_absent_optional_keys(store):
    updated = store.add_staging(TARGET, staging(1), max_staging=100)
    assert updated.staging_accounts == (staging(1),)
    assert updated.version == 2
    assert store.get_target(TARGET) == updated
    stored = raw_item(store._table)["stagingAccounts"][0]
    assert "externalId" not in stored
    assert None not in stored.values()
    with_external_id = store.add_staging(TARGET, staging(2, external_id="e2"), 100)
    assert store.get_target(TARGET) == with_external_id
    assert with_external_id.staging_accounts[1].external_id == "e2"


def test_duplicate_staging_is_a_conflict(store):
    store.add_staging(TARGET, staging(1), max_staging=100)
    with pytest.raises(ConflictError) as caught:
        store.add_staging(TARGET, staging(1, account_name="again"), max_staging=100)
    assert (caught.value.http_status, caught.value.field) == (409, "accountId")
    assert len(store.get_target(TARGET).staging_accounts) == 1


def test_staging_cannot_be_its_own_target(store):
    with pytest.raises(InputError) as caught:
        store.add_staging(TARGET, staging(1, account_id=TARGET), max_staging=100)
    assert (caught.value.http_status, caught.value.field) == (400, "accountId")


def test_staging_limit_is_enforced(store):
    store.add_staging(TARGET, staging(1), max_staging=2)
    store.add_staging(TARGET, staging(2), max_staging=2)
    with pytest.raises(InputError) as caught:
        store.add_staging(TARGET, staging(3), max_staging=2)
    assert (caught.value.http_status, caught.value.field) == (400, "accountId")
    assert "at most 2" in caught.value.message


def test_remove_staging_returns_the_target_and_the_removed_entry(store):
    for number in (1, 2, 3):
        store.add_staging(TARGET, staging(number), max_staging=100)
    target, removed = store.remove_staging(TARGET, staging(2).account_id)
    assert removed == staging(2)
    assert target.staging_accounts == (staging(1), staging(3))
    assert store.get_target(TARGET) == target


def test_removing_an_absent_staging_account_is_not_found(store):
    store.add_staging(TARGET, staging(1), max_staging=100)
    with pytest.raises(NotFoundError) as caught:
        store.remove_staging(TARGET, staging(2).account_id)
    assert caught.value.http_status == 404
    assert staging(2).account_id in caught.value.message
    assert store.get_target(TARGET).version == 2


def test_legacy_item_without_version_or_staging_list(store):
    store._table.put_item(Item={"accountId": "444444444444", "accountName": "legacy"})
    legacy = store.get_target("444444444444")
    assert (legacy.version, legacy.staging_accounts) == (0, ())
    updated = store.add_staging("444444444444", staging(1), max_staging=100)
    assert updated.version == 1
    assert raw_item(store._table, "444444444444")["version"] == 1


def test_legacy_attributes_unknown_to_this_system_are_kept(store):
    old = {"accountId": "555555555555", "accountName": "old", "count": Decimal(12)}
    store._table.put_item(
        Item={"accountId": "444444444444", "accountName": "legacy", "owner": "dr"}
        | {"stagingAccounts": [old | {"roleArn": "arn:aws:iam::555555555555:role/R"}]}
    )
    store.add_staging("444444444444", staging(1), max_staging=100)
    item = raw_item(store._table, "444444444444")
    assert item["stagingAccounts"][0]["count"] == 12
    assert item["owner"] == "dr"


def racing_store(store, other_write, times: int, **options):
    """A store whose first `times` writes each follow a write of another process."""
    other = AccountStore(store._table, clock=lambda: NOW, locks=TargetLocks())
    table = SpyTable(store._table, lambda n: other_write(other, n), times)
    return AccountStore(table, clock=lambda: NOW, **options), table


def add_another(other: AccountStore, n: int) -> None:
    other.add_staging(TARGET, staging(100 + n), max_staging=100)


@pytest.mark.parametrize("operation", ["add", "remove"])
def test_a_write_after_a_concurrent_change_is_retried_and_both_survive(
    store, operation
):
    store.add_staging(TARGET, staging(1), max_staging=100)
    sleeps = []
    mine, table = racing_store(store, add_another, times=1, sleep=sleeps.append)
    if operation == "add":
        updated = mine.add_staging(TARGET, staging(2), max_staging=100)
        expected = (staging(1), staging(101), staging(2))
    else:
        updated, _ = mine.remove_staging(TARGET, staging(1).account_id)
        expected = (staging(101),)
    assert (table.updates, len(sleeps)) == (2, 1)
    assert updated.staging_accounts == expected
    assert updated.version == 4
    assert store.get_target(TARGET) == updated


def test_a_retried_write_rechecks_duplicates(store):
    def add_same(other, n):
        other.add_staging(TARGET, staging(1), max_staging=100)

    mine, _ = racing_store(store, add_same, times=1, sleep=lambda s: None)
    with pytest.raises(ConflictError):
        mine.add_staging(TARGET, staging(1, account_name="mine"), max_staging=100)
    assert store.get_target(TARGET).staging_accounts == (staging(1),)


def test_endless_concurrent_changes_give_up_with_a_conflict(store):
    sleeps = []
    mine, table = racing_store(
        store, add_another, times=1000, sleep=sleeps.append, rng=random.Random(7)
    )
    with pytest.raises(ConflictError) as caught:
        mine.add_staging(TARGET, staging(1), max_staging=100)
    assert "try again" in caught.value.message
    assert (table.updates, len(sleeps)) == (10, 9)
    assert all(0 < delay <= 0.5 for delay in sleeps)
    assert staging(1) not in store.get_target(TARGET).staging_accounts


def test_many_threads_lose_no_update(store):
    # Each thread adds staging accounts and removes all but its last one as it goes,
    # so the list stays short (moto's cost grows with it) while writes keep colliding.
    threads, adds = 16, 3
    start = threading.Barrier(threads)
    failures = []

    def worker(thread: int) -> None:
        own = AccountStore(store._table, clock=lambda: NOW)  # one store per thread
        start.wait()
        try:
            for n in range(adds):
                own.add_staging(TARGET, staging(thread * adds + n), max_staging=1000)
                if n:
                    own.remove_staging(
                        TARGET, staging(thread * adds + n - 1).account_id
                    )
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    final = store.get_target(TARGET)
    last = {staging(t * adds + adds - 1).account_id for t in range(threads)}
    assert {entry.account_id for entry in final.staging_accounts} == last
    assert final.version == 1 + threads * (2 * adds - 1)


def test_old_items_without_names_or_with_broken_entries_still_read(dynamodb_table):
    dynamodb_table.put_item(
        Item={
            "accountId": "121212121212",
            "stagingAccounts": [
                {"accountId": "343434343434"},  # no name, no role: an old entry
                {"accountName": "no id at all"},
                "not a map",
            ],
        }
    )
    target = AccountStore(dynamodb_table).get_target("121212121212")
    assert target.account_name == "121212121212"
    assert [(s.account_id, s.account_name) for s in target.staging_accounts] == [
        ("343434343434", "343434343434")
    ]


# -- an endpoint that does not answer (issue 9, item 6) ----------------------------------


@contextmanager
def silent_endpoint():
    """A local socket that accepts connections and never answers; yields its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()
        listener.close()


def refused_endpoint() -> str:
    """The URL of a local port nobody listens on: connections are refused."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def store_at(endpoint: str, settings: Settings) -> AccountStore:
    resource = boto3.resource(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        config=dynamodb_config(settings),
    )
    return AccountStore(resource.Table("drs-capacity-target-accounts"))


def test_the_table_client_has_the_aws_calls_timeouts_and_retries(aws_env):
    settings = Settings(aws_connect_timeout=3, aws_read_timeout=7, aws_max_attempts=2)
    config = store_at("http://127.0.0.1:1", settings)._table.meta.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (3, 7)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}


def test_the_backend_builds_its_table_client_with_the_settings_timeouts(aws_env):
    from services.backend import build_backend

    settings = Settings(regions=("us-east-1",), aws_read_timeout=3, aws_max_attempts=1)
    backend = build_backend(settings)
    try:
        config = backend.store._table.meta.client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (5.0, 3)
        assert config.retries["total_max_attempts"] == 1  # as the gateway counts them
    finally:
        backend.close()


def test_an_endpoint_that_never_answers_fails_within_the_read_timeout(aws_env):
    settings = Settings(aws_connect_timeout=1, aws_read_timeout=1, aws_max_attempts=1)
    with silent_endpoint() as endpoint:
        store = store_at(endpoint, settings)
        started = time.monotonic()
        with pytest.raises(StoreUnreachable) as failed:
            store.list_targets()
        elapsed = time.monotonic() - started
    assert elapsed < 5  # botocore's defaults held it for 60 s per attempt
    assert failed.value.http_status == 503
    assert "staging-account store" in failed.value.message
    assert "ReadTimeoutError" in failed.value.message


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.list_targets(),
        lambda store: store.get_target(TARGET),
        lambda store: store.add_target(TargetAccount(TARGET, "dr-target")),
        lambda store: store.add_staging(TARGET, staging(1), max_staging=10),
        lambda store: store.remove_staging(TARGET, staging(1).account_id),
    ],
    ids=["list", "get", "add-target", "add-staging", "remove-staging"],
)
def test_a_refused_connection_is_store_unreachable_for_every_call(aws_env, call):
    settings = Settings(aws_connect_timeout=1, aws_max_attempts=1)
    store = store_at(refused_endpoint(), settings)
    with pytest.raises(StoreUnreachable) as failed:
        call(store)
    assert failed.value.code == "STORE_UNREACHABLE"
    assert "cannot be reached" in failed.value.message
