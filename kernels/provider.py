"""The kernel provider interface: what the server needs from "a place where code runs".

Two real implementations sit behind it: `kernels.local` (jupyter-client on this host, sandboxed,
with a warm pool) and `kernels.gateway` (Jupyter Kernel Gateway / Enterprise Gateway over REST
and websockets). The server only ever speaks this interface, so a session's kernel can live on this
host or on a cluster without the run logic knowing which.

Execution yields typed events in the order the kernel's iopub channel produced them; the last
event of every execution is exactly one `Finished`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

RunStatus = Literal["ok", "error", "interrupted", "timeout", "killed"]


@dataclass(frozen=True)
class Stream:
    """Text the code wrote to stdout or stderr."""

    name: Literal["stdout", "stderr"]
    text: str


@dataclass(frozen=True)
class Display:
    """A rich output: `display_data` (kind "display") or an `execute_result` (kind "result")."""

    kind: Literal["display", "result"]
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Error:
    """An exception raised by the code; the traceback keeps its ANSI colours."""

    ename: str
    evalue: str
    traceback: list[str]


@dataclass(frozen=True)
class Notice:
    """Something the sandbox says about the run (output truncated, kernel restarted, ...)."""

    text: str


@dataclass(frozen=True)
class InputRequest:
    """The code asked for a line of input (`input()`, or `getpass()` with `password`): the run
    waits, still held to its limits, until `KernelHandle.answer_input` or an interrupt."""

    prompt: str
    password: bool = False


@dataclass(frozen=True)
class Finished:
    """The end of one execution. `status` is final; `reason` explains non-ok endings."""

    status: RunStatus
    duration_ms: int
    reason: str = ""


Event = Stream | Display | Error | Notice | InputRequest | Finished


class RunObserver(Protocol):
    """Told the protocol moments of one execution, to time where a run's latency goes
    (`server/run_trace.py`, `bench/web.py`). Called on the event loop; it only notes the moment,
    never blocks, awaits or raises."""

    def request_sent(self) -> None:
        """The `execute_request` left for the kernel."""
        ...

    def message(self, channel: str, msg: dict[str, Any]) -> None:
        """A message answering the request arrived (before it becomes an event)."""
        ...


class KernelHandle(Protocol):
    """One live kernel owned by one session."""

    @property
    def kernel_id(self) -> str: ...

    @property
    def generation(self) -> int:
        """Counts the kernel processes behind this handle and id: it changes whenever the kernel
        restarts (asked for, or after it died), so the server can tell, without asking the
        kernel, that state it put there is gone. (kernel_id, generation) names one process."""
        ...

    def execute(
        self,
        code: str,
        *,
        silent: bool = False,
        stdin: bool = False,
        observer: RunObserver | None = None,
    ) -> AsyncIterator[Event]:
        """Run `code`, yielding its events as they arrive; always ends with one `Finished`.

        Limits (wall time, output size) are applied here; exceeding one ends the run with
        the matching status and a `Notice`, never an exception.

        `silent=True` is for hidden code (a scenario's setup, its timeline's kernel actions): the
        execute_request goes out with Jupyter's `silent` and `store_history=False`, so the code
        never enters the kernel's `In`/`_ih`/history or execution count. Its events still come
        back to the caller (who keeps them away from every console).

        `stdin=True` lets the code read input (Jupyter's `allow_stdin`): each read is yielded as
        an `InputRequest` and the run waits for `answer_input`. Without it (hidden code, the
        grader) `input()` raises StdinNotImplementedError, as in any front end without stdin.

        `observer`, if given, is told when the request is sent and of every message answering
        it (a run's trace; nothing else changes).
        """
        ...

    async def answer_input(self, text: str) -> bool:
        """Answer the input request the current run is waiting on (Jupyter's `input_reply`).
        False when no request is pending (the run ended, or it was answered already)."""
        ...

    async def put_data(self, files: dict[str, bytes]) -> None:
        """Make `files` (name -> content) readable, and not writable, by the kernel's code as
        `data/<name>` in its working directory; same-named files are replaced, others kept.

        For a scenario's data files and interviewer attachments; names are plain file names
        (`server.scenarios.datasets.name_problem`). The files stay across restarts of the same
        kernel. Nothing is fetched by the kernel: the bytes come from the server.
        """
        ...

    async def interrupt(self) -> None: ...

    async def restart(self) -> None: ...

    async def shutdown(self) -> None: ...

    async def is_alive(self) -> bool: ...


class KernelProvider(Protocol):
    """Hands out kernels. Implementations own pooling and sandboxing."""

    async def start(self) -> None:
        """Prepare the provider (warm the pool, sweep leftovers of a crashed server)."""
        ...

    async def acquire(self, session_id: str) -> KernelHandle:
        """A fresh kernel for `session_id`; never one that served another session."""
        ...

    async def close(self) -> None:
        """Shut every kernel down; the provider cannot be used afterwards."""
        ...


class DetachableHandle(KernelHandle, Protocol):
    """A handle this process can let go of while the kernel keeps running for others."""

    async def detach(self) -> None:
        """Close this process's connection to the kernel; the kernel is not stopped."""
        ...


class SharedKernelProvider(KernelProvider, Protocol):
    """A provider whose kernels outlive the instance that started them (the gateway provider):
    any instance can reach a session's kernel from its id alone."""

    async def acquire(self, session_id: str) -> DetachableHandle: ...

    def attach(self, kernel_id: str) -> DetachableHandle:
        """A handle on a live kernel another instance started."""
        ...

    def disown(self, kernel_id: str) -> None:
        """Stop treating the kernel as this instance's own: closing the provider leaves it
        running (the session's end stops it)."""
        ...
