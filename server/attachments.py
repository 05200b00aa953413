"""Files an interviewer attaches to a live session: kept on disk, placed in the kernel's `data/`.

One directory per session under the server's private data dir (`<data_dir>/attachments/<id>/`),
so the files outlive a kernel restart, a culled kernel and a server restart: the hidden kernel
state (`server.scenarios.hidden`) puts them in every kernel the session gets, next to the
scenario's own data files, before the next run. Checks (name, type by content, size, count) are
`server.scenarios.datasets`' rules and the settings `attachment_max_bytes` and
`attachments_per_session`; the route refuses before anything is written.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from server.private_files import private_dir
from server.scenarios import datasets


class AttachmentRefused(Exception):
    """A file that cannot be attached; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Attachments:
    def __init__(self, root: Path, max_bytes: int, max_files: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_files = max_files

    def _dir(self, session_id: str) -> Path:
        if not session_id.isalnum():  # session ids are tokens of letters and digits
            raise AttachmentRefused(404, "no such session")
        return self.root / session_id

    def check(self, session_id: str, name: str, content: bytes) -> None:
        """Raise AttachmentRefused unless `content` may be attached as `name` (pure checks,
        plus the count of what the session already has)."""
        problem = datasets.name_problem(name)
        if problem:
            raise AttachmentRefused(422, problem)
        if len(content) > self.max_bytes:
            raise AttachmentRefused(413, f"attachment larger than {self.max_bytes} bytes")
        wrong = datasets.content_problem(name, content)
        if wrong:
            raise AttachmentRefused(415, wrong)
        existing = set(self.names(session_id))
        if name not in existing and len(existing) >= self.max_files:
            raise AttachmentRefused(409, f"this session already has {self.max_files} attachments")

    def save(self, session_id: str, name: str, content: bytes) -> str:
        """Check, then store (replacing a same-named file); the SHA-256. Blocking."""
        self.check(session_id, name, content)
        private_dir(self.root)
        directory = private_dir(self._dir(session_id))
        partial = directory / f".{name}.partial"
        partial.write_bytes(content)
        os.replace(partial, directory / name)
        return datasets.sha256_hex(content)

    def names(self, session_id: str) -> list[str]:
        directory = self._dir(session_id)
        if not directory.is_dir():
            return []
        return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))

    def files(self, session_id: str) -> dict[str, bytes]:
        """Name -> content of the session's attachments. Blocking."""
        directory = self._dir(session_id)
        return {name: (directory / name).read_bytes() for name in self.names(session_id)}

    def manifest(self, session_id: str) -> tuple[tuple[str, int, int], ...]:
        """(name, size, mtime_ns) of each attachment: changes whenever one is added or replaced."""
        directory = self._dir(session_id)
        out = []
        for name in self.names(session_id):
            st = (directory / name).stat()
            out.append((name, st.st_size, st.st_mtime_ns))
        return tuple(out)

    def remove(self, session_id: str) -> int:
        """Delete every file of the session (an erase); how many there were. Blocking."""
        directory = self._dir(session_id)
        if not directory.is_dir():
            return 0
        count = sum(1 for p in directory.rglob("*") if p.is_file())
        shutil.rmtree(directory)
        return count
