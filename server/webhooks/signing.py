"""Signing a delivery (pure): HMAC-SHA256 over `"{t}.{body}"`, sent as
`Pairboard-Signature: t=<unix seconds>,v1=<hex digest>`.

The timestamp is inside what is signed, so a receiver that refuses old timestamps (the
documented verifier allows five minutes) cannot be fed a recorded delivery later; the body is
signed byte for byte as sent. `verify` is the receiver's side, the same as the snippet in
docs/WEBHOOKS.md (`tests/webhooks/test_signing.py` runs that snippet too).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Pairboard-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def header_value(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` of `now`."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    stamps = parts.get("t", [])
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
