"""server/web_assets.py and its use in server/web.py: which copy of an asset a client gets, from
memory or from disk, and which pages carry the room's preloads (no browser needed)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.web import HASHED_ASSETS_CACHE, mount_web, page_html
from server.web_assets import AssetCache, accepted_encodings, pick_encoding

BODY = b"console.log('pairboard');" * 100
# The build's brotli copy; never decoded here (the server only sends it), so any bytes will do.
BROTLI = b"\x1b-brotli-copy-of-app"


def _dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app-1a2b.js").write_bytes(BODY)
    (tmp_path / "assets" / "app-1a2b.js.gz").write_bytes(gzip.compress(BODY))
    (tmp_path / "assets" / "app-1a2b.js.br").write_bytes(BROTLI)
    return tmp_path


def _raw(client: TestClient, path: str, accept: str) -> tuple[dict[str, str], bytes]:
    """Headers and the bytes as sent (not decoded by the test client)."""
    with client.stream("GET", path, headers={"Accept-Encoding": accept}) as r:
        assert r.status_code == 200
        return dict(r.headers), b"".join(r.iter_raw())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),  # Chromium's
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("gzip;q=0", None),
        ("identity", None),
        ("", None),
        (None, None),
        ("*", "br"),
        ("*;q=0.1, br;q=0", "gzip"),
        ("GZIP", "gzip"),
        ("gzip;q=banana", None),
    ],
)
def test_pick_encoding_honours_q_values_and_prefers_brotli(
    header: str | None, expected: str | None
) -> None:
    assert pick_encoding(header, {"br", "gzip"}) == expected


def test_pick_encoding_only_picks_a_copy_the_build_wrote() -> None:
    assert pick_encoding("br, gzip", {"gzip"}) == "gzip"
    assert pick_encoding("br", {"gzip"}) is None
    assert pick_encoding("br, gzip", set()) is None


def test_accepted_encodings_reads_each_coding_and_its_q() -> None:
    assert accepted_encodings(" gzip ;q=0.8, br , x;foo=1;q=0") == {"gzip": 0.8, "br": 1.0, "x": 0.0}


@pytest.mark.parametrize("memory", [0, 1 << 20], ids=["from disk", "from memory"])
def test_each_client_gets_the_copy_it_accepts_with_vary_and_year_long_caching(
    tmp_path: Path, memory: int
) -> None:
    app = FastAPI()
    mount_web(app, _dist(tmp_path), memory)
    client = TestClient(app)
    cases = {
        "gzip, deflate, br": ("br", BROTLI),
        "gzip, br;q=0": ("gzip", gzip.compress(BODY)),
        "identity": (None, BODY),
    }
    for accept, (coding, body) in cases.items():
        headers, sent = _raw(client, "/assets/app-1a2b.js", accept)
        assert headers.get("content-encoding") == coding, accept
        assert headers["vary"] == "Accept-Encoding"
        assert headers["cache-control"] == HASHED_ASSETS_CACHE
        assert headers["content-type"].startswith("text/javascript")
        if coding == "gzip":
            assert gzip.decompress(sent) == BODY
        else:
            assert sent == body
        assert int(headers["content-length"]) == len(sent)


def test_a_hashed_asset_is_read_once_then_answered_from_memory(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    app = FastAPI()
    mount_web(app, dist, 1 << 20)
    client = TestClient(app)
    assert _raw(client, "/assets/app-1a2b.js", "identity")[1] == BODY
    (dist / "assets" / "app-1a2b.js").write_bytes(b"changed on disk")  # a hashed name never is
    (dist / "assets" / "app-1a2b.js.br").unlink()
    assert _raw(client, "/assets/app-1a2b.js", "identity")[1] == BODY
    assert _raw(client, "/assets/app-1a2b.js", "br")[1] == BROTLI


def test_past_its_memory_limit_the_cache_keeps_nothing_more_and_the_disk_serves(
    tmp_path: Path,
) -> None:
    dist = _dist(tmp_path)
    (dist / "assets" / "small-9z.css").write_bytes(b"body{}")
    cache = AssetCache(dist / "assets", max_bytes=len(b"body{}"))
    assert cache.get("app-1a2b.js") is None  # its three copies do not fit
    small = cache.get("small-9z.css")
    assert small is not None and small.bodies == {"identity": b"body{}"}
    assert cache.used == len(b"body{}")
    assert cache.get("../../etc/passwd") is None
    assert cache.get("app-1a2b.js.gz") is None  # a copy asked for by name is the disk's

    app = FastAPI()
    mount_web(app, dist, len(b"body{}"))
    client = TestClient(app)
    (dist / "assets" / "app-1a2b.js").write_bytes(b"v2")
    assert _raw(client, "/assets/app-1a2b.js", "identity")[1] == b"v2"  # from disk, each time
    (dist / "assets" / "app-1a2b.js").write_bytes(b"v3")
    assert _raw(client, "/assets/app-1a2b.js", "identity")[1] == b"v3"


INDEX = (
    "<!doctype html><head><script>early()</script>\n"
    '<link rel="stylesheet" href="/assets/index-1.css">\n'
    "<!--pairboard:room-preload-->\n"
    '<link rel="modulepreload" crossorigin href="/assets/Room-2.js">\n'
    '<link rel="modulepreload" crossorigin href="/assets/yjs-3.js">\n'
    "<!--/pairboard:room-preload-->\n"
    "</head><body></body>"
)
WITHOUT_ROOM = (
    "<!doctype html><head><script>early()</script>\n"
    '<link rel="stylesheet" href="/assets/index-1.css">\n'
    "\n</head><body></body>"
)


def test_page_html_keeps_the_room_preloads_for_a_room_link_only() -> None:
    assert page_html(INDEX, room=True) == INDEX
    assert page_html(INDEX, room=False) == WITHOUT_ROOM


def test_only_a_room_link_is_sent_the_room_chunks_modulepreload_links(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    app = FastAPI()
    mount_web(app, tmp_path)
    client = TestClient(app)
    room = client.get("/s/abc?token=t")
    assert (room.status_code, room.text) == (200, INDEX)
    for path in ("/", "/replay/abc?token=t", "/signin"):
        page = client.get(path)
        assert (page.status_code, page.text) == (200, WITHOUT_ROOM), path
    missing = client.get("/s/abc/notes", headers={"Accept": "text/html"})
    assert (missing.status_code, missing.text) == (404, WITHOUT_ROOM)


def test_a_rebuilt_index_html_is_picked_up_on_the_next_request(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>one</title>")
    app = FastAPI()
    mount_web(app, tmp_path)
    client = TestClient(app)
    assert client.get("/s/abc").text == "<!doctype html><title>one</title>"
    (tmp_path / "index.html").write_text("<!doctype html><title>second build</title>")
    assert client.get("/s/abc").text == "<!doctype html><title>second build</title>"
