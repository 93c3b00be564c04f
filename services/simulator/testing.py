"""Test helpers: boto3 sessions and clients answered by a SimulatedAws."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import boto3
import botocore.session
from botocore.config import Config

from services.simulator.scenario import load_scenario
from services.simulator.simulated_aws import SimulatedAws

ONE_ATTEMPT = Config(retries={"mode": "standard", "max_attempts": 1})
_loader = None
_loader_lock = threading.Lock()


def botocore_session() -> botocore.session.Session:
    """A fresh botocore session sharing one model loader, so models are parsed once."""
    global _loader
    session = botocore.session.get_session()
    with _loader_lock:
        if _loader is None:
            _loader = session.get_component("data_loader")
    session.register_component("data_loader", _loader)
    return session


class Harness:
    """A simulator plus clients made the way production code makes them."""

    def __init__(self, scenario, **sim_kwargs):
        self.sim = SimulatedAws(load_scenario(scenario), **sim_kwargs)
        self.botocore_session = botocore_session()
        self.sim.install(self.botocore_session)
        self.session = boto3.Session(botocore_session=self.botocore_session)

    def client(
        self, service: str, region: str = "us-east-1", credentials=None, config=None
    ):
        """A client signing with `credentials` (default: the dashboard's own); one
        attempt per call unless `config` says otherwise (backoff would really sleep)."""
        credentials = credentials or self.sim.own_credentials
        config = config or ONE_ATTEMPT
        return self.session.client(
            service, region_name=region, config=config, **credentials
        )

    def assume(
        self,
        account_id: str,
        external_id: str | None = None,
        role_arn: str | None = None,
    ) -> dict:
        """Credentials for `account_id` (role DRSCapacityRead unless told), as kwargs."""
        params = {
            "RoleArn": role_arn or f"arn:aws:iam::{account_id}:role/DRSCapacityRead",
            "RoleSessionName": "test",
        }
        if external_id:
            params["ExternalId"] = external_id
        creds = self.client("sts").assume_role(**params)["Credentials"]
        return {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }

    def drs(
        self,
        region: str = "us-east-1",
        account_id: str | None = None,
        external_id: str | None = None,
    ):
        """A DRS client for the target (own credentials) or an assumed account."""
        creds = self.assume(account_id, external_id) if account_id else None
        return self.client("drs", region, creds)


@dataclass
class CollectorHarness:
    """A Collector over a simulated fleet, wired as the demo backend wires it."""

    simulator: SimulatedAws
    gateway: object  # services.gateway.AwsGateway
    collector: object  # services.collector.Collector
    target: object  # services.models.TargetAccount


def collector_harness(
    scenario, settings, *, sleep=None, clock=None
) -> CollectorHarness:
    """`clock`, when given, drives the simulator, the credential cache and the pruning;
    `sleep` is the simulator's latency. The gateway's retry backoff never sleeps."""
    from services.backend import scenario_target
    from services.collector import Collector
    from services.gateway import AwsGateway

    scenario = load_scenario(scenario)
    timing = {"clock": clock} if clock else {}
    simulator = SimulatedAws(scenario, **({"sleep": sleep} if sleep else {}), **timing)
    session = botocore_session()
    simulator.install(session)
    gateway = AwsGateway(
        settings, session, simulator.own_credentials, sleep=_no_backoff, **timing
    )
    collector = Collector(gateway, settings, **timing)
    return CollectorHarness(simulator, gateway, collector, scenario_target(scenario))


def _no_backoff(seconds: float) -> None:
    """Retries in tests go at once: their count matters, not their pace."""
