"""The scenario runner: the clock, the timeline and hidden kernel state of live sessions.

State lives in the session record (`meta["scenario"]`, see `state.py`); the console doc mirrors
the clock (`console.scenario.clock`) and receives the visible effects of events. Exactly once:
an event fires (or is skipped) only after its `Store.claim` succeeded, so two instances, or an
instance before and after a restart, never fire one event twice. Visible effects are written
idempotently (console entries and board elements by id) and re-applied for fired events when a
session is resumed after a restart, so a crash between the claim and the writes loses nothing
that was recorded; the kernel's hidden state is derived from the record (setup, then the fired
kernel actions in order) and brought into any fresh kernel before it runs anything.

A claim taken by a process that died before recording the event is the one loss: that event is
never fired (at most once, never twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from pycrdt import Doc

from server.clock import now_ms
from server.documents import BOARD_ELEMENTS, CONSOLE_EVENTS, CONSOLE_SCENARIO, DocName
from server.scenarios import library, timeline
from server.scenarios import state as st
from server.scenarios.actions import claim_key, effects_of, hint_entry
from server.scenarios.model import HintAction, RevealAction, Scenario, TimelineEvent
from server.sessions import Sessions
from server.settings import Settings
from server.store.base import SessionRecord, Store
from server.sync.rooms import RoomRegistry

log = logging.getLogger(__name__)


class ScenarioError(Exception):
    """A scenario request that cannot be honoured; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class KernelSync(Protocol):
    """Brings a session's kernel up to date with its scenario now (the runs, `server/runs.py`),
    after any run in progress; the hidden steps themselves are `server/scenarios/hidden.py`."""

    async def sync_hidden(self, session_id: str) -> None: ...


class ScenarioRunner:
    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        rooms: RoomRegistry,
        settings: Settings,
        *,
        kernels: KernelSync,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.rooms = rooms
        self.settings = settings
        self.kernels = kernels
        self._active: set[str] = set()
        self._claimed_elsewhere: dict[str, set[str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._syncs: dict[str, asyncio.Task[None]] = {}
        self._sync_again: set[str] = set()

    # --- lifetime ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Resume the clocks of live sessions (fired events stay fired; due ones fire once)."""
        await self._rescan(repair=True)
        self._loop = asyncio.create_task(self._run_forever(), name="scenario-runner")

    async def close(self) -> None:
        tasks = [t for t in (self._loop, *self._syncs.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _rescan(self, repair: bool = False) -> None:
        for record in await self.store.list_sessions():
            if record.scenario is None or record.state == "ended":
                continue
            state = st.load(record.meta)
            if state.clock.started_at is None or record.id in self._active:
                continue
            self._active.add(record.id)
            if repair:
                await self._repair(record)

    async def _run_forever(self) -> None:
        next_scan = time.monotonic() + self.settings.scenario_rescan_seconds
        while True:
            wait = self.settings.scenario_rescan_seconds
            for session_id in list(self._active):
                try:
                    due_in = await self._tick(session_id)
                except Exception:  # one session's fault must never stop the others' clocks
                    log.exception("scenario tick failed for session %s", session_id)
                    due_in = 1000
                if due_in is not None:
                    wait = min(wait, due_in / 1000)
            if time.monotonic() >= next_scan:
                next_scan = time.monotonic() + self.settings.scenario_rescan_seconds
                with contextlib.suppress(Exception):
                    await self._rescan()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.01, wait))

    async def _tick(self, session_id: str) -> int | None:
        """Fire what is due in one session; ms until its next timed event (None: nothing timed)."""
        record = await self.sessions.get(session_id)
        scenario = None if record is None else self._scenario(record)
        if record is None or scenario is None or record.state == "ended":
            self._active.discard(session_id)
            return None
        state = st.load(record.meta)
        done = state.done_ids | self._claimed_elsewhere.get(session_id, set())
        for event in timeline.due_events(scenario.timeline, state.clock, now_ms(), done):
            await self._fire(record.id, scenario, event, "timeline")
        record = await self.sessions.get(session_id)
        if record is None:
            return None
        state = st.load(record.meta)
        done = state.done_ids | self._claimed_elsewhere.get(session_id, set())
        return timeline.next_due_in_ms(scenario.timeline, state.clock, now_ms(), done)

    # --- reading ----------------------------------------------------------------------------

    def _scenario(self, record: SessionRecord) -> Scenario | None:
        return None if record.scenario is None else library.get(record.scenario)

    async def _session(self, session_id: str) -> tuple[SessionRecord, Scenario]:
        record = await self.sessions.get(session_id)
        if record is None:
            raise ScenarioError(404, "no such session")
        scenario = self._scenario(record)
        if scenario is None:
            raise ScenarioError(404, "this session has no scenario")
        return record, scenario

    async def view(self, session_id: str, interviewer: bool) -> dict[str, Any]:
        record, scenario = await self._session(session_id)
        state = st.load(record.meta)
        if interviewer:
            return st.interviewer_view(scenario, state, now_ms())
        return st.candidate_view(scenario, state, now_ms())

    # --- writing the record -----------------------------------------------------------------

    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    async def _update(
        self, session_id: str, change: Callable[[SessionRecord, st.ScenarioState], None]
    ) -> tuple[SessionRecord, st.ScenarioState]:
        """Read-modify-write of the scenario state. The state is read fresh from the store (other
        instances write it); the change is made on the shared cached record, so other holders of
        it (controls, the kernel id) never save a copy without it."""
        async with self._lock(session_id):
            fresh = await self.store.get_session(session_id)
            record = await self.sessions.get(session_id)
            if record is None or fresh is None:
                raise ScenarioError(404, "no such session")
            scenario_state = st.load(fresh.meta)
            change(record, scenario_state)
            record.meta[st.META_KEY] = st.dump(scenario_state)
            await self.sessions.save(record)
            return record, scenario_state

    async def _mirror_clock(self, session_id: str, clock: timeline.Clock) -> None:
        def change(doc: Doc[Any]) -> None:
            CONSOLE_SCENARIO.of(doc)["clock"] = st.clock_json(clock)

        await self.rooms.edit(session_id, DocName.CONSOLE, change, author="scenario")

    # --- the clock --------------------------------------------------------------------------

    async def control(self, session_id: str, action: str) -> dict[str, Any]:
        """start | pause | resume; 409 when the clock is not in a state that allows it."""
        record, scenario = await self._session(session_id)
        if record.state == "ended":
            raise ScenarioError(409, "the session has ended")
        moves = {"start": timeline.start, "pause": timeline.pause, "resume": timeline.resume}

        def change(rec: SessionRecord, s: st.ScenarioState) -> None:
            try:
                s.clock = moves[action](s.clock, now_ms())
            except timeline.ClockError as exc:
                raise ScenarioError(409, str(exc)) from exc
            if action == "start":
                rec.state = "live"

        _, scenario_state = await self._update(session_id, change)
        await self._mirror_clock(session_id, scenario_state.clock)
        self._active.add(session_id)
        self._wake.set()
        if action == "start" and st.has_kernel_work(scenario):
            self.request_sync(session_id)  # setup runs now, not at the candidate's first Run
        return st.clock_view(scenario_state.clock, now_ms())

    # --- events -----------------------------------------------------------------------------

    async def fire(self, session_id: str, event_id: str, by: str) -> None:
        record, scenario = await self._session(session_id)
        event = self._event(scenario, event_id)
        if record.state == "ended":
            raise ScenarioError(409, "the session has ended")
        if not await self._fire(session_id, scenario, event, by):
            raise ScenarioError(409, f"event {event_id!r} has already fired or been skipped")

    async def skip(self, session_id: str, event_id: str, by: str) -> None:
        _, scenario = await self._session(session_id)
        event = self._event(scenario, event_id)
        if not await self.store.claim(session_id, claim_key(event.id)):
            raise ScenarioError(409, f"event {event_id!r} has already fired or been skipped")
        at = now_ms()

        def change(_: SessionRecord, s: st.ScenarioState) -> None:
            s.done[event.id] = st.Done("skipped", at, by)

        await self._update(session_id, change)
        self._wake.set()

    def _event(self, scenario: Scenario, event_id: str) -> TimelineEvent:
        event = next((e for e in scenario.timeline if e.id == event_id), None)
        if event is None:
            raise ScenarioError(404, f"no event {event_id!r} in this scenario")
        return event

    async def _fire(
        self, session_id: str, scenario: Scenario, event: TimelineEvent, by: str
    ) -> bool:
        """Fire `event` once: claim, record, then write its effects. False if already done."""
        if not await self.store.claim(session_id, claim_key(event.id)):
            # Done by another instance (its record arrives with the next read) or lost in a
            # crash between claim and record: either way this process never tries it again.
            self._claimed_elsewhere.setdefault(session_id, set()).add(event.id)
            return False
        at = now_ms()
        hints = [a.hint for a in event.actions if isinstance(a, HintAction)]
        sections = [a.section for a in event.actions if isinstance(a, RevealAction)]
        has_code = bool(st.kernel_code(event))

        def change(_: SessionRecord, s: st.ScenarioState) -> None:
            s.done[event.id] = st.Done("fired", at, by)
            if has_code and event.id not in s.kernel_steps:
                s.kernel_steps.append(event.id)
            s.hints.extend(h for h in hints if h not in s.hints)
            s.sections.extend(x for x in sections if x not in s.sections)

        await self._update(session_id, change)
        await self._apply(session_id, scenario, event, at)
        if has_code:
            self.request_sync(session_id)
        self._wake.set()
        return True

    async def _apply(
        self, session_id: str, scenario: Scenario, event: TimelineEvent, at: int
    ) -> None:
        """Write an event's visible effects; entries already present (by id) are not rewritten."""
        effects = effects_of(scenario, event, at)
        if effects.console_events:
            await self._append_events(session_id, effects.console_events)
        if effects.board_elements:
            elements = effects.board_elements

            def add(doc: Doc[Any]) -> None:
                board = BOARD_ELEMENTS.of(doc)
                for element in elements:
                    if element["id"] not in board:
                        board[element["id"]] = element

            await self.rooms.edit(session_id, DocName.BOARD, add, author="scenario")

    async def _append_events(self, session_id: str, entries: list[dict[str, Any]]) -> None:
        def add(doc: Doc[Any]) -> None:
            events = CONSOLE_EVENTS.of(doc)
            present = {e.get("id") for e in events.to_py() or [] if isinstance(e, dict)}
            for entry in entries:
                if entry["id"] not in present:
                    events.append(entry)

        await self.rooms.edit(session_id, DocName.CONSOLE, add, author="scenario")

    async def _repair(self, record: SessionRecord) -> None:
        """After a restart: make sure every recorded event's visible effects were written."""
        scenario = self._scenario(record)
        if scenario is None:
            return
        state = st.load(record.meta)
        for event_id in state.fired():
            event = next((e for e in scenario.timeline if e.id == event_id), None)
            if event is not None:
                await self._apply(record.id, scenario, event, state.done[event_id].at)
        for key, done in state.done.items():
            hint_id = key.removeprefix("hint:")
            if done.how == "revealed" and any(h.id == hint_id for h in scenario.hints):
                entry = hint_entry(scenario, hint_id, "interviewer", done.at)
                await self._append_events(record.id, [entry])

    # --- hints ------------------------------------------------------------------------------

    async def reveal_hint(self, session_id: str, hint_id: str, by: str) -> None:
        _, scenario = await self._session(session_id)
        if not any(h.id == hint_id for h in scenario.hints):
            raise ScenarioError(404, f"no hint {hint_id!r} in this scenario")
        if not await self.store.claim(session_id, f"scenario-hint:{hint_id}"):
            raise ScenarioError(409, f"hint {hint_id!r} has already been revealed")
        at = now_ms()

        def change(_: SessionRecord, s: st.ScenarioState) -> None:
            s.done[f"hint:{hint_id}"] = st.Done("revealed", at, by)
            if hint_id not in s.hints:
                s.hints.append(hint_id)

        await self._update(session_id, change)
        await self._append_events(session_id, [hint_entry(scenario, hint_id, "interviewer", at)])

    # --- hidden kernel state ----------------------------------------------------------------

    def request_sync(self, session_id: str) -> None:
        """Bring the session's kernel up to date soon (one sync at a time per session)."""
        if session_id in self._syncs:
            self._sync_again.add(session_id)
            return
        self._syncs[session_id] = asyncio.create_task(self._sync_loop(session_id))

    async def _sync_loop(self, session_id: str) -> None:
        try:
            while True:
                self._sync_again.discard(session_id)
                try:
                    await self.kernels.sync_hidden(session_id)
                except Exception:
                    log.exception("bringing the kernel of session %s up to date failed", session_id)
                if session_id not in self._sync_again:
                    return
        finally:
            self._syncs.pop(session_id, None)
