"""The comparison peer for bench/sync: pycrdt-websocket behind the same uvicorn as Pairboard.

A minimal, stock set-up (no store, no auth): one room per URL path. It runs with the same uvicorn
websocket implementation, the same event loop (uvloop, which `uvicorn.run` picks for `pairboard
serve`; `Server.serve()` inside a plain `asyncio.run` would get the stdlib loop) and the same
permessage-deflate choice (off) as `pairboard serve`, so the comparison is between the two room
layers, not between transports.

Usage: python bench/sync/pycrdt_ws_server.py PORT
"""

from __future__ import annotations

import sys

import uvicorn
import uvloop
from pycrdt.websocket import ASGIServer, WebsocketServer


async def serve(port: int) -> None:
    async with WebsocketServer(auto_clean_rooms=False) as rooms:
        config = uvicorn.Config(
            ASGIServer(rooms),
            host="127.0.0.1",
            port=port,
            ws_per_message_deflate=False,
            log_level="warning",
        )
        await uvicorn.Server(config).serve()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1])))
