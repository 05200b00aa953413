"""Local-kernel suites: skip cleanly without a kernel env, and print the sandbox layers once."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from kernels.local.provider import LocalProvider, SessionKernel
from kernels.sandbox.layers import SandboxReport, sandbox_report
from kernels.settings import KernelSettings, MiB
from tests.kernels.local_support import MODES, mode_settings


@pytest.fixture(scope="session")
def sandbox_layers(pytestconfig: pytest.Config) -> object:
    """Probe the layers once and write them to the terminal, so CI logs show what was active."""
    settings = KernelSettings()
    if not (settings.env_dir / "bin" / "python").exists():
        if os.environ.get("PAIRBOARD_REQUIRE_KERNELS") == "1":
            pytest.fail(f"no kernel env at {settings.env_dir}: run `make kernel-env`")
        pytest.skip(f"no kernel env at {settings.env_dir}: run `make kernel-env`")
    report = sandbox_report(settings)
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line("kernel sandbox layers on this host:")
            for line in report.lines():
                reporter.write_line(f"  {line}")
    return report


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=list(MODES))
async def mode_provider(
    request: pytest.FixtureRequest, sandbox_layers: object
) -> AsyncIterator[LocalProvider]:
    """A provider per sandbox mode (`bubblewrap`, `fallback`): the isolation suites run every
    attack in both, with the same expected outcome. Small /tmp and /dev/shm so filling them
    costs little."""
    settings = mode_settings(
        request.param, run_timeout_seconds=5.0, workspace_bytes=64 * MiB, shm_bytes=32 * MiB
    )
    prov = LocalProvider(settings)
    await prov.start()
    await prov.pool.wait_full(120)
    yield prov
    await prov.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bystander(mode_provider: LocalProvider) -> SessionKernel:
    return await mode_provider.acquire("bystander")


@pytest_asyncio.fixture(loop_scope="module")
async def victim(mode_provider: LocalProvider) -> AsyncIterator[SessionKernel]:
    kernel = await mode_provider.acquire("victim")
    yield kernel
    await mode_provider.release(kernel)


@pytest.fixture(scope="module")
def layers(mode_provider: LocalProvider) -> SandboxReport:
    assert mode_provider.report is not None
    return mode_provider.report
