"""What a user of the organisation is, and the secrets that stand for one (pure data).

Secrets handed to a browser or a script (a sign-in cookie, an invite, an OpenID `state`) are
random 256-bit values; the store keeps only their SHA-256 (`digest`), so a copy of the database
signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

OrgRole = Literal["owner", "interviewer", "reviewer"]
ORG_ROLES: tuple[OrgRole, ...] = ("owner", "interviewer", "reviewer")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str  # lower-cased; unique
    name: str
    role: OrgRole
    created_at_ms: int
    password_hash: str | None = None  # argon2id; None: signs in only by invite or OpenID
    oidc_subject: str | None = None  # "<issuer> <sub>" of the identity provider's account
    disabled_at_ms: int | None = None


@dataclass(frozen=True, slots=True)
class SignIn:
    """A browser's signed-in session: the cookie's digest, whose it is, its CSRF token."""

    token_hash: str
    user_id: str
    csrf: str
    created_at_ms: int
    expires_at_ms: int


@dataclass(frozen=True, slots=True)
class OidcLogin:
    """An OpenID sign-in in flight: what the callback must find again, exactly once."""

    state_hash: str
    nonce: str
    code_verifier: str
    created_at_ms: int


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A personal API token: its digest (the secret is shown once), whose, what it may do."""

    id: str
    token_hash: str
    user_id: str
    name: str
    scopes: tuple[str, ...]  # names in `permissions.TOKEN_SCOPES`
    created_at_ms: int
    expires_at_ms: int
    revoked_at_ms: int | None = None


API_TOKEN_PREFIX = "pbt_"  # tells a personal API token from the admin token and session links


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normal_email(email: str) -> str:
    return email.strip().lower()
