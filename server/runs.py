"""Runs: a session's code executed in its kernel, streamed into the `console` doc for everyone.

One run at a time per session. Each run is a `console.runs` entry (who, when, code snapshot,
outputs in arrival order, status, duration) written only by the server, through the room API,
so it is logged, broadcast and replayed like any other change. Events are applied in batches:
whatever the kernel produced while the previous batch was being persisted goes into the next
one, so a chatty run costs a few log appends per second, not one per line.

The kernel provider is `kernels.local.provider.LocalProvider` (sandboxed, warm pool) unless
`PAIRBOARD_KERNEL_PROVIDER=gateway`. A session gets its kernel at its first Run; the kernel is
released when the session ends (checked periodically) and culled by the provider when idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from pycrdt import Array, Doc, Map

from kernels.provider import (
    DetachableHandle,
    Event,
    Finished,
    InputRequest,
    KernelHandle,
    KernelProvider,
    Notice,
    SharedKernelProvider,
)
from server.clock import now_ms
from server.documents import CONSOLE_KERNEL, CONSOLE_RUNS, DocName
from server.notebook import cells_by_id
from server.project_files import (
    DEFAULT_MAIN,
    ProjectError,
    ProjectLimits,
    check_project,
    mirror_program,
    project_of,
)
from server.run_entries import coalesce, find_run, output_of, run_view, stdin_entry
from server.run_input import RunInputs
from server.run_trace import RunTrace, RunTraces
from server.scenarios.hidden_code import collect
from server.sessions import Sessions, main_file_of
from server.sync.rooms import RoomRegistry

log = logging.getLogger(__name__)

END_CHECK_SECONDS = 2.0


class RunConflict(Exception):
    """A run is already active in this session (HTTP 409)."""


class CodeTooLarge(Exception):
    """The code of a run is over `run_max_code_bytes` (HTTP 413): it is refused before it is
    copied into the console doc, whether it came in the request, from the editor or a cell."""


class UnknownCell(Exception):
    """A cell run asked for a cell the notebook does not have, or not a code cell (HTTP 422)."""


class KernelPreparer(Protocol):
    """Brings hidden scenario state (setup code, fired kernel actions) into a session's kernel,
    silently; called under the session's run lock before every run and by `sync_hidden`
    (`server/scenarios/hidden.py`)."""

    async def prepare(self, session_id: str, handle: KernelHandle) -> None: ...


@dataclass
class SessionKernelState:
    handle: KernelHandle | None = None
    # The same kernel when it is shared between instances: this instance detaches on close.
    shared_handle: DetachableHandle | None = None
    active_run: str | None = None
    task: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Execution counts (see `Runs._count_execution`): of which kernel process, how many so far.
    counted_process: tuple[str, int] | None = None
    # The kernel process project files were last written into (`Runs._mirror`).
    mirrored_process: tuple[str, int] | None = None
    executions: int = 0


class Runs:
    """Owns the session kernels and the active run of each session.

    Scale-out (several instances, server/scale): with a `shared` provider a session's kernel is
    recorded by id in its session record, so whichever instance serves the next Run attaches to
    the same kernel, and an instance shutting down detaches from kernels instead of stopping
    them.
    """

    def __init__(
        self,
        rooms: RoomRegistry,
        sessions: Sessions,
        provider: KernelProvider,
        *,
        preparer: KernelPreparer,
        shared: SharedKernelProvider | None = None,
        project_limits: ProjectLimits | None = None,
        max_code_bytes: int = 512 * 1024,
        traces: RunTraces | None = None,
    ) -> None:
        self.rooms = rooms
        # Runs' phase timings, for the benchmark (server/run_trace.py); off unless configured.
        self.traces = traces or RunTraces(None)
        self.max_code_bytes = max_code_bytes
        self.sessions = sessions
        self.provider = provider
        self.preparer = preparer
        self.project_limits = project_limits or ProjectLimits()
        self.shared = shared
        self._states: dict[str, SessionKernelState] = {}
        self.inputs = RunInputs(rooms)  # input() requests waiting, answered over REST
        self._reaper: asyncio.Task[None] | None = None
        self.started = False
        self._background: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self.provider.start()
        self.started = True
        self._reaper = asyncio.create_task(self._release_ended(), name="runs-reaper")

    def _state(self, session_id: str) -> SessionKernelState:
        return self._states.setdefault(session_id, SessionKernelState())

    async def start_run(
        self,
        session_id: str,
        author: str,
        role: str,
        code: str | None,
        *,
        entry: str | None = None,
        selection: bool = False,
        trace: RunTrace | None = None,
    ) -> str:
        """Run `code`, or if None the project's file `entry` (default: its entry file), as one
        console entry; its run id. A project's files are written into the kernel's working
        directory first (`server/project_files.py`), as they are now. `selection`: the code is
        the editor's selected lines (Run selection); the entry says so. `trace` times the run's
        phases (`server/run_trace.py`)."""
        record = await self.sessions.get(session_id)
        main = DEFAULT_MAIN if record is None else main_file_of(record)
        project = project_of(await self.rooms.read(session_id, DocName.CODE), main)
        check_project(project, self.project_limits)
        path = entry or main
        from_file = code is None
        if code is None:
            if path not in project:
                raise ProjectError(f"the project has no file {path!r}")
            code = project[path]
        size = len(code.encode("utf-8", "surrogatepass"))
        if size > self.max_code_bytes:
            raise CodeTooLarge(f"code is {size} bytes; a run takes at most {self.max_code_bytes}")
        file = path if len(project) > 1 and (from_file or entry is not None) else None
        return (
            await self._start(
                session_id, author, role, [(None, code)], project, file, selection, trace
            )
        )[0]

    async def start_cells(
        self,
        session_id: str,
        author: str,
        role: str,
        cell_ids: list[str],
        *,
        max_code_bytes: int,
    ) -> list[str]:
        """Run notebook cells in order (Shift-Enter is one, Run all is every code cell), each as
        its own console entry tagged with its `cell_id`; the sources are taken now, as they are
        when the user asked. After a cell that does not end ok, the rest are cancelled, as
        Jupyter does. The project's files (`code.files`) are mirrored before each cell, as
        before a file run. Their run ids, in order."""
        doc = await self.rooms.read(session_id, DocName.NOTEBOOK)
        by_id = cells_by_id(doc, set(cell_ids))
        jobs: list[tuple[str | None, str]] = []
        for cell_id in cell_ids:
            cell = by_id.get(cell_id)
            if cell is None:
                raise UnknownCell(f"no cell {cell_id!r} in the notebook")
            if cell.cell_type != "code":
                raise UnknownCell(f"cell {cell_id!r} is a {cell.cell_type} cell, not code")
            if len(cell.source.encode("utf-8", "surrogatepass")) > max_code_bytes:
                raise CodeTooLarge(f"cell {cell_id!r} is over {max_code_bytes} bytes of code")
            jobs.append((cell_id, cell.source))
        if not jobs:
            raise UnknownCell("no code cell to run")
        # The project's files go into the kernel's directory before each cell, as before a
        # file run: a cell can `from utils import f`, and sees an edited module afresh.
        record = await self.sessions.get(session_id)
        main = DEFAULT_MAIN if record is None else main_file_of(record)
        project = project_of(await self.rooms.read(session_id, DocName.CODE), main)
        check_project(project, self.project_limits)
        return await self._start(session_id, author, role, jobs, project)

    async def _start(
        self,
        session_id: str,
        author: str,
        role: str,
        jobs: list[tuple[str | None, str]],
        project: dict[str, str] | None = None,
        file: str | None = None,
        selection: bool = False,
        trace: RunTrace | None = None,
    ) -> list[str]:
        state = self._state(session_id)
        if state.active_run is not None:
            raise RunConflict(f"run {state.active_run} is still running; Stop it or wait")
        queued = [(uuid.uuid4().hex[:12], cell_id, code) for cell_id, code in jobs]
        state.active_run = queued[0][0]
        try:
            started = now_ms()
            entries = [
                {
                    "id": run_id,
                    "author": author,
                    "role": role,
                    "code": code,
                    "started_at": started,
                    "finished_at": None,
                    "status": "running" if i == 0 else "queued",
                    "duration_ms": None,
                    "selection": selection,
                    "stdin": None,
                    **({} if cell_id is None else {"cell_id": cell_id}),
                    **({} if file is None else {"file": file}),
                }
                for i, (run_id, cell_id, code) in enumerate(queued)
            ]

            def add(doc: Doc[Any]) -> None:
                runs = CONSOLE_RUNS.of(doc)
                for entry in entries:
                    runs.append(Map({**entry, "outputs": Array()}))

            await self.rooms.edit(session_id, DocName.CONSOLE, add)
        except BaseException:
            state.active_run = None
            raise
        if trace is not None:
            trace.run_id, trace.session_id = queued[0][0], session_id
            trace.mark("entry_written")
        work = [(run_id, code) for run_id, _, code in queued]
        # input() is answered in the console: editor runs get stdin, notebook cells do not
        # (their outputs show in the cell, which has no prompt; input() raises there).
        stdin = all(cell_id is None for _, cell_id, _ in queued)
        state.task = asyncio.create_task(
            self._execute_all(session_id, state, work, project, stdin, trace)
        )
        return [run_id for run_id, _, _ in queued]

    async def _kernel(self, session_id: str, state: SessionKernelState) -> KernelHandle:
        if state.handle is not None:
            return state.handle
        if self.shared is not None:
            shared = await self._attach_shared(session_id, self.shared)
            if shared is None:
                await self._set_kernel(session_id, "starting", "")
                shared = await self.shared.acquire(session_id)
                await self._record_shared(session_id, self.shared, shared)
            state.handle = state.shared_handle = shared
            return shared
        await self._set_kernel(session_id, "starting", "")
        state.handle = await self.provider.acquire(session_id)
        return state.handle

    async def _attach_shared(
        self, session_id: str, shared: SharedKernelProvider
    ) -> DetachableHandle | None:
        """The live kernel another instance started for this session, if there is one."""
        record = await self.sessions.get(session_id)
        kernel_id = record.meta.get("kernel_id") if record is not None else None
        if not kernel_id:
            return None
        handle = shared.attach(kernel_id)
        return handle if await handle.is_alive() else None

    async def _record_shared(
        self, session_id: str, shared: SharedKernelProvider, handle: DetachableHandle
    ) -> None:
        shared.disown(handle.kernel_id)  # it outlives this instance; the session's end stops it
        record = await self.sessions.get(session_id)
        if record is not None:
            record.meta["kernel_id"] = handle.kernel_id
            await self.sessions.save(record)

    async def _prepare(self, session_id: str, handle: KernelHandle) -> None:
        try:
            await self.preparer.prepare(session_id, handle)
        except Exception:  # hidden scenario code must never cost the candidate their run
            log.exception("preparing the kernel of session %s failed", session_id)

    async def sync_hidden(self, session_id: str) -> None:
        """Bring the session's kernel up to date with its scenario now (taking a kernel if it has
        none yet), after any run in progress: the scenario started, or an event changed data."""
        state = self._state(session_id)
        async with state.lock:
            fresh = state.handle is None
            handle = await self._kernel(session_id, state)
            await self._prepare(session_id, handle)
            if fresh:
                await self._set_kernel(session_id, "idle", "")

    async def _set_kernel(self, session_id: str, status: str, message: str) -> None:
        def change(doc: Doc[Any]) -> None:
            kernel = CONSOLE_KERNEL.of(doc)
            kernel["status"] = status
            kernel["message"] = message

        await self.rooms.edit(session_id, DocName.CONSOLE, change)

    async def _execute_all(
        self,
        session_id: str,
        state: SessionKernelState,
        jobs: list[tuple[str, str]],
        project: dict[str, str] | None,
        stdin: bool = False,
        trace: RunTrace | None = None,
    ) -> None:
        for i, (run_id, code) in enumerate(jobs):
            state.active_run = run_id
            if i > 0:
                await self._mark_running(session_id, run_id)
            finished = await self._execute(
                session_id, state, run_id, code, now_ms(), project, stdin, trace if i == 0 else None
            )
            if finished.status != "ok":
                rest = [r for r, _ in jobs[i + 1 :]]
                if rest:
                    with contextlib.suppress(Exception):
                        await self._cancel_queued(session_id, rest, finished.status)
                break
        state.active_run = None
        state.task = None

    async def _execute(
        self,
        session_id: str,
        state: SessionKernelState,
        run_id: str,
        code: str,
        started: int,
        project: dict[str, str] | None = None,
        stdin: bool = False,
        trace: RunTrace | None = None,
    ) -> Finished:
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        finished: Finished | None = None
        count: int | None = None
        try:
            async with state.lock:
                handle = await self._kernel(session_id, state)
                await self._set_kernel(session_id, "busy", "")
                await self._prepare(session_id, handle)
                if project is not None:
                    await self._mirror(session_id, state, handle, project)
                count = self._count_execution(state, handle)
                writer = asyncio.create_task(self._write_outputs(session_id, run_id, queue, trace))
                try:
                    async for event in handle.execute(code, stdin=stdin, observer=trace):
                        if isinstance(event, Finished):
                            finished = event
                        else:
                            queue.put_nowait(event)
                    if finished is not None and finished.status == "killed" and finished.reason:
                        queue.put_nowait(Notice(finished.reason))
                finally:
                    queue.put_nowait(None)
                    await writer
        except Exception as exc:
            log.exception("run %s of session %s failed", run_id, session_id)
            finished = Finished("error", now_ms() - started, f"run failed: {exc}")
            with contextlib.suppress(Exception):
                await self._append(session_id, run_id, [{"type": "notice", "text": str(exc)}])
        finally:
            final = finished or Finished("error", now_ms() - started, "run ended without status")
            self.inputs.clear(session_id)
            alive = state.handle is not None and await state.handle.is_alive()
            await self._finish(session_id, run_id, final, count, "idle" if alive else "dead")
            if trace is not None:
                trace.mark("finished")
                self._keep(asyncio.create_task(trace.close()))
        return final

    @staticmethod
    async def _mirror(
        session_id: str, state: SessionKernelState, handle: KernelHandle, project: dict[str, str]
    ) -> None:
        """Write the project into the kernel's directory when it has files besides the entry
        file, or when this kernel process got files before (they must go: a project that is
        down to its entry file would otherwise still import the deleted ones)."""
        process = (handle.kernel_id, handle.generation)
        if len(project) == 1 and state.mirrored_process != process:
            return
        state.mirrored_process = process if len(project) > 1 else None
        _, finished = await collect(handle, mirror_program(project))
        if finished is None or finished.status != "ok":
            log.warning("writing the project files of session %s did not end ok", session_id)

    @staticmethod
    def _count_execution(state: SessionKernelState, handle: KernelHandle) -> int:
        """The run's execution count, as IPython numbers its cells: every non-silent execution
        since this kernel process started (a restart, `generation`, starts again at 1). Counted
        here rather than read back from the kernel, whose word is the candidate's; written with
        the run's final status, so a running cell shows `[*]` as in Jupyter."""
        process = (handle.kernel_id, handle.generation)
        if state.counted_process != process:
            state.counted_process, state.executions = process, 0
        state.executions += 1
        return state.executions

    async def _mark_running(self, session_id: str, run_id: str) -> None:
        def change(doc: Doc[Any]) -> None:
            entry = find_run(doc, run_id)
            if entry is not None:
                entry["status"] = "running"
                entry["started_at"] = now_ms()

        await self.rooms.edit(session_id, DocName.CONSOLE, change)

    async def _cancel_queued(self, session_id: str, run_ids: list[str], why: str) -> None:
        def change(doc: Doc[Any]) -> None:
            for run_id in run_ids:
                entry = find_run(doc, run_id)
                if entry is not None and entry.get("status") == "queued":
                    entry["status"] = "cancelled"
                    entry["finished_at"] = now_ms()
                    entry["duration_ms"] = 0
                    entry["reason"] = f"not run: an earlier cell ended {why}"

        await self.rooms.edit(session_id, DocName.CONSOLE, change)

    async def _write_outputs(
        self,
        session_id: str,
        run_id: str,
        queue: asyncio.Queue[Event | None],
        trace: RunTrace | None = None,
    ) -> None:
        """Drain the queue in batches: one console edit per batch (see module docstring)."""
        done = False
        while not done:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            done = batch[-1] is None
            outputs = [o for e in batch if e is not None and (o := output_of(e)) is not None]
            # The kernel waits on one input() at a time: the batch's last request is the one.
            asks = [e for e in batch if isinstance(e, InputRequest)]
            stdin = stdin_entry(asks[-1], now_ms()) if asks else None
            if outputs or stdin is not None:
                await self._append(session_id, run_id, coalesce(outputs), stdin)
                if trace is not None and outputs and "first_output_written" not in trace.marks:
                    trace.mark("first_output_written")
                    relayed = self.rooms.written(session_id, DocName.CONSOLE)
                    trace.mark_when("first_output_relayed", relayed)
            if stdin is not None:
                self.inputs.waiting(session_id, run_id, stdin)

    async def _append(
        self,
        session_id: str,
        run_id: str,
        outputs: list[dict[str, Any]],
        stdin: dict[str, Any] | None = None,
    ) -> None:
        def change(doc: Doc[Any]) -> None:
            entry = find_run(doc, run_id)
            if entry is not None:
                target = entry["outputs"]
                for out in outputs:
                    target.append(out)
                if stdin is not None:
                    entry["stdin"] = stdin

        await self.rooms.edit(session_id, DocName.CONSOLE, change)

    async def answer_input(
        self, session_id: str, run_id: str, role: str, author: str, value: str
    ) -> None:
        """Answer the input() the run waits on (`server/run_input.py`); raises InputRefused."""
        handle = self._state(session_id).handle
        await self.inputs.answer(session_id, run_id, role, author, value, handle)

    async def _finish(
        self, session_id: str, run_id: str, finished: Finished, count: int | None, kernel: str
    ) -> None:
        """The run's final status and the kernel's status after it, in one edit: a page that
        sees the run ended may Run again at once, and the server takes it (the run is no longer
        active by the time anyone receives this)."""

        def change(doc: Doc[Any]) -> None:
            status = CONSOLE_KERNEL.of(doc)
            status["status"] = kernel
            status["message"] = finished.reason
            entry = find_run(doc, run_id)
            if entry is not None:
                entry["status"] = finished.status
                if count is not None:
                    entry["execution_count"] = count
                entry["finished_at"] = now_ms()
                entry["duration_ms"] = finished.duration_ms
                entry["stdin"] = None  # an unanswered input() ends with its run
                if finished.reason:
                    entry["reason"] = finished.reason

        await self.rooms.edit(session_id, DocName.CONSOLE, change)

    async def run_hidden(self, session_id: str, code: str) -> list[Event]:
        """Run `code` in the session's kernel without a console entry (scenario setup and
        injected faults); waits for an active run to finish first. Its events, for the caller."""
        state = self._state(session_id)
        async with state.lock:
            handle = await self._kernel(session_id, state)
            events = [event async for event in handle.execute(code, silent=True)]
        alive = await handle.is_alive()
        await self._set_kernel(session_id, "idle" if alive else "dead", "")
        return events

    async def get_run(self, session_id: str, run_id: str) -> dict[str, Any] | None:
        doc = await self.rooms.read(session_id, DocName.CONSOLE)
        entry = find_run(doc, run_id)
        return None if entry is None else run_view(entry)

    async def wait_idle(self, session_id: str) -> None:
        """Until the session's active run (if any) has been fully written (tests, shutdown)."""
        task = self._state(session_id).task
        if task is not None:
            await asyncio.shield(task)

    async def interrupt(self, session_id: str) -> None:
        state = self._state(session_id)
        if state.handle is not None:
            await state.handle.interrupt()

    async def restart(self, session_id: str) -> None:
        state = self._state(session_id)
        if state.handle is None:
            return  # no kernel yet: the next Run gets a fresh one anyway
        await self._set_kernel(session_id, "restarting", "")
        await state.handle.restart()
        await self._set_kernel(session_id, "idle", "restarted")
        # The fresh kernel gets the scenario's setup again, once the run the restart cut short
        # has let go of the session's lock.
        self._keep(asyncio.create_task(self.sync_hidden(session_id)))

    def _keep(self, task: asyncio.Task[None]) -> None:
        """Hold a background task until it is done (the loop keeps only weak references)."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def release(self, session_id: str) -> None:
        """The session ended: its kernel is shut down, never reused."""
        state = self._states.pop(session_id, None)
        if state is None:
            return
        if state.task is not None:
            state.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await state.task
        if state.handle is not None:
            with contextlib.suppress(Exception):
                await state.handle.shutdown()

    async def _release_ended(self) -> None:
        while True:
            await asyncio.sleep(END_CHECK_SECONDS)
            for session_id in list(self._states):
                record = await self.sessions.get(session_id)
                if record is None or record.state == "ended":
                    await self.release(session_id)

    async def close(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        for session_id in list(self._states):
            state = self._states[session_id]
            if state.shared_handle is not None:
                self._states.pop(session_id)  # other instances carry on with this kernel
                if state.task is not None:
                    state.task.cancel()
                with contextlib.suppress(Exception):
                    await state.shared_handle.detach()
                continue
            await self.release(session_id)
        if self.started:
            await self.provider.close()
