"""Settings: one frozen dataclass, read from the environment, refusing nonsense."""

from __future__ import annotations

import pytest

from services.settings import Settings


def test_settings_come_from_prefixed_variables():
    env = {
        "DRS_CAPACITY_REPLICATION_LIMIT": "600",
        "DRS_CAPACITY_REGIONS": "us-east-1, eu-west-1",
        "DRS_CAPACITY_NON_REPLICATING_STATES": "STOPPED,PAUSED",
    }
    settings = Settings.from_env(env)
    assert settings.replication_limit == 600
    assert settings.regions == ("us-east-1", "eu-west-1")
    assert settings.non_replicating_states == frozenset({"STOPPED", "PAUSED"})


def test_max_staging_accounts_also_reads_the_name_spec_uses():
    assert Settings.from_env({"MAX_STAGING_ACCOUNTS": "5"}).max_staging_accounts == 5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DRS_CAPACITY_REGIONS", "us-east-1,mars-1"),
        ("DRS_CAPACITY_NON_REPLICATING_STATES", "STOPPED,SLEEPING"),
        ("DRS_CAPACITY_REPLICATION_LIMIT", "0"),
        ("DRS_CAPACITY_REPLICATION_LIMIT", "three hundred"),
    ],
)
def test_a_bad_setting_is_refused_naming_its_variable(variable, value):
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: value})
