"""Local-kernel suites: skip cleanly without a kernel env, and print the sandbox layers once."""

from __future__ import annotations

import os

import pytest

from kernels.sandbox.layers import sandbox_report
from kernels.settings import KernelSettings


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
