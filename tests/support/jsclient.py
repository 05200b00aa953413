"""The stock JS client (`yjs` + `y-websocket` in Node, `tests/js/client.mjs`) as an async object.

Each call sends one JSON command to the Node process and returns its one JSON reply, which carries
the JS client's text after the step, so tests assert on exactly what the real client holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parents[1] / "js"
CLIENT_SCRIPT = JS_DIR / "client.mjs"


def js_client_missing() -> str | None:
    """Why the JS client cannot run here (None when it can): Node or `npm ci` is missing."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (JS_DIR / "node_modules" / "y-websocket").is_dir():
        return "tests/js/node_modules is missing: run `make js-deps`"
    return None


class JsClient:
    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self._next_id = 0

    async def start(self) -> JsClient:
        self.proc = await asyncio.create_subprocess_exec(
            "node",
            str(CLIENT_SCRIPT),
            cwd=JS_DIR,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return self

    async def __aenter__(self) -> JsClient:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def call(self, op: str, timeout: float = 20.0, **args: Any) -> dict[str, Any]:
        """Run one command; the reply's `ok` says whether the step reached its condition."""
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        self._next_id += 1
        command = {"id": self._next_id, "op": op, **args}
        self.proc.stdin.write((json.dumps(command) + "\n").encode())
        await self.proc.stdin.drain()
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"node client exited (code {await self.proc.wait()}) during {op}")
        reply: dict[str, Any] = json.loads(line)
        assert reply["id"] == self._next_id, reply
        return reply

    async def close(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(RuntimeError, TimeoutError, BrokenPipeError, ConnectionResetError):
            await self.call("exit", timeout=5)
        try:
            await asyncio.wait_for(self.proc.wait(), 5)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
