"""Every setting of the product in one frozen dataclass, read from the environment or flags."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from functools import lru_cache

# Replication bands as shares of the per-account limit L; for L = 300 they are 200/225/250/280.
INFO_SHARE = Fraction(200, 300)
WARNING_SHARE = Fraction(225, 300)
CRITICAL_SHARE = Fraction(250, 300)  # the operational limit
HYPER_CRITICAL_SHARE = Fraction(280, 300)
RECOVERY_WARNING_SHARE = Fraction(80, 100)
RECOVERY_CRITICAL_SHARE = Fraction(90, 100)

# Service Quotas codes of DRS's two limits (SPEC §4.1), both per account and Region.
REPLICATION_QUOTA_CODE = "L-C1D14A2B"  # replicating source servers of one account
RECOVERY_QUOTA_CODE = "L-E28BE5E0"  # source servers the target account can recover
LIMITS_SOURCES = ("service-quotas", "setting")
AUTH_MODES = ("none", "basic", "proxy")  # sign-in (services/auth.py, docs/security.md)
# where the accounts and servers come from (services/mode.py); None: decided at start
BACKEND_MODES = ("aws", "demo", "scenario")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

REPLICATION_STATES = (
    "STOPPED",
    "INITIATING",
    "INITIAL_SYNC",
    "BACKLOG",
    "CREATING_SNAPSHOT",
    "CONTINUOUS",
    "PAUSED",
    "RESCAN",
    "STALLED",
    "DISCONNECTED",
)


# Regions every account has enabled (those launched before March 20, 2019); any other
# Region is opt-in, and an account that has not enabled it cannot sign requests there.
DEFAULT_ENABLED_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2",
})  # fmt: skip


@lru_cache(maxsize=1)
def drs_regions() -> tuple[str, ...]:
    """Every commercial Region where botocore says DRS is offered."""
    import botocore.session

    return tuple(botocore.session.get_session().get_available_regions("drs"))


@dataclass(frozen=True)
class Settings:
    table_name: str = "drs-capacity-target-accounts"
    # capacity over time (services/history.py): "" keeps no history
    history_table_name: str = "drs-capacity-history"
    history_retention_days: int = 400
    # alerts (services/alert_monitor.py), state and mutes in the history table: an SNS
    # topic and/or a Slack-compatible webhook (its URL, or the SSM parameter holding it)
    alert_sns_topic_arn: str = ""
    alert_webhook_url: str | None = field(default=None, repr=False)  # path is secret
    alert_webhook_parameter: str = ""  # an SSM parameter name, read once
    alert_reminder_seconds: float = 21600.0  # while WARNING or worse; 0: never
    alert_forecast_days: int = 14  # forecast alert horizon; 0: no forecast alerts
    alert_forecast_level: str = "CRITICAL"  # the forecast level that alerts
    replication_limit: int = 300  # quota L-C1D14A2B, per account and Region
    max_recovery_instances: int = 4000  # quota L-E28BE5E0, target account
    limits_source: str = "service-quotas"  # or "setting": never ask Service Quotas
    quota_ttl_seconds: float = 3600.0  # how long a limit read from Service Quotas holds
    max_staging_accounts: int = 100
    non_replicating_states: frozenset[str] = frozenset({"STOPPED", "DISCONNECTED"})
    regions: tuple[str, ...] = field(default_factory=drs_regions)
    home_region: str = "us-east-1"  # STS and DynamoDB
    cache_ttl_seconds: float = 30.0
    refresh_interval_seconds: int = 30
    region_rescan_seconds: float = 3600.0
    max_workers: int = 128  # threads of a collection (in each reading process)
    # processes a target of 20 accounts or more is read in (services/collect_processes.py);
    # None: one per CPU this process may use, at most 4; 1: the app's own process only
    collect_processes: int | None = None
    # servers per DescribeSourceServers page (AWS allows 1000): the pages being read at
    # once set the peak memory; 500 kept 100 accounts × 3,000 servers at 239 MB of
    # collection peak instead of 277 MB, at the same CPU (one more call per 500 servers)
    page_size: int = 500
    aws_max_attempts: int = 4
    aws_connect_timeout: float = 5.0
    aws_read_timeout: float = 20.0
    role_session_name: str = "drs-capacity-dashboard"
    scenario_path: str | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    auth: str = "none"  # none | basic | proxy
    users_file: str | None = None  # basic: one name:role:password-hash per line
    tokens_file: str | None = None  # API tokens: one name:role:sha256 per line
    # ALB with OIDC puts the IdP's subject (stable, unique) here; the email is only
    # inside x-amzn-oidc-data, a JWT this app cannot verify offline
    proxy_header: str = "x-amzn-oidc-identity"
    trusted_proxies: tuple[str, ...] = ()  # addresses/CIDRs whose header is believed
    admins: tuple[str, ...] = ()  # proxy: identities that may write; others view
    # Host names the app answers to (others: 400), against DNS rebinding; app.py on a
    # loopback address defaults to localhost's names
    trusted_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[
        str, ...
    ] = ()  # other origins whose pages may write (a portal)
    session_secret: str | None = field(default=None, repr=False)  # shared by workers
    session_ttl_seconds: float = 43200.0  # a Basic sign-in's cookie lasts 12 hours
    # shared state of every worker and host (services/shared_cache.py); None: in-process
    cache_url: str | None = field(default=None, repr=False)  # redis://host:6379/0
    # DynamoDB at another address: DynamoDB Local, or the demo store every process of a
    # demo shares (services/demo_store.py); None: the Region's endpoint (demo: in memory)
    dynamodb_endpoint: str | None = None
    collection_deadline_seconds: float = 60.0  # longer: reported, given up
    # None: a request waits for its collection; a number: stale-while-revalidate, and a
    # request without a snapshot answers `refreshing` after at most that many seconds
    refresh_wait_seconds: float | None = None
    # a forced refresh is answered by a forced collection started this recently
    refresh_coalesce_seconds: float = 5.0
    # without a shared cache: how often an answer reads the target's version in the store
    # to see another worker's write (services/service.py _follow_store)
    store_follow_seconds: float = 2.0
    # /metrics: a snapshot older than this makes a scrape ask for one background
    # collection; None: only a target with no snapshot does (services/prometheus.py)
    metrics_refresh_seconds: float | None = None
    mode: str | None = None  # aws | demo | scenario; None: chosen by services/mode.py
    log_format: str = "text"  # or json: one object per line
    log_level: str | None = None  # None: the entry point's default (INFO, CLI WARNING)

    def __post_init__(self):
        """Refuse settings that would make every number wrong, naming the variable."""
        problems = {
            "regions": [r for r in self.regions if r not in drs_regions()],
            "non_replicating_states": sorted(
                set(self.non_replicating_states) - set(REPLICATION_STATES)
            ),
        }
        for name, unknown in problems.items():
            if unknown:
                raise ValueError(f"DRS_CAPACITY_{name.upper()}: unknown {unknown}")
        for name in ("replication_limit", "max_recovery_instances", "max_workers",
                     "collect_processes"):  # fmt: skip
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{_variable(name)}: must be at least 1")
        if self.limits_source not in LIMITS_SOURCES:
            raise ValueError(
                f"{_variable('limits_source')}: expected one of "
                f"{', '.join(LIMITS_SOURCES)}, got {self.limits_source!r}"
            )
        if self.dynamodb_endpoint and not re.fullmatch(
            r"https?://[^\s/]+/?", self.dynamodb_endpoint
        ):
            raise ValueError(
                f"{_variable('dynamodb_endpoint')}: expected http(s)://host:port, got "
                f"{self.dynamodb_endpoint!r}"
            )
        if not self.store_follow_seconds >= 0:
            raise ValueError(
                f"{_variable('store_follow_seconds')}: must not be negative"
            )
        if not self.refresh_coalesce_seconds >= 0:
            raise ValueError(
                f"{_variable('refresh_coalesce_seconds')}: must not be negative"
            )
        if not self.quota_ttl_seconds >= 0:  # also refuses NaN
            raise ValueError(f"{_variable('quota_ttl_seconds')}: must not be negative")
        if not self.collection_deadline_seconds > 0:
            raise ValueError(
                f"{_variable('collection_deadline_seconds')}: must be positive"
            )
        if self.refresh_wait_seconds is not None and not self.refresh_wait_seconds >= 0:
            raise ValueError(
                f"{_variable('refresh_wait_seconds')}: must not be negative"
            )
        self._check_choices()
        self._check_sign_in()
        self._check_alerts()

    def _check_choices(self) -> None:
        for name, case in (("mode", str.lower), ("log_format", str.lower),
                           ("log_level", str.upper)):  # fmt: skip
            if isinstance(getattr(self, name), str):
                object.__setattr__(self, name, case(getattr(self, name).strip()))
        choices = {"mode": BACKEND_MODES, "log_format": LOG_FORMATS,
                   "log_level": LOG_LEVELS}  # fmt: skip
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ValueError(
                    f"{_variable(name)}: expected one of {', '.join(allowed)}, "
                    f"got {value!r}"
                )

    def _check_sign_in(self) -> None:
        if self.auth not in AUTH_MODES:
            raise ValueError(
                f"{_variable('auth')}: expected one of {', '.join(AUTH_MODES)}, "
                f"got {self.auth!r}"
            )
        if self.auth == "basic" and not self.users_file:
            raise ValueError(
                f"{_variable('auth')}=basic needs {_variable('users_file')} "
                "(create it with: cli.py users add NAME --role admin)"
            )
        if self.auth == "proxy" and not self.trusted_proxies:
            raise ValueError(
                f"{_variable('auth')}=proxy needs {_variable('trusted_proxies')}: "
                "the addresses or CIDRs of the load balancer"
            )
        if not _HEADER_NAME.fullmatch(self.proxy_header):
            raise ValueError(f"{_variable('proxy_header')}: not a header name")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"{_variable('trusted_proxies')}: not an address or CIDR: {proxy!r}"
                ) from None
        if not self.session_ttl_seconds > 0:
            raise ValueError(f"{_variable('session_ttl_seconds')}: must be positive")

    def _check_alerts(self) -> None:
        if self.alert_sns_topic_arn and not _TOPIC_ARN.fullmatch(
            self.alert_sns_topic_arn
        ):
            raise ValueError(
                f"{_variable('alert_sns_topic_arn')}: not an SNS topic ARN"
            )
        if self.alert_webhook_url and not _webhook_url_ok(self.alert_webhook_url):
            raise ValueError(  # never echo the URL: its path is the secret
                f"{_variable('alert_webhook_url')}: expected an https:// URL "
                "(http:// only to this host)"
            )
        if self.alert_webhook_parameter and not _PARAMETER_NAME.fullmatch(
            self.alert_webhook_parameter
        ):
            raise ValueError(
                f"{_variable('alert_webhook_parameter')}: not an SSM parameter name "
                "(/path/name)"
            )
        if not self.alert_reminder_seconds >= 0:
            raise ValueError(
                f"{_variable('alert_reminder_seconds')}: must not be negative"
            )
        if not 0 <= self.alert_forecast_days <= 3650:
            raise ValueError(f"{_variable('alert_forecast_days')}: must be 0 to 3650")
        level = str(self.alert_forecast_level).strip().upper()
        object.__setattr__(self, "alert_forecast_level", level)
        if level not in ALERT_FORECAST_LEVELS:
            raise ValueError(
                f"{_variable('alert_forecast_level')}: expected one of "
                f"{', '.join(ALERT_FORECAST_LEVELS)}, got {level!r}"
            )

    @property
    def demo(self) -> bool:
        return self.scenario_path is not None

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from `DRS_CAPACITY_<NAME>` variables (or the bare names SPEC uses, see
        SPEC_NAMES; the prefixed one wins), then explicit overrides."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            for variable in (*_spec_names(f.name), f"DRS_CAPACITY_{f.name.upper()}"):
                if variable in env:
                    values[f.name] = _parse(variable, f.type, env[variable])
        settings = cls(**values)
        return settings.with_overrides(**overrides)


_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}")
_PARAMETER_NAME = re.compile(r"(/[A-Za-z0-9_.-]+){1,15}")
ALERT_FORECAST_LEVELS = ("WARNING", "CRITICAL", "HYPER-CRITICAL")


def _webhook_url_ok(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname or any(c.isspace() for c in url):
        return False
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return parts.scheme == "https" or (parts.scheme == "http" and local)


# Settings SPEC names without the product's prefix: accepted under that name too.
SPEC_NAMES = frozenset({
    "max_staging_accounts", "quota_ttl_seconds", "limits_source",
    "replication_limit", "max_recovery_instances",
})  # fmt: skip


def _spec_names(name: str) -> tuple[str, ...]:
    return (name.upper(),) if name in SPEC_NAMES else ()


def _variable(name: str) -> str:
    """How an error names a setting: its variable, and its SPEC name where it has one."""
    spec = "".join(f" (or {n})" for n in _spec_names(name))
    return f"DRS_CAPACITY_{name.upper()}{spec}"


def _parse(variable: str, type_name: str, raw: str):
    try:
        if type_name.startswith("int"):
            return int(raw)
        if type_name.startswith("float"):
            return float(raw)
        if type_name.startswith("frozenset"):
            return frozenset(s.strip() for s in raw.split(",") if s.strip())
        if type_name.startswith("tuple"):
            return tuple(s.strip() for s in raw.split(",") if s.strip())
    except ValueError:
        raise ValueError(f"{variable}: not a number: {raw!r}") from None
    return raw


def add_backend_options(parser) -> None:
    """`--scenario FILE` and `--demo | --aws`: how app.py and cli.py pick the backend."""
    parser.add_argument("--scenario", metavar="FILE", help="run on a simulated fleet")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--demo", dest="mode", action="store_const", const="demo",
                      help="the shipped demo scenario")  # fmt: skip
    mode.add_argument("--aws", dest="mode", action="store_const", const="aws",
                      help="real AWS even without explicit configuration")  # fmt: skip
