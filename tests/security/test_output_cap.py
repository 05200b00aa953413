"""Attack: one output larger than the kernel transport's message limit (8 MiB), in a real kernel.

Before: ZMQ dropped the iopub connection on the oversized display, and everything that run
printed after it was lost silently. Now the kernel replaces the message with a small marker
(kernels/sandbox/kernel_startup.py), the server writes a notice in its place, and the later
outputs of the same run go on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kernels.settings import KernelSettings
from tests.security.live import bearer
from tests.support.server import ServerProcess

OVERSIZED = """\
from IPython.display import display
print("before")
display({"text/plain": "x" * (9 << 20)}, raw=True)
print("after")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env_dir = KernelSettings().env_dir
    if not (env_dir / "bin" / "python").exists():
        if os.environ.get("PAIRBOARD_REQUIRE_KERNELS") == "1":
            pytest.fail(f"no kernel env at {env_dir}: run `make kernel-env`")
        pytest.skip(f"no kernel env at {env_dir}: run `make kernel-env`")
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("output-cap")),
        env={"PAIRBOARD_KERNEL_POOL_SIZE": "1", "PAIRBOARD_KERNEL_PRELOAD_CODE": ""},
    )
    proc.start()
    yield proc
    proc.stop()


def _run(server: ServerProcess, sid: str, token: str, code: str) -> dict[str, Any]:
    started = httpx.post(
        f"{server.url}/api/sessions/{sid}/runs", json={"code": code}, headers=bearer(token)
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    deadline = time.monotonic() + 120  # the first run may wait for its kernel
    while time.monotonic() < deadline:
        run = httpx.get(f"{server.url}/api/sessions/{sid}/runs/{run_id}", headers=bearer(token))
        body: dict[str, Any] = run.json()
        if body["status"] != "running":
            return body
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still running after 120 s")


def test_an_output_over_the_transport_limit_leaves_a_notice_and_the_run_goes_on(
    server: ServerProcess,
) -> None:
    created = server.create_session(title="output cap")
    sid, token = created["id"], created["tokens"]["interviewer"]
    run = _run(server, sid, token, OVERSIZED)
    assert run["status"] == "ok", run
    assert run["outputs"] == [
        {"type": "stream", "name": "stdout", "text": "before\n"},
        {"type": "notice", "text": "output dropped: a single output exceeded 8 MiB"},
        {"type": "stream", "name": "stdout", "text": "after\n"},
    ]
    # The kernel's output connection is intact: the next run's output arrives too.
    assert _run(server, sid, token, "print(2)")["outputs"] == [
        {"type": "stream", "name": "stdout", "text": "2\n"}
    ]
