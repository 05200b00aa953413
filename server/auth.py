"""Capability tokens and the admin token.

A capability token is the credential a session link carries: it names one session, one role and a
display name, and expires. It is `base64url(json payload) + "." + base64url(HMAC-SHA256)`, signed
with the server secret, so verifying it needs no database look-up. Revocation is by session: a
session that has ended rejects every token issued up to its end (checked by the caller against the
session's `ended_at`, see `server.sessions`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from server.private_files import FILE_MODE, private_dir

Role = Literal["interviewer", "candidate", "observer", "reviewer"]
ROLES: tuple[Role, ...] = ("interviewer", "candidate", "observer", "reviewer")


class TokenError(Exception):
    """The token is malformed, forged, expired or revoked; the message says which."""


@dataclass(frozen=True, slots=True)
class Capability:
    session_id: str
    role: Role
    name: str
    issued_at_ms: int
    expires_at: int  # seconds since the epoch


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()

    def issue(self, session_id: str, role: Role, name: str, lifetime_seconds: int) -> str:
        now_ms = int(time.time() * 1000)
        payload = {
            "s": session_id,
            "r": role,
            "n": name,
            "i": now_ms,
            "e": now_ms // 1000 + lifetime_seconds,
            "j": secrets.token_hex(4),  # two tokens issued in the same ms still differ
        }
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return _b64(body) + "." + _b64(self._mac(body))

    def verify(self, token: str, *, now: float | None = None) -> Capability:
        try:
            body_text, mac_text = token.split(".")
            body = _unb64(body_text)
            mac = _unb64(mac_text)
        except ValueError as exc:
            raise TokenError("malformed token") from exc
        if not hmac.compare_digest(mac, self._mac(body)):
            raise TokenError("bad token signature")
        try:
            payload = json.loads(body)
            capability = Capability(
                session_id=str(payload["s"]),
                role=cast(Role, payload["r"]),
                name=str(payload["n"]),
                issued_at_ms=int(payload["i"]),
                expires_at=int(payload["e"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenError("malformed token payload") from exc
        if capability.role not in ROLES:
            raise TokenError("unknown role")
        if capability.expires_at < (time.time() if now is None else now):
            raise TokenError("token expired")
        return capability


MIN_SECRET_CHARS = 16
"""The shortest admin token or signing secret accepted, configured or read from the data dir:
an empty one would make every empty token the admin's, or every signature forgeable."""


class WeakSecret(Exception):
    """A configured or stored secret too short to be one (the server refuses to start)."""


def _strong(value: str, what: str) -> str:
    if len(value) < MIN_SECRET_CHARS:
        raise WeakSecret(
            f"the {what} has {len(value)} characters; at least {MIN_SECRET_CHARS} are needed"
        )
    return value


def _read_or_create(path: Path, nbytes: int) -> str:
    """A secret kept in the data dir, created once with owner-only permissions. A file that is
    there but empty or truncated (a crash while it was written) is refused, not trusted."""
    private_dir(path.parent)
    if path.exists():
        path.chmod(FILE_MODE)
        value = path.read_text().strip()
        if len(value) < MIN_SECRET_CHARS:
            raise WeakSecret(
                f"{path} holds {len(value)} characters, not a secret: delete it and restart to "
                "generate a new one (links signed with the old secret stop working)"
            )
        return value
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def load_admin_token(data_dir: Path, configured: str | None) -> str:
    if configured is not None:
        return _strong(configured, "configured PAIRBOARD_ADMIN_TOKEN")
    return _read_or_create(data_dir / "admin_token", 24)


def load_secret(data_dir: Path, configured: str | None) -> str:
    if configured is not None:
        return _strong(configured, "configured PAIRBOARD_SECRET")
    return _read_or_create(data_dir / "secret", 32)


def is_admin(token: str, admin_token: str) -> bool:
    if not token:
        return False
    return hmac.compare_digest(token.encode("utf-8"), admin_token.encode("utf-8"))


def token_refusal(token: str, admin_token: str, signer: TokenSigner) -> str | None:
    """Why `token` is none of ours (neither the admin token nor signed and unexpired), or None.

    Needs no look-up, so it can run before a request's body is read (server/http_limits.py);
    which session and role a token is for is the route's question."""
    if is_admin(token, admin_token) or token.startswith("pbt_"):  # API tokens: the route
        return None
    try:
        signer.verify(token)
    except TokenError as exc:
        return str(exc)
    return None
