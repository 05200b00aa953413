"""Which sandbox layers this host can give a kernel, each probed for real, with the reason.

The server reports these at startup (log line), in `GET /healthz` and in `pairboard doctor`, and
the test suite prints them, so nobody mistakes "the tests passed" for "the sandbox was on".
Probes run real commands (as a range uid, the very bubblewrap command kernels are launched with,
built by `kernels.sandbox.launch.bwrap_argv`, around `true`; without bubblewrap, the kernels' own
namespace jail around `true`), because whether user namespaces, mounts or cgroup writes work is a
property of the host, not of the files present, and a probe of a simpler command than the real
one passes where kernels then fail. `choose_mode` turns the probes into the mode kernels get:
bubblewrap, the namespace launcher, UNSAFE (only when the operator allowed it), or a refusal.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kernels.sandbox import cgroups
from kernels.sandbox.launch import KernelDir, bwrap_argv, jail_command
from kernels.sandbox.uids import used_by_accounts
from kernels.settings import KernelSettings


@dataclass(frozen=True)
class Layer:
    name: str
    active: bool
    detail: str

    def line(self) -> str:
        return f"{self.name}: {'active' if self.active else 'UNAVAILABLE'} ({self.detail})"


Mode = Literal["bubblewrap", "namespaces", "unsafe"]
INSTALL_HINT = "apt-get install bubblewrap"


@dataclass(frozen=True)
class SandboxReport:
    """Every layer with its state; `mode`, `uid_ok` and `cgroup` drive how kernels launch.

    `mode` None means no sandbox can be built here and the UNSAFE setting is off: candidate
    code is refused, with `refusal` as the reason users and operators see.
    """

    layers: list[Layer]
    bwrap: str | None = None
    uid_ok: bool = False
    cgroup: cgroups.CgroupSupport = field(default_factory=lambda: cgroups.CgroupSupport(0))
    unshare_net: bool = False
    mode: Mode | None = None
    refusal: str = ""

    def layer(self, name: str) -> Layer:
        return next(layer for layer in self.layers if layer.name == name)

    def active(self, name: str) -> bool:
        return self.layer(name).active

    def as_dict(self) -> dict[str, Any]:
        """For /healthz and `pairboard doctor`: {layer: {"active": bool, "detail": str}}."""
        return {
            layer.name: {"active": layer.active, "detail": layer.detail} for layer in self.layers
        }

    def lines(self) -> list[str]:
        return [layer.line() for layer in self.layers]


def _first_free_uid(settings: KernelSettings) -> int | None:
    low, high = settings.uid_range
    taken = set(used_by_accounts(low, high))
    return next((u for u in range(low, high + 1) if u not in taken), None)


def probe_uid(settings: KernelSettings) -> Layer:
    low, high = settings.uid_range
    if low <= 0:
        return Layer("uid", False, f"uid range {low}-{high} includes root")
    if os.geteuid() != 0:
        return Layer("uid", False, "server is not root: kernels run as the server's own uid")
    taken = used_by_accounts(low, high)
    if len(taken) > high - low:
        return Layer("uid", False, f"every uid {low}-{high} belongs to an account")
    free = high - low + 1 - len(taken)
    return Layer("uid", True, f"one uid per live kernel from {low}-{high} ({free} usable)")


def _as_uid(uid: int | None) -> list[str]:
    if uid is None or os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]


def probe_bwrap(settings: KernelSettings, uid: int | None) -> tuple[Layer, str | None]:
    exe = shutil.which(settings.bwrap)
    if exe is None:
        return Layer("bubblewrap", False, f"{settings.bwrap} not found ({INSTALL_HINT})"), None
    # The kernels' own command around `true`, in a scratch kernel directory (never the real run
    # dir: the probe's uid may belong to a live kernel), so what is probed is what is launched.
    with tempfile.TemporaryDirectory(prefix="pbk-probe-") as scratch:
        if not settings.env_dir.is_dir():  # the kernel_env layer reports that, not this one
            settings = settings.model_copy(update={"env_dir": Path(scratch)})
        kdir = KernelDir(Path(scratch), uid if uid is not None else os.geteuid())
        kdir.create(private_fs=True, size_bytes=1 << 20)
        try:
            cmd = [*_as_uid(uid), *bwrap_argv(settings, exe, kdir, ["/usr/bin/true"])]
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        finally:
            kdir.remove()
    if result.returncode != 0:
        why = result.stderr.strip() or f"exit {result.returncode}"
        return Layer("bubblewrap", False, f"{exe} cannot create a sandbox here: {why}"), None
    detail = (
        "all namespaces unshared (user, pid, net, ipc, uts, cgroup, mount), --disable-userns, "
        "--new-session, --die-with-parent; read-only /usr and kernel env; private tmpfs "
        "/tmp, /workspace and /dev/shm"
    )
    return Layer("bubblewrap", True, detail), exe


def probe_unshare() -> bool:
    exe = shutil.which("unshare")
    if exe is None or os.geteuid() != 0:
        return False
    result = subprocess.run([exe, "--net", "/usr/bin/true"], capture_output=True, timeout=10)
    return result.returncode == 0


def probe_namespaces(settings: KernelSettings, uid: int | None) -> Layer:
    """Run the kernels' own namespace jail (`jail.py`, mode namespaces) around `true`."""
    if os.geteuid() != 0:
        return Layer("namespaces", False, "the namespace launcher needs a root server")
    with tempfile.TemporaryDirectory(prefix="pbk-probe-") as scratch:
        if not settings.env_dir.is_dir():
            settings = settings.model_copy(update={"env_dir": Path(scratch)})
        kdir = KernelDir(Path(scratch), uid if uid is not None else os.geteuid())
        kdir.create(private_fs=True, size_bytes=1 << 20)
        report = SandboxReport([], uid_ok=uid is not None, mode="namespaces")
        try:
            cmd = jail_command(settings, report, kdir, [], inner=["/usr/bin/true"])
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        finally:
            kdir.remove()
    if result.returncode != 0:
        why = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        return Layer("namespaces", False, f"cannot build the namespace jail here: {why[0]}")
    return Layer(
        "namespaces",
        True,
        "jail.py unshares mount, pid, net, ipc, uts and cgroup namespaces, pivots into a new "
        "root like bubblewrap's, blocks user namespaces (seccomp), new session, dies with "
        "the server",
    )


def probe_kernel_env(settings: KernelSettings) -> Layer:
    python = settings.env_dir / "bin" / "python"
    if not python.exists():
        return Layer("kernel_env", False, f"{python} missing: run `make kernel-env`")
    blocked = [
        p for p in [settings.env_dir, *settings.env_dir.parents] if not p.stat().st_mode & 0o001
    ]
    if blocked:
        return Layer("kernel_env", False, f"kernel uids cannot traverse {blocked[0]}")
    mode = settings.env_dir.stat().st_mode
    if mode & stat.S_IWOTH:
        return Layer("kernel_env", False, f"{settings.env_dir} is world-writable")
    return Layer("kernel_env", True, f"{settings.env_dir}, world-readable, read-only in sandbox")


def choose_mode(
    bwrap_layer: Layer, ns_layer: Layer, allow_unsafe: bool
) -> tuple[Mode | None, Layer]:
    """The sandbox kernels get, and the layer that says so (pure)."""
    if bwrap_layer.active:
        return "bubblewrap", Layer("sandbox", True, f"bubblewrap: {bwrap_layer.detail}")
    if ns_layer.active:
        detail = f"namespaces (bubblewrap: {bwrap_layer.detail}): {ns_layer.detail}"
        return "namespaces", Layer("sandbox", True, detail)
    missing = f"bubblewrap: {bwrap_layer.detail}; namespaces: {ns_layer.detail}"
    if allow_unsafe:
        return "unsafe", Layer(
            "sandbox",
            False,
            "UNSAFE, allowed by PAIRBOARD_KERNEL_ALLOW_UNSAFE_SANDBOX: kernels see the host's "
            f"files, /tmp, /dev/shm, /proc and Unix sockets ({missing})",
        )
    return None, Layer(
        "sandbox",
        False,
        f"REFUSING to run candidate code: no sandbox on this host ({missing}). Install "
        f"bubblewrap ({INSTALL_HINT}) or run the server as root; "
        "PAIRBOARD_KERNEL_ALLOW_UNSAFE_SANDBOX=1 runs it unsandboxed (UNSAFE)",
    )


def detect(settings: KernelSettings) -> SandboxReport:
    """Probe every layer (takes ~100 ms of subprocesses; call once, off the event loop)."""
    uid_layer = probe_uid(settings)
    probe_as = _first_free_uid(settings) if uid_layer.active else None
    if settings.use_bubblewrap:
        bwrap_layer, bwrap = probe_bwrap(settings, probe_as)
    else:
        bwrap_layer, bwrap = (
            Layer("bubblewrap", False, "off: PAIRBOARD_KERNEL_USE_BUBBLEWRAP"),
            None,
        )
    if bwrap is None and not settings.use_namespaces:
        ns_layer = Layer("namespaces", False, "off: PAIRBOARD_KERNEL_USE_NAMESPACES")
    elif bwrap is None:
        ns_layer = probe_namespaces(settings, probe_as)
    else:
        ns_layer = Layer("namespaces", False, "not needed: bubblewrap is used")
    mode, sandbox = choose_mode(bwrap_layer, ns_layer, settings.allow_unsafe_sandbox)
    unshare_ok = mode == "unsafe" and probe_unshare()
    jailed = mode in ("bubblewrap", "namespaces")
    if settings.allow_network:
        net = Layer("network", False, "allowed by PAIRBOARD_KERNEL_ALLOW_NETWORK")
    elif jailed:
        net = Layer("network", True, f"empty network namespace ({mode}): loopback only")
    elif unshare_ok:
        net = Layer("network", True, "empty network namespace via unshare, loopback down")
    else:
        net = Layer("network", False, "no way to create a network namespace on this host")
    cg = cgroups.detect()
    if cg.available:
        cg_layer = Layer(
            "cgroup",
            True,
            f"cgroup v{cg.version} memory ({settings.memory_bytes} bytes) and pids "
            f"({settings.max_processes})"
            + (f", cpu quota ({settings.cpus:g} cores)" if cg.cpu_base and settings.cpus else "")
            + f" under {cg.memory_base}",
        )
    else:
        cg_layer = Layer("cgroup", False, cg.reason)
    rlimits = Layer(
        "rlimits",
        True,
        f"AS {settings.address_space_bytes}, CPU {settings.cpu_seconds}s, NPROC "
        f"{settings.max_processes}, FSIZE {settings.file_size_bytes}, NOFILE "
        f"{settings.open_files}, CORE 0",
    )
    env = Layer("clean_env", True, "kernel sees only PATH, HOME, LANG, MPLBACKEND and friends")
    filesystem = Layer(
        "filesystem",
        jailed,
        "a new root: read-only /usr, kernel env and a few /etc files; its own /proc (PID "
        f"namespace), minimal /dev; private tmpfs /workspace and /tmp "
        f"({settings.workspace_bytes} bytes each) and /dev/shm ({settings.shm_bytes} bytes); "
        "no host socket"
        if jailed
        else "host view: the checkout, data dir, /tmp, /dev/shm, /proc and Unix sockets",
    )
    return SandboxReport(
        layers=[
            sandbox,
            uid_layer,
            bwrap_layer,
            ns_layer,
            net,
            filesystem,
            cg_layer,
            rlimits,
            env,
            probe_kernel_env(settings),
        ],
        bwrap=bwrap,
        uid_ok=uid_layer.active,
        cgroup=cg,
        unshare_net=unshare_ok and not settings.allow_network,
        mode=mode,
        refusal="" if mode else sandbox.detail,
    )


_cached: dict[tuple[object, ...], SandboxReport] = {}


def sandbox_report(settings: KernelSettings | None = None, refresh: bool = False) -> SandboxReport:
    """The layers of this host, probed once per process and per choice of the settings that
    change them (for /healthz, doctor, the provider)."""
    settings = settings or KernelSettings()
    key = (
        settings.use_bubblewrap,
        settings.bwrap,
        settings.use_namespaces,
        settings.allow_unsafe_sandbox,
        settings.workspace_bytes,
        settings.shm_bytes,
        settings.allow_network,
        settings.uid_range,
        settings.env_dir,
        settings.memory_bytes,
        settings.max_processes,
        settings.cpus,
    )
    if key not in _cached or refresh:
        _cached[key] = detect(settings)
    return _cached[key]
