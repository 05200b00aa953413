"""Signing (pure): the server's signature verifies with the verifier documented in
docs/WEBHOOKS.md (the snippet itself is run here), for any body, secret and time; a tampered
body, a tampered or stale timestamp, another secret or a bad header are refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from server.webhooks import signing

DOC = Path(__file__).resolve().parents[2] / "docs" / "WEBHOOKS.md"
Verifier = Callable[..., bool]


def documented_verifier() -> Verifier:
    """`verify_pairboard_signature` from the Python block of docs/WEBHOOKS.md."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    [block] = [b for b in blocks if "def verify_pairboard_signature" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, str(DOC), "exec"), namespace)
    verifier: Verifier = namespace["verify_pairboard_signature"]
    return verifier


VERIFY = documented_verifier()
secrets_ = st.text(min_size=1, max_size=64)
bodies = st.binary(max_size=2048)
times = st.integers(min_value=0, max_value=2**40)


@given(secret=secrets_, body=bodies, t=times)
def test_every_signed_body_verifies_with_the_documented_verifier_and_the_servers(
    secret: str, body: bytes, t: int
) -> None:
    header = signing.header_value(secret, t, body)
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    assert VERIFY(secret, header, body, now=t) is True
    assert signing.verify(secret, header, body, now=t) is True


@given(secret=secrets_, body=bodies, extra=st.binary(min_size=1, max_size=16), t=times)
def test_a_tampered_body_is_refused(secret: str, body: bytes, extra: bytes, t: int) -> None:
    header = signing.header_value(secret, t, body)
    assert VERIFY(secret, header, body + extra, now=t) is False
    if body:
        flipped = bytes([body[0] ^ 1]) + body[1:]
        assert VERIFY(secret, header, flipped, now=t) is False
        assert signing.verify(secret, header, flipped, now=t) is False


@given(secret=secrets_, body=bodies, t=times, shift=st.integers(min_value=1, max_value=250))
def test_a_tampered_timestamp_is_refused_even_within_the_tolerance(
    secret: str, body: bytes, t: int, shift: int
) -> None:
    """Moving `t` (to make an old delivery look fresh) breaks the signature."""
    digest = signing.signature(secret, t, body)
    forged = f"t={t + shift},v1={digest}"
    assert VERIFY(secret, forged, body, now=t + shift) is False
    assert signing.verify(secret, forged, body, now=t + shift) is False


@given(secret=secrets_, body=bodies, t=times)
def test_a_stale_delivery_is_refused_after_five_minutes(secret: str, body: bytes, t: int) -> None:
    header = signing.header_value(secret, t, body)
    assert VERIFY(secret, header, body, now=t + 300) is True
    assert VERIFY(secret, header, body, now=t + 301) is False
    assert signing.verify(secret, header, body, now=t + 301) is False


@given(secret=secrets_, other=secrets_, body=bodies, t=times)
def test_another_secret_does_not_verify(secret: str, other: str, body: bytes, t: int) -> None:
    header = signing.header_value(secret, t, body)
    assert VERIFY(other, header, body, now=t) is (other == secret)


def test_malformed_headers_are_refused_not_raised() -> None:
    body = b"{}"
    good = signing.header_value("s", 100, body)
    digest = good.split("v1=")[1]
    for header in ("", "t=", "v1=" + digest, f"t=abc,v1={digest}", f"t=100,t=100,v1={digest}",
                   f"t=-100,v1={digest}", "garbage", f"t=100,v1={digest[:-1]}"):  # fmt: skip
        assert VERIFY("s", header, body, now=100) is False, header
        assert signing.verify("s", header, body, now=100) is False, header
