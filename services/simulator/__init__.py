"""Simulated STS + DRS fleet answering through the real boto3 path (SPEC §9)."""

from services.simulator.scenario import Scenario, load_scenario
from services.simulator.simulated_aws import SimulatedAws
from services.simulator.specs import ScenarioError

__all__ = ["Scenario", "ScenarioError", "SimulatedAws", "load_scenario"]
