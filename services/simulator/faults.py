"""How simulated calls fail: an AWS error answer, or a transport fault."""

from __future__ import annotations


class SimulatedError(Exception):
    """An error AWS would answer with: code, HTTP status, message, modeled fields."""

    def __init__(self, code: str, status: int, message: str, **fields):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.message = message
        self.fields = fields


_DEFAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "AccessDeniedException": "User is not authorized to perform this action",
    "InternalServerException": "Internal server error",
    "ValidationException": "Invalid request",
    "ResourceNotFoundException": "Resource not found",
    "ConflictException": "Conflict",
    "ServiceQuotaExceededException": "Service quota exceeded",
    "UnrecognizedClientException": "The security token included in the request is invalid.",
    "ExpiredTokenException": "The security token included in the request is expired",
}


def region_error(code: str, status: int, operation: str) -> SimulatedError:
    """The error a faulty Region answers every DRS call with."""
    message = _DEFAULT_MESSAGES.get(code, code)
    if code == "AccessDeniedException":
        message = f"User is not authorized to perform: drs:{operation}"
    if code == "ThrottlingException":
        return SimulatedError(code, status, message, serviceCode="drs")
    return SimulatedError(code, status, message)


def transport_fault(kind: str, region: str, operation: str) -> Exception:
    """botocore's own exception for a connection that times out or cannot be made."""
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    url = f"https://drs.{region}.amazonaws.com/{operation}"
    if kind == "timeout":
        return ReadTimeoutError(endpoint_url=url)
    return EndpointConnectionError(endpoint_url=url)


def uninitialized() -> SimulatedError:
    return SimulatedError(
        "UninitializedAccountException", 400, "Account not initialized"
    )


def not_enabled() -> SimulatedError:
    return SimulatedError(
        "UnrecognizedClientException",
        403,
        _DEFAULT_MESSAGES["UnrecognizedClientException"],
    )


def validation(message: str) -> SimulatedError:
    return SimulatedError("ValidationException", 400, message, reason="other")
