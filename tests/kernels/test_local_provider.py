"""The local provider with real sandboxed kernels: what a run looks like and how limits end it.

One provider (pool of 2) serves the module; tests that damage a kernel take their own session.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from kernels.local.kernel import death_reason
from kernels.local.provider import LocalProvider, SessionKernel
from kernels.provider import Finished, Stream
from kernels.sandbox.cgroups import pids_in
from kernels.sandbox.layers import SandboxReport
from kernels.sandbox.uids import processes_of, try_lease
from tests.kernels.local_support import collect, eventually, joined_streams, quick_settings, run

pytestmark = pytest.mark.asyncio(loop_scope="module")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def provider(sandbox_layers: SandboxReport) -> AsyncIterator[LocalProvider]:
    prov = LocalProvider(quick_settings())
    await prov.start()
    await prov.pool.wait_full(120)
    yield prov
    await prov.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(provider: LocalProvider) -> SessionKernel:
    return await provider.acquire("shared")


async def test_stdout_and_stderr_arrive_in_the_order_written(shared: SessionKernel) -> None:
    result = await run(
        shared,
        "import sys\nprint('one', flush=True)\nprint('two', file=sys.stderr, flush=True)\n"
        "print('three', flush=True)",
    )
    assert joined_streams(result.events) == [
        Stream("stdout", "one\n"),
        Stream("stderr", "two\n"),
        Stream("stdout", "three\n"),
    ]
    assert result.status == "ok"


async def test_a_runs_first_line_is_sent_alone_and_later_lines_are_batched(
    shared: SessionKernel,
) -> None:
    """kernel_startup.py sends a request's first line at once; the rest keeps ipykernel's
    0.2 s batching (the cell ends after 0.15 s, before that interval: without the hook all of
    it would be one message at the end of the cell).

    The first line may itself arrive as two messages: `print` writes "first" and "\\n"
    separately, and on a loaded host ipykernel's IO thread can flush between the two (its 0.2 s
    timer; seen once under three test workers). So the test holds what a reader sees: the
    first line complete before the sleep ended, the later lines together after it."""
    for _ in range(2):  # every request's first line, not only the kernel's first
        result = await run(
            shared,
            "import time\nprint('first')\ntime.sleep(0.15)\nprint('second')\nprint('third')",
        )
        streams = [(e.name, e.text) for e in result.events if isinstance(e, Stream)]
        assert {name for name, _ in streams} == {"stdout"}
        texts = [text for _, text in streams]
        assert texts[-1] == "second\nthird\n"  # the later lines: one batched message
        assert "".join(texts[:-1]) == "first\n"  # the first line: sent before them


async def test_expression_value_is_a_result_bundle(shared: SessionKernel) -> None:
    result = await run(shared, "6 * 7")
    assert [(d.kind, d.data) for d in result.displays] == [("result", {"text/plain": "42"})]


async def test_matplotlib_figure_arrives_as_a_png_bundle(shared: SessionKernel) -> None:
    result = await run(shared, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()")
    assert result.status == "ok", result.events
    pngs = [d.data["image/png"] for d in result.displays if "image/png" in d.data]
    assert len(pngs) == 1
    assert base64.b64decode(pngs[0]).startswith(PNG_MAGIC)


async def test_pandas_frame_arrives_as_an_html_table(shared: SessionKernel) -> None:
    result = await run(shared, "import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': [3, 4]})")
    (bundle,) = [d for d in result.displays if d.kind == "result"]
    assert "<table" in bundle.data["text/html"]
    assert "text/plain" in bundle.data


async def test_exception_is_an_error_event_with_traceback(shared: SessionKernel) -> None:
    result = await run(shared, "def f():\n    return 1 / 0\nf()")
    (error,) = result.errors
    assert (error.ename, error.evalue) == ("ZeroDivisionError", "division by zero")
    assert any("f()" in line for line in error.traceback)
    assert result.status == "error"


async def test_kernel_runs_as_a_range_uid_in_its_own_workspace(
    shared: SessionKernel, sandbox_layers: SandboxReport, provider: LocalProvider
) -> None:
    if not sandbox_layers.uid_ok:
        pytest.skip("uid layer unavailable on this host: " + sandbox_layers.layer("uid").detail)
    result = await run(shared, "import os\nprint(os.getuid(), os.getcwd())")
    uid, cwd = result.text().split()
    low, high = provider.settings.uid_range
    assert low <= int(uid) <= high
    if sandbox_layers.active("filesystem"):  # either sandbox mode
        assert cwd == "/workspace"


async def test_interrupt_stops_a_running_cell(provider: LocalProvider) -> None:
    kernel = await provider.acquire("interrupt")
    events = kernel.execute("import time\nprint('started', flush=True)\ntime.sleep(60)")
    seen, printed = [], ""  # the line may come as "started" and "\n" (joined_streams)
    async for event in events:
        seen.append(event)
        printed += event.text if isinstance(event, Stream) else ""
        if isinstance(event, Stream) and printed == "started\n":
            await kernel.interrupt()
    assert seen[-1].status == "interrupted"  # type: ignore[union-attr]
    assert [e.ename for e in seen if hasattr(e, "ename")] == ["KeyboardInterrupt"]
    assert (await run(kernel, "print('after')")).text() == "after\n"
    await provider.release(kernel)


async def test_restart_gives_a_fresh_namespace(provider: LocalProvider) -> None:
    kernel = await provider.acquire("restart")
    await run(kernel, "x = 41")
    await kernel.restart()
    result = await run(kernel, "x")
    assert [e.ename for e in result.errors] == ["NameError"]
    await provider.release(kernel)


async def test_wall_time_limit_interrupts_and_reports_timeout(provider: LocalProvider) -> None:
    kernel = await provider.acquire("timeout")
    result = await run(kernel, "import time\ntime.sleep(60)")
    assert result.status == "timeout"
    assert result.finished.reason == "wall time limit of 4 s exceeded"
    assert result.notices == ["run interrupted: wall time limit of 4 s exceeded"]
    assert (await run(kernel, "print('still here')")).text() == "still here\n"
    await provider.release(kernel)


async def test_output_over_the_cap_is_dropped_with_a_notice(provider: LocalProvider) -> None:
    kernel = await provider.acquire("cap")
    result = await run(kernel, "for i in range(10**7):\n    print('x' * 99)")
    assert result.status == "interrupted"
    assert len(result.text().encode()) <= provider.settings.output_limit_bytes
    assert (
        "output truncated: this run exceeded the output limit of 1 MiB; run interrupted"
        in result.notices
    )
    assert (await run(kernel, "print('ok')")).text() == "ok\n"
    await provider.release(kernel)


async def test_a_runs_output_survives_a_flush_that_also_carries_an_earlier_requests_capped_output(
    provider: LocalProvider,
) -> None:
    """ipykernel flushes every request's buffered output in one pass and stopped the whole pass
    when a hook swallowed one message: a flood still buffered from an interrupted run (capped, or
    split into pieces) took the next run's output with it. Here one flush holds both, in order."""
    kernel = await provider.acquire("flush-pass")
    code = (
        "import sys\n"
        "token = sys.stdout._parent_header.set({'msg_id': 'an-earlier-request'})\n"
        "sys.stdout.write('x' * (3 << 20))\n"  # past the cap (and split into pieces): swallowed
        "sys.stdout._parent_header.reset(token)\n"
        "print('mine')\n"
    )
    assert (await run(kernel, code)).text() == "mine\n"
    await provider.release(kernel)


async def test_a_dead_kernel_is_reported_killed_and_replaced(provider: LocalProvider) -> None:
    kernel = await provider.acquire("death")
    result = await run(kernel, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert result.status == "killed"
    assert result.finished.reason == "kernel died: killed by signal 9; restarted"
    assert (await run(kernel, "print('fresh')")).text() == "fresh\n"
    await provider.release(kernel)


async def test_oom_death_is_worded_with_the_limit() -> None:
    settings = quick_settings()
    assert death_reason(1, -9, settings) == "kernel died: out of memory (limit 1 GiB); restarted"
    assert death_reason(0, 1, settings) == "kernel died (exit code 1); restarted"


async def test_pool_never_hands_the_same_kernel_to_two_sessions(provider: LocalProvider) -> None:
    first = await provider.acquire("a")
    second = await provider.acquire("b")
    assert first.kernel_id != second.kernel_id
    await run(first, "secret = 'mine'")
    result = await run(second, "secret")
    assert [e.ename for e in result.errors] == ["NameError"]
    await provider.release(first)
    await provider.release(second)


async def test_five_sessions_run_at_once(provider: LocalProvider) -> None:
    kernels = await asyncio.gather(*(provider.acquire(f"five-{i}") for i in range(5)))
    code = "import time\ntime.sleep(1)\nprint({})"
    results = await asyncio.gather(*(run(k, code.format(i)) for i, k in enumerate(kernels)))
    assert [(r.status, r.text()) for r in results] == [("ok", f"{i}\n") for i in range(5)]
    await asyncio.gather(*(provider.release(k) for k in kernels))


async def test_shutdown_leaves_no_process_cgroup_or_directory(
    sandbox_layers: SandboxReport,
) -> None:
    before = set(children_of_this_process())
    prov = LocalProvider(quick_settings(pool_size=1))
    await prov.start()
    kernel = await prov.acquire("leftovers")
    await collect(kernel.execute("import subprocess\nsubprocess.Popen(['sleep', '600'])"))
    inner = kernel.kernel
    assert inner is not None
    uid = inner.uid
    cgroup = inner.provisioner.cgroup
    kdir = inner.provisioner.kdir
    assert uid is not None
    ours = set(processes_of(uid)) if sandbox_layers.uid_ok else set()
    if sandbox_layers.active("filesystem") and sandbox_layers.uid_ok:
        # the supervisor (bwrap or jail.py), its PID-namespace init, the kernel, the sleep
        assert len(ours) == 4
    await prov.close()
    # (The uid itself may already serve another provider's new kernel: check our processes.)
    assert await eventually(lambda: not ours & set(processes_of(uid))), ours
    if cgroup is not None:
        assert pids_in(cgroup.dirs) == []
        assert not any(d.exists() for d in cgroup.dirs)
    assert kdir is not None
    # Holding the uid's lease keeps any other provider (another test process) from reusing it
    # while we look; if one already did, its directory is not ours to judge.
    lease = try_lease(kdir.root, kdir.uid)
    if lease is not None:
        try:
            assert not kdir.path.exists()
        finally:
            lease.release()
    assert await eventually(lambda: set(children_of_this_process()) <= before)


def children_of_this_process() -> list[str]:
    """Child pids (the other module's provider's kernels are children too, hence the diff)."""
    return Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()


async def test_restart_during_a_run_ends_that_run_as_interrupted(provider: LocalProvider) -> None:
    kernel = await provider.acquire("restart-mid-run")
    events = kernel.execute("import time\nprint('started', flush=True)\ntime.sleep(60)")
    seen, printed = [], ""  # the line may come as "started" and "\n" (joined_streams)
    async for event in events:
        seen.append(event)
        printed += event.text if isinstance(event, Stream) else ""
        if isinstance(event, Stream) and printed == "started\n":
            await kernel.restart()
    final = seen[-1]
    assert (final.status, final.reason) == ("interrupted", "kernel restarted")  # type: ignore[union-attr]
    assert (await run(kernel, "print('after')")).text() == "after\n"
    await provider.release(kernel)


async def test_kernel_cgroup_caps_cpu_at_the_configured_cores(
    shared: SessionKernel, sandbox_layers: SandboxReport
) -> None:
    if not sandbox_layers.cgroup.cpu_base:
        pytest.skip("no usable cpu cgroup controller on this host")
    inner = shared.kernel
    assert inner is not None and inner.provisioner.cgroup is not None
    cpu_dir = sandbox_layers.cgroup.cpu_base / inner.provisioner.cgroup.name
    if sandbox_layers.cgroup.version == 2:
        assert (cpu_dir / "cpu.max").read_text().split() == ["100000", "100000"]
    else:
        assert (cpu_dir / "cpu.cfs_quota_us").read_text().strip() == "100000"
    # the supervisor (bwrap or jail.py), its PID-namespace init and the kernel all run inside
    # that cgroup: the launcher joins it before it forks or execs anything
    assert len((cpu_dir / "cgroup.procs").read_text().split()) >= 3


async def test_an_idle_kernel_is_culled_and_the_next_run_starts_a_fresh_one(
    sandbox_layers: SandboxReport,
) -> None:
    prov = LocalProvider(quick_settings(pool_size=0, idle_cull_seconds=1.0))
    await prov.start()
    kernel = await prov.acquire("idle")
    await run(kernel, "x = 1")
    assert await eventually(lambda: kernel.kernel is None, timeout=15)
    result = await run(kernel, "print('back')")
    assert result.notices == ["kernel was shut down after being idle; started a fresh one"]
    assert (result.status, result.text()) == ("ok", "back\n")
    await prov.close()


async def test_silent_code_runs_but_stays_out_of_the_kernels_history(shared: SessionKernel) -> None:
    hidden = [event async for event in shared.execute("hidden_value = 6 * 7", silent=True)]
    assert isinstance(hidden[-1], Finished) and hidden[-1].status == "ok"
    events = [
        e
        async for e in shared.execute(
            "print(hidden_value, [h for h in In if 'hidden_' + 'value =' in h])"
        )
    ]
    assert joined_streams(events) == [Stream("stdout", "42 []\n")]
