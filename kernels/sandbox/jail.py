"""The last step before a kernel runs: join cgroups, set rlimits, jail, drop privileges, exec.

Run by the server as root with `python -I -S kernels/sandbox/jail.py CONFIG_JSON`, so it needs
only the standard library and starts in ~10 ms. Doing this in a separate process (not a
`preexec_fn` in the server) keeps the server's fork cheap and thread-safe, and puts the process
into its cgroups *before* it can fork, so no child ever escapes the limits.

Three ways on from there (chosen by the config `kernels.sandbox.launch.jail_command` writes):
exec bubblewrap (which jails the kernel); with `namespaces` (no bubblewrap, server is root) build
the same jail here (see `kernels.sandbox.namespaces`); or, only when the operator set the UNSAFE
setting, exec the kernel with just the uid, rlimits and an unshare'd network namespace.

Order matters: cgroups and namespaces need root, so they come first; rlimits before setuid so
the kernel cannot raise them; the parent-death signal after every change of credentials,
because such a change clears it.
"""

import ctypes
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
from typing import Any

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_SLAVE = 32, 4096, 16384, 1 << 19
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
RLIMITS = {
    "AS": resource.RLIMIT_AS,
    "CPU": resource.RLIMIT_CPU,
    "NPROC": resource.RLIMIT_NPROC,
    "FSIZE": resource.RLIMIT_FSIZE,
    "NOFILE": resource.RLIMIT_NOFILE,
    "CORE": resource.RLIMIT_CORE,
}
libc = ctypes.CDLL(None, use_errno=True)


def check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(
    source: str | None,
    target: str,
    fstype: str | None = None,
    flags: int = 0,
    data: str | None = None,
) -> None:
    enc = [None if v is None else v.encode() for v in (source, target, fstype, data)]
    check(libc.mount(enc[0], enc[1], enc[2], flags, enc[3]), f"mount {source} on {target}")


def pivot_root(new: str, old: str) -> None:
    number = SYS_PIVOT_ROOT[os.uname().machine]
    check(libc.syscall(number, new.encode(), old.encode()), f"pivot_root {new}")


def die_with_parent(parent: int, lifeline: int = -1) -> None:
    """SIGKILL this process when its parent dies; exit now if it already has.

    PID 1 of a new PID namespace sees its parent as pid 0, dead or alive: it checks `lifeline`
    instead, the read end of a pipe whose only write end the parent holds (EOF = parent gone).
    """
    check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    if lifeline >= 0:
        if select.select([lifeline], [], [], 0)[0]:
            os._exit(1)
    elif os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def drop_privileges(uid: int | None, gid: int | None) -> None:
    if uid is not None and gid is not None:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")


def exit_code(status: int) -> int:
    """A child's wait status as an exit code; a signal as 128 + n, as bubblewrap reports it."""
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def _target(path: str, like: str) -> None:
    """Create `path` in the new root as a directory or an empty file, like `like` is."""
    if os.path.isdir(like):
        os.makedirs(path, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        if not os.path.exists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))


def _bind(source: str, target: str, read_only: bool, device: bool = False) -> None:
    _target(target, source)
    mount(source, target, None, MS_BIND)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (MS_RDONLY if read_only else 0)
    mount(None, target, None, flags | (0 if device else MS_NODEV))


def _tmpfs(target: str, size: int, mode: int, owner: int) -> None:
    os.makedirs(target, mode=0o755, exist_ok=True)
    data = f"size={size},mode={mode:o},uid={owner},gid={owner}"
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, data)


def _dev(target: str, shm_size: int, owner: int) -> None:
    """A minimal /dev like bubblewrap's --dev, with a private size-limited /dev/shm."""
    _tmpfs(target, 1 << 20, 0o755, 0)
    for name in DEVICES:
        _bind(f"/oldroot/dev/{name}", f"{target}/{name}", read_only=False, device=True)
    for name, link in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(link, f"{target}/{name}")
    os.symlink("/proc/self/fd/1", f"{target}/stdout")
    os.symlink("/proc/self/fd/2", f"{target}/stderr")
    os.symlink("pts/ptmx", f"{target}/ptmx")
    os.mkdir(f"{target}/pts")
    mount("devpts", f"{target}/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666")
    _tmpfs(f"{target}/shm", shm_size, 0o755, owner)


def _proc(target: str) -> None:
    os.makedirs(target, mode=0o555, exist_ok=True)
    mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for sub in ("sys", "sysrq-trigger", "irq", "bus"):  # read-only, as bubblewrap does
        if os.path.exists(f"{target}/{sub}"):
            _bind(f"{target}/{sub}", f"{target}/{sub}", read_only=True)


def build_root(steps: list[list[Any]], owner: int) -> None:
    """Make a new root from `steps` and pivot into it; the host's root is detached."""
    # Resolve the sources on the host first (bubblewrap does too): /etc/localtime is a symlink
    # whose absolute target means nothing once the host root is under /oldroot.
    for step in steps:
        if step[0] in ("ro-bind", "ro-bind-try", "bind"):
            step[1] = os.path.realpath(step[1])
    mount(None, "/", None, MS_REC | MS_SLAVE)  # nothing we mount propagates to the host
    base = "/tmp"  # any directory: the tmpfs on it becomes the root of the set-up
    mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.mkdir(f"{base}/newroot", 0o755)
    os.mkdir(f"{base}/oldroot", 0o755)
    mount("tmpfs", f"{base}/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    pivot_root(base, f"{base}/oldroot")
    os.chdir("/")
    for op, *args in steps:
        if op in ("ro-bind", "ro-bind-try", "bind"):
            source, target = "/oldroot" + args[0], "/newroot" + args[1]
            if op == "ro-bind-try" and not os.path.exists(source):
                continue
            _bind(source, target, read_only=op != "bind")
        elif op == "tmpfs":
            _tmpfs("/newroot" + args[0], args[1], args[2], owner)
        elif op == "symlink":
            os.symlink(args[0], "/newroot" + args[1])
        elif op == "proc":
            _proc("/newroot" + args[0])
        elif op == "dev":
            _dev("/newroot" + args[0], args[1], owner)
        else:
            raise ValueError(f"unknown step {op}")
    check(libc.umount2(b"/oldroot", MNT_DETACH), "umount /oldroot")
    os.chdir("/newroot")
    pivot_root(".", ".")  # the set-up tmpfs is now stacked under the new root: detach it
    check(libc.umount2(b".", MNT_DETACH), "umount set-up root")
    os.chroot(".")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


# seccomp: (audit arch, unshare, clone, clone3) per machine, for `no_user_namespaces`.
SECCOMP_ARCH = {"x86_64": (0xC000003E, 272, 56, 435), "aarch64": (0xC00000B7, 97, 220, 435)}
CLONE_NEWUSER, ENOSPC, ENOSYS = 0x10000000, 28, 38
LD, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, ERRNO, KILL = 0x7FFF0000, 0x00050000, 0x80000000


def no_user_namespaces() -> None:
    """What bubblewrap's --disable-userns gives: creating a user namespace fails with ENOSPC.

    A seccomp filter on unshare/clone with CLONE_NEWUSER (clone3, whose flags a filter cannot
    read, answers ENOSYS: libc then falls back to clone); other ABIs on the machine are killed.
    Needs NO_NEW_PRIVS, which `drop_privileges` set.
    """
    arch, unshare, clone, clone3 = SECCOMP_ARCH[os.uname().machine]
    x32 = os.uname().machine == "x86_64"
    prog = [
        (LD, 0, 0, 4),  # seccomp_data.arch
        (JEQ, 0, 11, arch),  # -> kill
        (LD, 0, 0, 0),  # seccomp_data.nr
        (JGE, 8, 0, 0x40000000) if x32 else (JEQ, 8, 0, 0xFFFFFFFF),  # x32 ABI -> enosys
        (JEQ, 7, 0, clone3),  # -> enosys
        (JEQ, 2, 0, unshare),  # -> flags
        (JEQ, 1, 0, clone),  # -> flags
        (RET, 0, 0, ALLOW),
        (LD, 0, 0, 16),  # seccomp_data.args[0], low 32 bits: the flags
        (JSET, 1, 0, CLONE_NEWUSER),  # -> enospc
        (RET, 0, 0, ALLOW),
        (RET, 0, 0, ERRNO | ENOSPC),
        (RET, 0, 0, ERRNO | ENOSYS),
        (RET, 0, 0, KILL),
    ]
    code = b"".join(struct.pack("HBBI", *insn) for insn in prog)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HxxxxxxP", len(prog), ctypes.addressof(buffer))
    check(libc.prctl(22, 2, ctypes.c_char_p(fprog), 0, 0), "prctl(SECCOMP)")  # MODE_FILTER


def loopback_up() -> None:
    """The new network namespace's own loopback, up and empty (as bubblewrap leaves it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        import fcntl

        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def namespace_init(config: dict[str, Any], lifeline: int) -> None:
    """PID 1 of the new PID namespace: build the jail, start the kernel, reap, exit with it."""
    ns = config["namespaces"]
    os.setsid()  # bubblewrap's --new-session
    flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP
    check(libc.unshare(flags | (CLONE_NEWNET if ns["unshare_net"] else 0)), "unshare")
    if ns["unshare_net"]:
        loopback_up()
    hostname = ns["hostname"].encode()
    check(libc.sethostname(hostname, len(hostname)), "sethostname")
    owner = config["uid"] if config.get("uid") is not None else 0
    build_root(ns["steps"], owner)
    drop_privileges(config.get("uid"), config.get("gid"))
    no_user_namespaces()
    die_with_parent(0, lifeline)
    os.chdir(ns["cwd"])
    kernel = os.fork()
    if kernel == 0:
        os.close(lifeline)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        argv = config["argv"]
        os.execve(argv[0], argv, config.get("env", {}))
    while True:  # orphans of the namespace are re-parented to us: reap them all
        pid, status = os.wait()
        if pid == kernel:
            os._exit(exit_code(status))


def namespace_supervisor(config: dict[str, Any]) -> None:
    """Fork PID 1 of a new PID namespace, then wait for it as the kernel's uid.

    The supervisor stays in the host's namespaces (it is what the server's Popen watches, and
    what it kills); it dies with the server, and PID 1 dies with it, which tears the whole PID
    namespace down: no process the kernel started, detached or not, survives either.
    """
    check(libc.unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)")
    lifeline, keep = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(keep)
            die_with_parent(0, lifeline)
            namespace_init(config, lifeline)
        except BaseException as exc:  # the server logs the kernel's stderr
            print(f"jail: {exc}", file=sys.stderr, flush=True)
            os._exit(126)
    drop_privileges(config.get("uid"), config.get("gid"))
    die_with_parent(int(config["server_pid"]))
    _, status = os.waitpid(child, 0)
    os._exit(exit_code(status))


def main() -> None:
    config = json.loads(sys.argv[1])
    config["server_pid"] = os.getppid()
    for path in config.get("procs_files", []):
        with open(path, "w") as f:
            f.write(str(os.getpid()))
    for name, value in config.get("rlimits", {}).items():
        resource.setrlimit(RLIMITS[name], (value, value))
    if config.get("namespaces"):
        namespace_supervisor(config)
        return
    if config.get("unshare_net"):
        check(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    drop_privileges(config.get("uid"), config.get("gid"))
    die_with_parent(int(config["server_pid"]))
    os.chdir(config.get("cwd", "/"))
    argv = config["argv"]
    os.execve(argv[0], argv, config.get("env", {}))


if __name__ == "__main__":
    main()
