"""Candidate code that hunts for hidden text (a hidden test, a setup's comment) in its kernel.

`program(needles)` is Python for a kernel: it defines `search()`, which looks for each needle in
every string and bytes object that a garbage-collected container holds (which covers module
dicts, frames, IPython's `In`/`Out`/history lists and message objects), `linecache`, IPython's
history database, `sys.last_*`, `get_ipython().last_execution_result`, the command lines,
environments and open files of every process in `/proc`, and the content of every file outside
the read-only system trees (the host's `/usr`, `/etc`, ... and the kernel env, which hold no
Pairboard file). The needles travel hex-encoded and are decoded only inside `search()`, so
neither the program's text nor its exported names contain them; two canaries (planted in memory
and in a file) prove that the search would find what is there.
`search()` returns {"found": [where, ...], "canaries": [where, ...], "files": n, "strings": n}.
"""

from __future__ import annotations

import json

CANARY = "pairboard-canary-7f3e1b"

_PROGRAM = r"""
import gc as _gc, json as _json, linecache as _linecache, os as _os, sys as _sys

_HEX = (%(needles)r, %(canary)r)
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc",
           "/sys", "/dev", _sys.prefix, _sys.base_prefix)


def search():
    # Decoded here, never at the top level: the grader exports a candidate's top-level plain
    # values (in the load reply), which would put the needles in the kernel's memory.
    _NEEDLES = [bytes.fromhex(h).decode() for h in _HEX[0]]
    _CANARY = bytes.fromhex(_HEX[1]).decode()
    own = {id(n) for n in _NEEDLES} | {id(_CANARY)}
    planted = [_CANARY + " in memory"]
    with open("/tmp/pairboard-canary.txt", "w") as f:
        f.write("in a file " + _CANARY)
    found, canaries, counts = set(), set(), {"files": 0, "strings": 0}

    def check(text, where):
        if _CANARY in text:
            canaries.add(where)
        if any(n in text for n in _NEEDLES):
            found.add(where)

    def check_file(path, where):
        try:
            if _os.path.getsize(path) > 8 * 2**20:
                return
            with open(path, "rb") as f:
                check(f.read().decode("latin-1"), where)
            counts["files"] += 1
        except OSError:
            pass

    texts = []
    for obj in _gc.get_objects():
        if obj is _NEEDLES:
            continue
        for ref in _gc.get_referents(obj):
            if type(ref) is str and id(ref) not in own:
                texts.append(ref)
            elif type(ref) in (bytes, bytearray):
                texts.append(bytes(ref).decode("latin-1"))
    counts["strings"] = len(texts)
    check("\0".join(texts), "memory")
    del texts
    for key, entry in list(_linecache.cache.items()):
        check(str(key) + "".join(entry[2] if len(entry) > 2 else ()), "linecache")
    for name in ("last_traceback", "last_value", "last_exc"):
        check(repr(getattr(_sys, name, None)), "sys." + name)
    try:
        shell = get_ipython()
        check(repr(shell.last_execution_result.info), "last_execution_result")
        history = shell.history_manager
        check(repr(history.input_hist_raw) + repr(history.input_hist_parsed), "history")
        check(repr(list(history.get_tail(10_000, raw=True, include_latest=True))), "history")
        for name in ("In", "_ih", "Out", "_oh", "_i", "_ii", "_iii"):
            check(repr(shell.user_ns.get(name)), name)
        if history.hist_file and history.hist_file != ":memory:":
            check_file(str(history.hist_file), "history")
    except NameError:
        pass
    for pid in [p for p in _os.listdir("/proc") if p.isdigit()]:
        for part in ("cmdline", "environ"):
            check_file(f"/proc/{pid}/{part}", "/proc")
        try:
            fds = _os.listdir(f"/proc/{pid}/fd")
        except OSError:
            fds = []
        for fd in fds:
            try:
                target = _os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            check(target, "/proc")
            if target.startswith("/") and _os.path.isfile(target):
                check_file(target, "/proc")
    for top in _os.listdir("/"):
        for root, dirs, names in _os.walk("/" + top):
            if root.startswith(_SYSTEM):
                dirs[:] = []
                continue
            for name in names:
                check(name, "filesystem")
                check_file(_os.path.join(root, name), "filesystem")
    del planted
    return {"found": sorted(found), "canaries": sorted(canaries), **counts}
"""


def program(needles: list[str]) -> str:
    return _PROGRAM % {
        "needles": [n.encode().hex() for n in needles],
        "canary": CANARY.encode().hex(),
    }


def needles_of(*texts: str, min_length: int = 24) -> list[str]:
    """The distinctive lines of `texts` (stripped, long, not imports): what a search looks for."""
    lines = {ln.strip() for text in texts for ln in text.splitlines()}
    return sorted(
        ln for ln in lines if len(ln) >= min_length and not ln.startswith(("import ", "from "))
    )


def result_of(text: str) -> dict[str, object]:
    start = text.index("{")
    value: dict[str, object] = json.loads(text[start : text.rindex("}") + 1])
    return value
