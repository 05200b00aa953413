"""The built client's files as the server sends them: which encoding, from memory or from disk.

A candidate's first visit asks for the page and about a dozen hashed assets at once, while the
server also answers the link check and opens the room's sockets. Served by Starlette's
`FileResponse`, each asset cost a stat, an open and one thread-pool hop per 64 KiB chunk; on a
loaded host every hop waits for a core, and the page's last asset arrived hundreds of ms after
its first. Hashed assets never change under their name, so they are read once and answered
from memory (bounded by `web_asset_cache_bytes`; past it they are served from disk as before).

The build writes `x.js.br` (brotli) and `x.js.gz` (gzip -9) beside each large asset;
`pick_encoding` chooses by the request's Accept-Encoding, q-values included (`gzip;q=0` is a
refusal), preferring brotli, the smaller.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

# Server preference, best first; each maps to the suffix the build writes.
ENCODINGS: dict[str, str] = {"br": ".br", "gzip": ".gz"}


def accepted_encodings(header: str | None) -> dict[str, float]:
    """Accept-Encoding as {coding: q} (RFC 9110 12.5.3); malformed q-values count as 0."""
    accepted: dict[str, float] = {}
    for part in (header or "").split(","):
        coding, _, params = part.strip().partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        accepted[coding] = q
    return accepted


def pick_encoding(header: str | None, available: Collection[str]) -> str | None:
    """The content coding to send (one of `available`), or None for the file as it is."""
    accepted = accepted_encodings(header)
    wildcard = accepted.get("*", 0.0)
    best: tuple[float, str] | None = None
    for coding in ENCODINGS:  # in preference order: a tie keeps the earlier
        if coding not in available:
            continue
        q = accepted.get(coding, wildcard)
        if q > 0 and (best is None or q > best[0]):
            best = (q, coding)
    return best[1] if best else None


@dataclass(frozen=True)
class Asset:
    """One asset's bodies by content coding ("identity" is the file itself)."""

    media_type: str
    bodies: dict[str, bytes]


class AssetCache:
    """Hashed assets read once and kept, up to `max_bytes` in all (then: None, use the disk)."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self.used = 0
        self._assets: dict[str, Asset] = {}
        self._lock = threading.Lock()  # `get` runs in worker threads

    def cached(self, path: str) -> Asset | None:
        """The asset if it is in memory already (no disk access: fine on the event loop)."""
        return self._assets.get(path)

    def get(self, path: str) -> Asset | None:
        """The asset, read from disk if it is not in memory yet (blocking: run in a thread)."""
        asset = self._assets.get(path)
        if asset is not None:
            return asset
        file = (self.root / path).resolve()
        precompressed = file.suffix in (".br", ".gz")  # asked for by name: the disk path serves it
        if precompressed or not file.is_relative_to(self.root) or not file.is_file():
            return None
        bodies = {"identity": file.read_bytes()}
        for coding, suffix in ENCODINGS.items():
            variant = file.with_name(file.name + suffix)
            if variant.is_file():
                bodies[coding] = variant.read_bytes()
        size = sum(len(b) for b in bodies.values())
        media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        asset = Asset(media_type=media_type, bodies=bodies)
        with self._lock:
            if path in self._assets:  # another thread read it meanwhile
                return self._assets[path]
            if self.used + size > self.max_bytes:
                return None
            self._assets[path] = asset
            self.used += size
        return asset
