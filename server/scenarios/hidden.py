"""Hidden kernel state: bringing a session's kernel up to date with its scenario.

A scenario's setup code and its fired kernel actions (fault injection, data changes) are the
session's hidden steps, derived from the session record (`state.wanted_steps`). Before every run,
and whenever an event changed data, the runs call `HiddenKernelState.prepare` under the session's
run lock; it runs, silently, the steps this kernel lacks, in firing order. Before those, it puts
the scenario's data files and the session's attachments in the kernel's read-only `data/`.

Which steps a kernel has run is the server's own record, never the kernel's word: a candidate's
code can write anything into its kernel (a list of step names in `builtins` would let it stop a
fault from ever being injected). The record names one kernel process by `KernelHandle.kernel_id`
and `KernelHandle.generation` (bumped on every restart and death), so a restarted or replaced
kernel matches no record and gets setup plus every fired kernel action again.

It lives in the session record (`meta["hidden_kernel"]`, in the Store), not in this process:
with a `SharedKernelProvider` (the gateway) a session's kernel is shared by every instance, and
whichever instance serves the next Run must know what the others injected into it. One record
per session is enough (a session has one kernel at a time); it is rewritten after each step that
succeeded.
The limit: a gateway handle counts the restarts it made or saw, so an instance that attached
to the kernel before another instance restarted it (the Restart button, a run's time limit)
still reads the other instance's new generation as a mismatch and runs the steps again: a
duplicate injection (setup and actions are written to be re-run), never a missing one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from kernels.provider import KernelHandle
from server.attachments import Attachments
from server.scenarios import hidden_code, library
from server.scenarios import state as st
from server.scenarios.hidden_code import collect
from server.scenarios.model import Scenario
from server.sessions import Sessions
from server.store.base import SessionRecord

log = logging.getLogger(__name__)

RECORD_KEY = "hidden_kernel"
"""The session record's `meta` key of the injected-steps record (see the module docstring)."""


@dataclass(frozen=True)
class Injected:
    """The hidden steps the server ran in one kernel process, in order."""

    kernel_id: str
    generation: int
    steps: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kernel_id": self.kernel_id, "generation": self.generation, "steps": [*self.steps]}

    @staticmethod
    def of(meta: dict[str, Any]) -> Injected | None:
        raw = meta.get(RECORD_KEY)
        if not isinstance(raw, dict):
            return None
        try:
            steps = tuple(str(s) for s in raw["steps"])
            return Injected(str(raw["kernel_id"]), int(raw["generation"]), steps)
        except (KeyError, TypeError, ValueError):
            return None


def applied_steps(meta: dict[str, Any], kernel_id: str, generation: int) -> list[str]:
    """The steps recorded for exactly this kernel process; none for any other (pure)."""
    injected = Injected.of(meta)
    if injected is None or (injected.kernel_id, injected.generation) != (kernel_id, generation):
        return []
    return list(injected.steps)


class HiddenKernelState:
    """The runs' `KernelPreparer` (server/runs.py)."""

    def __init__(self, sessions: Sessions, attachments: Attachments) -> None:
        self.sessions = sessions
        self.attachments = attachments
        self._placed: dict[str, tuple[object, ...]] = {}
        """session -> (kernel id, generation, what was placed) last placed in its kernel."""

    def forget(self, session_id: str) -> None:
        """The session was erased: nothing of it is kept here either."""
        self._placed.pop(session_id, None)

    async def _place_data(
        self, session_id: str, handle: KernelHandle, scenario: Scenario | None
    ) -> None:
        """The scenario's data files and the session's attachments into the kernel before its
        setup (which may read them); read from disk only when this kernel (id, generation)
        lacks them or an attachment changed."""
        shipped = tuple(d.sha256 for d in scenario.data) if scenario else ()
        attached = await asyncio.to_thread(self.attachments.manifest, session_id)
        key = (handle.kernel_id, handle.generation, shipped, attached)
        if self._placed.get(session_id) == key or not (shipped or attached):
            return
        files = await asyncio.to_thread(library.data_files, scenario) if scenario else {}
        files.update(await asyncio.to_thread(self.attachments.files, session_id))
        await handle.put_data(files)
        self._placed[session_id] = key

    async def prepare(self, session_id: str, handle: KernelHandle) -> None:
        """Runs' hook (under the session's run lock): run the hidden steps this kernel lacks."""
        record = await self.sessions.get(session_id)
        scenario = (
            None if record is None or record.scenario is None else library.get(record.scenario)
        )
        if record is None:
            return
        await self._place_data(session_id, handle, scenario)
        if scenario is None or not st.has_kernel_work(scenario):
            return
        wanted = st.wanted_steps(scenario, st.load(record.meta))
        if not wanted:
            return
        kernel_id, generation = handle.kernel_id, handle.generation
        applied = applied_steps(record.meta, kernel_id, generation)
        for step in st.missing_steps(wanted, applied):
            program = hidden_code.program(st.step_code(scenario, step))
            stdout, finished = await collect(handle, program)
            await collect(handle, hidden_code.SCRUB)
            status = hidden_code.status(stdout)
            if status != "ok" or handle.generation != generation:
                # Not recorded: the next prepare runs it again (after an interrupt at the run's
                # time limit, or in the new kernel if this one restarted under the step), and
                # the later steps wait for it, since they build on it.
                ended = "no status" if finished is None else finished.status
                log.warning("hidden step %s of session %s: %s", step, session_id, status or ended)
                return
            applied.append(step)
            await self._record(record, Injected(kernel_id, generation, tuple(applied)))

    async def _record(self, record: SessionRecord, injected: Injected) -> None:
        fresh = await self.sessions.get(record.id)
        target = fresh if fresh is not None else record
        target.meta[RECORD_KEY] = injected.to_json()
        await self.sessions.save(target)
