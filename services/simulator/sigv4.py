"""Who signed a request, read from its SigV4 `Authorization` header as AWS reads it, and
whether the signature is the one that key's secret gives."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

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
    """True when the signature is what `secret_key` gives over the headers it signed."""
    from botocore.auth import SigV4Auth  # imported when used: see services.simulator
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import ReadOnlyCredentials

    if not signature.timestamp or signature.timestamp[:8] != signature.date:
        return False
    headers = {}
    for name in signature.signed_headers:
        value = _header(request, name)
        if value is not None:
            headers[name] = value
        elif name != "host":  # botocore signs the URL's host without a header
            return False
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    signed = AWSRequest(request.method, request.url, headers=headers, data=body)
    signed.context["timestamp"] = signature.timestamp
    credentials = ReadOnlyCredentials(signature.access_key, secret_key, signature.token)
    auth = SigV4Auth(credentials, signature.service, signature.region)
    canonical = auth.canonical_request(signed)
    expected = auth.signature(auth.string_to_sign(signed, canonical), signed)
    return hmac.compare_digest(expected, signature.signature)


def _header(request, name: str) -> str | None:
    value = request.headers.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return value
