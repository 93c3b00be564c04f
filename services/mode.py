"""Which backend runs: real AWS, the shipped demo fleet or a scenario file (issue 11).

One rule for app.py, the WSGI `server`, the CLI and the Lambda entry: a flag
(`--aws`, `--demo`, `--scenario FILE`) wins, then `DRS_CAPACITY_MODE` (with
`DRS_CAPACITY_SCENARIO_PATH` for a scenario). With neither, an interactive entry falls
back to the demo when no AWS configuration is in sight; a server never does: it runs on
AWS when botocore finds credentials (instance and task roles included), else refuses.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from services.settings import Settings

AWS, DEMO, SCENARIO = "aws", "demo", "scenario"
HOW_TO_CHOOSE = (
    "set DRS_CAPACITY_MODE=aws (with AWS credentials: a role, AWS_PROFILE or keys), "
    "DRS_CAPACITY_MODE=demo (the simulated demo fleet) or DRS_CAPACITY_MODE=scenario "
    "with DRS_CAPACITY_SCENARIO_PATH=FILE"
)
log = logging.getLogger(__name__)


class ModeError(ValueError):
    """The mode cannot be decided, or the settings contradict it."""


def resolve_mode(
    settings: Settings, flag: str | None = None, *, server: bool = False
) -> Settings:
    """`settings` with `mode` decided and `scenario_path` to match (None on AWS).

    `flag` is the command line's choice: "aws", "demo", or "scenario" (its file already
    in `settings.scenario_path`); None or "auto" when no flag was given.
    """
    if flag in (AWS, DEMO):  # a flag beats the environment's scenario file too
        settings = replace(settings, scenario_path=None)
    chosen = flag if flag not in (None, "auto") else settings.mode
    if chosen is None and settings.scenario_path:
        chosen = SCENARIO  # a scenario file alone says what it wants
    if chosen is None:
        chosen = _fallback(server)
    if chosen == AWS:
        if settings.scenario_path:
            raise ModeError(
                "AWS mode runs on real AWS: leave out the scenario "
                "(--scenario / DRS_CAPACITY_SCENARIO_PATH)"
            )
        return settings.with_overrides(mode=AWS)
    if chosen == SCENARIO:
        if not settings.scenario_path:
            raise ModeError(
                "DRS_CAPACITY_MODE=scenario needs DRS_CAPACITY_SCENARIO_PATH=FILE "
                "(or --scenario FILE)"
            )
        return settings.with_overrides(mode=SCENARIO)
    from services.backend import DEMO_SCENARIO

    if settings.scenario_path and settings.scenario_path != str(DEMO_SCENARIO):
        raise ModeError(
            "demo mode runs the shipped demo fleet: for another file use "
            "DRS_CAPACITY_MODE=scenario (or --scenario FILE)"
        )
    return settings.with_overrides(mode=DEMO, scenario_path=str(DEMO_SCENARIO))


def _fallback(server: bool) -> str:
    if server:
        if aws_credentials_found():
            return AWS
        raise ModeError(f"no mode is set and botocore finds no AWS credentials: "
                        f"{HOW_TO_CHOOSE}")  # fmt: skip
    if aws_configured():
        return AWS
    log.warning("No DRS_CAPACITY_MODE and no AWS configuration: running the demo fleet")
    return DEMO


def aws_credentials_found() -> bool:
    """Whether botocore's own chain resolves credentials: environment, profiles, web
    identity, container (ECS task role) and instance metadata (EC2 role) alike."""
    import botocore.session

    try:
        return botocore.session.get_session().get_credentials() is not None
    except Exception:  # a broken profile is "not found": the refusal says what to set
        log.warning("AWS credentials could not be resolved; see the mode settings")
        return False


def aws_configured() -> bool:
    """Interactive entries: explicit configuration only (never wait on IMDS)."""
    from services.backend import aws_configured as configured

    return configured()
