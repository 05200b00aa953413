"""Password hashes: argon2id through argon2-cffi (its RFC 9106 low-memory profile).

Hashing costs tens of milliseconds of CPU on purpose, so it runs on a worker thread. A sign-in
for an unknown e-mail still verifies a hash (`verify_or_waste`), so the answer's timing does not
tell which e-mails have accounts.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password anyone has")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_or_waste(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; with no stored hash, as slow as a real check."""
    return await asyncio.to_thread(_verify, stored, password)
