"""AwsGateway: the product's way into AWS accounts.

One botocore event system and model loader for everything (models are parsed once). Each
role gets refreshing AssumeRole credentials (botocore renews them before they expire) and its
own botocore session over the shared pieces, so every account × Region client is created once
and reused for the life of the process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    RefreshableCredentials,
)

from services.aws import classify
from services.settings import Settings


class _NoTraceback(logging.Filter):
    """botocore logs a failed credential refresh with its traceback: keep the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = None
        return True


logging.getLogger("botocore.credentials").addFilter(_NoTraceback())


@dataclass(frozen=True)
class AccountAccess:
    """How an account is reached: a role (and external ID) to assume."""

    role_arn: str
    external_id: str | None = field(repr=False)  # write-only (SPEC §2)


class _Fixed(CredentialProvider):
    """A credential provider that always answers with one (refreshing) credentials object."""

    METHOD = "drs-capacity-assume-role"

    def __init__(self, credentials):
        super().__init__()
        self._credentials = credentials

    def load(self):
        return self._credentials


@dataclass
class _Role:
    credentials: RefreshableCredentials
    session: botocore.session.Session
    last_used: float


class AwsGateway:
    """Credentials and clients shared by every collection and validation."""

    def __init__(
        self,
        settings: Settings,
        botocore_session: botocore.session.Session | None = None,
        own_credentials: dict | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self._clock = clock
        base = botocore_session or botocore.session.get_session()
        self._own = boto3.Session(
            botocore_session=base, **(own_credentials or {})
        )._session
        self._config = Config(
            retries={"mode": "standard", "max_attempts": settings.aws_max_attempts},
            connect_timeout=settings.aws_connect_timeout,
            read_timeout=settings.aws_read_timeout,
            max_pool_connections=4,
        )
        self._lock = threading.Lock()
        self._credentials: dict[AccountAccess, RefreshableCredentials] = {}
        self._roles: dict[AccountAccess, _Role] = {}
        self._clients: dict[tuple, object] = {}
        self._own_account: str | None = None
        self._warmed = False

    def warm(self) -> None:
        """Parse the models once, on one thread, before threads fan out."""
        with self._lock:
            if not self._warmed:
                for service in ("drs", "sts", "service-quotas"):
                    self._own.get_service_model(service)
                self._warmed = True

    def own_account_id(self) -> str:
        """The account the dashboard's own credentials belong to (asked once)."""
        if self._own_account is None:
            try:
                sts = self.client("sts", self.settings.home_region)
                self._own_account = sts.get_caller_identity()["Account"]
            except Exception as exc:
                raise classify(exc, operation="caller_identity") from None
        return self._own_account

    def access(self, role_arn: str, external_id: str | None) -> AccountAccess:
        """Valid credentials for this role now (AssumeRole the first time, renewed when
        due); raises AwsError when the role cannot be assumed."""
        key = AccountAccess(role_arn, external_id)
        role = self._roles.get(key)
        if role is None:
            credentials = self._assume(key)
            with self._lock:
                role = self._roles.setdefault(
                    key, _Role(credentials, self._session_for(credentials), 0.0)
                )
                self._credentials[key] = role.credentials
        else:
            try:
                role.credentials.get_frozen_credentials()  # renews when due
            except Exception as exc:
                raise classify(exc, operation="assume_role") from None
        role.last_used = self._clock()
        return key

    def client(self, service: str, region: str, access: AccountAccess | None = None):
        """The one client for `access` (None = our own credentials) × service × Region."""
        key = (access, service, region)
        found = self._clients.get(key)
        if found is not None:
            return found
        self.warm()
        session = self._roles[access].session if access else self._own
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = session.create_client(
                    service, region_name=region, config=self._config
                )
                self._clients[key] = found
        return found

    def drop_client(
        self, service: str, region: str, access: AccountAccess | None
    ) -> None:
        """Forget a client not worth keeping (a Region found empty): clients cost memory."""
        with self._lock:
            self._clients.pop((access, service, region), None)

    def forget_idle(self, idle_seconds: float = 2 * 3600) -> None:
        """Drop roles (and their clients) unused for a while: removed staging accounts."""
        cutoff = self._clock() - idle_seconds
        with self._lock:
            idle = {k for k, role in self._roles.items() if role.last_used < cutoff}
            for key in idle:
                del self._roles[key], self._credentials[key]
            self._clients = {k: c for k, c in self._clients.items() if k[0] not in idle}

    def _assume(self, key: AccountAccess) -> RefreshableCredentials:
        def fetch() -> dict:
            params = {
                "RoleArn": key.role_arn,
                "RoleSessionName": self.settings.role_session_name,
            }
            if key.external_id:
                params["ExternalId"] = key.external_id
            try:
                # the regional STS endpoint: its tokens also work in opt-in Regions
                answer = self.client("sts", self.settings.home_region).assume_role(
                    **params
                )
            except Exception as exc:
                raise classify(exc, operation="assume_role") from None
            c = answer["Credentials"]
            return {
                "access_key": c["AccessKeyId"],
                "secret_key": c["SecretAccessKey"],
                "token": c["SessionToken"],
                "expiry_time": c["Expiration"].isoformat(),  # botocore parses it back
            }

        first = fetch()
        return RefreshableCredentials(
            first["access_key"],
            first["secret_key"],
            first["token"],
            datetime.fromisoformat(first["expiry_time"]),
            refresh_using=fetch,
            method=_Fixed.METHOD,
            time_fetcher=self._now,
        )

    def _session_for(self, credentials) -> botocore.session.Session:
        """A botocore session for one role, sharing our events and models."""
        session = botocore.session.Session(
            event_hooks=self._own.get_component("event_emitter"),
            include_builtin_handlers=False,  # already on the shared event system
        )
        session.register_component(
            "data_loader", self._own.get_component("data_loader")
        )
        session.register_component(
            "credential_provider", CredentialResolver([_Fixed(credentials)])
        )
        return session

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)
