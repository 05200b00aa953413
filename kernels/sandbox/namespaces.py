"""The sandbox without bubblewrap: the same jail, described as mount steps `jail.py` performs.

A host without bubblewrap (or `use_bubblewrap=False`) still gets no host path in the kernel's
view, as long as the server is root: `jail.py` then unshares the mount, PID, network, IPC, UTS
and cgroup namespaces itself, builds a fresh root from these steps, `pivot_root`s into it and
detaches the host's root, mounts a fresh /proc for the new PID namespace, and runs a small init
as PID 1 that dies with its supervisor (which dies with the server), so a detached child cannot
outlive either.

The steps mirror `kernels.sandbox.launch.bwrap_argv` one for one (same binds, same order, same
sizes), so both modes give a kernel the same view; this function is pure so that is testable.
Each step is a JSON list `[op, *args]`: `ro-bind`/`ro-bind-try`/`bind` SRC DST (SRC a host path,
symlinks resolved before the pivot, like bubblewrap), `tmpfs` DST SIZE MODE, `symlink` TARGET
DST, `proc` DST, `dev` DST SHM_SIZE (a minimal /dev with a private size-limited /dev/shm).
"""

from __future__ import annotations

from typing import Any

from kernels.sandbox.launch import ETC_FILES, KernelDir, extra_ro_binds
from kernels.settings import KernelSettings

Step = list[Any]


def namespace_steps(settings: KernelSettings, kdir: KernelDir) -> list[Step]:
    """The new root, step by step (pure: depends only on its arguments)."""
    steps: list[Step] = [
        ["ro-bind", "/usr", "/usr"],
        ["symlink", "usr/bin", "/bin"],
        ["symlink", "usr/sbin", "/sbin"],
        ["symlink", "usr/lib", "/lib"],
        ["symlink", "usr/lib64", "/lib64"],
    ]
    if settings.allow_network:
        steps.append(["ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"])
    steps += [["ro-bind-try", path, path] for path in ETC_FILES]
    steps += [
        ["proc", "/proc"],
        ["dev", "/dev", settings.shm_bytes],
        ["tmpfs", "/tmp", settings.workspace_bytes, 0o755],
        ["tmpfs", "/workspace", settings.workspace_bytes, 0o755],
    ]
    steps += [["ro-bind", source, target] for source, target in extra_ro_binds(settings, kdir)]
    steps += [
        ["ro-bind", str(kdir.path / "passwd"), "/etc/passwd"],
        ["ro-bind", str(kdir.path / "group"), "/etc/group"],
        ["ro-bind", str(settings.env_dir), str(settings.env_dir)],
        ["bind", str(kdir.path), str(kdir.path)],
    ]
    return steps


def namespace_config(settings: KernelSettings, kdir: KernelDir) -> dict[str, Any]:
    """The `namespaces` part of jail.py's config."""
    return {
        "steps": namespace_steps(settings, kdir),
        "unshare_net": not settings.allow_network,
        "hostname": "sandbox",
        "cwd": "/workspace",
    }
