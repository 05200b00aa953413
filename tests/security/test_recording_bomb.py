"""Attack: a recording import that is a gzip bomb (server/replay/archive.py, POST /api/recordings).

Before: the only limit counted compressed bytes, so 1 MiB expanding to 1 GiB peaked RSS at
3.5 GiB. Now the expanded size (`import_max_expanded_bytes`) and the record count
(`import_max_entries`) are counted while the file is decompressed and parsed, and the first one
crossed is a 413. This module's server runs with small limits of its own (the settings are read
by the HTTP import, not a library default), so the test also proves they are the ones applied.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.security.live import MiB, admin, peak_rss_mib, reset_peak_rss, rss_mib
from tests.support.server import ServerProcess

EXPANDED_LIMIT = 64 * MiB
ENTRY_LIMIT = 50_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("bomb")),
        env={
            "PAIRBOARD_IMPORT_MAX_EXPANDED_BYTES": str(EXPANDED_LIMIT),
            "PAIRBOARD_IMPORT_MAX_ENTRIES": str(ENTRY_LIMIT),
        },
    )
    proc.start()
    yield proc
    proc.stop()


def _header(server: ServerProcess) -> bytes:
    """The first line of a real export: a valid header, so parsing goes on past it."""
    sid = server.create_session(title="bomb")["id"]
    export = httpx.get(f"{server.url}/api/sessions/{sid}/export", headers=admin(), timeout=30)
    assert export.status_code == 200
    header = gzip.decompress(export.content).split(b"\n", 1)[0]
    assert json.loads(header)["format"]
    return header + b"\n"


def bomb(header: bytes, block: bytes, expanded: int) -> bytes:
    """`header`, then `block` repeated to `expanded` bytes: one gzip member of the block,
    concatenated (gzip readers read members back to back), so it is built in no time."""
    member = gzip.compress(block, compresslevel=9)
    return gzip.compress(header) + member * (expanded // len(block))


def _import(server: ServerProcess, body: bytes) -> tuple[int, dict[str, str], float]:
    reset_peak_rss(server)
    before = rss_mib(server)
    response = httpx.post(
        f"{server.url}/api/recordings",
        content=body,
        headers={**admin(), "Content-Type": "application/gzip"},
        timeout=120,
    )
    growth = peak_rss_mib(server) - before
    print(
        f"\n{len(body) / MiB:.2f} MiB body: HTTP {response.status_code}, peak RSS "
        f"{before:.0f} -> {before + growth:.0f} MiB"
    )
    return response.status_code, response.json(), growth


def test_1_mib_expanding_to_1_gib_is_refused_at_the_expanded_limit(
    server: ServerProcess,
) -> None:
    # One endless line: the parser never gets a record out of it, so only the expanded-size
    # count can stop it.
    body = bomb(_header(server), b"x" * MiB, 1024 * MiB)
    assert len(body) < 2 * MiB
    status, detail, growth = _import(server, body)
    assert (status, detail) == (
        413,
        {"detail": f"recording larger than {EXPANDED_LIMIT} bytes once decompressed"},
    )
    # The limit's worth of text at most, twice (the line and its copy), never the gigabyte.
    assert growth < 3 * EXPANDED_LIMIT / MiB


def test_a_bomb_of_small_records_is_refused_at_the_record_count(server: ServerProcess) -> None:
    entry = {"t": "e", "doc": "code", "seq": 1, "ts": 1, "author": "a", "role": "candidate"}
    line = json.dumps({**entry, "kind": "update", "data": "AAA="}).encode() + b"\n"
    body = bomb(_header(server), line * (MiB // len(line)), 1024 * MiB)
    status, detail, growth = _import(server, body)
    assert (status, detail) == (413, {"detail": f"recording holds more than {ENTRY_LIMIT} records"})
    assert growth < 3 * EXPANDED_LIMIT / MiB
