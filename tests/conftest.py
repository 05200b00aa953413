"""Shared fixtures: a real server subprocess per test module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess

# Servers started by tests warm no kernels unless a test asks for them: a warm pool costs a
# second of CPU per kernel, paid by every server of every suite otherwise. Kernel suites pass
# their own pool size explicitly.
os.environ.setdefault("PAIRBOARD_KERNEL_POOL_SIZE", "0")
# The production preload also imports torch (1.4 s of CPU per kernel): tests keep the lighter one,
# and the suites that use torch import it themselves (bench/kernels.py measures both).
os.environ.setdefault(
    "PAIRBOARD_KERNEL_PRELOAD_CODE",
    "import numpy, pandas, matplotlib.pyplot\ndel numpy, pandas, matplotlib",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("server")))
    proc.start()
    yield proc
    proc.stop()
