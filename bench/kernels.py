"""Kernel figures: cold start, pool hand-out, first output, round trips, throughput, gateway.

Prints figures only (no assertions). Local figures use the real `LocalProvider` (sandboxed
kernels from the warm pool); gateway figures start real `jupyter kernelgateway` processes on
loopback: one with Pairboard's TCP_NODELAY plugin (`kernels.gateway.kg_nodelay`) and one stock,
to show what Nagle's algorithm costs. Run with `make bench` or `.venv/bin/python bench/kernels.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the `kernels` package: make sure the package wins, and `tests` imports.
REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from typing import Any  # noqa: E402

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

from kernels.gateway.provider import GatewayKernel, GatewayProvider  # noqa: E402
from kernels.gateway.settings import GatewaySettings  # noqa: E402
from kernels.local.kernel import start_kernel  # noqa: E402
from kernels.local.provider import LocalProvider  # noqa: E402
from kernels.provider import Finished, KernelHandle, Stream  # noqa: E402
from kernels.run_limits import RunLimits  # noqa: E402
from kernels.settings import KernelSettings  # noqa: E402
from tests.kernels.kernel_gateway import (  # noqa: E402
    PLAIN_SPEC,
    SANDBOX_SPEC,
    RunningGateway,
    kernel_gateway,
    sandbox_provisioner_available,
    write_kernelspecs,
)

MiB = 1 << 20


def row(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def ms(values: list[float]) -> str:
    """p50 / p99 / max of durations in seconds, shown in ms."""
    xs = sorted(values)
    p99 = xs[min(len(xs) - 1, round(0.99 * (len(xs) - 1)))]
    return f"p50 {statistics.median(xs) * 1e3:7.2f} ms  p99 {p99 * 1e3:7.2f} ms  (n={len(xs)})"


async def first_output(kernel: KernelHandle, code: str) -> float:
    """Seconds from asking for a run to its first output event; drains the run."""
    started = time.perf_counter()
    first: float | None = None
    async for event in kernel.execute(code):
        if first is None and not isinstance(event, Finished):
            first = time.perf_counter() - started
    assert first is not None, "the run produced no output"
    return first


async def round_trip(kernel: KernelHandle, code: str) -> float:
    """Seconds from asking for a run to its `Finished`."""
    started = time.perf_counter()
    async for event in kernel.execute(code):
        if isinstance(event, Finished) and event.status != "ok":
            raise RuntimeError(f"benchmark run failed: {event}")
    return time.perf_counter() - started


async def repeat(n: int, once: Callable[[], Awaitable[float]], warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        await once()
    return [await once() for _ in range(n)]


async def throughput(kernel: KernelHandle, total: int) -> float:
    """MB/s of stdout delivered as events (64 KiB writes, `total` bytes)."""
    code = f"import sys\nfor _ in range({total // 65536}):\n    sys.stdout.write('x' * 65536)"
    received = 0
    started = time.perf_counter()
    async for event in kernel.execute(code):
        if isinstance(event, Stream):
            received += len(event.text)
        if isinstance(event, Finished) and event.status != "ok":
            raise RuntimeError(f"throughput run failed: {event}")
    elapsed = time.perf_counter() - started
    return received / elapsed / 1e6


async def bench_local(runs: int) -> None:
    settings = KernelSettings(pool_size=2, output_limit_bytes=256 * MiB)
    print("Local provider (sandboxed kernels, ipc)", flush=True)
    colds = []
    for _ in range(3):
        started = time.perf_counter()
        cold = await start_kernel(settings)
        colds.append(time.perf_counter() - started)
        await cold.shutdown()
    row("cold start (launch + ready + sockets locked)", ms(colds))
    provider = LocalProvider(settings)
    await provider.start()
    try:
        handouts = []
        kernel: KernelHandle | None = None
        for i in range(3):
            await provider.pool.wait_full(timeout=120)
            started = time.perf_counter()
            kernel = await provider.acquire(f"bench-{i}")
            handouts.append(time.perf_counter() - started)
        assert kernel is not None
        row("pool hand-out (health check included)", ms(handouts))
        row(
            "request to first output, print(1)",
            ms(await repeat(runs, lambda: first_output(kernel, "print(1)"))),
        )
        cpu = time.process_time()
        row("round trip, 1+1", ms(await repeat(runs, lambda: round_trip(kernel, "1+1"))))
        cpu_ms = (time.process_time() - cpu) / (runs + 5) * 1e3
        row("CPU per 1+1: server process", f"{cpu_ms:5.2f} ms")
        rate = await throughput(kernel, 64 * MiB)
        row("output throughput, 64 MiB of stdout", f"{rate:7.1f} MB/s")
    finally:
        await provider.close()


async def bench_direct(runs: int, spec_root: Path) -> None:
    """The floor: jupyter_client straight to an unsandboxed kernel over TCP, no provider."""
    write_kernelspecs(spec_root, with_sandbox=False)
    specs = KernelSpecManager(kernel_dirs=[str(spec_root / "kernels")])
    km = AsyncKernelManager(kernel_name=PLAIN_SPEC, kernel_spec_manager=specs)
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)

    async def once() -> float:
        started = time.perf_counter()
        msg_id = kc.execute("1+1")
        while True:
            msg: dict[str, Any] = await kc.get_iopub_msg(timeout=10)
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                return time.perf_counter() - started

    try:
        cpu = time.process_time()
        times = await repeat(runs, once)
        row("direct jupyter_client, round trip 1+1", ms(times))
        cpu_ms = (time.process_time() - cpu) / (runs + 5) * 1e3
        row("direct jupyter_client, CPU per 1+1: client", f"{cpu_ms:5.2f} ms")
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench_gateway(
    gw: RunningGateway, runs: int, label: str, kernel_name: str = PLAIN_SPEC, **over: Any
) -> None:
    """Round trip of 1+1, plus CPU per request in the gateway and in this client: unlike wall
    time, CPU time barely moves when other work shares the machine."""
    settings = GatewaySettings.model_validate(
        {"url": gw.url, "auth_token": gw.token, "kernel_name": kernel_name, "pool_size": 0, **over}
    )
    provider = GatewayProvider(settings, RunLimits(output_limit_bytes=256 * MiB))
    await provider.start()
    try:
        kernel: GatewayKernel = await provider.acquire("bench")
        await kernel.channel()
        gw_cpu, my_cpu = cpu_seconds(gw.pid), time.process_time()
        times = await repeat(runs, lambda: round_trip(kernel, "1+1"))
        n = runs + 5
        gw_ms = (cpu_seconds(gw.pid) - gw_cpu) / n * 1e3
        my_ms = (time.process_time() - my_cpu) / n * 1e3
        row(f"{label}, round trip 1+1", ms(times))
        row(f"{label}, CPU per 1+1: gateway / client", f"{gw_ms:5.2f} ms / {my_ms:5.2f} ms")
    finally:
        await provider.close()


async def bench_gateway_full(url: str, token: str, runs: int) -> None:
    settings = GatewaySettings.model_validate(
        {"url": url, "auth_token": token, "kernel_name": PLAIN_SPEC, "pool_size": 1}
    )
    provider = GatewayProvider(settings, RunLimits(output_limit_bytes=256 * MiB))
    await provider.start()
    cold = GatewayProvider(settings.model_copy(update={"pool_size": 0}))
    try:
        colds = []
        for i in range(3):
            started = time.perf_counter()
            kernel = await cold.acquire(f"cold-{i}")
            await kernel.channel()
            colds.append(time.perf_counter() - started)
            await kernel.shutdown()
        await cold.close()
        row("cold start (POST /api/kernels + websocket ready)", ms(colds))
        handouts = []
        for i in range(3):
            await provider.fill_pool()
            started = time.perf_counter()
            kernel = await provider.acquire(f"bench-{i}")
            await kernel.channel()
            handouts.append(time.perf_counter() - started)
        row("pool hand-out (liveness check, websocket already open)", ms(handouts))
        row(
            "request to first output, print(1)",
            ms(await repeat(runs, lambda: first_output(kernel, "print(1)"))),
        )
        row("round trip, 1+1", ms(await repeat(runs, lambda: round_trip(kernel, "1+1"))))
        rate = await throughput(kernel, 64 * MiB)
        row("output throughput, 64 MiB of stdout", f"{rate:7.1f} MB/s")
    finally:
        await provider.close()


LIGHT_PRELOAD = "import numpy, pandas, matplotlib.pyplot\ndel numpy, pandas, matplotlib"
"""The preload before torch was pre-imported (and what the test suites use)."""
FIRST_TORCH_RUN = (
    "import resource, torch\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"  # MiB, kernel's peak
)


async def pooled_first_torch_run(preload: str) -> tuple[float, float, int]:
    """A one-kernel pool with `preload`: seconds to warm it, seconds of the first Run that
    imports torch, and the kernel's peak RSS in MiB after that run."""
    settings = KernelSettings(pool_size=1, preload_code=preload, run_timeout_seconds=300.0)
    provider = LocalProvider(settings)
    started = time.perf_counter()
    await provider.start()
    try:
        await provider.pool.wait_full(timeout=600)
        warmed = time.perf_counter() - started
        kernel = await provider.acquire("bench-torch")
        started = time.perf_counter()
        text = ""
        async for event in kernel.execute(FIRST_TORCH_RUN):
            if isinstance(event, Stream):
                text += event.text
        return warmed, time.perf_counter() - started, int(text.split()[-1])
    finally:
        await provider.close()


async def bench_torch(repeats: int) -> None:
    """Whether pre-importing torch while warming the pool helps the first Run (interleaved)."""
    print("PyTorch in a pooled kernel (first Run: `import torch`), interleaved", flush=True)
    light, default = LIGHT_PRELOAD, KernelSettings().preload_code  # the default imports torch
    figures: dict[str, list[tuple[float, float, int]]] = {"default": [], "torch": [], "none": []}
    for _ in range(repeats):
        figures["none"].append(await pooled_first_torch_run(""))
        figures["default"].append(await pooled_first_torch_run(light))
        figures["torch"].append(await pooled_first_torch_run(default))
    for name, label in (
        ("none", "no preload"),
        ("default", "preload numpy/pandas/matplotlib"),
        ("torch", "preload + torch (the default)"),
    ):
        warm = statistics.median(f[0] for f in figures[name])
        first = statistics.median(f[1] for f in figures[name])
        rss = statistics.median(f[2] for f in figures[name])
        row(f"{label}: pool warm-up", f"{warm:7.2f} s")
        row(f"{label}: first Run importing torch", f"{first * 1e3:9.1f} ms")
        row(f"{label}: kernel peak RSS after it", f"{rss:5d} MiB")
    ratio = statistics.median(f[1] for f in figures["default"]) / max(
        1e-9, statistics.median(f[1] for f in figures["torch"])
    )
    row("first torch Run, numpy/pandas preload / torch preloaded", f"{ratio:7.1f}x")


async def main(runs: int, local: bool, torch_only: bool = False) -> None:
    await bench_torch(3)
    if torch_only:
        return
    if local:
        await bench_local(runs)
    with tempfile.TemporaryDirectory() as tmp_fast, tempfile.TemporaryDirectory() as tmp_stock:
        sandbox = sandbox_provisioner_available()
        with kernel_gateway(Path(tmp_fast), with_sandbox=sandbox) as gw:
            print("Gateway provider (Kernel Gateway 3.0 on loopback, TCP_NODELAY plugin)")
            await bench_gateway_full(gw.url, gw.token, runs)
            await bench_gateway(gw, runs, "v1 framing")
            await bench_gateway(gw, runs, "JSON framing", binary_protocol=False)
            if sandbox:
                await bench_gateway(gw, runs, "sandboxed kernel", SANDBOX_SPEC)
        with kernel_gateway(Path(tmp_stock), nodelay=False) as gw:
            print("Stock Kernel Gateway (no TCP_NODELAY on its websocket)")
            await bench_gateway(gw, min(runs, 50), "stock gateway")
    with tempfile.TemporaryDirectory() as tmp_direct:
        print("Baseline")
        await bench_direct(runs, Path(tmp_direct))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200, help="runs per latency figure")
    parser.add_argument("--no-local", action="store_true", help="skip the local provider")
    parser.add_argument("--torch-only", action="store_true", help="only the PyTorch figures")
    args = parser.parse_args()
    asyncio.run(main(args.runs, not args.no_local, args.torch_only))
