"""The trusted test process: runs a scenario's hidden tests and decides their verdicts.

The server starts one for each grading (`grading.py`) with the kernels' Python, so tests can use
NumPy and pandas. It never runs candidate code and is never sandboxed with the candidate: the
candidate's code runs in the grader kernel, and the tests reach it only through remote handles
(`remote.py`) that exchange plain data. The scenario's setup runs here as well as in the kernel
(setup code must be deterministic: seeded random numbers), so the tests' data and reference
helpers are this process's own objects; the hidden tests and helpers never leave it.

Its protocol with the server, one JSON object per line on stdin/stdout:
  in   the job: {setup, helpers, tests: [{id, code}], timeout, setup_timeout, candidate,
       modules, max_message}
  out  {"rpc": request, "timeout": seconds}   in  {"id", "status", "text" | "detail"}
  out  {"results": [{"id", "passed", "message"}, ...]}   the last line
Nothing else reaches stdout: file descriptor 1 points at /dev/null once the protocol has its own.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import math
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any, BinaryIO

from server.scenarios.project_modules import ProjectModules, servable
from server.scenarios.remote import Client, ProtocolError, RemoteError, TimedOut

FORGET_TIMEOUT_SECONDS = 5.0


class Channel:
    """The pipe to the server; replies to requests abandoned at a timeout are skipped."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self._reader = reader
        self._writer = writer

    def send(self, message: dict[str, Any]) -> None:
        self._writer.write(json.dumps(message).encode() + b"\n")
        self._writer.flush()

    def exchange(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.send({"rpc": request, "timeout": timeout})
        while True:
            line = self._reader.readline()
            if not line:
                raise ProtocolError("the server closed the grading channel")
            reply: dict[str, Any] = json.loads(line)
            if reply.get("id") == request["id"]:
                return reply


@contextlib.contextmanager
def alarm(seconds: float) -> Iterator[None]:
    """TimedOut in this thread after `seconds`, wherever the test is (even waiting on a reply)."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimedOut()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def short(exc: BaseException, limit: int) -> str:
    if isinstance(exc, RemoteError | ProtocolError):
        return str(exc)[:limit]
    if type(exc).__module__ != "builtins":  # no dotted module path in a report
        return f"{type(exc).__name__}: {exc}".strip().removesuffix(":")[:limit]
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:limit]


SHADOWED = frozenset(dir(builtins))
"""Names the candidate's code may not bind for the tests: a top-level `len`, `abs` or `zip` of
theirs would otherwise become the tests' own `len(c) == len(expected)` and decide it."""


def candidate_names(names: dict[str, Any]) -> dict[str, Any]:
    """The candidate's top-level names the tests see: never a builtin's name, never a dunder."""
    return {k: v for k, v in names.items() if k not in SHADOWED and not k.startswith("__")}


def run(job: dict[str, Any], channel: Channel) -> list[dict[str, Any]]:
    """Every test's verdict: passed only when its code ran here to the end without raising."""
    tests: list[dict[str, Any]] = job["tests"]
    timeout = float(job["timeout"])
    limit = int(job["max_message"])

    def everything_failed(message: str) -> list[dict[str, Any]]:
        return [{"id": t["id"], "passed": False, "message": message[:limit]} for t in tests]

    setup: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    try:
        with alarm(float(job["setup_timeout"])):
            exec(compile(job["setup"], "setup.py", "exec"), setup)
    except BaseException as exc:
        return everything_failed(f"the scenario's setup failed: {short(exc, limit)}")
    client = Client(channel.exchange, setup)
    client.deadline = time.monotonic() + timeout
    try:
        names, modules = client.load(job["candidate"], servable(job["modules"]))
    except TimedOut:
        return everything_failed(f"the candidate's code did not finish loading within {timeout}s")
    except BaseException as exc:
        return everything_failed(f"the candidate's code raised: {short(exc, limit)}")
    # A project's other files, for `from features import f` in tests (project_modules.py).
    sys.meta_path.append(
        ProjectModules(
            {
                name: found if isinstance(found, BaseException) else candidate_names(found)
                for name, found in modules.items()
            }
        )
    )
    # The scenario's names win: a candidate who rebinds a setup name changes only their kernel.
    base = {**candidate_names(names), **setup}
    base.update(remote_calls=client.batch, warnings_as_errors=client.strict)
    client.deadline = time.monotonic() + timeout
    try:
        with alarm(timeout):
            exec(compile(job["helpers"], "helpers.py", "exec"), base)
    except BaseException as exc:
        return everything_failed(f"the scenario's test helpers raised: {short(exc, limit)}")
    finally:
        client.deadline = math.inf
    client.keep_current()
    return [_run_test(t, base, client, timeout, limit) for t in tests]


def _run_test(
    test: dict[str, Any], base: dict[str, Any], client: Client, timeout: float, limit: int
) -> dict[str, Any]:
    env = dict(base)  # a test that rebinds a name cannot break the next one
    client.deadline = time.monotonic() + timeout
    try:
        with alarm(timeout):
            exec(compile(test["code"], f"test_{test['id']}.py", "exec"), env)
        passed, message = True, ""
    except TimedOut:
        passed, message = False, f"timed out after {timeout}s"
    except BaseException as exc:
        passed, message = False, short(exc, limit)
    client.deadline = time.monotonic() + FORGET_TIMEOUT_SECONDS
    with contextlib.suppress(BaseException):
        client.forget()
    client.deadline = math.inf
    return {"id": test["id"], "passed": passed, "message": message}


def main() -> None:
    reader = sys.stdin.buffer
    writer = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # prints of setup, helpers and tests (and C libraries) go nowhere
    os.close(devnull)
    channel = Channel(reader, writer)
    job = json.loads(reader.readline())
    channel.send({"results": run(job, channel)})


if __name__ == "__main__":
    main()
