"""cgroup memory and pids limits per kernel, on cgroup v2 where the host has it, v1 otherwise.

Why cgroups and not only rlimits: RLIMIT_AS caps one process's address space, not what a kernel
and its children actually use; the memory cgroup does, and its OOM kill is what a user sees as
"kernel died: out of memory". pids.max bounds fork bombs across uids and namespaces.

Kernel cgroups live under `<server's own cgroup>/pairboard-kernels/` on v1 (so any limit the
host puts on the server also bounds its kernels) and `/sys/fs/cgroup/pairboard-kernels/` on v2
(the no-internal-processes rule forbids children of a cgroup that holds the server). Directory
names are the kernel's name, so a startup sweep finds what a crashed server left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

BASE_NAME = "pairboard-kernels"
V2_ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000


@dataclass(frozen=True)
class CgroupSupport:
    """Where kernel cgroups go on this host; `version` 0 means unavailable (`reason` says why)."""

    version: int
    memory_base: Path | None = None
    pids_base: Path | None = None
    reason: str = ""
    cpu_base: Path | None = None  # optional: a CPU quota where the cpu controller is usable

    @property
    def available(self) -> bool:
        return self.version in (1, 2)

    @property
    def bases(self) -> list[Path]:
        found = {self.memory_base, self.pids_base, self.cpu_base}
        return sorted(b for b in found if b is not None)


def parse_v1_mounts(mountinfo: str) -> dict[str, Path]:
    """controller -> mount point of every cgroup v1 hierarchy in /proc/self/mountinfo text."""
    mounts: dict[str, Path] = {}
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        after = line.split(" - ", 1)[1].split()
        if len(after) < 3 or after[0] != "cgroup":
            continue
        for option in after[2].split(","):
            mounts[option] = Path(fields[4])
    return mounts


def parse_own_cgroups(proc_cgroup: str) -> dict[str, str]:
    """controller -> path of this process in /proc/self/cgroup text ("" is the v2 entry)."""
    paths: dict[str, str] = {}
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        for controller in parts[1].split(",") if parts[1] else [""]:
            paths[controller] = parts[2]
    return paths


def _probe_dir(base: Path) -> str:
    """ "" if a kernel cgroup can be made under `base`, else why not."""
    try:
        base.mkdir(exist_ok=True)
        probe = base / f"probe-{os.getpid()}"
        probe.mkdir(exist_ok=True)
        probe.rmdir()
    except OSError as exc:
        return f"cannot create cgroups under {base}: {exc.strerror}"
    return ""


def detect() -> CgroupSupport:
    """Find a writable memory+pids cgroup hierarchy (v2 first), creating the kernels' base."""
    controllers = V2_ROOT / "cgroup.controllers"
    if controllers.exists():
        available = set(controllers.read_text().split())
        if {"memory", "pids"} <= available:
            base = V2_ROOT / BASE_NAME
            wanted = "+memory +pids" + (" +cpu" if "cpu" in available else "")
            try:
                (V2_ROOT / "cgroup.subtree_control").write_text(wanted)
            except OSError as exc:
                return CgroupSupport(0, reason=f"cgroup v2: cannot enable controllers: {exc}")
            why = _probe_dir(base)
            if why:
                return CgroupSupport(0, reason=why)
            try:
                (base / "cgroup.subtree_control").write_text(wanted)
            except OSError as exc:
                return CgroupSupport(0, reason=f"cgroup v2: {base}: {exc.strerror}")
            return CgroupSupport(2, base, base, cpu_base=base if "cpu" in available else None)
    try:
        mounts = parse_v1_mounts(Path("/proc/self/mountinfo").read_text())
        own = parse_own_cgroups(Path("/proc/self/cgroup").read_text())
    except OSError as exc:
        return CgroupSupport(0, reason=f"cannot read cgroup mounts: {exc}")
    missing = [c for c in ("memory", "pids") if c not in mounts]
    if missing:
        return CgroupSupport(0, reason=f"no cgroup v1 or v2 controller for {', '.join(missing)}")
    memory_base = mounts["memory"] / own.get("memory", "/").lstrip("/") / BASE_NAME
    pids_base = mounts["pids"] / own.get("pids", "/").lstrip("/") / BASE_NAME
    for base in (memory_base, pids_base):
        why = _probe_dir(base)
        if why:
            return CgroupSupport(0, reason=why)
    cpu_base = None
    if "cpu" in mounts:
        candidate = mounts["cpu"] / own.get("cpu", "/").lstrip("/") / BASE_NAME
        cpu_base = None if _probe_dir(candidate) else candidate
    return CgroupSupport(1, memory_base, pids_base, cpu_base=cpu_base)


@dataclass(frozen=True)
class KernelCgroup:
    """The cgroup(s) of one kernel launch: limits, the files to join, OOM and cleanup."""

    support: CgroupSupport
    name: str

    @property
    def dirs(self) -> list[Path]:
        return [base / self.name for base in self.support.bases]

    @property
    def procs_files(self) -> list[str]:
        """What the launcher writes its own pid into before it drops privileges."""
        return [str(d / "cgroup.procs") for d in self.dirs]

    def create(self, memory_bytes: int, max_pids: int, cpus: float = 0.0) -> None:
        """Make the cgroups with their limits; `cpus` > 0 caps CPU time (e.g. 1.0 = one core)."""
        for d in self.dirs:
            d.mkdir(exist_ok=True)
        assert self.support.memory_base and self.support.pids_base
        mem = self.support.memory_base / self.name
        pids = self.support.pids_base / self.name
        if self.support.version == 2:
            (mem / "memory.max").write_text(str(memory_bytes))
            with contextlib.suppress(OSError):
                (mem / "memory.swap.max").write_text("0")
            (pids / "pids.max").write_text(str(max_pids))
            if self.support.cpu_base is not None and cpus > 0:
                quota = int(cpus * CPU_PERIOD_US)
                (self.support.cpu_base / self.name / "cpu.max").write_text(
                    f"{quota} {CPU_PERIOD_US}"
                )
        else:
            (mem / "memory.limit_in_bytes").write_text(str(memory_bytes))
            with contextlib.suppress(OSError):
                (mem / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
            (pids / "pids.max").write_text(str(max_pids))
            if self.support.cpu_base is not None and cpus > 0:
                cpu = self.support.cpu_base / self.name
                (cpu / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                (cpu / "cpu.cfs_quota_us").write_text(str(int(cpus * CPU_PERIOD_US)))

    def oom_kills(self) -> int:
        """How many times the memory limit killed a process in this cgroup."""
        assert self.support.memory_base
        mem = self.support.memory_base / self.name
        source = mem / ("memory.events" if self.support.version == 2 else "memory.oom_control")
        try:
            text = source.read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def pids(self) -> list[int]:
        return pids_in(self.dirs)

    def kill_all(self) -> None:
        kill_cgroup(self.dirs)

    def remove(self, wait_seconds: float = 2.0) -> bool:
        """rmdir, retrying while killed processes finish exiting (blocking: call in a thread)."""
        deadline = time.monotonic() + wait_seconds
        while not remove_cgroup(self.dirs):
            if time.monotonic() > deadline:
                return False
            kill_cgroup(self.dirs)
            time.sleep(0.01)
        return True


def pids_in(dirs: list[Path]) -> list[int]:
    found: set[int] = set()
    for d in dirs:
        with contextlib.suppress(OSError):
            found.update(int(p) for p in (d / "cgroup.procs").read_text().split())
    return sorted(found)


def kill_cgroup(dirs: list[Path]) -> None:
    """SIGKILL every process in the cgroups (v2 has cgroup.kill; v1 needs a loop)."""
    for d in dirs:
        kill_file = d / "cgroup.kill"
        if kill_file.exists():
            with contextlib.suppress(OSError):
                kill_file.write_text("1")
    for _ in range(50):
        pids = pids_in(dirs)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def remove_cgroup(dirs: list[Path]) -> bool:
    """rmdir the cgroups; False while a (dying) process still holds one."""
    done = True
    for d in dirs:
        try:
            d.rmdir()
        except FileNotFoundError:
            continue
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            done = False
    return done


def sweep(support: CgroupSupport, prefix: str) -> list[str]:
    """Kill and remove the kernel cgroups named `prefix*` (left by a crashed server); names.

    The caller passes the prefix of a uid it holds the lock of, so a live server's kernels
    are never touched.
    """
    names: set[str] = set()
    for base in support.bases:
        if not base.is_dir():
            continue
        names.update(d.name for d in base.iterdir() if d.is_dir() and d.name.startswith(prefix))
    for name in sorted(names):
        cg = KernelCgroup(support, name)
        cg.kill_all()
        cg.remove()
    return sorted(names)
