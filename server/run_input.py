"""A run's input(): the request it waits on and its answer, between the kernel and the console.

`Runs` tells this the moment a run's `input_request` is in the console doc (`waiting`) and when
the run ends (`clear`); `answer` takes an answer from the REST route: refused (409) unless that
run waits, (403) to anyone but the role that ran it (`permissions.input_refusal`); otherwise the
answer is recorded in the run's outputs first, so it precedes what the code prints next (a
getpass answer never is: `run_entries.input_output`), then sent to the kernel.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from kernels.provider import KernelHandle
from server.documents import DocName
from server.permissions import Decision, input_refusal
from server.run_entries import find_run, input_output
from server.sync.rooms import RoomRegistry


class InputRefused(Exception):
    """An answer to input() that cannot be taken: `decision` says why (403, 409)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


NOT_WAITING = Decision(False, 409, "this run is not waiting for input")


class RunInputs:
    """The input() request each session's active run waits on (one at a time, as the kernel)."""

    def __init__(self, rooms: RoomRegistry) -> None:
        self.rooms = rooms
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}

    def waiting(self, session_id: str, run_id: str, request: dict[str, Any]) -> None:
        self._pending[session_id] = (run_id, request)

    def clear(self, session_id: str) -> None:
        self._pending.pop(session_id, None)

    async def answer(
        self,
        session_id: str,
        run_id: str,
        role: str,
        author: str,
        value: str,
        kernel: KernelHandle | None,
    ) -> None:
        pending = self._pending.get(session_id)
        if pending is None or pending[0] != run_id or kernel is None:
            raise InputRefused(NOT_WAITING)
        doc = await self.rooms.read(session_id, DocName.CONSOLE)
        entry = find_run(doc, run_id)
        refusal = input_refusal(role, None if entry is None else str(entry.get("role")))
        if refusal is not None:
            raise InputRefused(refusal)
        if self._pending.pop(session_id, None) != pending:
            raise InputRefused(NOT_WAITING)  # answered by a concurrent request meanwhile
        echo = input_output(pending[1], value, author)

        def change(doc: Doc[Any]) -> None:
            found = find_run(doc, run_id)
            if found is not None:
                found["outputs"].append(echo)
                found["stdin"] = None

        await self.rooms.edit(session_id, DocName.CONSOLE, change)
        await kernel.answer_input(value)
