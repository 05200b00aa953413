"""`LocalProvider`: sandboxed kernels on this host, handed out from a warm pool.

The provider owns the pool and the session kernels it handed out. A session kernel that ran
nothing for `idle_cull_seconds` is shut down to give its memory back; its handle stays valid and
the session's next Run cold-starts a fresh kernel (with a notice saying so).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from kernels.local.kernel import LocalKernel, start_kernel
from kernels.local.pool import KernelPool
from kernels.provider import Event, Notice, RunObserver
from kernels.sandbox.layers import SandboxReport, sandbox_report
from kernels.settings import KernelSettings

log = logging.getLogger(__name__)

__all__ = ["LocalKernel", "LocalProvider", "SessionKernel"]


class SessionKernel:
    """The `KernelHandle` a session holds: a LocalKernel that may be culled and revived."""

    def __init__(self, session_id: str, kernel: LocalKernel, settings: KernelSettings) -> None:
        self.session_id = session_id
        self._kernel: LocalKernel | None = kernel
        self._kernel_id = kernel.kernel_id
        self._settings = settings
        self._busy = False
        self._closed = False
        self._data: dict[str, bytes] = {}
        self.last_used = time.monotonic()

    @property
    def kernel_id(self) -> str:
        return self._kernel_id

    @property
    def generation(self) -> int:
        """The current kernel's restarts; a revived (culled) kernel has a new id and starts at 0."""
        return -1 if self._kernel is None else self._kernel.generation

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def kernel(self) -> LocalKernel | None:
        return self._kernel

    @property
    def idle_seconds(self) -> float:
        return 0.0 if self._busy else time.monotonic() - self.last_used

    async def execute_events(
        self,
        code: str,
        silent: bool = False,
        stdin: bool = False,
        observer: RunObserver | None = None,
    ) -> AsyncIterator[Event]:
        if self._closed:
            raise RuntimeError("the session's kernel was shut down")
        self._busy = True
        try:
            kernel = self._kernel
            if kernel is None:
                kernel = await self._revive()
                yield Notice("kernel was shut down after being idle; started a fresh one")
            async for event in kernel.execute(code, silent=silent, stdin=stdin, observer=observer):
                yield event
        finally:
            self._busy = False
            self.last_used = time.monotonic()

    def execute(
        self,
        code: str,
        *,
        silent: bool = False,
        stdin: bool = False,
        observer: RunObserver | None = None,
    ) -> AsyncIterator[Event]:
        return self.execute_events(code, silent, stdin, observer)

    async def answer_input(self, text: str) -> bool:
        return self._kernel is not None and await self._kernel.answer_input(text)

    async def put_data(self, files: dict[str, bytes]) -> None:
        """Kept here too (a few MB at most), so a kernel revived after a cull gets them again."""
        self._data.update(files)
        if self._kernel is not None:
            await self._kernel.put_data(files)

    async def _revive(self) -> LocalKernel:
        kernel = await start_kernel(self._settings)
        if self._data:
            await kernel.put_data(self._data)
        self._kernel = kernel
        self._kernel_id = kernel.kernel_id
        return kernel

    async def interrupt(self) -> None:
        if self._kernel is not None:
            await self._kernel.interrupt()

    async def restart(self) -> None:
        if self._kernel is None:
            await self._revive()
        else:
            await self._kernel.restart()

    async def cull(self) -> None:
        kernel, self._kernel = self._kernel, None
        if kernel is not None:
            await kernel.shutdown()

    async def shutdown(self) -> None:
        self._closed = True
        await self.cull()

    async def is_alive(self) -> bool:
        return self._kernel is not None and await self._kernel.is_alive()


class LocalProvider:
    """`KernelProvider` for kernels on this host (see the module docstring)."""

    def __init__(self, settings: KernelSettings | None = None) -> None:
        self.settings = settings or KernelSettings()
        self.pool = KernelPool(self.settings)
        self._sessions: list[SessionKernel] = []
        self._culler: asyncio.Task[None] | None = None
        self.report: SandboxReport | None = None

    async def start(self) -> None:
        self.report = await asyncio.to_thread(sandbox_report, self.settings)
        for line in self.report.lines():
            log.info("kernel sandbox layer %s", line)
        if self.report.mode is None:  # every Run says so too (SandboxUnavailable)
            log.error("kernel sandbox: %s", self.report.refusal)
        elif self.report.mode == "unsafe":
            log.warning("kernel sandbox: %s", self.report.layer("sandbox").detail)
        await self.pool.start(warm=self.report.mode is not None)
        self._culler = asyncio.create_task(self._cull_forever(), name="kernel-culler")

    async def acquire(self, session_id: str) -> SessionKernel:
        kernel = await self.pool.take()
        handle = SessionKernel(session_id, kernel, self.settings)
        self._sessions.append(handle)
        return handle

    async def release(self, handle: SessionKernel) -> None:
        """Shut a session's kernel down for good (the session ended)."""
        with contextlib.suppress(ValueError):
            self._sessions.remove(handle)
        await handle.shutdown()

    async def _cull_forever(self) -> None:
        limit = self.settings.idle_cull_seconds
        while True:
            await asyncio.sleep(min(60.0, max(0.5, limit / 4)))
            self._sessions = [h for h in self._sessions if not h.closed]
            for handle in list(self._sessions):
                if handle.kernel is not None and handle.idle_seconds > limit:
                    log.info("culling idle kernel of session %s", handle.session_id)
                    await handle.cull()

    async def close(self) -> None:
        if self._culler is not None:
            self._culler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._culler
        sessions, self._sessions = self._sessions, []
        await asyncio.gather(*(h.shutdown() for h in sessions), return_exceptions=True)
        await self.pool.close()
