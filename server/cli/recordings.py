"""`pairboard export SESSION -o FILE` and `pairboard import FILE`, with a progress bar.

Both work on the deployment's durable store by default (`PAIRBOARD_DATABASE_URL`, else the SQLite
file in the data dir; safe while the server runs: WAL lets a second process read and write, and
PostgreSQL is shared anyway), or against a running server with `--server URL` (the same file over
HTTP, authenticated with the admin token). With Redis, entries not yet moved out of the streams
are only in the server's view: use `--server` there.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx

from server.audit.model import Actor, AuditKind
from server.audit.service import Audit
from server.cli import local_admin_token
from server.replay.archive import (
    ImportLimits,
    RecordingError,
    export_gzip,
    import_recording,
    read_file,
)
from server.settings import Settings
from server.store.select import durable_store

CLI = Actor("system", role="cli")  # the operator at the server's shell, on its data dir


class ProgressBar:
    """A one-line bar on stderr, redrawn at most 10 times a second (and once at the end)."""

    def __init__(self, label: str, stream: IO[str] | None = None, unit: str = "") -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.unit = unit
        self._drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._drawn < 0.1:
            return
        self._drawn = now
        if total > 0:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            text = f"\r{self.label} [{bar}] {100 * done // total:3d}% {done}/{total}{self.unit}"
        else:
            text = f"\r{self.label} {done}{self.unit}"
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(data_dir=Path(args.data_dir)) if args.data_dir else Settings()


async def _export_local(settings: Settings, session_id: str, out: Path) -> int:
    store = durable_store(settings)
    await store.open()
    try:
        record = await store.get_session(session_id)
        if record is None:
            print(f"no session {session_id} in {settings.data_dir}", file=sys.stderr)
            return 1
        bar = ProgressBar(f"export {session_id}", unit=" records")
        with open(out, "wb") as f:  # noqa: ASYNC230 - a CLI: nothing else runs on this loop
            async for chunk in export_gzip(store, record, bar):
                f.write(chunk)
        bar.close()
        await Audit(store, store).record(
            AuditKind.RECORDING_EXPORTED,
            CLI,
            resource=session_id,
            details={"via": "pairboard export"},
        )
    finally:
        await store.close()
    return 0


def _export_http(server: str, token: str, session_id: str, out: Path) -> int:
    bar = ProgressBar(f"export {session_id}", unit=" bytes")
    url = f"{server}/api/sessions/{session_id}/export"
    with (
        httpx.stream("GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as r,
        open(out, "wb") as f,
    ):
        if r.status_code != 200:
            r.read()
            print(f"error {r.status_code}: {r.text}", file=sys.stderr)
            return 1
        for chunk in r.iter_bytes():
            f.write(chunk)
            bar(f.tell(), 0)
    bar.close()
    return 0


def export_command(args: argparse.Namespace) -> int:
    settings = _settings(args)
    out = Path(args.output)
    if args.server:
        return _export_http(args.server.rstrip("/"), local_admin_token(settings), args.session, out)
    code = asyncio.run(_export_local(settings, args.session, out))
    if code == 0:
        print(f"wrote {out} ({out.stat().st_size} bytes)")
    return code


class _CountingReader(io.RawIOBase):
    """A file that reports how far it has been read, so parsing drives the progress bar."""

    def __init__(self, f: IO[bytes], bar: ProgressBar) -> None:
        self.f = f
        self.bar = bar
        self.total = os.fstat(f.fileno()).st_size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.f.seek(pos, whence)

    def tell(self) -> int:
        return self.f.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.f.read(len(buffer))
        buffer[: len(data)] = data
        self.bar(self.f.tell(), self.total)
        return len(data)


async def _import_local(settings: Settings, path: Path, new_id: bool, bar: ProgressBar) -> int:
    with open(path, "rb") as f:  # noqa: ASYNC230 - a CLI: nothing else runs on this loop
        rec = read_file(
            io.BufferedReader(_CountingReader(f, bar)),
            new_id=new_id,
            checkpoint_interval=settings.checkpoint_interval,
            limits=ImportLimits.from_settings(settings),
        )
    bar.close()
    store = durable_store(settings)
    await store.open()
    try:
        record = await import_recording(store, rec)
        details = {"entries": len(rec.entries), "new_id": new_id, "via": "pairboard import"}
        await Audit(store, store).record(
            AuditKind.RECORDING_IMPORTED, CLI, resource=record.id, details=details
        )
    finally:
        await store.close()
    print(f"imported session {record.id}: {len(rec.entries)} log entries")
    return 0


def _chunks(path: Path, bar: ProgressBar) -> Iterator[bytes]:
    total = path.stat().st_size
    with open(path, "rb") as f:
        while chunk := f.read(256 * 1024):
            bar(f.tell(), total)
            yield chunk


def _import_http(server: str, token: str, path: Path, new_id: bool) -> int:
    bar = ProgressBar(f"import {path.name}", unit=" bytes")
    response = httpx.post(
        f"{server}/api/recordings",
        params={"new_id": "true" if new_id else "false"},
        content=_chunks(path, bar),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"},
        timeout=300,
    )
    bar.close()
    if response.status_code != 201:
        print(f"error {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    print(f"imported session {response.json()['id']}")
    return 0


def import_command(args: argparse.Namespace) -> int:
    settings = _settings(args)
    path = Path(args.file)
    if args.server:
        return _import_http(args.server.rstrip("/"), local_admin_token(settings), path, args.new_id)
    bar = ProgressBar(f"import {path.name}", unit=" bytes")
    try:
        return asyncio.run(_import_local(settings, path, args.new_id, bar))
    except RecordingError as exc:
        print(f"\ncannot import {path}: {exc}", file=sys.stderr)
        return 1


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="write a session's recording to one file")
    export.add_argument("session")
    export.add_argument("-o", "--output", required=True, help="the .jsonl.gz file to write")
    export.add_argument("--data-dir", help="the server's data dir (default: PAIRBOARD_DATA_DIR)")
    export.add_argument("--server", help="export from a running server over HTTP instead")
    export.set_defaults(func=export_command)

    imp = commands.add_parser("import", help="import a recording file")
    imp.add_argument("file")
    imp.add_argument("--data-dir", help="the server's data dir (default: PAIRBOARD_DATA_DIR)")
    imp.add_argument("--server", help="import into a running server over HTTP instead")
    imp.add_argument("--new-id", action="store_true", help="import under a fresh session id")
    imp.set_defaults(func=import_command)
