"""Attacks on the sandbox, each with its exact expected outcome, in BOTH sandbox modes.

Every test runs twice (`mode_provider`, tests/kernels/conftest.py): under bubblewrap and under
the fallback a host without bubblewrap gets (the namespace launcher, `use_bubblewrap=False`),
with the same expected outcome: the modes must be equally strong. A mode this host cannot give
skips with the reason (bubblewrap's names the package), or fails under its PAIRBOARD_REQUIRE_*
switch (CI). Every attack runs in a victim session's kernel while a ticker measures the
server's event-loop lag and a second session's kernel answers pings; both must stay healthy
throughout (`assert_unharmed`). An attack whose defending layer is unavailable is skipped with
that layer's reason, never passed. The host-visibility attacks are in test_isolation_host.py.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from kernels.local.provider import LocalProvider, SessionKernel
from kernels.sandbox.layers import SandboxReport
from kernels.settings import MiB
from tests.kernels.local_support import assert_unharmed, run, watched

pytestmark = pytest.mark.asyncio(loop_scope="module")


def need(report: SandboxReport, *layers: str) -> None:
    for name in layers:
        if not report.active(name):
            pytest.skip(f"{name} layer unavailable: {report.layer(name).detail}")


@pytest_asyncio.fixture(loop_scope="module")
async def host_listener() -> AsyncIterator[int]:
    """A real TCP server on the host's 127.0.0.1, which the kernel must not reach."""
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    yield port
    server.close()
    await server.wait_closed()


def connect_code(host: str, port: int) -> str:
    return (
        "import socket\ns = socket.socket()\ns.settimeout(5)\n"
        f"try:\n    s.connect(({host!r}, {port}))\n    print('connected')\n"
        "except OSError as e:\n    print(type(e).__name__, e.errno)"
    )


async def test_connect_to_host_loopback_is_refused(
    victim: SessionKernel,
    bystander: SessionKernel,
    host_listener: int,
    layers: SandboxReport,
) -> None:
    need(layers, "network")
    result, watch = await watched(victim, bystander, connect_code("127.0.0.1", host_listener))
    # The kernel's network namespace has its own loopback, up and empty.
    assert result.text() == "ConnectionRefusedError 111\n"
    assert_unharmed(watch)


async def test_connect_to_a_public_address_is_unreachable(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    need(layers, "network")  # never send a packet off this host if the layer is off
    result, watch = await watched(victim, bystander, connect_code("192.0.2.1", 80))
    assert result.text() == "OSError 101\n"
    assert_unharmed(watch)


async def test_server_data_dir_and_secret_are_invisible(
    victim: SessionKernel,
    bystander: SessionKernel,
    tmp_path: Path,
    layers: SandboxReport,
) -> None:
    need(layers, "filesystem")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "secret").write_text("server-signing-secret")
    (data / "secret").chmod(0o600)
    code = (
        f"for path in [{str(data / 'secret')!r}, {str(data)!r}]:\n"
        "    try:\n"
        "        print(open(path).read() if path.endswith('secret') else __import__('os')"
        ".listdir(path))\n"
        "    except OSError as e:\n"
        "        print(type(e).__name__)"
    )
    result, watch = await watched(victim, bystander, code)
    assert result.text() == "FileNotFoundError\n" * 2
    assert_unharmed(watch)


async def test_etc_shadow_cannot_be_read(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    need(layers, "filesystem")
    code = "try:\n    open('/etc/shadow').read()\nexcept OSError as e:\n    print(type(e).__name__)"
    result, watch = await watched(victim, bystander, code)
    assert result.text() == "FileNotFoundError\n"
    assert_unharmed(watch)


async def test_another_sessions_workspace_and_key_are_invisible(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    need(layers, "filesystem", "uid")
    await run(bystander, "open('/workspace/answer.txt', 'w').write('bystander only')")
    await bystander.put_data({"bystander.csv": b"theirs\n"})
    other = bystander.kernel
    assert other is not None and other.provisioner.kdir is not None
    key_file = str(other.provisioner.kdir.connection_file)
    code = (
        f"import os\nprint(os.listdir('/workspace'), os.listdir('/workspace/data'))\n"
        f"for path in ['/workspace/answer.txt', {key_file!r}]:\n"
        "    try:\n        open(path).read()\n    except OSError as e:\n"
        "        print(type(e).__name__)"
    )
    result, watch = await watched(victim, bystander, code)
    # Its own `data/` (a read-only mount point, empty here), never the other session's files.
    assert result.text() == "['data'] []\nFileNotFoundError\nFileNotFoundError\n"
    assert (await run(bystander, "print(open('/workspace/answer.txt').read())")).text() == (
        "bystander only\n"
    )
    assert_unharmed(watch)


async def test_allocating_4_gib_at_once_fails_with_memory_error(
    victim: SessionKernel, bystander: SessionKernel
) -> None:
    result, watch = await watched(victim, bystander, "block = bytearray(4 << 30)")
    assert [e.ename for e in result.errors] == ["MemoryError"]
    assert result.status == "error"
    assert (await run(victim, "print('usable')")).text() == "usable\n"
    assert_unharmed(watch)


async def test_touching_more_than_the_memory_limit_kills_the_kernel_with_a_clear_reason(
    bystander: SessionKernel, layers: SandboxReport, mode_provider: LocalProvider
) -> None:
    need(layers, "cgroup")
    # Its own provider with a long wall time: first-touching 1 GiB can take seconds in a VM,
    # and this test is about the memory limit, not the clock.
    slow = LocalProvider(
        mode_provider.settings.model_copy(update={"pool_size": 0, "run_timeout_seconds": 60.0})
    )
    await slow.start()
    victim = await slow.acquire("oom")
    try:
        code = "chunks = []\nfor _ in range(20):\n    chunks.append(bytearray(100 << 20))"
        result, watch = await watched(victim, bystander, code)
        assert result.status == "killed", result.events
        assert result.finished.reason == "kernel died: out of memory (limit 1 GiB); restarted"
        assert (await run(victim, "print('fresh')")).text() == "fresh\n"
        assert_unharmed(watch)
    finally:
        await slow.close()


FORK_BOMB = """
import os, time
children, failure = [], None
for _ in range(500):
    try:
        pid = os.fork()
    except OSError as e:
        failure = e
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(len(children) < 64, type(failure).__name__, failure.errno)
"""


async def test_fork_bomb_hits_the_process_limit(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    need(layers, "uid")
    result, watch = await watched(victim, bystander, FORK_BOMB)
    assert result.text() == "True BlockingIOError 11\n", result.events
    assert_unharmed(watch)


async def test_busy_loop_is_stopped_by_the_wall_time_limit(
    victim: SessionKernel, bystander: SessionKernel
) -> None:
    result, watch = await watched(victim, bystander, "while True:\n    pass")
    assert (result.status, result.finished.reason) == ("timeout", "wall time limit of 5 s exceeded")
    assert [e.ename for e in result.errors] == ["KeyboardInterrupt"]
    assert (await run(victim, "print('usable')")).text() == "usable\n"
    assert_unharmed(watch)


SWALLOW = """
import time
while True:
    try:
        while True:
            time.sleep(0.01)
    except KeyboardInterrupt:
        pass
"""


async def test_code_swallowing_keyboard_interrupt_gets_its_kernel_restarted(
    victim: SessionKernel, bystander: SessionKernel
) -> None:
    await run(victim, "marker = 1")
    result, watch = await watched(victim, bystander, SWALLOW)
    assert result.status == "timeout", result.events
    assert result.notices == [
        "run interrupted: wall time limit of 5 s exceeded",
        "kernel restarted: the code kept running after the interrupt",
    ]
    assert [e.ename for e in (await run(victim, "marker")).errors] == ["NameError"]
    assert_unharmed(watch)


async def test_printing_100_mb_is_capped_at_the_output_limit(
    victim: SessionKernel, bystander: SessionKernel
) -> None:
    result, watch = await watched(victim, bystander, "print('x' * 100_000_000)")
    assert result.status == "interrupted", result.events
    assert len(result.text()) <= 1 * MiB
    assert result.notices[0] == (
        "output truncated: this run exceeded the output limit of 1 MiB; run interrupted"
    )
    assert (await run(victim, "print('usable')")).text() == "usable\n"
    assert_unharmed(watch)


WRITE_1_GIB = """
import os
written = 0
try:
    with open('big.bin', 'wb') as f:
        for _ in range(1024):
            f.write(b'0' * (1 << 20))
            f.flush()
            written += 1 << 20
except OSError as e:
    print(type(e).__name__, e.errno, os.path.getsize('big.bin') >> 20)
"""


async def test_writing_a_1_gib_file_stops_at_the_file_size_limit(
    victim: SessionKernel, bystander: SessionKernel
) -> None:
    result, watch = await watched(victim, bystander, WRITE_1_GIB)
    assert result.text() == "OSError 27 64\n"  # EFBIG at RLIMIT_FSIZE = 64 MiB
    assert_unharmed(watch)


async def test_killing_the_kernels_parent_does_not_reach_outside(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    need(layers, "uid", "filesystem")
    code = (
        "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\n"
        "    print('sent')\nexcept OSError as e:\n    print(type(e).__name__)"
    )
    result, watch = await watched(victim, bystander, code)
    # The parent is the PID namespace's init: SIGKILL from inside is dropped by the kernel.
    assert result.text() == "sent\n"
    assert result.status == "ok"
    assert (await run(victim, "print('usable')")).text() == "usable\n"
    assert_unharmed(watch)


REPLACE_SOCKET = """
import json, os
from ipykernel.kernelapp import IPKernelApp
info = json.load(open(IPKernelApp.instance().connection_file))
path = f"{info['ip']}-{info['shell_port']}"
for attempt in (lambda: os.unlink(path), lambda: os.rename(path, path + '.old'),
                lambda: os.symlink('/tmp/evil', path)):
    try:
        attempt()
        print('replaced')
    except OSError as e:
        print(type(e).__name__, e.errno)
"""


async def test_kernel_cannot_replace_its_own_socket_files(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    need(layers, "uid")
    result, watch = await watched(victim, bystander, REPLACE_SOCKET)
    assert result.text() == "PermissionError 1\nPermissionError 1\nFileExistsError 17\n"
    assert (await run(victim, "print('usable')")).text() == "usable\n"
    assert_unharmed(watch)


NEW_NAMESPACES = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for flag in (0x10000000, 0x40000000, 0x00020000):  # user, then net and mount as the kernel uid
    pid = os.fork()  # unshare(CLONE_NEWUSER) needs a single-threaded caller: the kernel is not
    if pid == 0:
        os._exit(0 if libc.unshare(flag) == 0 else ctypes.get_errno())
    print(os.waitpid(pid, 0)[1] >> 8)
"""


async def test_no_namespace_can_be_created_from_inside(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    """No user namespace (ENOSPC: bubblewrap's --disable-userns, the fallback's seccomp filter),
    so no root-in-a-namespace to attack the host kernel with; no other namespace without it."""
    need(layers, "filesystem", "uid")
    result, watch = await watched(victim, bystander, NEW_NAMESPACES)
    assert result.text() == "28\n1\n1\n"  # ENOSPC, then EPERM twice
    assert_unharmed(watch)


async def test_clean_environment_has_no_server_variables(
    victim: SessionKernel, bystander: SessionKernel
) -> None:
    os.environ["PAIRBOARD_TEST_SECRET"] = "leak-me"
    try:
        result, watch = await watched(
            victim,
            bystander,
            "import os\nprint(sorted(k for k in os.environ if 'PAIRBOARD' in k"
            " or k.startswith('JPY_PARENT')))",
        )
    finally:
        del os.environ["PAIRBOARD_TEST_SECRET"]
    assert result.text() == "[]\n"
    assert_unharmed(watch)


FILL_SOCKET_DIR = """
import json, os
from ipykernel.kernelapp import IPKernelApp
info = json.load(open(IPKernelApp.instance().connection_file))
target = os.path.join(os.path.dirname(info['ip']), 'junk')
try:
    with open(target, 'wb') as f:
        f.write(b'x' * (2 << 20))
    print('written')
except OSError as e:
    print(type(e).__name__, e.errno)
"""


async def test_the_only_host_directory_it_can_write_is_a_1_mib_tmpfs(
    victim: SessionKernel, bystander: SessionKernel, layers: SandboxReport
) -> None:
    need(layers, "uid", "filesystem")
    result, watch = await watched(victim, bystander, FILL_SOCKET_DIR)
    assert result.text() == "OSError 28\n"  # ENOSPC: the socket directory's own small tmpfs
    assert_unharmed(watch)
