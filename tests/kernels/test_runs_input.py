"""Answering a run's input() over REST, with a real server, real kernels and a real console doc.

The contract: a run that calls input() gets a `stdin` entry ({prompt, password, at}) in its
console entry; POST /runs/{id}/input {value} answers it, refused to any role but the one that ran
it (403), above `run_max_input_bytes` (413) and when nothing waits (409). The answer is recorded
as an `input` output before what the code prints next; a getpass answer is never recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Array, Map

from kernels.sandbox.layers import SandboxReport
from tests.kernels.test_runs_api import auth, start, wait_run
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until


@pytest.fixture(scope="module")
def input_server(
    tmp_path_factory: pytest.TempPathFactory, sandbox_layers: SandboxReport
) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("input-server")),
        env={
            "PAIRBOARD_KERNEL_POOL_SIZE": "1",
            "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
            "PAIRBOARD_RUN_MAX_INPUT_BYTES": "16",
        },
    )
    proc.start()
    yield proc
    proc.stop()


def entry_of(console: YClient, run_id: str) -> dict[str, Any]:
    for item in console.doc.get("runs", type=Array):
        if isinstance(item, Map) and item.get("id") == run_id:
            return dict(item.to_py() or {})
    return {}


def answer(server: ServerProcess, sid: str, run_id: str, token: str, value: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/sessions/{sid}/runs/{run_id}/input",
        json={"value": value},
        headers=auth(token),
        timeout=30,
    )


async def test_the_person_who_ran_answers_input_and_everyone_sees_it(
    input_server: ServerProcess,
) -> None:
    s = input_server.create_session()
    sid, tokens = s["id"], s["tokens"]
    code = "name = input('Name? ')\nprint('hi', name)"
    async with YClient(f"{input_server.ws_url}/ws/{sid}/console?token={tokens['observer']}") as c:
        r = start(input_server, sid, tokens["candidate"], code)
        assert r.status_code == 202, r.text
        run_id = r.json()["run_id"]
        await wait_until(lambda: bool(entry_of(c, run_id).get("stdin")), 30, "stdin request")
        stdin = entry_of(c, run_id)["stdin"]
        assert (stdin["prompt"], stdin["password"]) == ("Name? ", False)

        refused = answer(input_server, sid, run_id, tokens["interviewer"], "Eve")
        assert (refused.status_code, refused.json()["detail"]) == (
            403,
            "only the person who ran this (candidate) can answer it",
        )
        assert answer(input_server, sid, run_id, tokens["observer"], "x").status_code == 403
        too_long = answer(input_server, sid, run_id, tokens["candidate"], "y" * 17)
        assert (too_long.status_code, too_long.json()["detail"]) == (
            413,
            "the answer is longer than 16 bytes",
        )

        ok = answer(input_server, sid, run_id, tokens["candidate"], "Ada")
        assert ok.status_code == 200, ok.text
        body = wait_run(input_server, sid, run_id, tokens["observer"])
        assert body["status"] == "ok"
        assert body["outputs"] == [
            {
                "type": "input",
                "prompt": "Name? ",
                "password": False,
                "value": "Ada",
                "author": "Candidate",
            },
            {"type": "stream", "name": "stdout", "text": "hi Ada\n"},
        ]
        await wait_until(lambda: entry_of(c, run_id).get("status") == "ok", what="entry done")
        assert entry_of(c, run_id)["stdin"] is None
        late = answer(input_server, sid, run_id, tokens["candidate"], "again")
        assert (late.status_code, late.json()["detail"]) == (
            409,
            "this run is not waiting for input",
        )


async def test_a_getpass_answer_reaches_the_code_but_never_the_console_doc(
    input_server: ServerProcess,
) -> None:
    s = input_server.create_session()
    sid, tokens = s["id"], s["tokens"]
    typed = "Zq9-passw0rd"
    code = (
        f"import getpass\nk = getpass.getpass('Key: ')\nprint(len(k), k[::-1] == {typed[::-1]!r})"
    )
    async with YClient(f"{input_server.ws_url}/ws/{sid}/console?token={tokens['observer']}") as c:
        run_id = start(input_server, sid, tokens["interviewer"], code).json()["run_id"]
        await wait_until(lambda: bool(entry_of(c, run_id).get("stdin")), 30, "stdin request")
        assert entry_of(c, run_id)["stdin"]["password"] is True
        assert answer(input_server, sid, run_id, tokens["interviewer"], typed).status_code == 200
        await wait_until(lambda: entry_of(c, run_id).get("status") == "ok", 30, "run done")
        outputs = entry_of(c, run_id)["outputs"]
        assert outputs[0] == {
            "type": "input",
            "prompt": "Key: ",
            "password": True,
            "value": None,
            "author": "Interviewer",
        }
        assert outputs[1:] == [{"type": "stream", "name": "stdout", "text": "12 True\n"}]
        assert typed not in str(c.doc.get("runs", type=Array).to_py())


async def test_stop_ends_a_run_waiting_for_input_and_clears_the_request(
    input_server: ServerProcess,
) -> None:
    s = input_server.create_session()
    sid, tokens = s["id"], s["tokens"]
    async with YClient(f"{input_server.ws_url}/ws/{sid}/console?token={tokens['observer']}") as c:
        run_id = start(input_server, sid, tokens["candidate"], "input('? ')").json()["run_id"]
        await wait_until(lambda: bool(entry_of(c, run_id).get("stdin")), 30, "stdin request")
        r = httpx.post(
            f"{input_server.url}/api/sessions/{sid}/kernel/interrupt",
            headers=auth(tokens["interviewer"]),
        )
        assert r.status_code == 200
        await wait_until(
            lambda: entry_of(c, run_id).get("status") == "interrupted", 30, "run interrupted"
        )
        assert entry_of(c, run_id)["stdin"] is None
