"""The gateway provider against a real `jupyter kernelgateway` on loopback, with real kernels.

One gateway serves the whole module; tests that damage a kernel (restart, timeout, death) take
their own kernel, the others share one.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from kernels.gateway.provider import GatewayKernel, GatewayProvider
from kernels.gateway.settings import GatewaySettings
from kernels.provider import Display, Error, Event, Finished, InputRequest, Notice, Stream
from kernels.run_limits import RunLimits
from tests.kernels.kernel_gateway import (
    PLAIN_SPEC,
    SANDBOX_SPEC,
    RunningGateway,
    kernel_gateway,
    sandbox_provisioner_available,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

SWALLOW_INTERRUPTS = """
import time
print("looping", flush=True)
while True:
    try:
        time.sleep(60)
    except KeyboardInterrupt:
        pass
"""


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    workdir = tmp_path_factory.mktemp("kg")
    with kernel_gateway(workdir, with_sandbox=sandbox_provisioner_available()) as running:
        yield running


def make_settings(gw: RunningGateway, **overrides: object) -> GatewaySettings:
    fields: dict[str, object] = {
        "url": gw.url,
        "auth_token": gw.token,
        "kernel_name": PLAIN_SPEC,
        "pool_size": 0,
    }
    fields.update(overrides)
    return GatewaySettings.model_validate(fields)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def provider(gateway: RunningGateway) -> AsyncIterator[GatewayProvider]:
    prov = GatewayProvider(make_settings(gateway), RunLimits(wall_time_s=20, grace_s=2))
    await prov.start()
    yield prov
    await prov.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(provider: GatewayProvider) -> GatewayKernel:
    return await provider.acquire("shared-session")


async def run(kernel: GatewayKernel, code: str) -> list[Event]:
    return [event async for event in kernel.execute(code)]


def outputs(events: list[Event]) -> list[Event]:
    """Everything but the closing `Finished` (its duration varies), with adjacent text of one
    stream joined: the kernel flushes `print`'s text and its newline when its timer says, so
    "x\n" may arrive as one message or two."""
    assert isinstance(events[-1], Finished)
    assert all(not isinstance(e, Finished) for e in events[:-1])
    merged: list[Event] = []
    for event in events[:-1]:
        last = merged[-1] if merged else None
        if isinstance(event, Stream) and isinstance(last, Stream) and last.name == event.name:
            merged[-1] = Stream(event.name, last.text + event.text)
        else:
            merged.append(event)
    return merged


def finished(events: list[Event]) -> Finished:
    last = events[-1]
    assert isinstance(last, Finished)
    return last


async def kernel_ids(gw: RunningGateway) -> set[str]:
    async with httpx.AsyncClient(headers={"Authorization": f"token {gw.token}"}) as http:
        reply = await http.get(f"{gw.url}/api/kernels")
        reply.raise_for_status()
        return {k["id"] for k in reply.json()}


async def test_execute_streams_stdout_and_stderr_in_order(shared: GatewayKernel) -> None:
    code = (
        "import sys\nfor i in range(5):\n    print(i, flush=True)\nprint('oops', file=sys.stderr)"
    )
    events = await run(shared, code)
    assert outputs(events) == [Stream("stdout", "0\n1\n2\n3\n4\n"), Stream("stderr", "oops\n")]
    assert finished(events).status == "ok"


async def test_rich_display_arrives_as_a_mime_bundle(shared: GatewayKernel) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    code = (
        "from IPython.display import display, HTML\n"
        "display(HTML('<table><tr><td>1</td></tr></table>'))\n"
        f"display({{'image/png': '{png}', 'text/plain': 'plot'}}, raw=True)\n"
        "40 + 2"
    )
    events = outputs(await run(shared, code))
    assert len(events) == 3
    html, image, result = events
    assert isinstance(html, Display) and html.kind == "display"
    assert html.data["text/html"] == "<table><tr><td>1</td></tr></table>"
    assert image == Display("display", {"image/png": png, "text/plain": "plot"})
    assert result == Display("result", {"text/plain": "42"})


async def test_an_exception_yields_its_traceback_and_status_error(shared: GatewayKernel) -> None:
    events = await run(shared, "def f():\n    return 1 / 0\nf()")
    (error,) = outputs(events)
    assert isinstance(error, Error)
    assert error.ename == "ZeroDivisionError"
    assert error.evalue == "division by zero"
    plain = re.sub(r"\x1b\[[0-9;]*m", "", "".join(error.traceback))
    assert "return 1 / 0" in plain
    assert "\x1b[" in "".join(error.traceback)  # colours are kept for the console
    assert finished(events).status == "error"


async def test_interrupt_stops_a_busy_run(shared: GatewayKernel) -> None:
    events: list[Event] = []
    async for event in shared.execute("print('spinning', flush=True)\nwhile True: pass"):
        events.append(event)
        if isinstance(event, Stream) and event.text.startswith("spinning"):
            await shared.interrupt()
    spun, error = outputs(events)
    assert spun == Stream("stdout", "spinning\n")
    assert isinstance(error, Error) and error.ename == "KeyboardInterrupt"
    assert finished(events).status == "interrupted"
    assert outputs(await run(shared, "print('still here')")) == [Stream("stdout", "still here\n")]


async def test_concurrent_runs_on_one_websocket_get_only_their_own_output(
    shared: GatewayKernel,
) -> None:
    slow = "import time\nfor i in range(3):\n    print('slow', i, flush=True)\n    time.sleep(0.05)"
    first, second = await asyncio.gather(run(shared, slow), run(shared, "print('quick')"))
    assert outputs(first) == [Stream("stdout", "slow 0\nslow 1\nslow 2\n")]
    assert outputs(second) == [Stream("stdout", "quick\n")]
    assert finished(first).status == finished(second).status == "ok"


async def test_restart_gives_a_fresh_namespace(provider: GatewayProvider) -> None:
    kernel = await provider.acquire("restart-session")
    assert finished(await run(kernel, "secret = 1")).status == "ok"
    await kernel.restart()
    events = await run(kernel, "print('secret' in globals())")
    assert outputs(events) == [Stream("stdout", "False\n")]
    await kernel.shutdown()


async def test_restart_during_a_run_ends_that_run_as_interrupted(
    provider: GatewayProvider,
) -> None:
    kernel = await provider.acquire("restart-mid-run")
    events: list[Event] = []
    async for event in kernel.execute("print('busy', flush=True)\nimport time\ntime.sleep(60)"):
        events.append(event)
        if isinstance(event, Stream) and event.text.startswith("busy"):
            await kernel.restart()
    final = finished(events)
    assert (final.status, final.reason) == ("interrupted", "kernel restarted")
    assert outputs(await run(kernel, "print('fresh')")) == [Stream("stdout", "fresh\n")]
    await kernel.shutdown()


async def test_wall_time_interrupts_cooperative_code_and_keeps_the_kernel(
    gateway: RunningGateway,
) -> None:
    prov = GatewayProvider(make_settings(gateway), RunLimits(wall_time_s=1, grace_s=5))
    kernel = await prov.acquire("timeout-session")
    await run(kernel, "kept = 7")
    events = await run(kernel, "import time\ntime.sleep(30)")
    assert events[0] == Notice("run interrupted: wall time limit of 1 s exceeded")
    assert isinstance(events[1], Error) and events[1].ename == "KeyboardInterrupt"
    assert finished(events).status == "timeout"
    assert finished(events).reason == "wall time limit of 1 s exceeded"
    assert outputs(await run(kernel, "print(kept)")) == [Stream("stdout", "7\n")]
    await prov.close()


async def test_wall_time_restarts_a_kernel_that_swallows_interrupts(
    gateway: RunningGateway,
) -> None:
    prov = GatewayProvider(make_settings(gateway), RunLimits(wall_time_s=1, grace_s=1))
    kernel = await prov.acquire("swallow-session")
    await run(kernel, "kept = 7")
    events = await run(kernel, SWALLOW_INTERRUPTS)
    assert outputs(events) == [
        Stream("stdout", "looping\n"),
        Notice("run interrupted: wall time limit of 1 s exceeded"),
        Notice("kernel restarted: the code kept running after the interrupt"),
    ]
    assert finished(events).status == "timeout"
    assert finished(events).reason == "wall time limit of 1 s exceeded"
    # The restarted kernel answers the next run, outputs included, with a fresh namespace.
    assert outputs(await run(kernel, "print('kept' in globals())")) == [Stream("stdout", "False\n")]
    await prov.close()


async def test_output_cap_truncates_with_a_notice_and_interrupts(
    gateway: RunningGateway,
) -> None:
    limit = 64 * 1024
    prov = GatewayProvider(make_settings(gateway), RunLimits(output_limit_bytes=limit, grace_s=5))
    kernel = await prov.acquire("flood-session")
    events = await run(kernel, "while True:\n    print('x' * 999)")
    streams = [e for e in events if isinstance(e, Stream)]
    notices = [e for e in events if isinstance(e, Notice)]
    assert sum(len(s.text) for s in streams) == limit
    assert notices == [
        Notice("output truncated: this run exceeded the output limit of 64 KiB; run interrupted")
    ]
    assert finished(events).status == "interrupted"
    assert outputs(await run(kernel, "print('after')")) == [Stream("stdout", "after\n")]
    await prov.close()


async def test_a_second_provider_reaches_a_kernel_by_id_alone(
    gateway: RunningGateway, shared: GatewayKernel
) -> None:
    await run(shared, "answer = 41")
    other = GatewayProvider(make_settings(gateway))
    attached = other.attach(shared.kernel_id)
    events = await run(attached, "answer + 1")
    assert outputs(events) == [Display("result", {"text/plain": "42"})]
    await attached.detach()
    await other.close()
    # Closing the second provider does not shut down a kernel it only attached to.
    assert await shared.is_alive()
    assert outputs(await run(shared, "answer")) == [Display("result", {"text/plain": "41"})]


async def test_legacy_json_framing_gives_the_same_events(
    gateway: RunningGateway, shared: GatewayKernel
) -> None:
    other = GatewayProvider(make_settings(gateway, binary_protocol=False))
    attached = other.attach(shared.kernel_id)
    assert not (await attached.channel()).binary
    events = await run(attached, "print('json')\n'ok'")
    assert outputs(events) == [
        Stream("stdout", "json\n"),
        Display("result", {"text/plain": "'ok'"}),
    ]
    await attached.detach()
    await other.close()


async def test_kernel_death_mid_run_ends_the_run_as_killed(provider: GatewayProvider) -> None:
    kernel = await provider.acquire("doomed-session")
    events = await run(kernel, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert finished(events).status == "killed"
    assert finished(events).reason == "the kernel died and was restarted"
    # The next run reaches the restarted kernel (new ports, so a new websocket).
    assert outputs(await run(kernel, "print('back')")) == [Stream("stdout", "back\n")]
    await kernel.shutdown()


async def test_a_kernel_that_died_between_runs_is_reported_on_the_next_run(
    provider: GatewayProvider,
) -> None:
    kernel = await provider.acquire("dies-while-idle")
    suicide = (
        "import os, signal, threading\n"
        "threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGKILL)).start()"
    )
    assert finished(await run(kernel, suicide)).status == "ok"
    channel = await kernel.channel()
    deadline = asyncio.get_running_loop().time() + 30
    while not channel.died_since_last_run:  # the gateway's restarter announces the death
        assert asyncio.get_running_loop().time() < deadline, "death never announced"
        await asyncio.sleep(0.05)
    events = await run(kernel, "print('back')")
    assert outputs(events) == [
        Notice("kernel died since the last run and was restarted; its state is lost"),
        Stream("stdout", "back\n"),
    ]
    await kernel.shutdown()


async def test_pool_hands_out_prestarted_kernels_never_twice(gateway: RunningGateway) -> None:
    prov = GatewayProvider(make_settings(gateway, pool_size=2))
    await prov.start()
    first = await prov.acquire("a")
    second = await prov.acquire("b")
    assert first.kernel_id != second.kernel_id
    assert outputs(await run(first, "1")) == [Display("result", {"text/plain": "1"})]
    await prov.close()


async def test_close_shuts_down_every_kernel_it_started(gateway: RunningGateway) -> None:
    prov = GatewayProvider(make_settings(gateway, pool_size=1))
    await prov.start()
    handed_out = await prov.acquire("s")
    await run(handed_out, "1")
    await prov.fill_pool()
    started = set(prov.started_kernel_ids())
    assert handed_out.kernel_id in started
    assert len(started) == 2  # the handed-out kernel and the pool's replacement
    assert started <= await kernel_ids(gateway)
    assert all(kernel_processes(kid) for kid in started)
    await prov.close()
    assert started.isdisjoint(await kernel_ids(gateway))
    # Shutdown waited for the processes: none of them is left, not even as a zombie.
    assert [kernel_processes(kid) for kid in sorted(started)] == [[], []]


def kernel_processes(kernel_id: str) -> list[int]:
    """Pids whose command line names this kernel's connection file (`kernel-<id>.json`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"kernel-{kernel_id}.json".encode() in cmdline:
            pids.append(int(entry.name))
    return pids


def sandbox_missing() -> str:
    """Why the sandboxed gateway kernel cannot be tested here, or "" if it can."""
    if not sandbox_provisioner_available():
        return "the pairboard-sandbox provisioner is not importable"
    from kernels.sandbox.layers import sandbox_report
    from kernels.settings import KernelSettings

    report = sandbox_report(KernelSettings())
    inactive = [name for name in ("uid", "network") if not report.active(name)]
    return f"sandbox layers unavailable on this host: {inactive}" if inactive else ""


async def test_the_gateway_runs_sandboxed_kernels_through_our_provisioner(
    gateway: RunningGateway,
) -> None:
    reason = sandbox_missing()
    if reason:
        pytest.skip(reason)
    assert SANDBOX_SPEC in gateway.kernel_specs
    port = int(gateway.url.rsplit(":", 1)[1])
    prov = GatewayProvider(make_settings(gateway, kernel_name=SANDBOX_SPEC), RunLimits())
    kernel = await prov.acquire("sandboxed-session")
    probe = (
        "import os, socket\n"
        "s = socket.socket()\n"
        "s.settimeout(5)\n"
        "try:\n"
        f"    s.connect(('127.0.0.1', {port}))\n"
        "    print('reached the gateway')\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__)\n"
        "print(os.getuid() != 0, os.getuid() == os.geteuid())"
    )
    # The gateway's port on the host's loopback is not reachable from the kernel's own
    # (empty) network namespace, and the kernel runs under an unprivileged uid.
    assert outputs(await run(kernel, probe)) == [
        Stream("stdout", "ConnectionRefusedError\nTrue True\n")
    ]
    # Interrupts reach a sandboxed kernel as a message (a signal would hit bubblewrap).
    events: list[Event] = []
    async for event in kernel.execute("print('spinning', flush=True)\nwhile True: pass"):
        events.append(event)
        if isinstance(event, Stream) and event.text.startswith("spinning"):
            await kernel.interrupt()
    assert finished(events).status == "interrupted"
    await prov.close()


PROBE_DATA = """
import os, stat
print(open('data/big.npy', 'rb').read() == b'\\x93NUMPY' + bytes(range(256)) * 9000)
mode = lambda path: oct(stat.S_IMODE(os.stat(path).st_mode))
print(mode('data/big.npy'), mode('data'))
for attempt in (lambda: open('data/big.npy', 'ab'), lambda: open('data/new.csv', 'w')):
    try:
        attempt()
        print('writable')
    except OSError as e:
        print(type(e).__name__, e.errno)
"""


async def test_data_files_reach_a_sandboxed_gateway_kernel_through_the_channel(
    gateway: RunningGateway,
) -> None:
    reason = sandbox_missing()
    if reason:
        pytest.skip(reason)
    prov = GatewayProvider(make_settings(gateway, kernel_name=SANDBOX_SPEC), RunLimits())
    kernel = await prov.acquire("data-session")
    try:
        # 2.3 MB: three chunks through the channel, no network fetch by the kernel.
        await kernel.put_data({"big.npy": b"\x93NUMPY" + bytes(range(256)) * 9000})
        assert outputs(await run(kernel, PROBE_DATA)) == [
            Stream("stdout", "True\n0o444 0o555\nPermissionError 13\nPermissionError 13\n")
        ]
    finally:
        await prov.close()


async def test_silent_code_runs_but_stays_out_of_the_kernels_history(shared: GatewayKernel) -> None:
    hidden = [event async for event in shared.execute("hidden_value = 6 * 7", silent=True)]
    assert finished(hidden).status == "ok"
    events = await run(shared, "print(hidden_value, [h for h in In if 'hidden_' + 'value =' in h])")
    assert outputs(events) == [Stream("stdout", "42 []\n")]


async def test_input_is_asked_over_the_websocket_and_answered_on_its_stdin_channel(
    shared: GatewayKernel,
) -> None:
    events: list[Event] = []
    async for event in shared.execute("name = input('Name? ')\nprint('hi', name)", stdin=True):
        events.append(event)
        if isinstance(event, InputRequest):
            assert await shared.answer_input("Ada") is True
    assert [e for e in events if isinstance(e, InputRequest)] == [InputRequest("Name? ", False)]
    assert outputs(events)[-1] == Stream("stdout", "hi Ada\n")
    assert finished(events).status == "ok"
    assert await shared.answer_input("late") is False
