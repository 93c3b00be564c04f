"""Logging setup for the entry points: AWS libraries never log below WARNING, because
at DEBUG botocore prints request and response bodies (AssumeRole credentials included)."""

from __future__ import annotations

import logging
import re

QUIET = ("botocore", "boto3", "urllib3", "s3transfer", "moto")


def configure_logging(level: int = logging.WARNING) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


# The AWS libraries' loggers that print request and response payloads at DEBUG: the
# stored account items and AssumeRole's parameters there carry external IDs.
PAYLOAD_LOGGERS = (
    "boto3.resources.action",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.auth",
)
_QUOTE = r"""\\?['"]"""  # a quote, maybe escaped inside a repr or JSON text
_EXTERNAL_ID_VALUE = re.compile(
    rf"(?P<key>(?<![A-Za-z])external_?id(?:{_QUOTE})?\s*[:=]\s*"
    rf"(?:{{\s*{_QUOTE}S{_QUOTE}\s*:\s*)?)"  # a DynamoDB-typed value: {{"S": ...}}
    rf"(?:(?P<open>{_QUOTE})[^'\"\\]*(?P<close>{_QUOTE})|(?P<bare>[^\s&'\",)}}]+))",
    re.IGNORECASE,
)


def hide_external_ids(text: str) -> str:
    """`text` with the value of every externalId / ExternalId / external_id hidden."""

    def hidden(found: re.Match) -> str:
        if found["bare"] in ("None", "null"):
            return found[0]
        if found["bare"]:
            return found["key"] + "***"
        return found["key"] + found["open"] + "***" + found["close"]

    return _EXTERNAL_ID_VALUE.sub(hidden, text)


class _HideExternalIds(logging.Filter):
    """External IDs are write-only (SPEC §2): not even a DEBUG line shows one."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        shown = hide_external_ids(text)
        if shown != text:
            record.msg, record.args = shown, None
        return True


_HIDE_EXTERNAL_IDS = _HideExternalIds()


def hide_external_ids_in_aws_logs() -> None:
    """Filter the AWS libraries' payload loggers (idempotent)."""
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).addFilter(_HIDE_EXTERNAL_IDS)


class _NoTraceback(logging.Filter):
    """botocore logs a failed credential refresh with its traceback: keep the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = None
        return True


class _HideCredentials(logging.Filter):
    """At DEBUG botocore prints what it sends and receives: AssumeRole's answer and the
    session token each request carries. No log line shows either (SPEC §7)."""

    _PATTERNS = (
        (
            re.compile(r"<Credentials>.*?</Credentials>", re.S),
            "<Credentials>***</Credentials>",
        ),
        (
            re.compile(
                r"(x-amz-security-token\\?['\"]?\s*[:=]\s*b?\\?['\"]?)[^'\"\s\\]+", re.I
            ),
            r"\1***",
        ),
    )

    def filter(self, record: logging.LogRecord) -> bool:
        text = shown = record.getMessage()
        for pattern, replacement in self._PATTERNS:
            shown = pattern.sub(replacement, shown)
        if shown != text:
            record.msg, record.args = shown, None
        return True


_NO_TRACEBACK = _NoTraceback()
_HIDE_CREDENTIALS = _HideCredentials()


def hide_aws_secrets_in_logs() -> None:
    """Filter botocore's loggers that print credentials or tracebacks (idempotent)."""
    logging.getLogger("botocore.credentials").addFilter(_NO_TRACEBACK)
    for name in ("botocore.endpoint", "botocore.parsers", "botocore.auth"):
        logging.getLogger(name).addFilter(_HIDE_CREDENTIALS)
