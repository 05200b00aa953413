"""Limits and placement of local kernels, read from `PAIRBOARD_KERNEL_*` environment variables.

Every limit is a named setting with its default documented here; exceeding one ends only the
offending run (or kernel) with a status and a message its users see, never anyone else's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1 << 20
GiB = 1 << 30
REPO_ROOT = Path(__file__).resolve().parent.parent


class KernelSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAIRBOARD_KERNEL_", extra="ignore")

    # --- where kernels come from -----------------------------------------------------------
    provider: Literal["local", "gateway"] = Field(
        "local",
        description="local: sandboxed kernels on this host (warm pool); gateway: a Jupyter "
        "Kernel/Enterprise Gateway at PAIRBOARD_GATEWAY_URL.",
    )
    env_dir: Path = Field(
        REPO_ROOT / ".kernel-env",
        description="The kernel virtualenv built by `make kernel-env` (world-readable, not /root).",
    )
    run_dir: Path = Field(
        Path("/run/pairboard-kernels") if os.geteuid() == 0 else Path(f"/tmp/pbk-{os.geteuid()}"),
        description=(
            "Per-kernel directories (connection file, ipc sockets); default /run/pairboard-kernels "
            "as root, /tmp/pbk-<uid> otherwise. Kept short: a Unix socket path must fit in 107 "
            "bytes."
        ),
    )
    uid_range: tuple[int, int] = Field(
        (61000, 61999),
        description=(
            "Inclusive range of otherwise unused uids; each live kernel gets its own, so "
            "RLIMIT_NPROC and file ownership separate kernels from each other and from the server."
        ),
    )
    # --- per-run limits ----------------------------------------------------------------------
    run_timeout_seconds: float = Field(
        30.0, description="Wall time per run; then the run is interrupted (status timeout)."
    )
    interrupt_grace_seconds: float = Field(
        3.0,
        description=(
            "After an interrupt (timeout, output cap, Stop) the kernel has this long to become "
            "idle; code that swallows KeyboardInterrupt gets its kernel restarted instead."
        ),
    )
    output_limit_bytes: int = Field(
        1 * MiB,
        description="Output per run (text and rich data); the excess is dropped with a notice "
        "and the run is interrupted.",
    )
    max_message_bytes: int = Field(
        8 * MiB,
        description=(
            "Largest single message accepted from a kernel (ZMQ_MAXMSGSIZE): one print of a "
            "huge string never reaches the server's memory or JSON decoder."
        ),
    )
    # --- per-kernel limits -------------------------------------------------------------------
    memory_bytes: int = Field(
        1 * GiB, description="Memory per kernel (cgroup); exceeding it kills the kernel (OOM)."
    )
    address_space_bytes: int = Field(
        3 * GiB,
        description=(
            "RLIMIT_AS per process: a single huge allocation fails with MemoryError at once "
            "instead of being OOM-killed. Above memory_bytes because numpy/BLAS reserve virtual "
            "memory they never touch."
        ),
    )
    cpus: float = Field(
        1.0,
        description="CPU time per kernel in cores (cgroup cpu quota): a busy loop or a stray "
        "background thread slows only its own kernel. 0: no quota.",
    )
    max_processes: int = Field(
        64, description="Processes and threads per kernel (cgroup pids.max and RLIMIT_NPROC)."
    )
    file_size_bytes: int = Field(
        64 * MiB, description="Largest file a kernel can write (RLIMIT_FSIZE): EFBIG beyond."
    )
    open_files: int = Field(256, description="Open file descriptors per process (RLIMIT_NOFILE).")
    cpu_seconds: int = Field(
        3600,
        description="CPU seconds per kernel process (RLIMIT_CPU): a backstop behind the wall "
        "time limit, for CPU burnt outside any run.",
    )
    workspace_bytes: int = Field(
        256 * MiB, description="Size of the private tmpfs /workspace (and of /tmp) per kernel."
    )
    # --- lifecycle ---------------------------------------------------------------------------
    pool_size: int = Field(2, description="Warm kernels kept ready for new sessions.")
    preload_code: str = Field(
        "import numpy, pandas, matplotlib.pyplot, torch\ndel numpy, pandas, matplotlib, torch",
        description=(
            "Run silently in every warm kernel before hand-out, so a first Run that imports the "
            "ML stack does not pay for it: torch alone is ~1.4 s of CPU (28 to 36 s of wall time "
            "on a loaded host, 21 ms once pre-imported; docs/PERFORMANCE.md) and ~180 MiB of the "
            "kernel's memory limit. Empty: skip."
        ),
    )
    start_timeout_seconds: float = Field(
        60.0, description="A kernel that is not ready within this is killed and retried."
    )
    idle_cull_seconds: float = Field(
        3600.0,
        description="A session kernel that ran nothing for this long is shut down; the next "
        "Run gets a fresh one.",
    )
    poll_interval_seconds: float = Field(
        0.5, description="How often a running kernel is checked for death (OOM kill, crash)."
    )
    allow_network: bool = Field(
        False, description="Give kernels the host's network (scenarios that need it); off: none."
    )
    use_bubblewrap: bool = Field(
        True,
        description="Use bubblewrap where it works. Off (or bwrap missing): the namespace "
        "launcher (root only) builds the same jail with unshare/mount/pivot_root itself.",
    )
    use_namespaces: bool = Field(
        True,
        description="Where bubblewrap is not used, build the jail with the namespace launcher "
        "(root only). Off: such a host refuses candidate code (unless allow_unsafe_sandbox).",
    )
    bwrap: str = Field(
        "bwrap",
        description="The bubblewrap executable, looked up on PATH (a path is used as is): "
        "point it at a missing file to see what a host without bubblewrap gets.",
    )
    allow_unsafe_sandbox: bool = Field(
        False,
        description="UNSAFE. When neither bubblewrap nor the namespace launcher works here "
        "(not root, no user namespaces), run candidate code anyway with only a uid, rlimits "
        "and cgroups: it then sees the host's files, /tmp, /proc and Unix sockets. Off: such "
        "a host refuses to run candidate code and says what to install.",
    )
    shm_bytes: int = Field(64 * MiB, description="Size of the private tmpfs /dev/shm per kernel.")
    data_bind: bool = Field(
        True,
        description=(
            "Bind the kernel's host-side data directory read-only as /workspace/data (the local "
            "provider writes it). Off in a gateway's kernelspec: the Pairboard server is not on "
            "the gateway's host, so the files come through the kernel channel into a data/ the "
            "kernel creates (read-only by mode only)."
        ),
    )
    require_sandbox: bool = Field(
        False,
        description="Refuse to start kernels also when the uid layer is unavailable (a "
        "server that is not root), not only when no sandbox can be built.",
    )

    @field_validator("env_dir")
    @classmethod
    def _real_env_dir(cls, value: Path) -> Path:
        """Follow the symlink `make kernel-env` leaves when the checkout is in a private
        directory: kernels must be given the real, traversable path."""
        return value.resolve()
