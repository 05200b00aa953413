"""The servers the sync benchmark compares, started the same way: pinned, niced, fresh each run.

- `pairboard`: `pairboard serve`, persistence on (every update in the SQLite log before it is
  relayed), no warm kernels.
- `node`: the reference, `@y/websocket-server`'s own server (`src/server.js`, its `bin`), pinned
  in `bench/sync/node-server/package-lock.json` (`make bench-js-deps`), no persistence.
- `pycrdt`: pycrdt-websocket behind the same uvicorn as Pairboard, no store
  (`pycrdt_ws_server.py`).
- `before`: another Pairboard tree (`PAIRBOARD_BENCH_BEFORE=<dir>`, e.g. main exported with
  `git archive main | tar -x -C DIR`), started exactly like `pairboard`, with the same Python and
  packages: only the code differs. It is in the turns when that variable is set, so that a change
  is measured against the code it changes in the same run, interleaved. More trees, say each step
  of a series of changes, go in `PAIRBOARD_BENCH_TREES=name=<dir>,name=<dir>` and are named in
  `--servers` like the others.

Every server runs under `nice -n -10 taskset -c 0` (exec'd, so the Popen pid is the server's);
the load generator runs on core 1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE_SERVER_DIR = HERE / "node-server"
NODE_SERVER_JS = NODE_SERVER_DIR / "node_modules/@y/websocket-server/src/server.js"
ADMIN_TOKEN = "bench-admin-token"
SERVER_CORE, GENERATOR_CORE = "0", "1"
# Every server and the generator run at this niceness, so that whatever else runs on the machine
# interferes less with the measurement (every server gets the same treatment).
NICE = ["nice", "-n", "-10"]
SERVERS = ("pairboard", "before", "node", "pycrdt")
# The Pairboard tree that `before` runs (unset: no `before` peer).
BEFORE_ENV = "PAIRBOARD_BENCH_BEFORE"
# More Pairboard trees, by name: "name=dir,name=dir".
TREES_ENV = "PAIRBOARD_BENCH_TREES"


def pairboard_trees() -> dict[str, Path]:
    """Every Pairboard tree but this checkout that the environment names, by server name."""
    trees = {}
    for item in filter(None, os.environ.get(TREES_ENV, "").split(",")):
        name, _, path = item.partition("=")
        trees[name.strip()] = Path(path.strip())
    if os.environ.get(BEFORE_ENV):
        trees["before"] = Path(os.environ[BEFORE_ENV])
    return trees


# Whose figures the others are divided by.
REFERENCE = "node"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port} after {timeout} s")


def missing(name: str) -> str | None:
    """Why `name` cannot run here (what to install), or None."""
    trees = pairboard_trees()
    if name not in SERVERS and name not in trees:
        return f"unknown server {name!r} (known: {', '.join([*SERVERS, *trees])})"
    if name == "before" or name in trees:
        tree = trees.get(name)
        if tree is None or not (tree / "server/cli/__init__.py").is_file():
            return f"{name}: not a Pairboard tree (no server/cli/ in it); see {BEFORE_ENV}"
    if name == "node" and not NODE_SERVER_JS.is_file():
        return "bench/sync/node-server/node_modules is missing: run `make bench-js-deps`"
    if name == "pycrdt":
        try:
            import pycrdt.websocket  # noqa: F401
        except ImportError:
            return "pycrdt-websocket is missing: pip install -e '.[dev,bench]'"
    return None


@dataclass(frozen=True)
class Target:
    """A server under test: how to start it and which rooms the clients join."""

    name: str

    @property
    def is_python(self) -> bool:
        return self.name != "node"

    @property
    def is_pairboard(self) -> bool:
        return self.name == "pairboard" or self.name in pairboard_trees()

    @property
    def tree(self) -> Path:
        """Where the server's code is: this checkout, or the named tree (`before` and others)."""
        return pairboard_trees().get(self.name, ROOT).resolve()

    def argv(self, port: int, data_dir: Path) -> list[str]:
        if self.is_pairboard:
            serve = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]
            return [*serve, "--data-dir", str(data_dir)]
        if self.name == "node":
            return ["node", str(NODE_SERVER_JS)]
        return [sys.executable, str(HERE / "pycrdt_ws_server.py"), str(port)]

    def start(self, port: int, data_dir: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "PAIRBOARD_ADMIN_TOKEN": ADMIN_TOKEN,
            "PAIRBOARD_LOG_LEVEL": "warning",
            # No warm kernels: their start-up CPU would be counted against the sync path.
            "PAIRBOARD_KERNEL_POOL_SIZE": "0",
            # @y/websocket-server reads these; no YPERSISTENCE, so it keeps docs in memory.
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        env.pop("YPERSISTENCE", None)
        if self.tree != ROOT:
            # Its own `server` package first: `-m` puts the cwd on sys.path ahead of this
            # checkout's editable install, and PYTHONPATH makes sure of it.
            env["PYTHONPATH"] = str(self.tree)
        # nice and taskset exec the server, so the Popen pid is the server's own pid.
        return subprocess.Popen(
            [*NICE, "taskset", "-c", SERVER_CORE, *self.argv(port, data_dir)],
            cwd=self.tree,
            env=env,
            stdout=log,
            stderr=log,
        )

    def rooms(self, port: int, count: int) -> list[dict[str, Any]]:
        if not self.is_pairboard:
            # One room per URL path: y-websocket appends "/room-i" to the URL.
            url = f"ws://127.0.0.1:{port}"
            return [{"url": url, "name": f"room-{i}", "params": [{}, {}]} for i in range(count)]
        rooms = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for i in range(count):
                response = http.post(
                    "/api/sessions",
                    json={"title": f"bench {i}"},
                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                )
                response.raise_for_status()
                created = response.json()
                tokens = created["tokens"]
                rooms.append(
                    {
                        "url": f"ws://127.0.0.1:{port}/ws/{created['id']}",
                        "name": "code",
                        "params": [
                            {"token": tokens["interviewer"]},
                            {"token": tokens["candidate"]},
                        ],
                    }
                )
        return rooms
