"""server/web.py: how the built client is served (no browser needed)."""

from __future__ import annotations

import gzip
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.web import HASHED_ASSETS_CACHE, INDEX_CACHE, mount_web


def _client(dist: Path) -> TestClient:
    app = FastAPI()
    mount_web(app, dist)
    return TestClient(app)


def test_spa_routes_serve_index_uncached_and_hashed_assets_for_a_year(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Pairboard</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    client = _client(tmp_path)
    for path in ("/", "/s/abc", "/replay/abc", "/signin", "/settings/webhooks"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.text == "<!doctype html><title>Pairboard</title>"
        assert response.headers["cache-control"] == INDEX_CACHE
    asset = client.get("/assets/index-abc123.js")
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == HASHED_ASSETS_CACHE
    assert client.get("/assets/missing.js").status_code == 404


def test_an_unbuilt_client_answers_503_with_the_build_command(tmp_path: Path) -> None:
    client = _client(tmp_path / "dist")
    response = client.get("/s/abc")
    assert response.status_code == 503
    assert "make web" in response.text
    assert client.get("/assets/index.js").status_code == 503


def test_a_precompressed_asset_is_sent_gzipped_only_to_clients_that_accept_gzip(
    tmp_path: Path,
) -> None:
    (tmp_path / "assets").mkdir()
    body = b"console.log('pairboard');" * 100
    (tmp_path / "assets" / "app-1a2b.js").write_bytes(body)
    (tmp_path / "assets" / "app-1a2b.js.gz").write_bytes(gzip.compress(body))
    client = _client(tmp_path)

    zipped = client.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"].startswith("text/javascript")
    assert zipped.headers["cache-control"] == HASHED_ASSETS_CACHE
    assert zipped.content == body  # httpx decodes it: the bytes are the original's

    plain = client.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == body


def test_a_browser_asking_for_an_unknown_page_gets_the_client_with_404_api_clients_get_json(
    tmp_path: Path,
) -> None:
    """`/s/{id}/notes` answered raw JSON to a person; the client now says what happened."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Pairboard</title>")
    client = _client(tmp_path)
    page = {"Accept": "text/html,application/xhtml+xml"}
    for path in ("/s/abc/notes", "/nowhere"):
        response = client.get(path, headers=page)
        assert (response.status_code, response.text) == (
            404,
            "<!doctype html><title>Pairboard</title>",
        )
        assert response.headers["cache-control"] == INDEX_CACHE
    api = client.get("/s/abc/notes", headers={"Accept": "application/json"})
    assert (api.status_code, api.json()) == (404, {"detail": "Not Found"})
    for path in ("/api/nowhere", "/assets/missing.js"):
        assert client.get(path, headers=page).headers["content-type"] == "application/json"
