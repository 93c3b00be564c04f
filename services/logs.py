"""Logging setup for the entry points: AWS libraries never log below WARNING, because
at DEBUG botocore prints request and response bodies (AssumeRole credentials included).

`DRS_CAPACITY_LOG_FORMAT=json` writes one JSON object per line (fields: time, level,
logger, message, and a record's `fields`); `DRS_CAPACITY_LOG_LEVEL` sets the level.
Every line, text or JSON, passes the same secret filters, and carries no traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

QUIET = ("botocore", "boto3", "urllib3", "s3transfer", "moto")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: int = logging.WARNING, settings=None) -> None:
    """Log to stderr as `settings` say (format, level), `level` when they name none.

    Like logging.basicConfig, it leaves a root logger that others configured alone
    (a test's capture, an embedding app); a second call replaces its own handler.
    """
    if settings is not None and settings.log_level:
        level = logging.getLevelName(settings.log_level)
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _StderrHandler)]
    if len(ours) == len(root.handlers):
        for handler in ours:
            root.removeHandler(handler)
        json_lines = settings is not None and settings.log_format == "json"
        root.addHandler(log_handler(json_lines))
        root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def log_handler(json_lines: bool) -> logging.Handler:
    """A stderr handler in either format, its lines passed through the secret filters."""
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if json_lines else _TextFormatter(TEXT_FORMAT))
    handler.addFilter(_HIDE_SECRETS)
    return handler


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test may swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _TextFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return f"({ei[0].__name__})" if ei and ei[0] else ""

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return ""


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the record's
    `fields` (extra={"fields": {...}}); an exception by its type, never its trace."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update({k: v for k, v in fields.items() if k not in line})
        if record.exc_info and record.exc_info[0]:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, default=str, ensure_ascii=False)


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


class _HideSecrets(logging.Filter):
    """On the entry points' handler: every line, from any logger, text or JSON."""

    def filter(self, record: logging.LogRecord) -> bool:
        _HIDE_EXTERNAL_IDS.filter(record)
        _HIDE_CREDENTIALS.filter(record)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {
                k: hide_external_ids(v) if isinstance(v, str) else v
                for k, v in fields.items()
            }
        return True


_HIDE_SECRETS = _HideSecrets()


def hide_aws_secrets_in_logs() -> None:
    """Filter botocore's loggers that print credentials or tracebacks (idempotent)."""
    logging.getLogger("botocore.credentials").addFilter(_NO_TRACEBACK)
    for name in ("botocore.endpoint", "botocore.parsers", "botocore.auth"):
        logging.getLogger(name).addFilter(_HIDE_CREDENTIALS)
