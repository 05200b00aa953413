"""The grader kernel of one grading: the scenario's setup, the RPC agent, the candidate's code.

A project's files are written into the kernel's working directory after the setup and the
agent (so a candidate's `numpy.py` cannot shadow what they import), before the entry file loads.

The I/O edge between the trusted process's requests and the sandboxed kernel. Each request is
one kernel execution, bounded by the time the trusted process says its test has left; past it
the kernel is interrupted, and if it does not come back within the grace period it is
restarted. A kernel that restarted (after that, or because the candidate's code killed it) is
brought back before the next request: setup, agent, and the candidate's code again (the agent
numbers the candidate's names the same way each time, so the trusted side's handles still fit).
What the kernel prints is never interpreted here: the one reply line goes to the trusted process
as text, and only the trusted process decodes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from kernels.provider import Finished, KernelHandle
from server import project_files
from server.scenarios import grader, hidden_code
from server.scenarios.hidden_code import collect

log = logging.getLogger(__name__)

INTERRUPT_GRACE_SECONDS = 5.0
"""After an interrupt, this long for the kernel to answer again before it is restarted."""


def _ended(finished: Finished | None) -> str:
    if finished is None:
        return "the kernel ended the execution without a status"
    return f"{finished.status} {finished.reason}".strip()


class GraderKernel:
    def __init__(
        self, kernel: KernelHandle, setup: str, files: dict[str, str] | None = None
    ) -> None:
        self.kernel = kernel
        self._setup = setup
        self._files = files or {}
        self._load: dict[str, Any] | None = None
        self._generation = kernel.generation

    async def start(self) -> str:
        """Setup, the agent, the project's files; "" when all went in, else what failed (for
        the report)."""
        if self._setup.strip():
            stdout, finished = await collect(self.kernel, hidden_code.program(self._setup))
            status = hidden_code.status(stdout)
            if status != "ok":
                reason = status.removeprefix("error ").split(":")[0] or _ended(finished)
                return f"the scenario's setup failed: {reason}"
        stdout, finished = await collect(self.kernel, grader.agent_program())
        if finished is None or finished.status != "ok":
            return f"the grading agent did not start in the kernel: {_ended(finished)}"
        if self._files:
            program = project_files.mirror_program(self._files)
            stdout, finished = await collect(self.kernel, program)
            if finished is None or finished.status != "ok":
                return f"the project's files could not be written: {_ended(finished)}"
        self._generation = self.kernel.generation
        return ""

    async def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """One request; the envelope for the trusted process (see remote.Exchange)."""
        request_id = request.get("id")
        if request.get("op") == "load":
            self._load = request
        if self.kernel.generation != self._generation and not await self._bring_back():
            return {"id": request_id, "status": "lost", "detail": "the grader kernel restarted"}
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                stdout, finished = await collect(self.kernel, grader.rpc_program(request))
        except TimeoutError:
            await self._stop_the_run()
            return {"id": request_id, "status": "timeout"}
        payload = grader.rpc_reply(stdout)
        if payload is None:
            detail = "no single reply line" if finished and finished.status == "ok" else ""
            return {"id": request_id, "status": "lost", "detail": detail or _ended(finished)}
        return {"id": request_id, "status": "ok", "text": payload}

    async def _stop_the_run(self) -> None:
        with contextlib.suppress(Exception):
            await self.kernel.interrupt()
        try:
            async with asyncio.timeout(INTERRUPT_GRACE_SECONDS):
                await collect(self.kernel, hidden_code.SCRUB)
        except TimeoutError:  # the candidate's code ignores interrupts
            log.info("grader kernel %s did not stop; restarting it", self.kernel.kernel_id)
            await self.kernel.restart()

    async def _bring_back(self) -> bool:
        """A restarted kernel gets setup, the agent and the candidate's code again."""
        if await self.start():
            return False
        if self._load is not None:
            await collect(self.kernel, grader.rpc_program(self._load))
        return True
