"""The last step before a kernel runs: join cgroups, set rlimits, drop to the kernel uid, exec.

Run by the server as root with `python -I -S kernels/sandbox/jail.py CONFIG_JSON`, so it needs
only the standard library and starts in ~10 ms. Doing this in a separate process (not a
`preexec_fn` in the server) keeps the server's fork cheap and thread-safe, and puts the process
into its cgroups *before* it can fork, so no child ever escapes the limits.

Order matters: cgroups and the network namespace need root, so they come first; rlimits before
setuid so the kernel cannot raise them; the parent-death signal last, because changing
credentials clears it.
"""

import ctypes
import json
import os
import resource
import signal
import sys

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
RLIMITS = {
    "AS": resource.RLIMIT_AS,
    "CPU": resource.RLIMIT_CPU,
    "NPROC": resource.RLIMIT_NPROC,
    "FSIZE": resource.RLIMIT_FSIZE,
    "NOFILE": resource.RLIMIT_NOFILE,
    "CORE": resource.RLIMIT_CORE,
}


def main() -> None:
    config = json.loads(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    for path in config.get("procs_files", []):
        with open(path, "w") as f:
            f.write(str(os.getpid()))
    if config.get("unshare_net") and libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")
    for name, value in config.get("rlimits", {}).items():
        resource.setrlimit(RLIMITS[name], (value, value))
    uid, gid = config.get("uid"), config.get("gid")
    if uid is not None and gid is not None:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PDEATHSIG) failed")
    os.chdir(config.get("cwd", "/"))
    argv = config["argv"]
    os.execve(argv[0], argv, config.get("env", {}))


if __name__ == "__main__":
    main()
