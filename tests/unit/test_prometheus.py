"""services/prometheus.py without a web server: the snapshot's figures as gauges (parsed
back with prometheus-client's own parser), status levels, and when a scrape collects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from services.clock import parse_iso
from services.models import Status
from services.prometheus import STATUS_LEVELS, CapacityMetrics, label_text
from tests.unit.snapshot_factory import (
    COLLECTED_AT,
    build,
    inaccessible,
    staging,
    target,
)

TARGET = "111111111111"
NOW = parse_iso(COLLECTED_AT) + timedelta(seconds=42)


@dataclass
class Held:
    """What CapacityService keeps of a collection (the fields the exporter reads)."""

    snapshot: object
    started: float = 10.0
    finished: float = 12.5


class FakeService:
    """The cache of a CapacityService: snapshots held, and collections asked for."""

    def __init__(self, snapshots=None):
        self.held = {s.target_account_id: Held(s) for s in snapshots or ()}
        self.asked: list[str] = []

    def last_snapshot(self, target_id, scope):
        held = self.held.get(target_id)
        if held is None:
            return None
        return held.snapshot, max(held.finished - held.started, 0.0)

    def snapshot(self, target_id):
        self.asked.append(target_id)


@dataclass
class FakeTarget:
    account_id: str


class FakeStore:
    def __init__(self, *ids, broken=False):
        self.ids, self.broken = ids, broken

    def list_targets(self):
        if self.broken:
            raise ConnectionError("the table is unreachable")
        return [FakeTarget(i) for i in self.ids]


def scrape(metrics: CapacityMetrics) -> dict[tuple[str, frozenset], float]:
    """Every sample of one scrape, by name and labels, parsed from the text format."""
    registry = CollectorRegistry()
    registry.register(metrics)
    text = generate_latest(registry).decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def exporter(service, store=None, **options) -> CapacityMetrics:
    store = store or FakeStore(*service.held)
    return CapacityMetrics(store, service, now=lambda: NOW, start=lambda job: job(),
                           **options)  # fmt: skip


def value(samples, name, **labels):
    return samples.get((f"drs_capacity_{name}", frozenset(labels.items())))


def unit(account_id, region, account_type="staging"):
    return dict(target_account_id=TARGET, account_id=account_id,
                account_type=account_type, region=region)  # fmt: skip


# -- levels and names ------------------------------------------------------------------


def test_every_status_has_a_level_in_spec_rank_order():
    assert set(STATUS_LEVELS) == set(Status)
    by_severity = sorted(Status, key=lambda s: s.severity)
    assert [STATUS_LEVELS[s] for s in by_severity] == [-1, 0, 1, 2, 3, 4]


def test_a_label_keeps_printable_text_and_at_most_64_characters():
    assert label_text('<b>"x"</b>\\') == '<b>"x"</b>\\'
    assert label_text("a\nb\x00c\r") == "a b c "
    assert label_text("n" * 100) == "n" * 64
    assert label_text(None) == ""


# -- figures ---------------------------------------------------------------------------


def test_an_account_at_250_of_300_is_critical_and_at_280_hyper_critical():
    snapshot = build(
        target(TARGET, {"us-east-1": 100}),
        staging("222222222222", {"us-east-1": 250}),
        staging("333333333333", {"us-east-1": 280}),
    )
    samples = scrape(exporter(FakeService([snapshot])))
    assert value(samples, "unit_status", **unit("222222222222", "us-east-1")) == 3
    assert value(samples, "unit_status", **unit("333333333333", "us-east-1")) == 4
    replicating = value(
        samples, "unit_replicating_servers", **unit("333333333333", "us-east-1")
    )
    assert replicating == 280
    limit = value(samples, "unit_replication_limit",
                  **unit("333333333333", "us-east-1"), limit_source="setting")  # fmt: skip
    assert limit == 300
    region = {"target_account_id": TARGET, "region": "us-east-1"}
    assert value(samples, "region_replicating_servers", **region) == 630
    assert value(samples, "region_replication_limit", **region) == 900
    assert value(samples, "region_status", **region) == 1  # 630/900: INFO
    assert value(samples, "region_complete", **region) == 1
    assert value(samples, "status", target_account_id=TARGET) == 4


def test_a_unit_not_read_is_unknown_with_no_servers_and_its_error_counted():
    snapshot = build(
        target(TARGET, {"us-east-1": 10}),
        staging("222222222222", {"us-east-1": 20, "us-west-2": "error"}),
        inaccessible("333333333333"),
    )
    samples = scrape(exporter(FakeService([snapshot])))
    broken = unit("222222222222", "us-west-2")
    assert value(samples, "unit_status", **broken) == -1
    names = {name for name, labels in samples if ("region", "us-west-2") in labels}
    assert not {n for n in names if "unit_replicat" in n}
    assert value(samples, "account_status", target_account_id=TARGET,
                 account_id="333333333333", account_type="staging") == -1  # fmt: skip
    assert not [k for k in samples if ("account_id", "333333333333") in k[1]
                and "servers" in k[0]]  # fmt: skip
    errors = {dict(k[1])["code"]: v for k, v in samples.items()
              if k[0] == "drs_capacity_unit_errors"}  # fmt: skip
    assert sum(errors.values()) == 2
    region = {"target_account_id": TARGET, "region": "us-west-2"}
    assert value(samples, "region_complete", **region) == 0


def test_age_and_collection_time_come_from_the_held_collection():
    samples = scrape(exporter(FakeService([build(target(TARGET, {"us-east-1": 1}))])))
    assert value(samples, "snapshot_age_seconds", target_account_id=TARGET) == 42
    assert value(samples, "last_collection_seconds", target_account_id=TARGET) == 2.5
    assert value(samples, "snapshot_available", target_account_id=TARGET) == 1


def test_recovery_is_the_targets_servers_against_its_quota_per_region():
    snapshot = build(target(TARGET, {"us-east-1": 3700}), max_recovery=4000)
    samples = scrape(exporter(FakeService([snapshot])))
    region = {"target_account_id": TARGET, "region": "us-east-1"}
    assert value(samples, "recovery_servers", **region) == 3700
    assert value(samples, "recovery_limit", **region) == 4000
    assert value(samples, "recovery_status", **region) == 3  # 92.5 %: CRITICAL


# -- when a scrape collects ------------------------------------------------------------


def test_a_target_with_no_snapshot_asks_for_one_collection_and_says_unavailable():
    service = FakeService()
    samples = scrape(exporter(service, FakeStore(TARGET)))
    assert value(samples, "snapshot_available", target_account_id=TARGET) == 0
    assert not [k for k in samples if k[0] == "drs_capacity_status"]
    assert service.asked == [TARGET]


def test_a_held_snapshot_however_old_is_served_without_collecting_by_default():
    service = FakeService([build(target(TARGET, {"us-east-1": 1}))])
    metrics = CapacityMetrics(
        FakeStore(TARGET), service, now=lambda: NOW + timedelta(days=2),
        start=lambda job: job(),
    )  # fmt: skip
    samples = scrape(metrics)
    age = value(samples, "snapshot_age_seconds", target_account_id=TARGET)
    assert age == 42 + 2 * 86400
    assert service.asked == []


def test_with_a_refresh_age_an_older_snapshot_asks_for_one_collection():
    service = FakeService([build(target(TARGET, {"us-east-1": 1}))])
    scrape(exporter(service, refresh_after=60))
    assert service.asked == []  # 42 s old
    scrape(exporter(service, refresh_after=30))
    assert service.asked == [TARGET]


def test_scrapes_while_a_collection_runs_do_not_start_another():
    service, started = FakeService(), []
    metrics = CapacityMetrics(FakeStore(TARGET), service, now=lambda: NOW,
                              start=started.append)  # fmt: skip
    scrape(metrics)
    scrape(metrics)
    assert len(started) == 1
    started[0]()  # the collection ends
    scrape(metrics)
    assert len(started) == 2 and service.asked == [TARGET]


def test_a_store_that_cannot_be_read_still_answers_a_scrape(caplog):
    samples = scrape(exporter(FakeService(), FakeStore(broken=True)))
    assert value(samples, "store_readable") == 0
    assert "unreachable" not in caplog.text  # the type only: no message text
    assert "ConnectionError" in caplog.text
