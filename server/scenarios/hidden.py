"""Hidden kernel state: bringing a session's kernel up to date with its scenario.

A scenario's setup code and its fired kernel actions (fault injection, data changes) are the
session's hidden steps, derived from the session record (`state.wanted_steps`). Before every run,
and whenever an event changed data, the runs call `HiddenKernelState.prepare` under the session's
run lock; it runs, silently, the steps this kernel lacks, in firing order.
"""

from __future__ import annotations

import json
import logging

from kernels.provider import KernelHandle
from server.scenarios import library
from server.scenarios import state as st
from server.scenarios.hidden_code import collect
from server.sessions import Sessions

log = logging.getLogger(__name__)

MARKER = "_pairboard_scenario_steps"
"""Name (in the kernel's `builtins`) of the list of hidden steps that kernel has run."""
PROBE = f"print(__import__('json').dumps(getattr(__import__('builtins'), {MARKER!r}, [])))"


def _mark(step: str) -> str:
    return f"__import__('builtins').__dict__.setdefault({MARKER!r}, []).append({step!r})"


class HiddenKernelState:
    """The runs' `KernelPreparer` (server/runs.py)."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def prepare(self, session_id: str, handle: KernelHandle) -> None:
        """Runs' hook (under the session's run lock): run the hidden steps this kernel lacks.

        The kernel keeps the list of steps it ran in `builtins`, so a restarted or replaced
        kernel (empty list) gets setup plus every fired kernel action again, in firing order.
        """
        record = await self.sessions.get(session_id)
        scenario = (
            None if record is None or record.scenario is None else library.get(record.scenario)
        )
        if record is None or scenario is None or not st.has_kernel_work(scenario):
            return
        wanted = st.wanted_steps(scenario, st.load(record.meta))
        if not wanted:
            return
        stdout, _ = await collect(handle, PROBE)
        try:
            applied = [str(s) for s in json.loads(stdout.strip().splitlines()[-1])]
        except (ValueError, IndexError, TypeError):
            applied = []
        for step in st.missing_steps(wanted, applied):
            _, finished = await collect(handle, st.step_code(scenario, step))
            if finished is None or finished.status != "ok":
                status = "no status" if finished is None else finished.status
                log.warning("hidden step %s of session %s ended %s", step, session_id, status)
            await collect(handle, _mark(step))
