"""Simulated STS: the credentials it issued, whose they are, and AssumeRole's rules."""

from __future__ import annotations

import base64
import hashlib
import random
import re
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.simulator.faults import SimulatedError
from services.simulator.scenario import Scenario
from services.simulator.specs import AccountSpec

ROLE_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::([0-9]{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)"
)
_KEY_CHARS = string.ascii_uppercase + "234567"
_SECRET_CHARS = string.ascii_letters + string.digits + "+/"
_INVALID_TOKEN = "The security token included in the request is invalid."
_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method."
)
# The same faults carry different codes at STS and at DRS.
_CODES = {
    "sts": {
        "unknown": ("InvalidClientTokenId", 403),
        "expired": ("ExpiredTokenException", 400),
    },
    "drs": {
        "unknown": ("UnrecognizedClientException", 403),
        "expired": ("ExpiredTokenException", 403),
    },
    "service-quotas": {
        "unknown": ("UnrecognizedClientException", 400),
        "expired": ("ExpiredTokenException", 400),
    },
}


@dataclass(frozen=True)
class Identity:
    """Who signs with one access key."""

    account_id: str
    arn: str
    user_id: str
    secret_key: str
    session_token: str | None = None
    expires_at: float | None = None


class SimulatedSts:
    def __init__(
        self,
        scenario: Scenario,
        account: Callable[[str], AccountSpec | None],
        clock: Callable[[], float],
        seed: int,
    ):
        self._scenario = scenario
        self._account = account  # the fleet's current spec of an account
        self._clock = clock
        self._rng = random.Random(f"sts/{seed}")
        self._lock = threading.Lock()
        self._identities: dict[str, Identity] = {}
        target = scenario.target["accountId"]
        with self._lock:
            key = "AKIA" + self._random(_KEY_CHARS, 16)
            self._identities[key] = own = Identity(
                target,
                f"arn:aws:iam::{target}:user/drs-capacity-dashboard",
                "AIDA" + _stable_id(target, 17),
                self._random(_SECRET_CHARS, 40),
            )
        self.own_credentials = {
            "aws_access_key_id": key,
            "aws_secret_access_key": own.secret_key,
            "aws_session_token": None,
        }

    def caller(
        self,
        access_key: str,
        token: str | None,
        service: str,
        signed_with: Callable[[str], bool],
    ) -> Identity:
        """The identity behind a request signed with `access_key`, as the service would
        check it: a known key (and its session token), a signature its secret gives
        (`signed_with(secret)`), and keys that have not expired."""
        codes = _CODES[service]
        identity = self._identities.get(access_key)
        if identity is None or identity.session_token != (token or None):
            raise SimulatedError(*codes["unknown"], _INVALID_TOKEN)
        if not signed_with(identity.secret_key):
            raise SimulatedError("SignatureDoesNotMatch", 403, _BAD_SIGNATURE)
        if identity.expires_at is not None and identity.expires_at <= self._clock():
            raise SimulatedError(
                *codes["expired"],
                "The security token included in the request is expired",
            )
        return identity

    def get_caller_identity(self, caller: Identity) -> dict:
        return {
            "UserId": caller.user_id,
            "Account": caller.account_id,
            "Arn": caller.arn,
        }

    def assume_role(self, caller: Identity, params: dict) -> dict:
        role_arn = params["RoleArn"]
        match = ROLE_ARN.fullmatch(role_arn)
        if match is None:
            raise SimulatedError("ValidationError", 400, f"{role_arn} is invalid")
        account_id, role_name = match.groups()
        duration = params.get("DurationSeconds", 3600)
        if duration > 43200:
            raise SimulatedError(
                "ValidationError",
                400,
                "DurationSeconds exceeds the 12 hour session limit",
            )
        if not self._may_assume(account_id, role_arn, params.get("ExternalId")):
            raise SimulatedError(
                "AccessDenied",
                403,
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRole "
                f"on resource: {role_arn}",
            )
        session = params["RoleSessionName"]
        role_id = "AROA" + _stable_id(role_arn, 17)
        expires_at = self._clock() + duration
        key, identity = self._issue(
            account_id,
            f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session}",
            f"{role_id}:{session}",
            expires_at,
        )
        return {
            "Credentials": {
                "AccessKeyId": key,
                "SecretAccessKey": identity.secret_key,
                "SessionToken": identity.session_token,
                "Expiration": datetime.fromtimestamp(expires_at, tz=UTC),
            },
            "AssumedRoleUser": {"AssumedRoleId": identity.user_id, "Arn": identity.arn},
            "PackedPolicySize": 0,
        }

    def _may_assume(self, account_id: str, role_arn: str, external_id: str | None):
        account = self._account(account_id)
        if account is None and account_id != self._scenario.target["accountId"]:
            return False  # no such account (the target exists, fleet entry or not)
        if account is not None and account.inaccessible:
            return False
        trust = self._scenario.trust(account_id)
        if trust.role_arn and trust.role_arn != role_arn:
            return False  # no such role in that account
        return not trust.external_id or trust.external_id == external_id

    def _issue(self, account_id: str, arn: str, user_id: str, expires_at: float):
        with self._lock:
            key = "ASIA" + self._random(_KEY_CHARS, 16)
            while key in self._identities:
                key = "ASIA" + self._random(_KEY_CHARS, 16)
            identity = Identity(
                account_id,
                arn,
                user_id,
                self._random(_SECRET_CHARS, 40),
                "IQoJb3JpZ2luX2VjE" + self._random(_SECRET_CHARS, 200),
                expires_at,
            )
            self._identities[key] = identity
        return key, identity

    def _random(self, alphabet: str, n: int) -> str:
        return "".join(self._rng.choices(alphabet, k=n))


def _stable_id(text: str, n: int) -> str:
    digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
    return base64.b32encode(digest).decode()[:n]
