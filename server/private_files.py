"""The data dir is the server's alone: the directory 0700, each file in it 0600, whatever the umask.

The SQLite file holds every session's log and the interviewers' notes; the data dir also holds the
signing secret and the admin token. Under a umask of 022 (the usual one) they would be created
0644 in a 0755 directory, readable by every local account, a kernel running as its own uid
included. Modes are set with chmod after creating, because the mode argument of open/mkdir is
masked by the umask. SQLite creates its -wal and -shm files with the mode of the database file,
so making that file 0600 before SQLite opens it covers them.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) and make it owner-only, also if it already existed."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing (in a private dir) and make it owner-only."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path
