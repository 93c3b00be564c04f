"""Build a Collector over the simulated fleet, without DynamoDB (collector tests, benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

import botocore.session

from services.aws import AwsGateway
from services.collector import Collector
from services.models import StagingAccount, TargetAccount
from services.settings import Settings
from services.simulator import SimulatedAws, load_scenario


@dataclass
class Harness:
    simulator: SimulatedAws
    gateway: AwsGateway
    collector: Collector
    target: TargetAccount


def target_from(scenario) -> TargetAccount:
    t = scenario.target
    staging = tuple(
        StagingAccount(
            s["accountId"],
            s["accountName"],
            s["roleArn"],
            s.get("externalId"),
            s.get("region"),
        )
        for s in scenario.staging
    )
    return TargetAccount(
        t["accountId"], t["accountName"], t.get("roleArn"), t.get("externalId"), staging
    )


def harness(
    scenario_data, settings: Settings, sleep=None, clock=None, **sim_kwargs
) -> Harness:
    scenario = load_scenario(scenario_data)
    session = botocore.session.get_session()
    if sleep is not None:
        sim_kwargs["sleep"] = sleep
    simulator = SimulatedAws(scenario, **sim_kwargs)
    simulator.install(session)
    gateway = AwsGateway(settings, session, own_credentials=simulator.own_credentials)
    kwargs = {"clock": clock} if clock else {}
    collector = Collector(gateway, settings, **kwargs)
    return Harness(simulator, gateway, collector, target_from(scenario))
