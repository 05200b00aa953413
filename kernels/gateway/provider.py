"""Kernels on a Jupyter Kernel Gateway / Enterprise Gateway, behind `kernels.provider`.

The only state needed to reach a kernel is its id, so that the server can keep just the id in the
store and any of its instances can reach a session's kernel: `GatewayProvider.attach` rebuilds a
handle from an id alone. A handle opens one websocket to its kernel on first use and
multiplexes every execution over it by msg_id (`kernels.gateway.channel`).

Limits are enforced by the same `kernels.run_limits.LimitsLadder` as in the local provider: past
the wall time the run is interrupted; if the kernel is still busy after the grace period it is
restarted and the run ends as `timeout`. Output past the cap is dropped (with one `Notice`) and
the run is interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from kernels import data_program
from kernels.gateway.channel import KernelChannel, KernelGone, PendingRun, RunComplete
from kernels.gateway.rest import GatewayError, GatewayRest, KernelNotFound
from kernels.gateway.settings import GatewaySettings
from kernels.messages import RunTracker, execute_request, input_reply
from kernels.provider import (
    Error,
    Event,
    Finished,
    KernelHandle,
    KernelProvider,
    Notice,
    RunObserver,
)
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
from kernels.settings import KernelSettings

log = logging.getLogger(__name__)


class GatewayKernel:
    """A handle on one gateway kernel; cheap to create, holds nothing but the id and a socket."""

    def __init__(
        self, kernel_id: str, rest: GatewayRest, settings: GatewaySettings, limits: RunLimits
    ) -> None:
        self._id = kernel_id
        self._rest = rest
        self._settings = settings
        self._limits = limits
        self._channel: KernelChannel | None = None
        self._channel_lock = asyncio.Lock()
        self._generation = 0
        # The run in progress and its channel, so `answer_input` can reply on its stdin.
        self._current: tuple[KernelChannel, RunTracker] | None = None

    @property
    def kernel_id(self) -> str:
        return self._id

    @property
    def generation(self) -> int:
        """Restarts this handle made or saw (the gateway's restarter reports a death on the
        kernel's websocket); a handle attached later starts again at 0."""
        return self._generation

    async def channel(self) -> KernelChannel:
        """The kernel's websocket, opened on first use and reopened after a restart or a loss."""
        async with self._channel_lock:
            if self._channel is None or not self._channel.is_open:
                stale, self._channel = self._channel, None
                died = stale is not None and stale.died_since_last_run
                if stale is not None:
                    await stale.close()
                session = KernelChannel.new_session()
                try:
                    self._channel = await KernelChannel.open(
                        self._rest.channels_url(self._id, session),
                        self._rest.auth_headers(),
                        session,
                        self._settings.request_timeout_s,
                        self._settings.max_message_bytes,
                        self._settings.binary_protocol,
                    )
                except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as exc:
                    raise GatewayError(f"cannot open the websocket of kernel {self._id}") from exc
                self._channel.died_since_last_run = died
            return self._channel

    async def execute(
        self,
        code: str,
        *,
        silent: bool = False,
        stdin: bool = False,
        observer: RunObserver | None = None,
    ) -> AsyncIterator[Event]:
        started = time.monotonic()
        try:
            channel = await self.channel()
            # The wall clock starts once the kernel answers (the channel's nudge proved it), so
            # a kernel still coming back from a restart does not eat into the run's time.
            started = time.monotonic()
            if channel.died_since_last_run:
                channel.died_since_last_run = False
                self._generation += 1
                yield Notice("kernel died since the last run and was restarted; its state is lost")
            msg = execute_request(code, channel.session, silent=silent, stdin=stdin)
            tracker = RunTracker(msg["msg_id"], self._limits.output_limit_bytes, observer=observer)
            run = await channel.submit("shell", msg, tracker)
            if observer is not None:
                observer.request_sent()
            self._current = (channel, tracker)
        except (GatewayError, ConnectionClosed) as exc:
            yield Finished("error", _ms_since(started), f"kernel unreachable: {exc}")
            return
        finish = Finish(None)
        try:
            async for item in self._follow(run, started):
                if isinstance(item, Finish):
                    finish = item
                else:
                    yield item
        finally:
            self._current = None
            channel.forget(tracker.msg_id)
        yield tracker.finished(_ms_since(started), finish.status, finish.reason)

    async def _follow(self, run: PendingRun, started: float) -> AsyncIterator[Event | Finish]:
        """Yield the run's events until it completes, then the ladder's `Finish`.

        The limits are `kernels.run_limits.LimitsLadder`, the same as the local provider's.
        """
        ladder = LimitsLadder(self._limits, started, poll_s=self._settings.liveness_poll_s)
        observed: Input = _observe(run)
        while True:
            for action in ladder.feed(observed):
                if isinstance(action, Interrupt):
                    await self._interrupt_quietly()
                elif isinstance(action, Restart):
                    try:
                        await self.restart()
                    except GatewayError as exc:
                        yield Notice(f"kernel restart failed: {exc}")
                else:
                    yield action
            if ladder.finished:
                return
            try:
                item = await asyncio.wait_for(
                    run.queue.get(), timeout=ladder.wait_s(time.monotonic())
                )
            except TimeoutError:
                alive = await self._alive_or_unknown()
                observed = _observe(run) if alive else Died(time.monotonic(), "the kernel died")
                continue
            if isinstance(item, RunComplete):
                observed = Completed(time.monotonic())
            elif isinstance(item, KernelGone):
                observed = Ended(time.monotonic(), item.status, item.reason)
            else:
                yield item
                observed = _observe(run)

    async def answer_input(self, text: str) -> bool:
        """The reply goes over the kernel's websocket on the stdin channel, which the gateway
        relays to the kernel's stdin socket under this socket's session identity."""
        current = self._current
        request = current[1].take_input() if current is not None else None
        if current is None or request is None:
            return False
        channel = current[0]
        try:
            await channel.send("stdin", input_reply(text, channel.session, request))
        except ConnectionClosed:
            return False
        return True

    async def _alive_or_unknown(self) -> bool:
        """Liveness for the death poll: a gateway hiccup is not a dead kernel."""
        try:
            return await self.is_alive()
        except GatewayError as exc:
            log.warning("liveness check of kernel %s failed: %s", self._id, exc)
            return True

    async def _interrupt_quietly(self) -> None:
        try:
            await self._rest.interrupt(self._id)
        except GatewayError as exc:
            log.warning("interrupting kernel %s failed: %s", self._id, exc)

    async def put_data(self, files: dict[str, bytes]) -> None:
        """Through the kernel channel (`kernels.data_program`): a gateway kernel's filesystem is
        not the server's. Raises GatewayError if a write fails (the run that needed it says so)."""
        for name, content in files.items():
            for program in data_program.programs(name, content):
                async for event in self.execute(program, silent=True):
                    if isinstance(event, Finished) and event.status != "ok":
                        raise GatewayError(f"placing data/{name} failed: {event.reason}")
                    if isinstance(event, Error):
                        raise GatewayError(f"placing data/{name} failed: {event.evalue}")

    async def interrupt(self) -> None:
        await self._rest.interrupt(self._id)

    async def restart(self) -> None:
        """Restart the kernel (fresh namespace); a run still pending ends as interrupted, as in
        the local provider."""
        self._generation += 1
        await self._drop_channel(KernelGone("interrupted", "kernel restarted"))
        await self._rest.restart(self._id)

    async def shutdown(self) -> None:
        await self._drop_channel(KernelGone("killed", "the kernel was shut down"))
        await self._rest.delete(self._id)

    async def is_alive(self) -> bool:
        try:
            model = await self._rest.get_kernel(self._id)
        except KernelNotFound:
            return False
        return model.get("execution_state") != "dead"

    async def detach(self) -> None:
        """Close this handle's websocket but leave the kernel running (another instance owns it)."""
        await self._drop_channel(KernelGone("error", "the handle was detached"))

    async def _drop_channel(self, gone: KernelGone) -> None:
        async with self._channel_lock:
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.fail_all(gone)
            await channel.close()


class GatewayProvider:
    """Hands out gateway kernels, keeping `pool_size` of them started ahead of demand."""

    def __init__(
        self, settings: GatewaySettings | None = None, limits: RunLimits | None = None
    ) -> None:
        self.settings = settings or GatewaySettings()
        self.limits = limits or RunLimits.from_settings(KernelSettings())
        self._rest = GatewayRest(self.settings)
        self._pool: list[str] = []
        self._owned: dict[str, GatewayKernel] = {}
        self._refill: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        """Check the gateway answers, then fill the pool in the background."""
        await self._rest.version()
        self._schedule_refill()

    async def acquire(self, session_id: str) -> GatewayKernel:
        """A kernel for `session_id`: a pooled one if a healthy one is ready, else a new one."""
        if self._closed:
            raise GatewayError("the gateway provider is closed")
        while self._pool:
            kernel_id = self._pool.pop(0)
            handle = self._handle(kernel_id)
            if await handle.is_alive():
                self._schedule_refill()
                return handle
            self._owned.pop(kernel_id, None)
        # No per-session env: pooled kernels are started before their session is known, and a
        # cold one must not differ from them (Kernel Gateway replaces the whole environment of a
        # kernel started with an `env`).
        kernel_id = await self._rest.start_kernel()
        self._schedule_refill()
        return self._handle(kernel_id)

    def started_kernel_ids(self) -> list[str]:
        """Ids of the kernels this provider started and has not shut down on close yet."""
        return list(self._owned)

    async def fill_pool(self) -> None:
        """Wait until the pool holds `pool_size` kernels (or a refill attempt failed)."""
        self._schedule_refill()
        if self._refill is not None:
            await self._refill

    def disown(self, kernel_id: str) -> None:
        """Forget a handed-out kernel so `close` leaves it running: in a scale-out deployment a
        session's kernel outlives the instance that started it (another instance attaches)."""
        self._owned.pop(kernel_id, None)

    def attach(self, kernel_id: str) -> GatewayKernel:
        """A handle on an existing kernel from its id alone (e.g. started by another instance)."""
        return GatewayKernel(kernel_id, self._rest, self.settings, self.limits)

    async def close(self) -> None:
        """Shut down every kernel this provider started (pooled or handed out)."""
        self._closed = True
        if self._refill is not None:
            # Not cancelled: a kernel the gateway is starting right now would be lost, not stopped.
            with contextlib.suppress(Exception):
                await self._refill
        handles = list(self._owned.values())
        self._owned.clear()
        self._pool.clear()
        for handle in handles:
            try:
                await handle.shutdown()
            except GatewayError as exc:
                log.warning("shutting down kernel %s failed: %s", handle.kernel_id, exc)
        await self._rest.aclose()

    def _handle(self, kernel_id: str) -> GatewayKernel:
        handle = self._owned.get(kernel_id)
        if handle is None:
            handle = self._owned[kernel_id] = self.attach(kernel_id)
        return handle

    def _schedule_refill(self) -> None:
        if self._closed or (self._refill is not None and not self._refill.done()):
            return
        self._refill = asyncio.create_task(self._fill(), name="gateway-pool-refill")

    async def _fill(self) -> None:
        while not self._closed and len(self._pool) < self.settings.pool_size:
            try:
                kernel_id = await self._rest.start_kernel()
            except GatewayError as exc:
                log.warning("gateway pool refill failed: %s", exc)
                return
            handle = self._handle(kernel_id)
            try:
                # Open (and nudge) its websocket now, so a hand-out costs one liveness check.
                await handle.channel()
            except GatewayError as exc:
                log.warning("gateway pool: kernel %s not reachable: %s", kernel_id, exc)
                with contextlib.suppress(GatewayError):
                    await handle.shutdown()
                self._owned.pop(kernel_id, None)
                return
            self._pool.append(kernel_id)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _observe(run: PendingRun) -> Input:
    """What the ladder is told after a message or a quiet poll of a live kernel."""
    now = time.monotonic()
    return CapCrossed(now) if run.tracker.wants_interrupt else Tick(now)


if TYPE_CHECKING:  # the provider interface is structural: have mypy prove this satisfies it

    def _conforms(provider: GatewayProvider, handle: GatewayKernel) -> None:
        _p: KernelProvider = provider
        _h: KernelHandle = handle
