"""Serves the built browser client (web/dist) from the FastAPI app.

Vite names every asset by its content hash, so `/assets/*` is cached for a year (`immutable`);
index.html is served `no-cache` for the SPA routes, so a new deploy is picked up on the next load.
The build writes a gzip copy beside each large asset (`x.js.gz`); browsers that accept gzip get it,
which cuts the room's download about threefold at no per-request CPU cost.
When the client has not been built the routes answer 503 with the command that builds it, instead
of a bare 404 or a 500. A browser asking for a page that does not exist (`/s/{id}/notes`) gets
the client with status 404, which says so and where to go, instead of the API's raw JSON; API
clients keep their JSON errors.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

HASHED_ASSETS_CACHE = "public, max-age=31536000, immutable"
# Excalidraw's fonts keep fixed names (they change only with the package version).
FONT_ASSETS_CACHE = "public, max-age=86400"
INDEX_CACHE = "no-cache"
NOT_BUILT = (
    "The Pairboard web client is not built (no {index}).\n"
    "Build it with `make web` (or `cd web && npm ci && npm run build`) and reload this page.\n"
)


class CachedStaticFiles(StaticFiles):
    """StaticFiles that stamps a fixed Cache-Control on what it serves."""

    def __init__(self, *, directory: Path, cache_control: str) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.root = directory
        self.cache_control = cache_control

    async def check_config(self) -> None:
        if self.root.is_dir():  # a missing build is answered per request, below
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not self.root.is_dir():  # not built (yet): say how, instead of Starlette's 500
            return PlainTextResponse(NOT_BUILT.format(index=self.root), status_code=503)
        gz = self._gzip_variant(path, scope)
        if gz is not None:
            media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            response: Response = FileResponse(
                gz,
                media_type=media_type,
                headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
            )
        else:
            response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = self.cache_control
        return response

    def _gzip_variant(self, path: str, scope: Scope) -> Path | None:
        """The precompressed file for `path`, if the build wrote one and the client accepts gzip."""
        headers = dict(scope.get("headers") or [])
        if b"gzip" not in headers.get(b"accept-encoding", b""):
            return None
        candidate = (self.root / f"{path}.gz").resolve()
        if not candidate.is_relative_to(self.root.resolve()) or not candidate.is_file():
            return None
        return candidate


# Paths that are never pages: their 404s stay JSON (or Starlette's) for the clients that ask.
NOT_PAGES = ("/api/", "/ws/", "/assets/", "/excalidraw-assets/", "/healthz")


def index_response(dist_dir: Path, status_code: int = 200) -> Response:
    index = dist_dir / "index.html"
    if not index.is_file():
        return PlainTextResponse(NOT_BUILT.format(index=index), status_code=503)
    return FileResponse(
        index,
        status_code=status_code,
        media_type="text/html",
        headers={"Cache-Control": INDEX_CACHE},
    )


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (not an API client, not an asset)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.url.path.startswith(NOT_PAGES)
        and "text/html" in request.headers.get("accept", "")
    )


def mount_web(app: FastAPI, dist_dir: Path) -> None:
    """Adds the SPA routes and static assets. Call after the API routers (it adds no catch-all)."""

    async def spa() -> Response:
        return index_response(dist_dir)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404 and wants_page(request):
            return index_response(dist_dir, status_code=404)  # the client says "not found"
        return await http_exception_handler(request, exc)

    pages = ("/", "/s/{session}", "/replay/{session}", "/signin", "/settings", "/users", "/tokens")
    for path in pages:
        app.add_api_route(path, spa, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_exception_handler(HTTPException, not_found)
    app.mount(
        "/assets",
        CachedStaticFiles(directory=dist_dir / "assets", cache_control=HASHED_ASSETS_CACHE),
        name="web-assets",
    )
    app.mount(
        "/excalidraw-assets",
        CachedStaticFiles(
            directory=dist_dir / "excalidraw-assets", cache_control=FONT_ASSETS_CACHE
        ),
        name="web-excalidraw-assets",
    )
