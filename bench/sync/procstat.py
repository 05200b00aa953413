"""What a server process spent over a measured window, read from /proc: no tool, no agent.

A sample is taken before and after the window; the difference says how much CPU the process used,
split by user and system time and by thread, and how many write syscalls it made. `syscw` (in
/proc/PID/io and per thread in /proc/PID/task/TID/io) counts write, writev, pwrite and pwritev
calls: uvloop and Node (both libuv) write sockets with write/writev, SQLite writes its WAL with
pwrite. It does not count send/sendto/sendmsg, which neither event loop uses for a TCP stream.

Process-wide figures come from /proc/PID/stat and /proc/PID/io, which keep the times and counts of
threads that ended in the window; the per-thread files only cover threads still alive at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """CPU seconds in user and system mode and write syscalls, of a process or one thread."""

    user_s: float = 0.0
    system_s: float = 0.0
    writes: int = 0

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.system_s

    def __sub__(self, other: Usage) -> Usage:
        return Usage(
            self.user_s - other.user_s, self.system_s - other.system_s, self.writes - other.writes
        )


@dataclass(frozen=True)
class Sample:
    process: Usage
    threads: dict[int, Usage] = field(default_factory=dict)


# --- pure parsers ---------------------------------------------------------------------------


def stat_times(stat_line: str) -> tuple[float, float]:
    """utime and stime of a /proc/.../stat line (fields 14 and 15), in seconds."""
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def cpu_seconds(stat_line: str) -> float:
    """utime + stime of a /proc/PID/stat line, in seconds, all threads."""
    return sum(stat_times(stat_line))


def io_writes(io_text: str) -> int:
    """The `syscw` count of a /proc/.../io file."""
    for line in io_text.splitlines():
        if line.startswith("syscw:"):
            return int(line.split()[1])
    raise KeyError("syscw")


def status_kib(status_text: str, key: str) -> int:
    """A `kB` field of /proc/PID/status, e.g. VmRSS or VmHWM."""
    for line in status_text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def window(before: Sample, after: Sample) -> Sample:
    """What happened between two samples; a thread born in the window started from zero."""
    zero = Usage()
    threads = {tid: usage - before.threads.get(tid, zero) for tid, usage in after.threads.items()}
    return Sample(after.process - before.process, threads)


def py_spy_thread_names(dump_json: str) -> dict[int, str]:
    """OS thread id -> Python thread name, from `py-spy dump --json`."""
    names = {}
    for thread in json.loads(dump_json):
        if thread.get("os_thread_id") is not None and thread.get("thread_name"):
            names[int(thread["os_thread_id"])] = str(thread["thread_name"])
    return names


# --- readers --------------------------------------------------------------------------------


def _usage(directory: Path) -> Usage:
    user, system = stat_times((directory / "stat").read_text())
    return Usage(user, system, io_writes((directory / "io").read_text()))


def sample(pid: int) -> Sample:
    threads = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            threads[int(task.name)] = _usage(task)
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between listing and reading
    return Sample(_usage(Path(f"/proc/{pid}")), threads)


def thread_names(pid: int, py_spy: Path | None, cpu: str) -> dict[int, str]:
    """Each live thread's name: the Python name where py-spy can tell it (CPython 3.11 does not
    give its threads OS names, so /proc only says "python"), else the OS name (/proc comm)."""
    names = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            names[int(task.name)] = (task / "comm").read_text().strip()
        except FileNotFoundError:
            continue
    if py_spy is not None and py_spy.exists():
        done = subprocess.run(
            ["taskset", "-c", cpu, str(py_spy), "dump", "--json", "--pid", str(pid)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode == 0:
            names |= py_spy_thread_names(done.stdout)
    return names
