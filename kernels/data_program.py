"""The kernel program that delivers data files through the kernel channel (gateway provider).

A gateway's kernels run on another host: the server cannot write into their filesystem, and
nothing may be fetched from a network at run time. So the bytes travel in execute requests,
base64 in chunks below the channel's message limit, appended to a hidden partial file and
renamed into `data/` when complete, then made 0444 (and `data/` 0555). The kernel's own uid owns
them there, so this is read-only by mode, not by a mount as with the local provider (see
docs/ARCHITECTURE.md); grading never reads the session kernel's copy (the grader's trusted
process has its own).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

CHUNK_BYTES = 1 << 20
"""Raw bytes per execute request (1.4 MB of base64: well under any message limit)."""

_APPEND = """\
import base64 as _b, os as _o
_o.makedirs('data', exist_ok=True); _o.chmod('data', 0o755)
with open(_o.path.join('data', {partial!r}), {mode!r}) as _f:
    _f.write(_b.b64decode({chunk!r}))
del _b, _o, _f
"""
_SEAL = """\
import os as _o
_p = _o.path.join('data', {partial!r})
_o.chmod(_p, 0o444); _o.replace(_p, _o.path.join('data', {name!r})); _o.chmod('data', 0o555)
del _o, _p
"""


def programs(name: str, content: bytes, chunk: int = CHUNK_BYTES) -> Iterator[str]:
    """The silent executions that place one file as `data/<name>` (at least one, for b"")."""
    partial = f".{name}.partial"
    for i, start in enumerate(range(0, max(len(content), 1), chunk)):
        encoded = base64.b64encode(content[start : start + chunk]).decode()
        yield _APPEND.format(partial=partial, mode="wb" if i == 0 else "ab", chunk=encoded)
    yield _SEAL.format(partial=partial, name=name)
