"""Precise exceptions raised by inner code; the dispatcher turns them into the envelope."""

from __future__ import annotations

from services.models import ErrorInfo


class ProductError(Exception):
    """An error a user can act on: a code, a message, maybe the input field at fault."""

    code = "INTERNAL_ERROR"
    http_status = 500

    def __init__(
        self, message: str, *, field: str | None = None, code: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def to_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return error

    @property
    def info(self) -> ErrorInfo:
        return ErrorInfo(self.code, self.message)


class InputError(ProductError):
    code = "VALIDATION_ERROR"
    http_status = 400


class NotFoundError(ProductError):
    code = "NOT_FOUND"
    http_status = 404


class ConflictError(ProductError):
    code = "CONFLICT"
    http_status = 409


class AwsError(ProductError):
    """An AWS call failed; `code` is one of SPEC §6 (ROLE_NOT_ACCESSIBLE, AWS_THROTTLED …)."""

    http_status = 502

    def __init__(self, code: str, message: str, *, aws_code: str | None = None):
        super().__init__(message, code=code)
        self.aws_code = aws_code
