"""The data dir (SQLite log, notes, signing secret, admin token) is readable by its owner only,
whatever the umask: a kernel running as another uid, or any local account, cannot read it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernels.settings import KernelSettings
from server.services import Services
from server.settings import Settings
from server.store.base import NewEntry


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def open_umask(request: pytest.FixtureRequest) -> Iterator[None]:
    """022, the common default (files 0644, directories 0755), and 000 (everything 0666/0777)."""
    old = os.umask(request.param)
    yield
    os.umask(old)


def modes(data_dir: Path) -> dict[str, str]:
    found = {".": stat.filemode(data_dir.stat().st_mode)}
    for path in sorted(data_dir.rglob("*")):  # whatever else lands there, at any depth
        found[str(path.relative_to(data_dir))] = stat.filemode(path.lstat().st_mode)
    return found


async def test_the_data_dir_is_0700_and_every_file_in_it_0600(
    tmp_path: Path, open_umask: None
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)  # left by an older version: tightened, not trusted
    (data_dir / "secret").write_text("an older version's secret\n")  # ... and its files
    for name in ("pairboard.sqlite3", "pairboard.sqlite3-wal", "secret"):
        (data_dir / name).touch()
        (data_dir / name).chmod(0o644)
    services = Services.build(Settings(data_dir=data_dir), KernelSettings())
    await services.store.open()
    try:
        session = await services.sessions.create("perm check", None)
        await services.store.append(
            NewEntry(session.record.id, "code", 1, "interviewer", "interviewer", "update", b"x")
        )
        assert modes(data_dir) == {
            ".": "drwx------",
            "admin_token": "-rw-------",
            "pairboard.sqlite3": "-rw-------",
            "pairboard.sqlite3-shm": "-rw-------",
            "pairboard.sqlite3-wal": "-rw-------",
            "secret": "-rw-------",
        }
    finally:
        await services.store.close()
