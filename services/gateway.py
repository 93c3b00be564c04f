"""AwsGateway: the product's way into AWS accounts.

One client per service × Region for the life of the process, shared by every account: each
request is signed with the credentials of the account bound to the calling thread for that
call (`acting_as`). Roles get refreshing AssumeRole credentials (botocore renews them before
they expire); standard-mode retries are accounted per account, as they were with a client
per account.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
from botocore.exceptions import NoCredentialsError

from services.aws import classify
from services.counting_parser import CountingParserFactory
from services.logs import hide_aws_secrets_in_logs
from services.retries import RetriesByIdentity
from services.settings import Settings

SERVICES = ("drs", "service-quotas", "sts")
# the paginators the product uses, built once per client
PAGINATORS = {"drs": ("describe_source_servers",)}


hide_aws_secrets_in_logs()


@dataclass(frozen=True)
class AccountAccess:
    """How an account is reached: a role (and external ID) to assume."""

    role_arn: str
    external_id: str | None = field(repr=False)  # write-only (SPEC §2)


@dataclass(frozen=True, eq=False)
class _Identity:
    """Who signs the calls made while it is bound: a key and its credentials."""

    key: AccountAccess | None  # None: the dashboard's own credentials
    credentials: object | None


class UnboundIdentityError(NoCredentialsError):
    fmt = "No account is bound for this AWS call: bind one with AwsGateway.acting_as()"


# The identity every shared client signs with in the current thread (or task context).
_acting: ContextVar[_Identity | None] = ContextVar("drs_capacity_acting", default=None)


def _acting_key():
    """The key of the identity bound for this call (None: nothing bound)."""
    identity = _acting.get()
    return identity.key if identity else None


class _BoundCredentials:
    """Installed on every shared client: the credentials of the identity bound now.

    The signer asks for them at each attempt, so refreshing credentials renew in time;
    with nothing bound the request is refused, never signed with someone else's keys.
    """

    method = "drs-capacity-bound"

    def get_frozen_credentials(self):
        identity = _acting.get()
        if identity is None:
            raise UnboundIdentityError()
        if identity.credentials is None:
            return None  # botocore then raises NoCredentialsError
        return identity.credentials.get_frozen_credentials()

    def get_deferred_property(self, name: str):
        def resolve():
            identity = _acting.get()
            return getattr(identity and identity.credentials, name, None)

        return resolve


class _Fixed(CredentialProvider):
    """A credential provider that always answers with one credentials object."""

    METHOD = "drs-capacity-bound"

    def __init__(self, credentials):
        super().__init__()
        self._credentials = credentials

    def load(self):
        return self._credentials


class AwsGateway:
    """Credentials and the shared clients of every collection and validation."""

    def __init__(
        self,
        settings: Settings,
        botocore_session: botocore.session.Session | None = None,
        own_credentials: dict | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        base = botocore_session or botocore.session.get_session()
        self._own = boto3.Session(
            botocore_session=base, **(own_credentials or {})
        )._session
        self._signing = self._signing_session()
        self._config = Config(
            retries={"mode": "standard", "max_attempts": settings.aws_max_attempts},
            connect_timeout=settings.aws_connect_timeout,
            read_timeout=settings.aws_read_timeout,
            # every worker may be calling the same Region at once
            max_pool_connections=settings.max_workers,
            # our own constant parameters need no per-call validation, and none of the
            # read calls asks for a checksum: ~15 % of a forced refresh's CPU
            parameter_validation=False,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self._create_lock = threading.Lock()  # taken only to create what is missing
        self._credentials: dict[AccountAccess, RefreshableCredentials] = {}
        self._last_used: dict[AccountAccess, float] = {}
        self._role_locks: dict[AccountAccess, threading.Lock] = {}
        self._clients: dict[tuple[str, str], object] = {}
        self._retries: dict[tuple[str, str], RetriesByIdentity] = {}
        self._paginators: dict[tuple[str, str, str], object] = {}
        self._own_identity: _Identity | None = None
        self._own_account: str | None = None
        self._warmed = False

    # -- start ------------------------------------------------------------------------

    def warm(self) -> None:
        """Create the clients of the Region set, their paginators and error classes,
        on one thread, before threads fan out: botocore's model cache has no lock."""
        if self._warmed:
            return
        with self._create_lock:
            if self._warmed:
                return
            services = ["drs"]
            if self.settings.limits_source != "setting":
                services.append("service-quotas")
            wanted = [(s, r) for s in services for r in self.settings.regions]
            wanted.append(("sts", self.settings.home_region))
            for service, region in wanted:
                self._create(service, region)
            self._warmed = True

    # -- identities -------------------------------------------------------------------

    @contextmanager
    def acting_as(self, access: AccountAccess | None) -> Iterator[None]:
        """Sign every call of this thread (or task) in the block as `access`;
        None binds the dashboard's own credentials."""
        token = _acting.set(self._identity(access))
        try:
            yield
        finally:
            _acting.reset(token)

    def own_account_id(self) -> str:
        """The account the dashboard's own credentials belong to (asked once)."""
        if self._own_account is None:
            try:
                with self.acting_as(None):
                    sts = self.client("sts", self.settings.home_region)
                    self._own_account = sts.get_caller_identity()["Account"]
            except Exception as exc:
                raise classify(exc, operation="caller_identity") from None
        return self._own_account

    def access(self, role_arn: str, external_id: str | None) -> AccountAccess:
        """Valid credentials for this role now (AssumeRole the first time, renewed when
        due); raises AwsError when the role cannot be assumed."""
        key = AccountAccess(role_arn, external_id)
        credentials = self._credentials.get(key)
        if credentials is None:
            lock = self._role_locks.setdefault(key, threading.Lock())
            with lock:  # one AssumeRole per role, whoever asks at the same time
                credentials = self._credentials.get(key)
                if credentials is None:
                    credentials = self._credentials[key] = self._assume(key)
        else:
            try:
                credentials.get_frozen_credentials()  # renews when due
            except Exception as exc:
                raise classify(exc, operation="assume_role") from None
        self._last_used[key] = self._clock()
        return key

    def forget_idle(self, idle_seconds: float = 2 * 3600) -> None:
        """Forget roles unused for a while (removed staging accounts): their credentials
        and retry quotas. Tasks still running keep the identity they bound."""
        cutoff = self._clock() - idle_seconds
        for key, used in list(self._last_used.items()):
            if used < cutoff:
                self._last_used.pop(key, None)
                self._credentials.pop(key, None)
                self._role_locks.pop(key, None)

    # -- clients ----------------------------------------------------------------------

    def client(self, service: str, region: str):
        """The one client of service × Region; it signs as the identity bound now."""
        found = self._clients.get((service, region))
        if found is not None:
            return found
        self.warm()
        with self._create_lock:
            return self._create(service, region)

    def paginator(self, service: str, region: str, operation: str):
        """The client's paginator, built once (paginate() keeps no state in it)."""
        found = self._paginators.get((service, region, operation))
        if found is not None:
            return found
        self.client(service, region)
        with self._create_lock:
            return self._paginator(service, region, operation)

    def _create(self, service: str, region: str):
        """Create a missing client (the caller holds the creation lock)."""
        found = self._clients.get((service, region))
        if found is not None:
            return found
        client = self._signing.create_client(
            service, region_name=region, config=self._config
        )
        client.exceptions  # noqa: B018  (error classes built here, on one thread)
        self._retries[(service, region)] = RetriesByIdentity(
            client, self.settings.aws_max_attempts, self._sleep, _acting_key
        )
        self._clients[(service, region)] = client
        for operation in PAGINATORS.get(service, ()):
            self._paginator(service, region, operation)
        return client

    def _paginator(self, service: str, region: str, operation: str):
        key = (service, region, operation)
        found = self._paginators.get(key)
        if found is None:
            found = self._paginators[key] = self._clients[
                (service, region)
            ].get_paginator(operation)
        return found

    # -- credentials ------------------------------------------------------------------

    def _identity(self, access: AccountAccess | None) -> _Identity:
        if access is None:
            own = self._own_identity
            if own is None:
                with self._create_lock:
                    if self._own_identity is None:
                        # the dashboard's own chain (env, profile, role …), resolved once
                        self._own_identity = _Identity(
                            None, self._own.get_credentials()
                        )
                    own = self._own_identity
            return own
        credentials = self._credentials.get(access)
        if credentials is None:
            raise KeyError("no credentials for this role: call access() first")
        return _Identity(access, credentials)

    def _assume(self, key: AccountAccess) -> RefreshableCredentials:
        def fetch() -> dict:
            params = {
                "RoleArn": key.role_arn,
                "RoleSessionName": self.settings.role_session_name,
            }
            if key.external_id:
                params["ExternalId"] = key.external_id
            try:
                # the regional STS endpoint: its tokens also work in opt-in Regions;
                # signed with our own credentials, whoever is bound while renewing
                with self.acting_as(None):
                    sts = self.client("sts", self.settings.home_region)
                    answer = sts.assume_role(**params)
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
            method="drs-capacity-assume-role",
            time_fetcher=self._now,
        )

    def _signing_session(self) -> botocore.session.Session:
        """The session of the shared clients: our events and models, and credentials
        that resolve to the identity bound at each request."""
        session = botocore.session.Session(
            event_hooks=self._own.get_component("event_emitter"),
            include_builtin_handlers=False,  # already on the shared event system
        )
        session.register_component(
            "data_loader", self._own.get_component("data_loader")
        )
        session.register_component(
            "credential_provider", CredentialResolver([_Fixed(_BoundCredentials())])
        )
        # source server records parsed for the fields the count reads
        session.register_component("response_parser_factory", CountingParserFactory())
        return session

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)
