"""Choose and build the backend once at start: real AWS, or the simulated fleet (demo)."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.session

from services.alert_monitor import monitor_for
from services.allocator import share_arenas_between_threads
from services.clock import utc_now_iso
from services.collector import Collector
from services.gateway import AwsGateway
from services.history import HistoryStore
from services.logs import hide_external_ids_in_aws_logs
from services.models import StagingAccount, TargetAccount
from services.service import CapacityService
from services.settings import Settings
from services.store import AccountStore, dynamodb_config

log = logging.getLogger(__name__)
DEMO_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "demo.json"
_AWS_HINTS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def aws_configured(env=os.environ, home: Path | None = None) -> bool:
    """True when credentials are configured explicitly (env or ~/.aws): never probe IMDS."""
    if any(env.get(name) for name in _AWS_HINTS):
        return True
    aws_dir = (home or Path.home()) / ".aws"
    return (aws_dir / "credentials").exists() or (aws_dir / "config").exists()


def resolve_settings(settings: Settings, mode: str = "auto") -> Settings:
    """Demo on the shipped scenario when no scenario is given and AWS is not configured."""
    if settings.scenario_path or mode == "aws":
        return settings
    if mode == "demo" or not aws_configured():
        return settings.with_overrides(scenario_path=str(DEMO_SCENARIO))
    return settings


@dataclass
class Backend:
    settings: Settings
    store: AccountStore
    gateway: AwsGateway
    collector: Collector
    service: CapacityService
    simulator: object | None = None
    _mock: object | None = None
    history: HistoryStore | None = None  # None: no history kept
    alerts: object | None = None  # services.alert_monitor.AlertMonitor, or None

    @property
    def demo(self) -> bool:
        return self.simulator is not None

    def start_reading_processes(self) -> None:
        """Start a big target's reading processes in the background now, while the app
        builds its pages, not in its first collection (services/collect_processes.py)."""
        processes = self.collector.processes
        if processes is None:
            return

        def start() -> None:
            try:
                processes.start(self.store.list_targets())
            except Exception as exc:  # the first collection starts them instead
                log.warning(
                    "reading processes not started early (%s)", type(exc).__name__
                )

        threading.Thread(target=start, name="start-reading", daemon=True).start()

    def close(self) -> None:
        self.collector.close()
        if self.alerts is not None:
            self.alerts.close()
        if self._mock is not None:
            self._mock.stop()


def build_backend(settings: Settings) -> Backend:
    share_arenas_between_threads()  # before any of the collection's threads
    hide_external_ids_in_aws_logs()
    if settings.scenario_path:
        return _demo_backend(settings)
    session = botocore.session.get_session()  # one credential chain, resolved once
    gateway, _ = build_gateway(settings, session)
    dynamodb = boto3.Session(botocore_session=session).resource(
        "dynamodb", region_name=settings.home_region, config=dynamodb_config(settings),
        endpoint_url=settings.dynamodb_endpoint,
    )  # fmt: skip
    store = AccountStore(dynamodb.Table(settings.table_name))
    history = None
    if settings.history_table_name:
        history = HistoryStore(
            dynamodb.Table(settings.history_table_name),
            retention_days=settings.history_retention_days,
        )
    return _assemble(settings, store, gateway, history=history)


def build_gateway(
    settings: Settings, session: botocore.session.Session | None = None
) -> tuple[AwsGateway, object | None]:
    """The way into AWS (on real AWS through `session`, shared with the app's tables),
    and the simulated AWS that answers it on a scenario (None on real AWS): the app's,
    and each reading process's (services/collect_processes.py)."""
    if not settings.scenario_path:
        return AwsGateway(settings, session or botocore.session.get_session()), None
    from services.simulator import SimulatedAws, load_scenario

    session = botocore.session.get_session()  # the simulator's alone
    simulator = SimulatedAws(load_scenario(settings.scenario_path))
    simulator.install(session)
    return AwsGateway(settings, session, own_credentials=simulator.own_credentials), (
        simulator
    )


def _assemble(
    settings, store, gateway, simulator=None, mock=None, history=None
) -> Backend:
    from services.collect_processes import ProcessReader

    shared = shared_cache(settings)
    memory = None if shared is None else shared.region_memory()
    collector = Collector(
        gateway, settings, empty_regions=memory,
        processes=ProcessReader.for_settings(settings),
    )  # fmt: skip
    service = CapacityService(store, collector, settings, shared=shared)
    alerts = monitor_for(settings, history, simulator)
    return Backend(
        settings, store, gateway, collector, service, simulator, mock, history, alerts
    )


def _demo_backend(settings: Settings) -> Backend:
    """The simulated fleet; its DynamoDB in this process, or at `dynamodb_endpoint`
    (the demo store every process of a demo shares, services/demo_store.py)."""
    gateway, simulator = build_gateway(settings)  # first: a bad scenario stops here
    mock = None
    if not settings.dynamodb_endpoint:
        import moto

        mock = moto.mock_aws()
        mock.start()
    store, history = demo_tables(
        settings, simulator.own_credentials, simulator.scenario
    )
    backend = _assemble(settings, store, gateway, simulator, mock, history)
    processes = backend.collector.processes
    backend.collector.listeners.append(
        lambda *_: log.info(
            "simulated AWS: %.3f s of CPU in this app's processes so far",
            simulator.cpu_seconds
            + (processes.simulator_cpu_seconds if processes else 0),
        )  # fmt: skip
    )  # what benchmarks/collect.py reports beside the server's CPU
    return backend


def demo_tables(settings: Settings, credentials: dict, scenario):
    """The demo's store and history tables, created and seeded with the scenario's
    accounts unless they already hold them (another process of the demo seeded them)."""
    dynamodb = boto3.Session(  # moto's, on a session of its own
        botocore_session=botocore.session.get_session(), **credentials
    ).resource(
        "dynamodb", region_name=settings.home_region, config=dynamodb_config(settings),
        endpoint_url=settings.dynamodb_endpoint,
    )  # fmt: skip
    store = AccountStore(AccountStore.create_table(dynamodb, settings.table_name))
    if not store.list_targets():
        seed_store(store, scenario)
    history = None
    if settings.history_table_name:
        history = HistoryStore(
            HistoryStore.create_table(dynamodb, settings.history_table_name),
            retention_days=settings.history_retention_days,
        )
        from services.demo_history import seed_demo_history  # the demo's alone

        seed_demo_history(history, scenario, settings)
    return store, history


def scenario_target(scenario, now: str | None = None) -> TargetAccount:
    """The scenario's target account with its registered staging accounts."""
    t = scenario.target
    staging = tuple(
        StagingAccount(
            s["accountId"], s["accountName"], s["roleArn"], s.get("externalId"),
            s.get("region"), added_at=now, added_by="scenario",
        )
        for s in scenario.staging
    )  # fmt: skip
    return TargetAccount(
        t["accountId"], t["accountName"], t.get("roleArn"), t.get("externalId"),
        staging, created_at=now, updated_at=now,
    )  # fmt: skip


def seed_store(store: AccountStore, scenario) -> None:
    """Register the scenario's target with its staging accounts, in one write (the
    scenario file was checked when loaded: ids unique, none the target's)."""
    store.add_target(scenario_target(scenario, utc_now_iso()))


def shared_cache(settings: Settings):
    """The Redis every worker shares when DRS_CAPACITY_CACHE_URL is set, else None."""
    if not settings.cache_url:
        return None
    from services.shared_cache import SharedCache

    return SharedCache.from_url(
        settings.cache_url, f"drs-capacity:{settings.table_name}"
    )


def build_operations(backend: Backend):
    from services.operations import Operations
    from services.validation import StagingValidator

    validator = StagingValidator(backend.collector, backend.service, backend.settings)
    return Operations(
        backend.store, backend.service, validator, backend.settings,
        history=backend.history, alerts=backend.alerts,
    )  # fmt: skip
