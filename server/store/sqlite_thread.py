"""The SQLite store's own database thread: every query, and the group commit of the update log.

Why not a `ThreadPoolExecutor` with a committer task on the event loop: each commit then cost the
loop a task wake-up to start it, an executor submit, and a concurrent future chained to an asyncio
one to learn it ended. Here the loop hands an `append` to the thread (a list under a lock, and a
queued marker when no commit is in flight) and the thread commits whatever has gathered, then
hands the whole batch's results back with one `call_soon_threadsafe`.

The next batch starts when the loop has taken those results (the hand-back queues its marker),
not as soon as the thread is free: the server's loop and this thread share a core (and the GIL),
so starting at once would only split the same work into more, smaller commits and more context
switches; waiting lets everything that arrived meanwhile share one commit. Under load a commit
carries many entries; idle, an entry commits alone and at once. No timer is involved.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

E = TypeVar("E")
T = TypeVar("T")

# Commits one batch, returning per entry its seq or the exception that refused it.
Committer = Callable[[list[E]], list[int | Exception]]


def _settle(future: asyncio.Future[Any], result: Any, failed: bool) -> None:
    if future.done():  # its awaiter was cancelled
        return
    if failed:
        future.set_exception(result)
    else:
        future.set_result(result)


def _hand_back(loop: asyncio.AbstractEventLoop, fn: Callable[..., None], *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # the loop was closed under an abandoned waiter
        loop.call_soon_threadsafe(fn, *args)


class _Commit:
    """The queue marker saying: commit what the pending appends hold now."""


_COMMIT = _Commit()
_STOP = None


class DatabaseThread(Generic[E]):
    def __init__(self, commit: Committer[E], *, name: str = "sqlite") -> None:
        self._commit = commit
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pending: list[tuple[E, asyncio.Future[int]]] = []
        # A commit is queued, running, or its results are on their way back to the loop.
        self._in_flight = False
        self._idle_waiters: list[asyncio.Future[None]] = []
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    # --- from the event loop ------------------------------------------------------------------

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the database thread, after everything queued before it."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._jobs.put((future, fn, args))
        return await future

    def append(self, entry: E) -> asyncio.Future[int]:
        """Queue `entry` for the next group commit; the future gets its seq once durable."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._pending.append((entry, future))
            if self._in_flight:
                return future  # it goes with the next commit, queued by the hand-back
            self._in_flight = True
        self._jobs.put(_COMMIT)
        return future

    def _settle_batch(self, batch: list[tuple[asyncio.Future[int], int | Exception]]) -> None:
        """On the loop: the batch's results, then the next commit if appends are waiting."""
        for future, result in batch:
            _settle(future, result, isinstance(result, Exception))
        with self._lock:
            if self._pending:
                self._jobs.put(_COMMIT)
                return
            self._in_flight = False
        waiters, self._idle_waiters = self._idle_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def drain(self) -> None:
        """Until every append so far is committed and its caller told."""
        while self._in_flight:
            waiter = asyncio.get_running_loop().create_future()
            self._idle_waiters.append(waiter)
            await waiter

    async def stop(self) -> None:
        """Let every append and everything queued finish, then end the thread."""
        await self.drain()
        self._jobs.put(_STOP)
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join)

    # --- on the database thread ---------------------------------------------------------------

    def _main(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            if job is _COMMIT:
                self._commit_pending()
                continue
            future, fn, args = job
            try:
                result, failed = fn(*args), False
            except BaseException as exc:  # handed to the awaiter, whatever it is
                result, failed = exc, True
            _hand_back(future.get_loop(), _settle, future, result, failed)

    def _commit_pending(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        try:
            results = self._commit([entry for entry, _ in batch])
        except Exception as exc:  # the committer itself failed: every entry hears it
            results = [exc] * len(batch)
        settled = [(future, result) for (_, future), result in zip(batch, results, strict=True)]
        # One hand-back per commit. Every append of a store comes from the loop it was opened
        # on, so the batch's first future names the loop for all of them.
        _hand_back(settled[0][0].get_loop(), self._settle_batch, settled)
