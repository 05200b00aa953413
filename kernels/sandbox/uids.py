"""A dedicated unprivileged uid per live kernel, leased with a lock file.

Why per kernel and not one shared "kernel" user: RLIMIT_NPROC counts processes per uid, file
ownership and signals are per uid, and a kernel can only ever touch what its own uid owns. The
lease is an `flock` on `<run_dir>/uids/<uid>.lock`, so several servers on one host (or a test
suite next to a dev server) never hand out the same uid, and a crashed server's leases vanish
with its process. Whoever takes a lease first clears what the previous holder left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import signal
from dataclasses import dataclass
from pathlib import Path


class NoFreeUid(RuntimeError):
    """Every uid of the configured range is leased by a live kernel."""


@dataclass
class UidLease:
    uid: int
    fd: int

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def used_by_accounts(low: int, high: int) -> list[int]:
    """uids of the range that belong to real accounts (they must never run kernels)."""
    return sorted(p.pw_uid for p in pwd.getpwall() if low <= p.pw_uid <= high)


def lock_dir(run_dir: Path) -> Path:
    path = run_dir / "uids"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def try_lease(run_dir: Path, uid: int) -> UidLease | None:
    fd = os.open(lock_dir(run_dir) / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return UidLease(uid, fd)


def lease(run_dir: Path, low: int, high: int) -> UidLease:
    """The first free uid of [low, high]; its leftovers are the caller's to clear."""
    taken = set(used_by_accounts(low, high))
    for uid in range(low, high + 1):
        if uid in taken:
            continue
        got = try_lease(run_dir, uid)
        if got is not None:
            return got
    raise NoFreeUid(f"all uids {low}-{high} are in use by live kernels")


def processes_of(uid: int) -> list[int]:
    """Live pids whose real uid is `uid` (from /proc).

    Zombies are left out: they hold nothing but a pid, cannot be killed, and the ones a
    sandbox leaves are reaped by the host's init (the PID namespace reparents them there).
    """
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, KeyError):
            fields = dict(
                line.split(":", 1) for line in Path(entry.path, "status").read_text().splitlines()
            )
            if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
                found.append(int(entry.name))
    return found


def kill_uid(uid: int) -> int:
    """SIGKILL every process of `uid` until none is left; how many were killed."""
    killed = 0
    for _ in range(20):
        pids = processes_of(uid)
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
    return killed
