"""The fallback sandbox (no bubblewrap): uid, rlimits, cgroups and an unshare'd network
namespace still hold. Forced with `use_bubblewrap=False` so this path runs on every host."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from kernels.local.provider import LocalProvider, SessionKernel
from kernels.sandbox.layers import SandboxReport, sandbox_report
from tests.kernels.local_support import quick_settings, run
from tests.kernels.test_isolation import FORK_BOMB, REPLACE_SOCKET, connect_code

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kernel(sandbox_layers: SandboxReport) -> AsyncIterator[SessionKernel]:
    settings = quick_settings(pool_size=0, use_bubblewrap=False)
    report = sandbox_report(settings)
    if not report.uid_ok or not report.active("network"):
        pytest.skip("fallback needs root (uid layer) and unshare: " + "; ".join(report.lines()))
    prov = LocalProvider(settings)
    await prov.start()
    handle = await prov.acquire("fallback")
    yield handle
    await prov.close()


async def test_fallback_report_says_what_is_missing() -> None:
    report = sandbox_report(quick_settings(use_bubblewrap=False))
    assert report.layer("bubblewrap").active is False
    assert report.layer("network").detail == (
        "empty network namespace via unshare (bubblewrap missing)"
    )
    assert report.layer("workspace").active is False


async def test_no_network_even_to_loopback(kernel: SessionKernel) -> None:
    result = await run(kernel, connect_code("127.0.0.1", 6379))
    assert result.text() == "OSError 101\n"  # the namespace's loopback is down


async def test_private_files_and_the_server_process_are_out_of_reach(
    kernel: SessionKernel, tmp_path: Path
) -> None:
    secret_dir = tmp_path / "data"
    secret_dir.mkdir(mode=0o700)
    (secret_dir / "secret").write_text("s")
    code = (
        f"import os, signal\nfor p in ['/etc/shadow', {str(secret_dir / 'secret')!r}]:\n"
        "    try:\n        open(p).read()\n    except OSError as e:\n"
        "        print(type(e).__name__)\n"
        "try:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError as e:\n"
        "    print(type(e).__name__)"
    )
    result = await run(kernel, code)
    assert result.text() == "PermissionError\nPermissionError\nPermissionError\n"


async def test_process_limit_and_socket_lock_hold(kernel: SessionKernel) -> None:
    assert (await run(kernel, FORK_BOMB)).text() == "True BlockingIOError 11\n"
    assert (await run(kernel, REPLACE_SOCKET)).text() == (
        "PermissionError 1\nPermissionError 1\nFileExistsError 17\n"
    )
    assert (await run(kernel, "print('usable')")).text() == "usable\n"
