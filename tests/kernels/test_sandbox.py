"""The sandbox's pure parts (command line, cgroup parsing, socket checks) and the crash sweep."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kernels.local.pool import sweep_leftovers
from kernels.sandbox import cgroups
from kernels.sandbox.launch import (
    KernelDir,
    SocketTampered,
    bwrap_argv,
    check_sockets,
    kernel_env,
    lock_sockets,
)
from kernels.sandbox.layers import SandboxReport, probe_bwrap
from kernels.sandbox.namespaces import namespace_config, namespace_steps
from kernels.settings import KernelSettings
from tests.kernels.local_support import quick_settings

MOUNTINFO = """\
30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:10 - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/pids rw,relatime shared:11 - cgroup cgroup rw,pids
32 25 0:28 / /sys/fs/cgroup/unified rw,relatime shared:12 - cgroup2 cgroup2 rw
"""


def test_v1_mounts_are_found_per_controller() -> None:
    mounts = cgroups.parse_v1_mounts(MOUNTINFO)
    assert mounts["memory"] == Path("/sys/fs/cgroup/memory")
    assert mounts["pids"] == Path("/sys/fs/cgroup/pids")
    assert "cgroup2" not in mounts


def test_own_cgroup_paths_are_parsed_per_controller() -> None:
    own = cgroups.parse_own_cgroups("8:pids:/\n4:memory:/svc/abc\n1:cpu,cpuacct:/\n0::/\n")
    assert own == {"pids": "/", "memory": "/svc/abc", "cpu": "/", "cpuacct": "/", "": "/"}


def test_bwrap_command_unshares_everything_and_mounts_read_only(tmp_path: Path) -> None:
    settings = KernelSettings(run_dir=tmp_path)
    argv = bwrap_argv(settings, "/usr/bin/bwrap", KernelDir(tmp_path, 61000), ["python"])
    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--new-session"):
        assert flag in argv
    assert "--die-with-parent" in argv
    assert "--share-net" not in argv
    assert argv[argv.index("/usr") - 1] == "--ro-bind"
    env_at = argv.index(str(settings.env_dir))
    assert argv[env_at - 1] == "--ro-bind"
    assert argv[-2:] == ["--", "python"]
    tmpfs_targets = [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"]
    assert tmpfs_targets == ["/dev/shm", "/tmp", "/workspace"]
    sizes = [argv[i + 1] for i, a in enumerate(argv) if a == "--size"]
    assert sizes == [str(settings.shm_bytes), *[str(settings.workspace_bytes)] * 2]


def test_the_namespace_jail_mirrors_the_bubblewrap_command(tmp_path: Path) -> None:
    """Same binds (read-only or not), same tmpfs sizes, same order: the fallback a host without
    bubblewrap gets shows the kernel the same root."""
    settings = KernelSettings(run_dir=tmp_path)
    kdir = KernelDir(tmp_path, 61000)
    argv = bwrap_argv(settings, "/usr/bin/bwrap", kdir, ["python"])
    from_bwrap: list[list[object]] = []
    i = argv.index("--hostname") + 2
    size = None
    while argv[i] != "--chdir":
        flag = argv[i].removeprefix("--")
        if flag == "size":
            size, i = int(argv[i + 1]), i + 2
        elif flag in ("proc", "dev"):
            from_bwrap.append([flag, argv[i + 1]])
            i += 2
        elif flag == "tmpfs":
            from_bwrap.append(["tmpfs", argv[i + 1], size])
            i += 2
        else:
            from_bwrap.append([flag, argv[i + 1], argv[i + 2]])
            i += 3
    steps = namespace_steps(settings, kdir)
    # The launcher's `dev` step includes bubblewrap's `--dev` + sized `--tmpfs /dev/shm`.
    expected = [s[:3] if s[0] == "tmpfs" else s for s in steps]
    dev = expected.index(["dev", "/dev", settings.shm_bytes])
    expected[dev : dev + 1] = [["dev", "/dev"], ["tmpfs", "/dev/shm", settings.shm_bytes]]
    assert from_bwrap == expected
    assert namespace_config(settings, kdir)["unshare_net"] is True


def test_a_kernel_env_under_tmp_is_visible_inside_the_private_tmp(tmp_path: Path) -> None:
    """A checkout in /tmp puts the kernel env there; the sandbox's own /tmp must not hide it."""
    need_bwrap()
    env_dir = tmp_path / "kernel-env"
    (env_dir / "bin").mkdir(parents=True)
    (env_dir / "bin" / "marker").write_text("present\n")
    kdir = KernelDir(tmp_path / "run", 61000)
    kdir.path.mkdir(parents=True)
    kdir.data_dir.mkdir(parents=True)  # KernelDir.create makes it; bound read-only
    (kdir.path / "passwd").write_text("root:x:0:0::/:/bin/sh\n")
    (kdir.path / "group").write_text("root:x:0:\n")
    settings = KernelSettings(run_dir=tmp_path / "run", env_dir=env_dir)
    inner = ["/usr/bin/cat", str(env_dir / "bin" / "marker")]
    argv = bwrap_argv(settings, "/usr/bin/bwrap", kdir, inner)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (0, "present\n"), done.stderr


def test_the_bubblewrap_probe_runs_the_kernels_own_command(tmp_path: Path) -> None:
    """A kernel env its uid cannot reach makes the kernels' bubblewrap command fail; the probe
    runs that very command (not a simpler one of its own), so it reports the failure."""
    need_bwrap()
    if os.geteuid() != 0:
        pytest.skip("the probe runs as a kernel uid only when the server is root")
    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    private.chmod(0o700)
    settings = KernelSettings(env_dir=private / "env")
    layer, exe = probe_bwrap(settings, settings.uid_range[0])
    assert (layer.active, exe) == (False, None)
    assert layer.detail == (
        "/usr/bin/bwrap cannot create a sandbox here: "
        f"bwrap: Can't find source path {private / 'env'}: Permission denied"
    )
    layer, exe = probe_bwrap(KernelSettings(), settings.uid_range[0])  # the env make builds
    assert (layer.active, exe) == (True, "/usr/bin/bwrap"), layer.detail


def need_bwrap() -> None:
    if not Path("/usr/bin/bwrap").exists():
        reason = "bubblewrap is not installed (apt-get install bubblewrap)"
        if os.environ.get("PAIRBOARD_REQUIRE_BUBBLEWRAP") == "1":
            pytest.fail(f"{reason} (PAIRBOARD_REQUIRE_BUBBLEWRAP=1)")
        pytest.skip(reason)


def test_kernel_environment_is_built_not_inherited() -> None:
    os.environ["JPY_PARENT_PID"] = "1"
    try:
        env = kernel_env(KernelSettings(), "/workspace", "/tmp")
    finally:
        del os.environ["JPY_PARENT_PID"]
    assert "JPY_PARENT_PID" not in env
    assert env["HOME"] == "/workspace"
    assert env["MPLBACKEND"] == "module://matplotlib_inline.backend_inline"


def bound_sockets(prefix: Path) -> tuple[dict[str, object], list[socket.socket]]:
    connection: dict[str, object] = {"transport": "ipc", "ip": str(prefix)}
    socks = []
    for n, name in enumerate(("shell", "iopub", "stdin", "control", "hb"), start=1):
        connection[f"{name}_port"] = n
        s = socket.socket(socket.AF_UNIX)
        s.bind(f"{prefix}-{n}")
        socks.append(s)
    return connection, socks


def test_sockets_are_locked_to_root_and_a_swap_is_detected(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("re-owning sockets needs root")
    connection, socks = bound_sockets(tmp_path / "s")
    assert lock_sockets(connection, uid=0)
    check_sockets(connection, owner=0)
    os.unlink(f"{tmp_path}/s-1")
    os.symlink("/elsewhere", f"{tmp_path}/s-1")
    with pytest.raises(SocketTampered, match="s-1 was replaced"):
        check_sockets(connection, owner=0)
    for s in socks:
        s.close()


def test_a_symlink_is_never_locked(tmp_path: Path) -> None:
    connection, socks = bound_sockets(tmp_path / "s")
    os.unlink(f"{tmp_path}/s-3")
    os.symlink(f"{tmp_path}/s-1", f"{tmp_path}/s-3")
    with pytest.raises(SocketTampered, match="s-3 is not a socket"):
        lock_sockets(connection, uid=os.geteuid())
    for s in socks:
        s.close()


CRASHING_SERVER = """
import asyncio, os, sys
from kernels.local.provider import LocalProvider
from tests.kernels.local_support import quick_settings

async def main():
    provider = LocalProvider(quick_settings(pool_size=0))
    await provider.start()
    kernel = await provider.acquire("doomed")
    print(kernel.kernel.uid, kernel.kernel.provisioner.cgroup.name if
          kernel.kernel.provisioner.cgroup else "", flush=True)
    os._exit(1)  # crash: no shutdown, no cleanup

asyncio.run(main())
"""


def test_startup_sweep_clears_what_a_crashed_server_left(sandbox_layers: SandboxReport) -> None:
    if not sandbox_layers.uid_ok:
        pytest.skip("uid layer unavailable: " + sandbox_layers.layer("uid").detail)
    out = subprocess.run(
        [sys.executable, "-c", CRASHING_SERVER],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    uid_text, _, cgroup_name = out.stdout.strip().partition(" ")
    assert uid_text.isdigit(), out.stderr
    uid = int(uid_text)
    settings = quick_settings()
    kdir = KernelDir(settings.run_dir, uid)
    assert kdir.path.exists()
    cg = cgroups.KernelCgroup(sandbox_layers.cgroup, cgroup_name) if cgroup_name else None
    if cg is not None:
        assert all(d.exists() for d in cg.dirs)
    assert uid in sweep_leftovers(settings)
    assert not kdir.path.exists()
    if cg is not None:
        assert not any(d.exists() for d in cg.dirs)


def test_doctor_verdict_names_the_missing_essential_layers() -> None:
    from kernels.sandbox.doctor import verdict
    from kernels.sandbox.layers import Layer

    def report(*off: str) -> SandboxReport:
        names = ("sandbox", "uid", "bubblewrap", "namespaces", "network", "cgroup", "kernel_env")
        layers = [Layer(n, n not in off, "why") for n in names]
        return SandboxReport(layers, mode=None if "sandbox" in off else "bubblewrap")

    # bubblewrap and the namespace launcher are alternatives: the unused one is no weakness.
    assert verdict(report("namespaces")) == (0, "all sandbox layers active")
    assert verdict(report("namespaces", "cgroup")) == (0, "usable; weaker without: cgroup")
    assert verdict(report("network", "uid")) == (
        1,
        "NOT SAFE for untrusted code: uid, network unavailable",
    )
    assert verdict(report("sandbox", "bubblewrap", "namespaces")) == (
        1,
        "NOT SAFE for untrusted code: sandbox unavailable",
    )


def test_pairboard_doctor_prints_every_layer(sandbox_layers: SandboxReport) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "doctor"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    lines = out.stdout.splitlines()
    assert lines[0] == "kernel sandbox layers:"
    assert [line.split(":")[0].strip() for line in lines[1:-1]] == [
        layer.name for layer in sandbox_layers.layers
    ]
