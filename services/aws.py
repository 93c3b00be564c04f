"""AWS access: one shared botocore session, AssumeRole credential cache, client cache,
and the one place where AWS errors are classified into SPEC §6 codes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from services.errors import AwsError
from services.settings import Settings

ROLE_NOT_ACCESSIBLE = "ROLE_NOT_ACCESSIBLE"
CREDENTIALS_INVALID = "CREDENTIALS_INVALID"
DRS_NOT_INITIALIZED = "DRS_NOT_INITIALIZED"
AWS_UNREACHABLE = "AWS_UNREACHABLE"
AWS_THROTTLED = "AWS_THROTTLED"
ACCESS_DENIED = "ACCESS_DENIED"
REGION_NOT_ENABLED = "REGION_NOT_ENABLED"
AWS_ERROR = "AWS_ERROR"

_THROTTLING = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
}
_UNREACHABLE = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)


def classify(exc: Exception, *, operation: str = "drs") -> AwsError:
    """Map any AWS failure to a SPEC §6 code with a message a user can act on.

    `operation` is "assume_role", "caller_identity" or "drs" (a regional DRS call).
    """
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AwsError(
            CREDENTIALS_INVALID, "The dashboard has no usable AWS credentials."
        )
    if isinstance(exc, _UNREACHABLE):
        return AwsError(
            AWS_UNREACHABLE, f"AWS did not answer in time: {type(exc).__name__}."
        )
    if isinstance(exc, ClientError):
        return _classify_client_error(exc, operation)
    if isinstance(exc, BotoCoreError):
        return AwsError(AWS_ERROR, f"AWS call failed: {type(exc).__name__}.")
    return AwsError(AWS_ERROR, f"Unexpected failure: {type(exc).__name__}.")


def _classify_client_error(exc: ClientError, operation: str) -> AwsError:
    code = exc.response.get("Error", {}).get("Code", "Unknown")
    detail = exc.response.get("Error", {}).get("Message", "")
    if code in _THROTTLING:
        return AwsError(
            AWS_THROTTLED,
            "AWS throttled the request; it is retried on the next refresh.",
            aws_code=code,
        )
    if code == "UninitializedAccountException":
        return AwsError(
            DRS_NOT_INITIALIZED,
            "DRS is not initialized in this Region: initialize the service there first.",
            aws_code=code,
        )
    if operation == "assume_role" and code in ("AccessDenied", "AccessDeniedException"):
        return AwsError(
            ROLE_NOT_ACCESSIBLE,
            "The role cannot be assumed: check its trust policy (it must trust the dashboard's account) and the external ID.",
            aws_code=code,
        )
    if operation == "drs" and code in (
        "UnrecognizedClientException",
        "InvalidClientTokenId",
    ):
        return AwsError(
            REGION_NOT_ENABLED,
            "The Region is not enabled for this account.",
            aws_code=code,
        )
    if code in _BAD_CREDENTIALS:
        return AwsError(
            CREDENTIALS_INVALID,
            "The dashboard's own AWS credentials are invalid or expired.",
            aws_code=code,
        )
    if code in ("AccessDenied", "AccessDeniedException"):
        return AwsError(
            ACCESS_DENIED,
            "Access denied: the role needs drs:DescribeSourceServers.",
            aws_code=code,
        )
    return AwsError(AWS_ERROR, f"AWS error {code}: {_first_line(detail)}", aws_code=code)  # fmt: skip


def _first_line(text: str) -> str:
    return (text or "").splitlines()[0][:200] if text else ""


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str | None
    expires_at: float | None  # epoch seconds; None = never (the dashboard's own)

    def as_client_kwargs(self) -> dict:
        return {
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            "aws_session_token": self.token,
        }

    def __repr__(self) -> str:  # never print secrets
        return f"Credentials(access_key={self.access_key[:4]}…, expires_at={self.expires_at})"


class AwsGateway:
    """Credentials and clients, shared by every collection and validation.

    One botocore session (so service models are parsed once), AssumeRole credentials reused
    until `credential_margin_seconds` before they expire, one client per identity × service ×
    Region reused across refreshes.
    """

    def __init__(
        self,
        settings: Settings,
        botocore_session: botocore.session.Session | None = None,
        own_credentials: dict | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self._clock = clock
        session = botocore_session or botocore.session.get_session()
        self._boto = boto3.Session(botocore_session=session, **(own_credentials or {}))
        self._config = Config(
            retries={"mode": "standard", "max_attempts": settings.aws_max_attempts},
            connect_timeout=settings.aws_connect_timeout,
            read_timeout=settings.aws_read_timeout,
            max_pool_connections=4,
        )
        self._lock = threading.Lock()
        self._credentials: dict[tuple[str, str | None], Credentials] = {}
        self._clients: dict[tuple, object] = {}
        self._own_account: str | None = None
        self._warmed = False

    def warm(self) -> None:
        """Parse the DRS and STS models once, on one thread, before threads fan out."""
        with self._lock:
            if not self._warmed:
                for service in ("drs", "sts"):
                    self._boto._session.get_service_model(service)
                self._warmed = True

    @property
    def botocore_session(self) -> botocore.session.Session:
        return self._boto._session

    def own_account_id(self) -> str:
        if self._own_account is None:
            try:
                identity = self.client(
                    "sts", self.settings.home_region
                ).get_caller_identity()
            except Exception as exc:
                raise classify(exc, operation="caller_identity") from None
            self._own_account = identity["Account"]
        return self._own_account

    def credentials(
        self, role_arn: str | None, external_id: str | None
    ) -> Credentials | None:
        """AssumeRole credentials (cached until near expiry); None means our own."""
        if role_arn is None:
            return None
        key = (role_arn, external_id)
        cached = self._credentials.get(key)
        if (
            cached
            and cached.expires_at - self.settings.credential_margin_seconds
            > self._clock()
        ):
            return cached
        fresh = self._assume_role(role_arn, external_id)
        self._credentials[key] = fresh
        return fresh

    def _assume_role(self, role_arn: str, external_id: str | None) -> Credentials:
        params = {
            "RoleArn": role_arn,
            "RoleSessionName": self.settings.role_session_name,
        }
        if external_id:
            params["ExternalId"] = external_id
        try:
            answer = self.client("sts", self.settings.home_region).assume_role(**params)
        except Exception as exc:
            raise classify(exc, operation="assume_role") from None
        c = answer["Credentials"]
        return Credentials(
            c["AccessKeyId"],
            c["SecretAccessKey"],
            c["SessionToken"],
            c["Expiration"].timestamp(),
        )

    def client(self, service: str, region: str, credentials: Credentials | None = None):
        """A reused client for these credentials (None = our own) in `region`."""
        identity = credentials.access_key if credentials else None
        key = (identity, service, region)
        found = self._clients.get(key)
        if found is not None:
            return found
        self.warm()
        kwargs = credentials.as_client_kwargs() if credentials else {}
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self._boto.client(
                    service, region_name=region, config=self._config, **kwargs
                )
                self._clients[key] = found
        return found

    def drop_client(
        self, service: str, region: str, credentials: Credentials | None
    ) -> None:
        """Forget a client not worth keeping (a Region found empty): clients cost memory."""
        identity = credentials.access_key if credentials else None
        with self._lock:
            self._clients.pop((identity, service, region), None)

    def forget_expired(self) -> None:
        """Drop credentials and clients past their expiry (bounded memory over weeks)."""
        now = self._clock()
        with self._lock:
            dead = {
                c.access_key for c in self._credentials.values() if c.expires_at < now
            }
            self._credentials = {
                k: c for k, c in self._credentials.items() if c.access_key not in dead
            }
            self._clients = {k: v for k, v in self._clients.items() if k[0] not in dead}
