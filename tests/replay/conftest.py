"""One recorded live session shared by the replay tests (recording it is the expensive part)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.replay.live import LiveServer, Recorded, scripted_session
from tests.support.server import ServerProcess


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    with pytest.MonkeyPatch.context() as env:
        # One warm kernel is enough for the script's one run (kernel settings are read from the
        # environment when the app is built).
        env.setenv("PAIRBOARD_KERNEL_POOL_SIZE", "1")
        # Checkpoints every 3 updates, so seeks exercise checkpoint + tail, not a bare log.
        server = LiveServer(
            Path(tmp_path_factory.mktemp("live")), signals_per_minute=30, checkpoint_interval=3
        )
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def recorded(live: LiveServer) -> Recorded:
    return await scripted_session(live)


@pytest.fixture(scope="package")
def second_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("second")))
    proc.start()
    yield proc
    proc.stop()
