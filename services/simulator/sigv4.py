"""Who signed a request, read from its SigV4 `Authorization` header as AWS reads it, and
whether the signature is the one that key's secret gives."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<headers>[^,]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class Signature:
    """The parts of one request's SigV4 signature."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    token: str | None
    timestamp: str | None


def signature_of(request) -> Signature | None:
    """The request's signature, or None if it carries no SigV4 Authorization header."""
    match = _AUTHORIZATION.fullmatch(_header(request, "Authorization") or "")
    if match is None:
        return None
    return Signature(
        match["key"],
        match["date"],
        match["region"],
        match["service"],
        tuple(match["headers"].split(";")),
        match["signature"],
        _header(request, "X-Amz-Security-Token"),
        _header(request, "X-Amz-Date"),
    )


def is_valid(request, signature: Signature, secret_key: str) -> bool:
    """True when the signature is what `secret_key` gives over what it signed (the
    headers it names, the path, the query string and the body), as SigV4 defines it."""
    if not signature.timestamp or signature.timestamp[:8] != signature.date:
        return False
    canonical = _canonical_request(request, signature.signed_headers)
    if canonical is None:
        return False
    scope = f"{signature.date}/{signature.region}/{signature.service}/aws4_request"
    to_sign = "\n".join(
        (
            "AWS4-HMAC-SHA256",
            signature.timestamp,
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        )
    )
    key = _signing_key(secret_key, signature.date, signature.region, signature.service)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.signature)


def _canonical_request(request, signed_headers: tuple[str, ...]) -> str | None:
    from botocore.utils import normalize_url_path  # imported when used (see __init__)

    url = urlsplit(request.url)
    pairs = sorted(pair.partition("=")[::2] for pair in url.query.split("&") if pair)
    lines = []
    for name in signed_headers:
        value = _header(request, name)
        if value is None and name == "host":  # botocore signs the URL's host
            value = _host(url)
        if value is None:
            return None
        lines.append(f"{name}:{' '.join(value.split())}")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    payload = _header(request, "X-Amz-Content-SHA256")
    return "\n".join(
        (
            request.method.upper(),
            quote(normalize_url_path(url.path), safe="/~"),
            "&".join(f"{k}={v}" for k, v in pairs),
            "\n".join(lines) + "\n",
            ";".join(signed_headers),
            payload or hashlib.sha256(body).hexdigest(),
        )
    )


@functools.lru_cache(maxsize=1024)
def _signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _host(url) -> str:
    default = {"http": 80, "https": 443}.get(url.scheme)
    if url.port is not None and url.port != default:
        return f"{url.hostname}:{url.port}"
    return url.hostname or ""


def _header(request, name: str) -> str | None:
    value = request.headers.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return value
