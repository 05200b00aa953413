"""One sandboxed kernel on this host: jupyter-client's AsyncKernelManager + AsyncKernelClient (ipc).

`LocalKernel` is the `KernelHandle` of one session: it runs code and turns the iopub/shell
replies into typed events through `kernels.messages.RunTracker`, and holds every run to the
limits of `kernels.settings` through `kernels.run_limits.LimitsLadder` (both shared with the
gateway provider):

- wall time: interrupt at the limit, restart if still busy after the grace period;
- output: the excess is dropped with a notice and the run interrupted (same ladder);
- one message larger than `max_message_bytes` never reaches the server (ZMQ_MAXMSGSIZE);
- death (OOM kill, crash, CPU rlimit) is noticed by polling the process, never by waiting for a
  reply that will not come; the run ends `killed` with the reason and a fresh kernel is started.

Nothing here blocks the event loop: ZMQ is asyncio-native and the blocking bits of sandbox
bookkeeping run in threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue as queue_module
import time
from collections.abc import AsyncIterator
from typing import Any

import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.connect import channel_socket_types
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import Int

from kernels.messages import RunTracker, format_bytes
from kernels.provider import Event, Notice, RunObserver
from kernels.run_limits import (
    CapCrossed,
    Completed,
    Died,
    Ended,
    Finish,
    Input,
    Interrupt,
    LimitsLadder,
    Restart,
    RunLimits,
    Tick,
)
from kernels.sandbox.launch import SocketTampered, check_sockets, socket_owner, write_data
from kernels.sandbox.provisioner import SandboxProvisioner, kernelspec
from kernels.settings import KernelSettings

log = logging.getLogger(__name__)
SPEC_NAME = "pairboard-python"


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class LimitedClient(AsyncKernelClient):
    """An AsyncKernelClient whose sockets refuse messages over `max_message_bytes` (the kernel
    is disconnected instead), so one giant print cannot spike the server's memory or loop."""

    max_message_bytes = Int(8 << 20, config=True)

    def _create_connected_socket(self, channel: str, identity: bytes | None = None) -> Any:
        url = self._make_url(channel)
        sock = self.context.socket(channel_socket_types[channel])
        sock.linger = 0
        sock.setsockopt(zmq.MAXMSGSIZE, int(self.max_message_bytes))
        if identity:
            sock.identity = identity
        sock.connect(url)
        return sock


class SpecManager(KernelSpecManager):
    """Serves the one in-memory kernelspec of the sandbox (no kernel.json on disk needed)."""

    def __init__(self, settings: KernelSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._spec = kernelspec(settings, settings.model_dump(mode="json"))

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(resource_dir="", **self._spec)


def death_reason(oom_kills: int, exit_code: int | None, settings: KernelSettings) -> str:
    """What users are told when their kernel died (pure, so the wording is tested)."""
    if oom_kills:
        return (
            f"kernel died: out of memory (limit {format_bytes(settings.memory_bytes)}); restarted"
        )
    if exit_code is not None and exit_code < 0:
        return f"kernel died: killed by signal {-exit_code}; restarted"
    if exit_code is not None and exit_code > 128:  # bubblewrap reports a signal as 128 + n
        return f"kernel died: killed by signal {exit_code - 128}; restarted"
    return f"kernel died (exit code {exit_code}); restarted"


async def start_kernel(settings: KernelSettings) -> LocalKernel:
    """A cold start: launch a sandboxed kernel and wait until it answers and is locked down."""
    km = AsyncKernelManager(kernel_name=SPEC_NAME, kernel_spec_manager=SpecManager(settings))
    km.client_class = "kernels.local.kernel.LimitedClient"
    km.shutdown_wait_time = 1.0
    try:
        await km.start_kernel()
    except BaseException:
        with contextlib.suppress(Exception):
            await asyncio.shield(km.shutdown_kernel(now=True))
        raise
    kernel = LocalKernel(km, settings)
    try:
        await kernel.wait_ready()
    except BaseException:
        await kernel.shutdown()
        raise
    return kernel


class LocalKernel:
    """One sandboxed kernel owned by one session (see the module docstring)."""

    def __init__(self, km: AsyncKernelManager, settings: KernelSettings) -> None:
        self._km = km
        self._settings = settings
        self._kc = self._client()
        self._kc.start_channels()
        self._run_lock = asyncio.Lock()
        self._closed = False
        self._generation = 0
        # The run in progress, so `answer_input` can reply to the request it waits on.
        self._tracker: RunTracker | None = None
        self.last_used = time.monotonic()

    def _client(self) -> AsyncKernelClient:
        client: AsyncKernelClient = self._km.client(
            max_message_bytes=self._settings.max_message_bytes
        )
        return client

    @property
    def kernel_id(self) -> str:
        return str(self._km.kernel_id)

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def provisioner(self) -> SandboxProvisioner:
        prov = self._km.provisioner
        assert isinstance(prov, SandboxProvisioner)
        return prov

    @property
    def uid(self) -> int | None:
        lease = self.provisioner.lease
        return lease.uid if lease else None

    def connection(self) -> dict[str, Any]:
        return dict(self._km.get_connection_info())

    async def wait_ready(self) -> None:
        timeout = self._settings.start_timeout_seconds
        try:
            await asyncio.wait_for(self._kc.wait_for_ready(timeout=timeout), timeout)
            await self.provisioner.wait_locked(timeout)
        except (RuntimeError, TimeoutError) as exc:
            tail = self.provisioner.log_tail()
            raise RuntimeError(f"kernel did not start: {exc}; kernel log: {tail}") from exc

    async def healthy(self, timeout: float = 5.0) -> bool:
        """Alive, sockets intact, and answering kernel_info (used before a pool hand-out)."""
        if self._closed or not await self._km.is_alive():
            return False
        try:
            check_sockets(self.connection(), owner=socket_owner())
            msg_id = self._kc.kernel_info()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                reply = await self._kc.get_shell_msg(timeout=deadline - time.monotonic())
                if reply["parent_header"].get("msg_id") == msg_id:
                    return True
        except (SocketTampered, TimeoutError):
            return False
        except Exception:  # queue.Empty from jupyter-client and friends
            return False
        return False

    async def put_data(self, files: dict[str, bytes]) -> None:
        """Write into the kernel's host-side data dir, which the jail binds read-only."""
        kdir = self.provisioner.kdir
        if kdir is None:
            raise RuntimeError("kernel has no directory (not started)")
        await asyncio.to_thread(write_data, kdir.data_dir, files)

    async def preload(self, code: str) -> None:
        """Run `code` silently (imports of the ML stack, so a first Run does not pay for them)."""
        if not code:
            return
        async for _ in self.execute(code):
            pass

    def execute(
        self,
        code: str,
        *,
        silent: bool = False,
        stdin: bool = False,
        observer: RunObserver | None = None,
    ) -> AsyncIterator[Event]:
        return self._execute(code, silent, stdin, observer)

    async def answer_input(self, text: str) -> bool:
        tracker = self._tracker
        request = tracker.take_input() if tracker is not None else None
        if request is None:
            return False
        reply = self._kc.session.msg("input_reply", {"value": text}, parent=request["header"])
        self._kc.stdin_channel.send(reply)
        return True

    async def _execute(
        self,
        code: str,
        silent: bool = False,
        stdin: bool = False,
        observer: RunObserver | None = None,
    ) -> AsyncIterator[Event]:
        async with self._run_lock:
            self.last_used = time.monotonic()
            started = time.monotonic()
            notice = await self._ensure_usable()
            if notice:
                yield Notice(notice)
            async for event in self._run(code, started, silent, stdin, observer):
                yield event
            self.last_used = time.monotonic()

    async def _ensure_usable(self) -> str:
        """Restart a kernel that died or was tampered with since the last run; what to tell."""
        if self._closed:
            raise RuntimeError("kernel was shut down")
        if not await self._km.is_alive():
            reason = death_reason(
                self.provisioner.oom_kills(), await self._exit_code(), self._settings
            )
            await self.restart()
            return reason
        try:
            check_sockets(self.connection(), owner=socket_owner())
        except SocketTampered as exc:
            await self.restart()
            return f"kernel sockets were tampered with ({exc}); restarted"
        return ""

    async def _exit_code(self) -> int | None:
        process = self.provisioner.process
        return None if process is None else process.poll()

    async def _run(
        self,
        code: str,
        started: float,
        silent: bool = False,
        stdin: bool = False,
        observer: RunObserver | None = None,
    ) -> AsyncIterator[Event]:
        settings = self._settings
        # silent: hidden code (scenario setup/actions) stays out of In/_ih and the history.
        allow_stdin = stdin and not silent
        msg_id = self._kc.execute(
            code,
            silent=silent,
            store_history=not silent,
            allow_stdin=allow_stdin,
            stop_on_error=True,
        )
        if observer is not None:
            observer.request_sent()
        tracker = RunTracker(
            msg_id, settings.output_limit_bytes, settings.max_message_bytes, observer=observer
        )
        self._tracker = tracker
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        channels = ("iopub", "shell", "stdin") if allow_stdin else ("iopub", "shell")
        readers = [asyncio.create_task(self._read(c, msg_id, queue)) for c in channels]
        generation = self._generation
        limits = RunLimits.from_settings(settings)
        ladder = LimitsLadder(limits, started, poll_s=settings.poll_interval_seconds)
        finish = Finish(None)
        reply_at: float | None = None
        observed: Input | None = None  # None: look at the tracker and the generation
        try:
            while True:
                for action in ladder.feed(
                    observed if observed else self._observe(tracker, generation)
                ):
                    if isinstance(action, Notice):
                        yield action
                    elif isinstance(action, Interrupt):
                        await self.interrupt()
                    elif isinstance(action, Restart):
                        await _stop(readers)
                        self._tracker = None
                        await self.restart()
                    else:
                        finish = action
                observed = None
                if ladder.finished:
                    break
                now = time.monotonic()
                if reply_at is not None and now - reply_at > 1.0:
                    # The idle status never came: a message over max_message_bytes made ZMQ
                    # drop the iopub connection. Reconnect so the next run has output again.
                    yield tracker.dropped_notice()
                    await _stop(readers)
                    self._reconnect()
                    observed = Completed(now)
                    continue
                try:
                    channel, msg = await asyncio.wait_for(queue.get(), ladder.wait_s(now))
                except TimeoutError:
                    if not await self._km.is_alive():
                        reason = death_reason(
                            self.provisioner.oom_kills(), await self._exit_code(), settings
                        )
                        await _stop(readers)
                        await self.restart()
                        observed = Died(time.monotonic(), reason)
                    continue
                for event in tracker.feed(channel, msg):
                    yield event
                if tracker.reply_status and reply_at is None:
                    reply_at = time.monotonic()
        finally:
            self._tracker = None
            await _stop(readers)
        duration_ms = int((time.monotonic() - started) * 1000)
        yield tracker.finished(duration_ms, finish.status, finish.reason)

    def _observe(self, tracker: RunTracker, generation: int) -> Input:
        """What the ladder is told after a message or a quiet poll of a live kernel."""
        now = time.monotonic()
        if tracker.complete:
            return Completed(now)
        if self._generation != generation:  # restarted from outside (Restart button)
            return Ended(now, "interrupted", "kernel restarted")
        if tracker.truncated and tracker.reply_status:
            return Completed(now)  # over the cap and finished: the rest of its output is unwanted
        return CapCrossed(now) if tracker.wants_interrupt else Tick(now)

    async def _read(
        self, channel: str, msg_id: str, queue: asyncio.Queue[tuple[str, dict[str, Any]]]
    ) -> None:
        """Forward this run's messages of one channel; stale ones (earlier runs) are dropped."""
        while True:
            client = self._kc
            get = {
                "iopub": client.get_iopub_msg,
                "shell": client.get_shell_msg,
                "stdin": client.get_stdin_msg,
            }[channel]
            try:
                msg = await get(timeout=3600)
            except queue_module.Empty:  # an hour without a message; keep waiting
                continue
            except Exception:  # channels closed under us (restart): wait for the new client
                await asyncio.sleep(0.05)
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                await queue.put((channel, msg))

    def _reconnect(self) -> None:
        self._kc.stop_channels()
        self._kc = self._client()
        self._kc.start_channels()

    async def interrupt(self) -> None:
        """Interrupt over the control channel (interrupt_mode: message; signals kill bwrap)."""
        with contextlib.suppress(RuntimeError):
            await self._km.interrupt_kernel()

    async def restart(self) -> None:
        """A fresh kernel process (same uid and directory, fresh cgroup, tmpfs and namespace)."""
        self._generation += 1
        self._kc.stop_channels()
        await self._km.restart_kernel(now=True)
        self._kc = self._client()
        self._kc.start_channels()
        await self.wait_ready()

    async def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._kc.stop_channels()
        with contextlib.suppress(Exception):
            await self._km.shutdown_kernel(now=True)

    async def is_alive(self) -> bool:
        return not self._closed and bool(await self._km.is_alive())
