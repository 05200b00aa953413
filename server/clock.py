"""Server time as the log records it: integer milliseconds since the epoch (UTC)."""

from __future__ import annotations

import time


def now_ms() -> int:
    return int(time.time() * 1000)
