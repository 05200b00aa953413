"""Attack: input a store cannot keep, numbers no store can hold, code too big to run.

Before: `\\ud800` in a title or in run code, and `GET /state?at=10**30`, were 500s; a reviewer
named `"\\udc80"` was accepted by `POST /share` (and then failed every group commit its cursor
samples landed in); a 50 MB `code` in `POST /runs` went into the console doc. Now text is
refused at the API boundary (`server.text.Text`: lone surrogates and NUL, 422 naming the field),
numbers are bounded (`server.api.deps.MAX_INT`), and run code over `run_max_code_bytes` is 413
before anything reaches the console doc, whether it came in the request or from the editor.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pycrdt import Array

from tests.security.live import MiB, admin, bearer, post_streaming
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until

RUN_MAX_CODE_BYTES = 512 * 1024  # the default of run_max_code_bytes
PROJECT_MAX_FILE_BYTES = 256 * 1024  # the default of one project file's limit
HUGE = 10**30


@pytest.fixture(scope="module")
def live(server: ServerProcess) -> tuple[str, dict[str, str]]:
    created = server.create_session(title="bad input")
    return created["id"], created["tokens"]


def _post_raw(server: ServerProcess, path: str, body: bytes, token: str) -> httpx.Response:
    headers = {**bearer(token), "Content-Type": "application/json"}
    return httpx.post(f"{server.url}{path}", content=body, headers=headers, timeout=30)


def _field_error(response: httpx.Response) -> tuple[int, list[Any], str]:
    detail = response.json()["detail"][0]
    return response.status_code, detail["loc"], detail["msg"]


SURROGATE_ROUTES = [
    ("/api/sessions", b'{"title": "\\ud800"}', ["body", "title"]),
    ("/api/sessions/{sid}/share", b'{"name": "\\udc80"}', ["body", "name"]),
    ("/api/sessions/{sid}/comments", b'{"at": 1, "text": "\\udc80"}', ["body", "text"]),
    ("/api/sessions/{sid}/runs", b'{"code": "print(1) # \\ud800"}', ["body", "code"]),
]


@pytest.mark.parametrize(("path", "body", "loc"), SURROGATE_ROUTES, ids=lambda v: str(v)[:24])
def test_a_lone_surrogate_is_a_422_naming_the_field(
    server: ServerProcess, live: tuple[str, dict[str, str]], path: str, body: bytes, loc: list[str]
) -> None:
    sid, tokens = live
    token = ADMIN_TOKEN if path == "/api/sessions" else tokens["interviewer"]
    response = _post_raw(server, path.format(sid=sid), body, token)
    status, where, message = _field_error(response)
    assert (status, where) == (422, loc)
    # Ours (server.text), or pydantic's JSON parser's own for a lone low surrogate.
    assert message.startswith("Value error, not valid Unicode text: a lone surrogate") or (
        message == "Input should be a valid string, unable to parse raw data as a unicode string"
    )


def test_nul_in_a_title_is_a_422(server: ServerProcess) -> None:
    response = _post_raw(server, "/api/sessions", b'{"title": "a\\u0000b"}', ADMIN_TOKEN)
    assert _field_error(response) == (
        422,
        ["body", "title"],
        "Value error, text may not contain NUL (at 1)",
    )


def test_a_reviewer_named_with_a_surrogate_never_gets_a_link(
    server: ServerProcess, live: tuple[str, dict[str, str]]
) -> None:
    sid, _ = live
    response = _post_raw(server, f"/api/sessions/{sid}/share", b'{"name":"\\udc80"}', "x")
    assert response.status_code == 403  # not even read without one of our tokens
    response = httpx.post(
        f"{server.url}/api/sessions/{sid}/share",
        content=b'{"name": "\\udc80"}',
        headers={**admin(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "token" not in response.json()


NUMBERS = [
    ("GET", "/api/sessions/{sid}/state?at={n}", ["query", "at"]),
    ("GET", "/api/sessions/{sid}/log?doc=code&after={n}", ["query", "after"]),
    ("GET", "/api/sessions/{sid}/log?doc=code&limit={n}", ["query", "limit"]),
    ("GET", "/api/sessions/{sid}/timeline?buckets={n}", ["query", "buckets"]),
    ("POST", "/api/sessions/{sid}/comments", ["body", "at"]),
]


@pytest.mark.parametrize(("method", "path", "loc"), NUMBERS, ids=lambda v: str(v)[:40])
def test_a_number_no_store_can_hold_is_a_422(
    server: ServerProcess, live: tuple[str, dict[str, str]], method: str, path: str, loc: list[str]
) -> None:
    sid, tokens = live
    url = f"{server.url}{path.format(sid=sid, n=HUGE)}"
    body = {"at": HUGE, "text": "x"} if method == "POST" else None
    response = httpx.request(method, url, json=body, headers=bearer(tokens["interviewer"]))
    status, where, message = _field_error(response)
    assert (status, where) == (422, loc)
    assert message.startswith("Input should be less than or equal to")


async def _console_runs(server: ServerProcess, sid: str, token: str) -> list[Any]:
    async with YClient(f"{server.ws_url}/ws/{sid}/console?token={token}") as console:
        await console.synced.wait()
        return list(console.doc.get("runs", type=Array).to_py() or [])


async def test_50_mb_of_run_code_is_refused_before_it_reaches_the_console(
    server: ServerProcess, live: tuple[str, dict[str, str]]
) -> None:
    sid, tokens = live
    path = f"/api/sessions/{sid}/runs"
    result = post_streaming(server, path, 50 * MiB, token=tokens["interviewer"])
    assert (result.status, json.loads(result.body)) == (
        413,
        {"detail": "request body larger than 1048576 bytes"},
    )
    assert await _console_runs(server, sid, tokens["interviewer"]) == []


async def test_run_code_over_its_own_limit_is_a_413(
    server: ServerProcess, live: tuple[str, dict[str, str]]
) -> None:
    sid, tokens = live
    code = "#" * (RUN_MAX_CODE_BYTES + 1)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        response = await http.post(
            f"/api/sessions/{sid}/runs", json={"code": code}, headers=bearer(tokens["candidate"])
        )
    assert (response.status_code, response.json()) == (
        413,
        {"detail": f"code is {len(code)} bytes; a run takes at most {RUN_MAX_CODE_BYTES}"},
    )
    assert await _console_runs(server, sid, tokens["interviewer"]) == []


async def test_editor_code_over_its_file_limit_is_a_413_before_the_console(
    server: ServerProcess, live: tuple[str, dict[str, str]]
) -> None:
    sid, tokens = live
    size = RUN_MAX_CODE_BYTES + 100
    async with YClient(f"{server.ws_url}/ws/{sid}/code?token={tokens['candidate']}") as editor:
        await editor.synced.wait()
        editor.text.insert(0, "#" * size)
        async with YClient(f"{server.ws_url}/ws/{sid}/code?token={tokens['interviewer']}") as other:
            await wait_until(lambda: len(other.text) == size, what="the editor text relayed")
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        response = await http.post(f"/api/sessions/{sid}/runs", headers=bearer(tokens["candidate"]))
    assert (response.status_code, response.json()) == (
        413,
        # The editor's code is a project file: its own, smaller limit refuses it first.
        {"detail": f"main.py is {size} bytes; one file may have {PROJECT_MAX_FILE_BYTES}"},
    )
    assert await _console_runs(server, sid, tokens["interviewer"]) == []
