"""A real Pairboard server in a subprocess, for tests that need real sockets.

`ServerProcess` starts `pairboard serve` on a free loopback port with its own data dir and admin
token, waits until `/healthz` answers, and can be killed with SIGKILL and restarted on the same
port and data dir (the durability tests do exactly that).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ADMIN_TOKEN = "test-admin-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ):
        """`cwd`: where `python -m server.cli` runs, so a checkout there is the server that runs
        (bench/web.py runs the branch point's code as the peer)."""
        self.data_dir = data_dir
        self.cwd = cwd
        self.port = port or free_port()
        self.extra_env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PAIRBOARD_ADMIN_TOKEN": ADMIN_TOKEN,
            "PAIRBOARD_LOG_LEVEL": "warning",
            **self.extra_env,
        }
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child for its lifetime
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.cwd,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        # Not left running: on a loaded machine a server that missed the deadline starts later
        # and would hold its port and CPU until the machine is rebooted.
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def create_session(self, **body: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/api/sessions",
            json=body,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def name_candidate(self, created: dict[str, Any], name: str = "Candidate") -> None:
        """Answers the candidate's first-open name prompt through the API, for callers that
        measure or test the room rather than the prompt."""
        response = httpx.post(
            f"{self.url}/api/sessions/{created['id']}/name",
            json={"name": name},
            headers={"Authorization": f"Bearer {created['tokens']['candidate']}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
