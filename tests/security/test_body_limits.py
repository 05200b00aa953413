"""Attack: request bodies the server never asked for (server/http_limits.py).

Before: a 300 MB body with no token to `POST /api/sessions/{id}/comments` was buffered whole
(RSS 298 -> 2,682 MiB) and stalled /healthz for 10 s before the 422. Now a request without one
of our tokens is refused before a byte of its body is read, and a body over its route's limit is
refused (413) on its declared length or while it is read.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.security.live import (
    MiB,
    admin,
    peak_rss_mib,
    post_streaming,
    reset_peak_rss,
    rss_mib,
)
from tests.support.server import ADMIN_TOKEN, ServerProcess

ATTACK = 300 * MiB
# What the server may grow by while refusing a 300 MB body: its socket buffers and one API body
# limit (1 MiB) at most; buffering the body would cost 300 MiB and more.
GROWTH_BOUND_MIB = 48


@pytest.fixture(scope="module")
def session_id(server: ServerProcess) -> str:
    sid: str = server.create_session(title="bodies")["id"]
    return sid


def _attack(server: ServerProcess, path: str, **kwargs: object) -> tuple[int, object, float]:
    reset_peak_rss(server)
    before = rss_mib(server)
    result = post_streaming(server, path, ATTACK, **kwargs)  # type: ignore[arg-type]
    growth = peak_rss_mib(server) - before
    print(
        f"\n{path} {kwargs}: HTTP {result.status}, {result.sent / MiB:.0f} MiB taken by the "
        f"socket, peak RSS {before:.0f} -> {before + growth:.0f} MiB, /healthz {result.healthz}"
    )
    assert result.healthz in (None, 200)  # asked while the body was still on its way
    return result.status, json.loads(result.body), growth


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_300_mb_body_without_a_token_is_refused_before_it_is_read(
    server: ServerProcess, session_id: str, chunked: bool
) -> None:
    status, body, growth = _attack(server, f"/api/sessions/{session_id}/comments", chunked=chunked)
    assert (status, body) == (401, {"detail": "missing bearer token"})
    assert growth < GROWTH_BOUND_MIB


def test_a_300_mb_body_with_a_forged_token_is_refused_before_it_is_read(
    server: ServerProcess, session_id: str
) -> None:
    status, body, growth = _attack(
        server, f"/api/sessions/{session_id}/comments", token="e30.forged", chunked=True
    )
    assert (status, body) == (403, {"detail": "bad token signature"})
    assert growth < GROWTH_BOUND_MIB


def test_a_declared_body_over_the_api_limit_is_refused_on_its_length(
    server: ServerProcess, session_id: str
) -> None:
    status, body, growth = _attack(
        server, f"/api/sessions/{session_id}/comments", token=ADMIN_TOKEN
    )
    assert (status, body) == (413, {"detail": "request body larger than 1048576 bytes"})
    assert growth < GROWTH_BOUND_MIB


def test_an_undeclared_body_over_the_api_limit_is_refused_while_it_is_read(
    server: ServerProcess, session_id: str
) -> None:
    status, body, growth = _attack(
        server, f"/api/sessions/{session_id}/comments", token=ADMIN_TOKEN, chunked=True
    )
    assert (status, body) == (413, {"detail": "request body larger than 1048576 bytes"})
    assert growth < GROWTH_BOUND_MIB


def test_a_route_that_takes_no_body_closes_the_connection_instead_of_draining_it(
    server: ServerProcess, session_id: str
) -> None:
    reset_peak_rss(server)
    before = rss_mib(server)
    result = post_streaming(
        server, f"/api/sessions/{session_id}/kernel/interrupt", ATTACK, token=ADMIN_TOKEN,
        chunked=True,
    )  # fmt: skip
    print(f"\nbodyless route: HTTP {result.status}, {result.sent / MiB:.0f} MiB taken")
    # The route answers without reading its body; the server then closes the connection
    # rather than reading (and discarding) 300 MB to keep it alive.
    assert (result.status, json.loads(result.body)) == (200, {"ok": True})
    assert result.sent < 64 * MiB
    assert peak_rss_mib(server) - before < GROWTH_BOUND_MIB


def test_the_recording_import_has_its_own_limit(server: ServerProcess) -> None:
    limit = 1024 * 1024 * 1024
    result = post_streaming(server, "/api/recordings", MiB, token=ADMIN_TOKEN, declared=limit + 1)
    assert (result.status, json.loads(result.body)) == (
        413,
        {"detail": "recording larger than 1073741824 bytes"},
    )


def test_a_body_under_the_limit_with_a_token_still_works(
    server: ServerProcess, session_id: str
) -> None:
    response = httpx.post(
        f"{server.url}/api/sessions/{session_id}/comments",
        json={"at": 5, "text": "y" * 1000},
        headers=admin(),
    )
    assert response.status_code == 201, response.text
