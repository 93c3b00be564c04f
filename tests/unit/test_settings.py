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


def test_limits_are_read_from_service_quotas_for_an_hour_by_default():
    settings = Settings.from_env({})
    assert (settings.limits_source, settings.quota_ttl_seconds) == (
        "service-quotas",
        3600.0,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DRS_CAPACITY_LIMITS_SOURCE": "setting"}, ("setting", 3600.0)),
        ({"LIMITS_SOURCE": "setting", "QUOTA_TTL_SECONDS": "60"}, ("setting", 60.0)),
        ({"DRS_CAPACITY_QUOTA_TTL_SECONDS": "900"}, ("service-quotas", 900.0)),
        (
            {"QUOTA_TTL_SECONDS": "60", "DRS_CAPACITY_QUOTA_TTL_SECONDS": "120"},
            ("service-quotas", 120.0),  # the product's own name wins
        ),
    ],
)
def test_quota_settings_read_the_prefixed_or_the_spec_names(env, expected):
    settings = Settings.from_env(env)
    assert (settings.limits_source, settings.quota_ttl_seconds) == expected


def test_the_fallback_limits_read_their_spec_names():
    settings = Settings.from_env(
        {"REPLICATION_LIMIT": "500", "MAX_RECOVERY_INSTANCES": "6000"}
    )
    assert (settings.replication_limit, settings.max_recovery_instances) == (500, 6000)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("DRS_CAPACITY_LIMITS_SOURCE", "cloudwatch", "DRS_CAPACITY_LIMITS_SOURCE"),
        ("LIMITS_SOURCE", "settings", "LIMITS_SOURCE"),
        ("DRS_CAPACITY_QUOTA_TTL_SECONDS", "-1", "DRS_CAPACITY_QUOTA_TTL_SECONDS"),
        ("QUOTA_TTL_SECONDS", "an hour", "QUOTA_TTL_SECONDS: not a number"),
        ("QUOTA_TTL_SECONDS", "nan", "QUOTA_TTL_SECONDS"),
        ("MAX_STAGING_ACCOUNTS", "many", "MAX_STAGING_ACCOUNTS: not a number"),
    ],
)
def test_a_bad_quota_setting_is_refused_naming_its_variable(variable, value, named):
    with pytest.raises(ValueError, match=named):
        Settings.from_env({variable: value})


def test_other_settings_need_the_prefix():
    settings = Settings.from_env({"PAGE_SIZE": "10", "TABLE_NAME": "other"})
    assert (settings.page_size, settings.table_name) == (
        Settings().page_size,
        Settings().table_name,
    )


# -- sign-in (issue 9) -------------------------------------------------------------------


def test_sign_in_is_off_by_default_with_alb_defaults_ready():
    settings = Settings.from_env({})
    assert settings.auth == "none"
    assert settings.users_file is None and settings.tokens_file is None
    assert settings.proxy_header == "x-amzn-oidc-identity"
    assert settings.trusted_proxies == () and settings.admins == ()
    assert settings.session_ttl_seconds == 43200.0


def test_sign_in_settings_come_from_their_variables():
    settings = Settings.from_env({
        "DRS_CAPACITY_AUTH": "proxy",
        "DRS_CAPACITY_TRUSTED_PROXIES": "10.0.0.0/16, 10.1.2.3,fd00::/8",
        "DRS_CAPACITY_ADMINS": "alice@example.com,bob@example.com",
        "DRS_CAPACITY_PROXY_HEADER": "X-Forwarded-Email",
        "DRS_CAPACITY_TOKENS_FILE": "/etc/drs/tokens",
    })  # fmt: skip
    assert settings.trusted_proxies == ("10.0.0.0/16", "10.1.2.3", "fd00::/8")
    assert settings.admins == ("alice@example.com", "bob@example.com")
    assert settings.proxy_header == "X-Forwarded-Email"
    assert settings.tokens_file == "/etc/drs/tokens"


def test_the_session_secret_never_shows_in_the_settings_repr():
    settings = Settings.from_env({"DRS_CAPACITY_SESSION_SECRET": "s3cr3t-value"})
    assert settings.session_secret == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(settings)


@pytest.mark.parametrize(
    "env, named",
    [({"DRS_CAPACITY_AUTH": "oauth"}, "DRS_CAPACITY_AUTH"),
     ({"DRS_CAPACITY_AUTH": "basic"}, "DRS_CAPACITY_USERS_FILE"),
     ({"DRS_CAPACITY_AUTH": "proxy"}, "DRS_CAPACITY_TRUSTED_PROXIES"),
     ({"DRS_CAPACITY_TRUSTED_PROXIES": "10.0.0.300"}, "DRS_CAPACITY_TRUSTED_PROXIES"),
     ({"DRS_CAPACITY_PROXY_HEADER": "x bad:header"}, "DRS_CAPACITY_PROXY_HEADER"),
     ({"DRS_CAPACITY_SESSION_TTL_SECONDS": "0"}, "DRS_CAPACITY_SESSION_TTL_SECONDS")],
)  # fmt: skip
def test_a_bad_sign_in_setting_is_refused_naming_its_variable(env, named):
    with pytest.raises(ValueError, match=named):
        Settings.from_env(env)


# -- mode and logs (issue 11) ----------------------------------------------------------


def test_mode_and_logs_default_to_undecided_text_and_the_entry_points_level():
    settings = Settings()
    assert (settings.mode, settings.log_format, settings.log_level) == (
        None,
        "text",
        None,
    )


def test_mode_and_log_settings_come_from_their_variables_in_any_case():
    settings = Settings.from_env({
        "DRS_CAPACITY_MODE": " Scenario ", "DRS_CAPACITY_LOG_FORMAT": "JSON",
        "DRS_CAPACITY_LOG_LEVEL": "debug",
    })  # fmt: skip
    assert (settings.mode, settings.log_format, settings.log_level) == (
        "scenario", "json", "DEBUG",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DRS_CAPACITY_MODE", "prod"), ("DRS_CAPACITY_LOG_FORMAT", "xml"),
     ("DRS_CAPACITY_LOG_LEVEL", "loud")],
)  # fmt: skip
def test_a_bad_mode_or_log_setting_is_refused_naming_its_variable(variable, value):
    with pytest.raises(ValueError, match=f"{variable}: expected one of"):
        Settings.from_env({variable: value})
