"""Request bodies as JSON, bounded in size and nesting: the one parser of the REST API,
the Dash route's guard and the Lambda entry (issue 9: hostile input)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from services.errors import InputError

MAX_BODY_BYTES = 1 << 20
# Deeper than any body this product reads (an API body is 2 levels), far below the
# ~1,000 levels where json.loads raises RecursionError.
MAX_JSON_DEPTH = 32
# A JSON string (skipped: brackets inside it do not nest) or one bracket.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")


class BodyTooLarge(InputError):
    """A body over MAX_BODY_BYTES: 413, and the rest of it is never read."""

    http_status = 413

    def __init__(self, limit: int = MAX_BODY_BYTES):
        super().__init__(f"The body is larger than {limit} bytes.", field="body")


def nesting_exceeds(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text opens more than `limit` arrays/objects inside each other.

    A scan, not a parse: no recursion, and it stops at the first level too deep.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # cannot nest deeper than it opens
    depth = 0
    for token in _TOKENS.finditer(data):
        first = token.group()[0]
        if first in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif first != ord('"'):
            depth -= 1
    return False


def parse_json_body(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> object:
    """The JSON value of a body (empty or blank: {}); InputError naming `body` otherwise."""
    if not raw.strip():
        return {}
    if nesting_exceeds(raw, limit):
        raise InputError(
            f"The body nests arrays/objects more than {limit} levels deep.",
            field="body",
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        where = (
            f" (line {exc.lineno} column {exc.colno})" if hasattr(exc, "lineno") else ""
        )
        raise InputError(f"The body is not valid JSON{where}.", field="body") from None
    except RecursionError:  # cannot happen below the limit; never a 500 if it does
        raise InputError("The body nests too deeply.", field="body") from None


def json_object_body(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> dict:
    """A body that must be a JSON object (or empty)."""
    body = parse_json_body(raw, limit)
    if not isinstance(body, Mapping):
        raise InputError("The request body must be a JSON object.", field="body")
    return dict(body)


def value_depth_exceeds(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when an already parsed value (a Lambda event) nests deeper than `limit`;
    walked with a stack, never recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
