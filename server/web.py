"""Serves the built browser client (web/dist) from the FastAPI app.

Vite names every asset by its content hash, so `/assets/*` is cached for a year (`immutable`);
index.html is served `no-cache` for the SPA routes, so a new deploy is picked up on the next load.
The build writes brotli and gzip copies beside each large asset (`x.js.br`, `x.js.gz`); the
request's Accept-Encoding picks one (`server/web_assets.py`), which cuts the room's download
about threefold at no per-request CPU cost, and hashed assets are answered from memory once read.
index.html holds the room's `modulepreload` links between two markers: a room link (`/s/{id}`)
gets them, so its editor chunks download in parallel with the entry, and every other page
(lobby, replay, sign-in) is sent without them, so it does not download the room it never opens.
When the client has not been built the routes answer 503 with the command that builds it, instead
of a bare 404 or a 500. A browser asking for a page that does not exist (`/s/{id}/notes`) gets
the client with status 404, which says so and where to go, instead of the API's raw JSON; API
clients keep their JSON errors.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from server.web_assets import ENCODINGS, Asset, AssetCache, pick_encoding

HASHED_ASSETS_CACHE = "public, max-age=31536000, immutable"
# Excalidraw's fonts keep fixed names (they change only with the package version).
FONT_ASSETS_CACHE = "public, max-age=86400"
INDEX_CACHE = "no-cache"
NOT_BUILT = (
    "The Pairboard web client is not built (no {index}).\n"
    "Build it with `make web` (or `cd web && npm ci && npm run build`) and reload this page.\n"
)


# What vite.config.ts's preloadRoom() writes around the room's modulepreload links.
ROOM_PRELOAD = re.compile(r"<!--pairboard:room-preload-->.*?<!--/pairboard:room-preload-->", re.S)


def page_html(html: str, *, room: bool) -> str:
    """index.html for a room link (with the room's preloads) or for any other page (without)."""
    return html if room else ROOM_PRELOAD.sub("", html)


class CachedStaticFiles(StaticFiles):
    """StaticFiles that stamps a fixed Cache-Control on what it serves, picks the precompressed
    copy the client accepts and, given `memory_bytes`, answers hashed assets from memory."""

    def __init__(self, *, directory: Path, cache_control: str, memory_bytes: int = 0) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.root = directory
        self.cache_control = cache_control
        self.memory = AssetCache(directory, memory_bytes) if memory_bytes > 0 else None

    async def check_config(self) -> None:
        if self.root.is_dir():  # a missing build is answered per request, below
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not self.root.is_dir():  # not built (yet): say how, instead of Starlette's 500
            return PlainTextResponse(NOT_BUILT.format(index=self.root), status_code=503)
        accept = Headers(scope=scope).get("accept-encoding")
        asset = await self._from_memory(path)
        if asset is not None:
            response: Response = self._memory_response(asset, accept)
        else:
            response = await self._disk_response(path, scope, accept)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = self.cache_control
        return response

    async def _from_memory(self, path: str) -> Asset | None:
        if self.memory is None:
            return None
        memory = self.memory
        return memory.cached(path) or await anyio.to_thread.run_sync(memory.get, path)

    @staticmethod
    def _memory_response(asset: Asset, accept: str | None) -> Response:
        coding = pick_encoding(accept, asset.bodies.keys() - {"identity"})
        headers = {"Vary": "Accept-Encoding"} if len(asset.bodies) > 1 else {}
        if coding is not None:
            headers["Content-Encoding"] = coding
        return Response(
            asset.bodies[coding or "identity"], media_type=asset.media_type, headers=headers
        )

    async def _disk_response(self, path: str, scope: Scope, accept: str | None) -> Response:
        variants = self._variants(path)
        coding = pick_encoding(accept, variants.keys())
        if coding is None:
            response = await super().get_response(path, scope)
            if variants:
                response.headers["Vary"] = "Accept-Encoding"
            return response
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return FileResponse(
            variants[coding],
            media_type=media_type,
            headers={"Content-Encoding": coding, "Vary": "Accept-Encoding"},
        )

    def _variants(self, path: str) -> dict[str, Path]:
        """The precompressed files the build wrote for `path`, by content coding."""
        root = self.root.resolve()
        found: dict[str, Path] = {}
        for coding, suffix in ENCODINGS.items():
            candidate = (self.root / f"{path}{suffix}").resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                found[coding] = candidate
        return found


# Paths that are never pages: their 404s stay JSON (or Starlette's) for the clients that ask.
NOT_PAGES = ("/api/", "/ws/", "/assets/", "/excalidraw-assets/", "/healthz")


class IndexPage:
    """index.html's two forms (room link, other pages), re-read when the file changes."""

    def __init__(self, dist_dir: Path) -> None:
        self.path = dist_dir / "index.html"
        self._stamp: tuple[int, int] | None = None
        self._pages: dict[bool, str] = {}

    def response(self, *, room: bool, status_code: int = 200) -> Response:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return PlainTextResponse(NOT_BUILT.format(index=self.path), status_code=503)
        if (st.st_mtime_ns, st.st_size) != self._stamp:
            html = self.path.read_text(encoding="utf-8")
            self._pages = {r: page_html(html, room=r) for r in (True, False)}
            self._stamp = (st.st_mtime_ns, st.st_size)
        return HTMLResponse(
            self._pages[room], status_code=status_code, headers={"Cache-Control": INDEX_CACHE}
        )


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (not an API client, not an asset)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.url.path.startswith(NOT_PAGES)
        and "text/html" in request.headers.get("accept", "")
    )


def mount_web(app: FastAPI, dist_dir: Path, asset_memory_bytes: int = 0) -> None:
    """Adds the SPA routes and static assets. Call after the API routers (it adds no catch-all).
    `asset_memory_bytes`: memory for hashed assets kept once read (0: always from disk)."""
    index = IndexPage(dist_dir)

    async def room_page() -> Response:
        return index.response(room=True)

    async def other_page() -> Response:
        return index.response(room=False)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404 and wants_page(request):
            return index.response(room=False, status_code=404)  # the client says "not found"
        return await http_exception_handler(request, exc)

    app.add_api_route("/s/{session}", room_page, methods=["GET", "HEAD"], include_in_schema=False)
    for path in (
        "/",
        "/replay/{session}",
        "/signin",
        "/settings",
        "/settings/webhooks",
        "/users",
        "/tokens",
    ):
        app.add_api_route(path, other_page, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_exception_handler(HTTPException, not_found)
    app.mount(
        "/assets",
        CachedStaticFiles(
            directory=dist_dir / "assets",
            cache_control=HASHED_ASSETS_CACHE,
            memory_bytes=asset_memory_bytes,
        ),
        name="web-assets",
    )
    app.mount(
        "/excalidraw-assets",
        CachedStaticFiles(
            directory=dist_dir / "excalidraw-assets", cache_control=FONT_ASSETS_CACHE
        ),
        name="web-excalidraw-assets",
    )
