"""The users file (`name:role:password-hash`) and the API tokens file
(`name:role:sha256-of-token`): parsing, checking, and rewriting them safely.

Password hashes are werkzeug's (scrypt by default: slow on purpose, passwords are
guessable). Tokens are 32 random bytes, so an unsalted SHA-256 is enough: nobody can
guess one from a leaked file, and checking a token costs microseconds, not 200 ms.
No error message ever repeats a line of either file (it would show a hash).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from services.identity import ROLES

log = logging.getLogger(__name__)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_PASSWORD_METHODS = ("scrypt:", "pbkdf2:")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
TOKEN_PREFIX = "drsc_"  # lets secret scanners recognise a leaked token
MIN_PASSWORD_LENGTH = 8


class CredentialFileError(ValueError):
    """A users or tokens file that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class Credential:
    name: str
    role: str
    secret_hash: str  # werkzeug password hash, or the token's SHA-256 in hex


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(
            "a name is 1-64 characters of letters, digits and . _ @ + - "
            "(starting with a letter or digit)"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    return role


def parse(text: str, source: str, *, tokens: bool) -> dict[str, Credential]:
    """Every credential of a file by name; a bad line raises naming its number only."""
    found: dict[str, Credential] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        problem = _line_problem(line, tokens)
        if problem is None:
            name, role, secret_hash = line.split(":", 2)
            if name in found:
                problem = f"{name} appears twice"
        if problem is not None:
            raise CredentialFileError(f"{source} line {number}: {problem}")
        found[name] = Credential(name, role, secret_hash)
    return found


def _line_problem(line: str, tokens: bool) -> str | None:
    parts = line.split(":", 2)
    if len(parts) != 3:
        return "expected name:role:hash"
    name, role, secret_hash = parts
    try:
        check_name(name)
        check_role(role)
    except ValueError as exc:
        return str(exc)
    if tokens and not _SHA256_HEX.fullmatch(secret_hash):
        return "the token hash is not a SHA-256 in lowercase hex"
    if not tokens and not (
        secret_hash.startswith(_PASSWORD_METHODS) and secret_hash.count("$") == 2
    ):
        return "the password hash is not one of werkzeug's (scrypt or pbkdf2)"
    return None


def load(path: str | os.PathLike, variable: str, *, tokens: bool):
    """Parse a credential file, naming the setting in every error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CredentialFileError(f"{variable}: no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialFileError(f"{variable}: cannot read {path}: {exc}") from None
    return parse(text, f"{variable} {path}", tokens=tokens)


class CredentialFile:
    """A credential file read at start and re-read whenever it changes on disk, so a
    revoked token or a removed user stops working without a restart. A change that
    breaks the file signs nobody in (fail closed) until it is fixed."""

    def __init__(self, path: str, variable: str, *, tokens: bool):
        self.path, self.variable, self.tokens = path, variable, tokens
        self._stamp = self._stat()
        self._entries = load(path, variable, tokens=tokens)  # raises: startup error
        _warn_if_readable_by_others(path, variable)

    def _stat(self):
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return (found.st_mtime_ns, found.st_size, found.st_ino)

    def entries(self) -> dict[str, Credential]:
        stamp = self._stat()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._entries = load(self.path, self.variable, tokens=self.tokens)
            except CredentialFileError as exc:
                log.error("sign-in disabled until fixed: %s", exc)
                self._entries = {}
        return self._entries


def _warn_if_readable_by_others(path: str, variable: str) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if mode & 0o077:
        log.warning("%s %s is readable by other users; chmod 600 it", variable, path)


# -- tokens ---------------------------------------------------------------------------


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_token(entries: dict[str, Credential], token: str) -> Credential | None:
    """The credential whose hash matches `token`, compared in constant time each."""
    digest = token_hash(token)
    match = None
    for credential in entries.values():
        if hmac.compare_digest(credential.secret_hash, digest):
            match = credential
    return match


# -- rewriting a file (cli.py users / tokens) -------------------------------------------


def put_line(path: str, credential: Credential, *, replace: bool) -> bool:
    """Add `credential` (or replace the line of the same name when `replace`);
    True when a line was replaced. Other lines and comments are kept as they are."""
    lines = _lines(path)
    kept, replaced = [], False
    for line in lines:
        if _name_of(line) == credential.name:
            if not replace:
                raise ValueError(f"{credential.name} already exists in {path}")
            replaced = True
            continue
        kept.append(line)
    kept.append(f"{credential.name}:{credential.role}:{credential.secret_hash}")
    _write(path, kept)
    return replaced


def remove_line(path: str, name: str) -> bool:
    lines = _lines(path)
    kept = [line for line in lines if _name_of(line) != name]
    if len(kept) == len(lines):
        return False
    _write(path, kept)
    return True


def _name_of(line: str) -> str | None:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    return stripped.split(":", 1)[0]


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def _write(path: str, lines: list[str]) -> None:
    """Replace the file atomically, readable by its owner only (it holds hashes)."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".drs-capacity-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
