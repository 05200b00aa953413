"""A warm pool of ready sandboxed kernels, so a session's first Run skips the cold start.

A cold ipykernel start (Python + IPython + zmq imports, sandbox set-up) costs most of a second;
handing out a kernel that is already up costs a health check (one kernel_info round trip).
Kernels are started one at a time in the background (two cores: starting several at once only
slows each), health-checked again at hand-out, and never come back: a session's kernel is shut
down with the session, so nothing one candidate did can be seen by the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from kernels.local.kernel import LocalKernel, start_kernel
from kernels.sandbox import uids
from kernels.sandbox.layers import sandbox_report
from kernels.sandbox.provisioner import clear_uid_leftovers
from kernels.settings import KernelSettings

log = logging.getLogger(__name__)


def sweep_leftovers(settings: KernelSettings) -> list[int]:
    """Clear what a crashed server left (processes, cgroups, run dirs) for every uid of the range
    that no live server holds; the uids that had leftovers. Blocking: run it in a thread."""
    report = sandbox_report(settings)
    cleared = []
    low, high = settings.uid_range
    run_dir = settings.run_dir
    candidates: set[int] = set()
    if run_dir.is_dir():
        candidates.update(int(p.name) for p in run_dir.iterdir() if p.name.isdigit())
    if report.cgroup.available:
        for base in report.cgroup.bases:
            if base.is_dir():
                candidates.update(int(d.name.split("-")[0]) for d in base.iterdir() if d.is_dir())
    for uid in sorted(u for u in candidates if low <= u <= high):
        lease = uids.try_lease(run_dir, uid)
        if lease is None:
            continue  # a live server (maybe this one) holds it
        try:
            clear_uid_leftovers(settings, report.cgroup, uid)
            cleared.append(uid)
        finally:
            lease.release()
    return cleared


class KernelPool:
    """Keeps `settings.pool_size` healthy kernels ready; `take()` hands one out."""

    def __init__(self, settings: KernelSettings) -> None:
        self._settings = settings
        self._ready: list[LocalKernel] = []
        self._wanted = asyncio.Event()
        self._filler: asyncio.Task[None] | None = None
        self._closed = False
        self.failures = 0

    async def start(self, warm: bool = True) -> None:
        """Sweep leftovers of a crashed server, then start filling in the background (not on a
        host that refuses to run kernels: each attempt would only fail)."""
        cleared = await asyncio.to_thread(sweep_leftovers, self._settings)
        if cleared:
            log.warning("kernel pool: cleared leftovers of a previous server for uids %s", cleared)
        if not warm:
            return
        self._wanted.set()
        self._filler = asyncio.create_task(self._fill_forever(), name="kernel-pool-filler")

    async def wait_full(self, timeout: float) -> None:
        """Until the pool holds `pool_size` kernels (tests and `serve --demo` warm-up)."""
        deadline = time.monotonic() + timeout
        while len(self._ready) < self._settings.pool_size:
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel pool has {len(self._ready)} kernels after {timeout}s")
            await asyncio.sleep(0.05)

    async def _fill_forever(self) -> None:
        while not self._closed:
            await self._wanted.wait()
            self._wanted.clear()
            while not self._closed and len(self._ready) < self._settings.pool_size:
                n = len(self._ready) + 1
                started = time.monotonic()
                try:
                    kernel = await start_kernel(self._settings)
                    await kernel.preload(self._settings.preload_code)
                except Exception as exc:
                    self.failures += 1
                    log.error("kernel pool: warming kernel failed: %s", exc)
                    await asyncio.sleep(min(30.0, 2.0**self.failures))
                    continue
                if self._closed:
                    await kernel.shutdown()
                    return
                self.failures = 0
                self._ready.append(kernel)
                log.info(
                    "kernel pool: warm %d/%d (uid %s) in %.2f s",
                    n,
                    self._settings.pool_size,
                    kernel.uid,
                    time.monotonic() - started,
                )

    async def take(self) -> LocalKernel:
        """A healthy kernel from the pool, or a cold-started one if none is ready."""
        while self._ready:
            kernel = self._ready.pop(0)
            self._wanted.set()
            if await kernel.healthy():
                kernel.last_used = time.monotonic()
                return kernel
            log.warning("kernel pool: discarding unhealthy kernel %s", kernel.kernel_id)
            await kernel.shutdown()
        self._wanted.set()
        log.info("kernel pool: empty, cold-starting a kernel")
        kernel = await start_kernel(self._settings)
        await kernel.preload(self._settings.preload_code)
        return kernel

    async def close(self) -> None:
        self._closed = True
        self._wanted.set()
        if self._filler is not None:
            # Let a start in progress finish (the filler then shuts that kernel down itself):
            # cancelling it mid-launch would orphan the kernel process.
            try:
                await asyncio.wait_for(
                    asyncio.shield(self._filler), self._settings.start_timeout_seconds + 5
                )
            except TimeoutError:
                self._filler.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._filler
        kernels, self._ready = self._ready, []
        await asyncio.gather(*(k.shutdown() for k in kernels), return_exceptions=True)
