"""Helpers for the local-kernel suites: collect a run, watch the event loop, ping a bystander."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from kernels.local.provider import SessionKernel
from kernels.provider import Display, Error, Event, Finished, Notice, Stream
from kernels.settings import KernelSettings

# Generous: the point is "the loop never stalls", not a latency figure (bench/ measures those).
MAX_LOOP_LAG_S = 0.5


def quick_settings(**overrides: object) -> KernelSettings:
    """Short limits so limit tests take seconds; no preload (each test imports what it needs)."""
    values: dict[str, object] = {
        "run_timeout_seconds": 4.0,
        "interrupt_grace_seconds": 2.0,
        "pool_size": 2,
        "preload_code": "",
        "idle_cull_seconds": 3600.0,
    }
    values.update(overrides)
    return KernelSettings(**values)  # type: ignore[arg-type]


@dataclass
class Run:
    events: list[Event]

    @property
    def finished(self) -> Finished:
        last = self.events[-1]
        assert isinstance(last, Finished), self.events
        return last

    @property
    def status(self) -> str:
        return self.finished.status

    def text(self, name: str = "stdout") -> str:
        return "".join(e.text for e in self.events if isinstance(e, Stream) and e.name == name)

    @property
    def errors(self) -> list[Error]:
        return [e for e in self.events if isinstance(e, Error)]

    @property
    def notices(self) -> list[str]:
        return [e.text for e in self.events if isinstance(e, Notice)]

    @property
    def displays(self) -> list[Display]:
        return [e for e in self.events if isinstance(e, Display)]


def joined_streams(events: list[Event]) -> list[Stream]:
    """The run's stream text, adjacent text of one stream joined: `print` writes its text and its
    newline separately, and the kernel's IO thread may flush between the two on a loaded host,
    so "x\n" may arrive as one message or two."""
    joined: list[Stream] = []
    for event in events:
        if not isinstance(event, Stream):
            continue
        if joined and joined[-1].name == event.name:
            joined[-1] = Stream(event.name, joined[-1].text + event.text)
        else:
            joined.append(event)
    return joined


async def collect(events: AsyncIterator[Event]) -> Run:
    return Run([event async for event in events])


async def run(kernel: SessionKernel, code: str) -> Run:
    return await collect(kernel.execute(code))


@dataclass
class Watch:
    """Runs beside an attack: measures event-loop lag and keeps a second session busy."""

    max_lag: float = 0.0
    pings: list[Run] = field(default_factory=list)


async def watched(victim: SessionKernel, bystander: SessionKernel, code: str) -> tuple[Run, Watch]:
    """Run `code` in `victim` while a ticker measures loop lag and `bystander` answers pings."""
    watch = Watch()
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.01)
            watch.max_lag = max(watch.max_lag, time.monotonic() - before - 0.01)

    async def pinger() -> None:
        while True:
            watch.pings.append(await run(bystander, "print('pong')"))
            if done.is_set():
                return
            await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(ticker()), asyncio.create_task(pinger())]
    try:
        result = await run(victim, code)
    finally:
        done.set()
        await asyncio.gather(*tasks)
    return result, watch


def assert_unharmed(watch: Watch) -> None:
    """The server's loop kept ticking and the other session's kernel answered throughout."""
    assert watch.max_lag < MAX_LOOP_LAG_S, f"event loop stalled for {watch.max_lag:.3f} s"
    assert watch.pings, "the bystander kernel was never pinged"
    for ping in watch.pings:
        assert (ping.status, ping.text()) == ("ok", "pong\n"), ping.events


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `predicate` until true or the deadline (processes killed by the kernel are reaped
    asynchronously by the host's init, so "gone" is a condition to wait for, not a snapshot)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


# The sandbox modes the isolation suites run in, with the switch that makes a missing one fail.
MODES = {"bubblewrap": "bubblewrap", "fallback": "namespaces"}
REQUIRE = {"bubblewrap": "PAIRBOARD_REQUIRE_BUBBLEWRAP", "fallback": "PAIRBOARD_REQUIRE_NAMESPACES"}


def mode_settings(mode: str, **overrides: object) -> KernelSettings:
    """`quick_settings` for one sandbox mode: `bubblewrap`, or `fallback` (the namespace
    launcher, as on a host without bubblewrap). Skips naming what is missing (bubblewrap's
    reason names the package), or fails when the mode's PAIRBOARD_REQUIRE_* switch is set."""
    from kernels.sandbox.layers import sandbox_report

    settings = quick_settings(use_bubblewrap=mode == "bubblewrap", **overrides)
    report = sandbox_report(settings)
    if report.mode != MODES[mode]:
        layer = report.layer(MODES[mode])
        reason = f"{mode} sandbox unavailable here: {layer.detail}"
        if os.environ.get(REQUIRE[mode]) == "1":
            pytest.fail(f"{reason} ({REQUIRE[mode]}=1)")
        pytest.skip(reason)
    return settings
