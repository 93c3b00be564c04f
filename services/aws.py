"""The one place where AWS failures are classified into SPEC §6 codes."""

from __future__ import annotations

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
from services.settings import DEFAULT_ENABLED_REGIONS

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


def classify(
    exc: Exception, *, operation: str = "drs", region: str | None = None
) -> AwsError:
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
        return _classify_client_error(exc, operation, region)
    if isinstance(exc, BotoCoreError):
        return AwsError(AWS_ERROR, f"AWS call failed: {type(exc).__name__}.")
    return AwsError(AWS_ERROR, f"Unexpected failure: {type(exc).__name__}.")


def _classify_client_error(
    exc: ClientError, operation: str, region: str | None
) -> AwsError:
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
    if (
        operation == "drs"
        and code in ("UnrecognizedClientException", "InvalidClientTokenId")
        and region not in DEFAULT_ENABLED_REGIONS  # elsewhere it means bad credentials
    ):
        return AwsError(
            REGION_NOT_ENABLED,
            "The Region is not enabled for this account.",
            aws_code=code,
        )
    if code in _BAD_CREDENTIALS:
        whose = "this account's" if operation == "drs" else "the dashboard's own"
        return AwsError(
            CREDENTIALS_INVALID,
            f"AWS rejected {whose} credentials (invalid or expired).",
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
