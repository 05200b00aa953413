"""A real server with real kernels and the project's scenario library, driven as a browser and
the interviewer's panel would: the editor is written over the code doc's websocket, grading and
runs go through the REST API."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Map, Text

from kernels.settings import KernelSettings
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

TEST_TIMEOUT_SECONDS = 20.0
"""Each hidden test's wall time in these servers (PAIRBOARD_SCENARIO_TEST_TIMEOUT_SECONDS): the
reference solution's 50 000 operations must fit on a loaded 2-core CI machine."""


def scenario_server(tmp: Path) -> Iterator[ServerProcess]:
    """The body of a module fixture: skip (or fail, under PAIRBOARD_REQUIRE_KERNELS=1) without a
    kernel env."""
    env_dir = KernelSettings().env_dir
    if not (env_dir / "bin" / "python").exists():
        reason = f"no kernel env at {env_dir}: run `make kernel-env`"
        if os.environ.get("PAIRBOARD_REQUIRE_KERNELS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    proc = ServerProcess(
        tmp,
        env={
            "PAIRBOARD_KERNEL_POOL_SIZE": "1",
            "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
            "PAIRBOARD_SCENARIO_TEST_TIMEOUT_SECONDS": str(TEST_TIMEOUT_SECONDS),
            # A scenario's setup imports pandas and scikit-learn into a fresh kernel: on a
            # loaded 2-core machine that alone can pass the default 30 s of one run.
            "PAIRBOARD_KERNEL_RUN_TIMEOUT_SECONDS": "120",
        },
    )
    proc.start()
    yield proc
    proc.stop()


def call(
    server: ServerProcess, method: str, path: str, token: str, body: Any = None
) -> httpx.Response:
    return httpx.request(
        method,
        server.url + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=600,
    )


def new_session(server: ServerProcess, scenario: str) -> tuple[str, dict[str, str]]:
    created = server.create_session(scenario=scenario, title="Attack")
    return created["id"], created["tokens"]


def write_editor(server: ServerProcess, sid: str, token: str, code: str) -> None:
    """Replace the editor's text, as a browser does, and wait until the server holds it."""

    async def write() -> None:
        url = f"{server.ws_url}/ws/{sid}/code?token={token}"
        async with YClient(url) as editor:
            await asyncio.wait_for(editor.synced.wait(), 10)
            source = editor.doc.get("source", type=Text)
            del source[0 : len(source)]
            source += code
            async with YClient(url) as check:
                await wait_until(lambda: str(check.text) == code, what="the edit on the server")

    asyncio.run(write())


def write_files(server: ServerProcess, sid: str, token: str, files: dict[str, str]) -> None:
    """Set the project's other files (`code.files`), as the editor's tabs do, and wait until the
    server holds them."""

    def holds(doc: Any) -> bool:
        held = doc.get("files", type=Map)
        return {p: str(held[p]) for p in held} == files

    async def write() -> None:
        url = f"{server.ws_url}/ws/{sid}/code?token={token}"
        async with YClient(url) as editor:
            await asyncio.wait_for(editor.synced.wait(), 10)
            tree = editor.doc.get("files", type=Map)
            with editor.doc.transaction():
                for path in list(tree.keys()):
                    if path not in files:
                        del tree[path]
                for path, text in files.items():
                    tree[path] = Text(text)
            async with YClient(url) as check:
                await asyncio.wait_for(check.synced.wait(), 10)
                await wait_until(lambda: holds(check.doc), what="the files on the server")

    asyncio.run(write())


def grade(
    server: ServerProcess, scenario: str, code: str, files: dict[str, str] | None = None
) -> dict[str, Any]:
    """The report of `POST /grade` for `code` in the editor of a new session of `scenario` (and
    `files` as the project's other files, replacing the seeded ones)."""
    r = grade_response(server, scenario, code, files)
    assert r.status_code == 200, r.text
    report: dict[str, Any] = r.json()
    return report


def grade_response(
    server: ServerProcess, scenario: str, code: str, files: dict[str, str] | None = None
) -> httpx.Response:
    sid, tokens = new_session(server, scenario)
    write_editor(server, sid, tokens["interviewer"], code)
    if files is not None:
        write_files(server, sid, tokens["interviewer"], files)
    return call(server, "POST", f"/api/sessions/{sid}/grade", tokens["interviewer"])


def verdicts(report: dict[str, Any]) -> dict[str, bool]:
    return {r["id"]: r["passed"] for r in report["results"]}


def messages(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["message"] for r in report["results"]}


def run(server: ServerProcess, sid: str, token: str, code: str) -> dict[str, Any]:
    """Run `code` in the session's kernel through the API; the finished run."""
    r = call(server, "POST", f"/api/sessions/{sid}/runs", token, {"code": code})
    assert r.status_code == 202, r.text
    run_id = r.json()["run_id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        path = f"/api/sessions/{sid}/runs/{run_id}"
        body: dict[str, Any] = call(server, "GET", path, token).json()
        if body["status"] != "running":
            return body
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish")


def stdout_of(result: dict[str, Any]) -> str:
    return "".join(o["text"] for o in result["outputs"] if o["type"] == "stream")
