"""`pairboard-sandbox`: a jupyter-client kernel provisioner that launches ipykernel in the sandbox.

Registered through the `jupyter_client.kernel_provisioners` entry point, so anything built on
jupyter-client (our local provider, Jupyter Kernel Gateway, Enterprise Gateway) gets the same
jail from a kernelspec that names it (`install_kernelspec`). It extends `LocalProvisioner`
(Popen lifecycle, signals) and changes what is launched and where:

- forces the `ipc` transport with sockets in the kernel's own directory (`kernels.sandbox.launch`);
- leases a dedicated uid, creates the kernel's cgroups, and launches `jail.py`, which joins
  them, applies rlimits, drops to the uid and execs bubblewrap (or ipykernel directly);
- once the kernel has bound its sockets, re-owns them to root so it cannot replace them;
- on shutdown kills whatever is left in the cgroup and under the uid, and frees both.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Dict

from kernels.sandbox import cgroups, uids
from kernels.sandbox.launch import KernelDir, jail_command, lock_sockets
from kernels.sandbox.layers import SandboxReport, sandbox_report
from kernels.settings import KernelSettings

PROVISIONER_NAME = "pairboard-sandbox"
_launches = itertools.count(1)


class SandboxUnavailable(RuntimeError):
    """No sandbox can be built here (and the UNSAFE setting is off), or `require_sandbox` is set
    and the uid layer is missing: candidate code is refused, with what to install."""


def clear_uid_leftovers(settings: KernelSettings, support: cgroups.CgroupSupport, uid: int) -> None:
    """Kill and remove what a crashed holder of `uid` left: processes, cgroups, directory."""
    if support.available:
        cgroups.sweep(support, f"{uid}-")
    if os.geteuid() == 0:
        uids.kill_uid(uid)
    KernelDir(settings.run_dir, uid).remove()


def _open_log(path: Path) -> Any:
    """The kernel's stdout/stderr: a file (capped by RLIMIT_FSIZE), never the server's log."""
    return open(path, "wb")  # one launch's log; closed in cleanup


def _prepare_uid(
    settings: KernelSettings, report: SandboxReport
) -> tuple[uids.UidLease, KernelDir]:
    """Lease a uid, clear what an earlier holder left, make the kernel's directory."""
    low, high = settings.uid_range
    lease = uids.lease(settings.run_dir, low, high)
    try:
        clear_uid_leftovers(settings, report.cgroup, lease.uid)
        kdir = KernelDir(settings.run_dir, lease.uid)
        # In a sandbox the workspace is its own tmpfs: the directory only holds sockets and a
        # few small files.
        jailed = report.mode in ("bubblewrap", "namespaces")
        size = 1 << 20 if jailed else settings.workspace_bytes
        kdir.create(private_fs=jailed, size_bytes=size, data_link=settings.data_bind)
    except BaseException:
        lease.release()
        raise
    return lease, kdir


class SandboxProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernels run jailed; see the module docstring."""

    settings = Dict(
        {}, config=True, help="KernelSettings overrides (field -> value); env vars otherwise."
    )

    lease: uids.UidLease | None = None
    kdir: KernelDir | None = None
    cgroup: cgroups.KernelCgroup | None = None
    locked: asyncio.Event | None = None
    _locker: asyncio.Task[None] | None = None
    _log: Any = None

    @property
    def kernel_settings(self) -> KernelSettings:
        cached: KernelSettings | None = getattr(self, "_kernel_settings", None)
        if cached is None:
            cached = KernelSettings(**self.settings)
            self._kernel_settings = cached
        return cached

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        settings = self.kernel_settings
        report = sandbox_report(settings)
        if report.mode is None:
            raise SandboxUnavailable(report.refusal)
        if settings.require_sandbox and not (report.uid_ok and report.active("network")):
            raise SandboxUnavailable("; ".join(report.lines()))
        if self.lease is None:
            self.lease, self.kdir = await asyncio.to_thread(_prepare_uid, settings, report)
        assert self.kdir is not None and self.lease is not None
        if self.cgroup is not None:
            await asyncio.to_thread(self._drop_cgroup)
        km = self.parent
        if km is not None:
            km.transport = "ipc"
            km.ip = self.kdir.socket_prefix
            km.connection_file = str(self.kdir.connection_file)
            km.cache_ports = False
            self.kdir.clear_sockets(km.get_connection_info())
            with contextlib.suppress(FileNotFoundError):
                self.kdir.connection_file.unlink()
        kwargs = await super().pre_launch(**kwargs)
        self.kdir.hand_connection_file()
        procs: list[str] = []
        if report.cgroup.available:
            self.cgroup = cgroups.KernelCgroup(report.cgroup, f"{self.lease.uid}-{next(_launches)}")
            self.cgroup.create(settings.memory_bytes, settings.max_processes, settings.cpus)
            procs = self.cgroup.procs_files
        kwargs["cmd"] = jail_command(settings, report, self.kdir, procs)
        kwargs["env"] = {"PATH": "/usr/bin:/bin"}
        kwargs["cwd"] = "/"
        self._log = _open_log(self.kdir.log_file)
        kwargs["stdout"] = self._log
        kwargs["stderr"] = self._log
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        info = await super().launch_kernel(cmd, **kwargs)
        self.locked = asyncio.Event()
        self._locker = asyncio.create_task(self._lock_when_bound(dict(info)))
        return info

    async def _lock_when_bound(self, connection: dict[str, Any]) -> None:
        """Poll for the five sockets, then re-own them (see kernels.sandbox.launch)."""
        assert self.lease is not None and self.locked is not None
        deadline = asyncio.get_running_loop().time() + self.kernel_settings.start_timeout_seconds
        while asyncio.get_running_loop().time() < deadline:
            if lock_sockets(connection, self.lease.uid, reown=os.geteuid() == 0):
                self.locked.set()
                return
            process = self.process
            if process is None or process.poll() is not None:
                return
            await asyncio.sleep(0.005)

    async def wait_locked(self, timeout: float) -> None:
        """Until the sockets are locked (the local provider waits for this before hand-out)."""
        assert self.locked is not None and self._locker is not None
        await asyncio.wait_for(asyncio.shield(self._locker), timeout)
        if not self.locked.is_set():
            raise RuntimeError(f"kernel exited before binding its sockets: {self.log_tail()}")

    def oom_kills(self) -> int:
        return self.cgroup.oom_kills() if self.cgroup else 0

    def log_tail(self, limit: int = 2000) -> str:
        if self.kdir is None:
            return ""
        try:
            data = self.kdir.log_file.read_bytes()
        except OSError:
            return ""
        return data[-limit:].decode(errors="replace")

    def _drop_cgroup(self) -> None:
        if self.cgroup is not None:
            self.cgroup.kill_all()
            self.cgroup.remove()
            self.cgroup = None

    async def cleanup(self, restart: bool = False) -> None:
        if self._locker is not None:
            self._locker.cancel()
            self._locker = None
        if self._log is not None:
            self._log.close()
            self._log = None
        await asyncio.to_thread(self._cleanup_sync, restart)
        await super().cleanup(restart=restart)

    def _cleanup_sync(self, restart: bool) -> None:
        self._drop_cgroup()
        if self.lease is None:
            return
        if os.geteuid() == 0:
            uids.kill_uid(self.lease.uid)
        if not restart:
            if self.kdir is not None:
                self.kdir.remove()
            self.lease.release()
            self.lease = None

    async def get_provisioner_info(self) -> dict[str, Any]:
        info: dict[str, Any] = await super().get_provisioner_info()
        info["uid"] = self.lease.uid if self.lease else None
        return info


def kernelspec(settings: KernelSettings, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """A kernel.json that runs ipykernel from the kernel env through `pairboard-sandbox`."""
    return {
        "argv": [
            str(settings.env_dir / "bin" / "python"),
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ],
        "display_name": "Python 3 (Pairboard sandbox)",
        "language": "python",
        # Signals would hit bubblewrap, not the kernel, and kill it: interrupt over the wire.
        "interrupt_mode": "message",
        "env": {},
        "metadata": {
            "kernel_provisioner": {
                "provisioner_name": PROVISIONER_NAME,
                "config": {"settings": overrides or {}},
            }
        },
    }


def install_kernelspec(
    kernels_dir: Path,
    name: str = "pairboard-python",
    settings: KernelSettings | None = None,
    overrides: dict[str, Any] | None = None,
) -> Path:
    """Write `<kernels_dir>/<name>/kernel.json` (e.g. for Kernel Gateway's JUPYTER_PATH)."""
    spec_dir = kernels_dir / name
    if spec_dir.exists():
        shutil.rmtree(spec_dir)
    spec_dir.mkdir(parents=True)
    spec = kernelspec(settings or KernelSettings(), overrides)
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
    return spec_dir


if (
    __name__ == "__main__"
):  # python -m kernels.sandbox.provisioner DIR: install the kernelspec there
    print(install_kernelspec(Path(sys.argv[1])))
