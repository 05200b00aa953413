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


class _Results(asyncio.Future[list[int | Exception]]):
    """One group commit's results, per entry in append order, awaited by every append of it.

    A waiter being cancelled must not cancel the others' results, so `cancel` refuses: the
    cancelled waiter's task then raises `CancelledError` when the batch is settled (its entry
    commits all the same, as it did with a future of its own).
    """

    def cancel(self, msg: Any = None) -> bool:
        return False


class _Batch(Generic[E]):
    """The appends gathered for one commit: their entries and the one future of their results."""

    __slots__ = ("entries", "results")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.entries: list[E] = []
        self.results = _Results(loop=loop)


class DatabaseThread(Generic[E]):
    def __init__(self, commit: Committer[E], *, name: str = "sqlite") -> None:
        self._commit = commit
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # Guards `_filling` between the loop's appends and the thread taking it for a commit.
        self._lock = threading.Lock()
        self._filling: _Batch[E] | None = None
        # A commit is queued, running, or its results are on their way back to the loop. Read
        # and written on the loop only.
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

    async def append(self, entry: E) -> int:
        """Commit `entry` with the next group commit; its seq once durable.

        The entry is queued before the first await: appends keep their call order.
        """
        with self._lock:
            batch = self._filling
            if batch is None:
                batch = self._filling = _Batch(asyncio.get_running_loop())
            index = len(batch.entries)
            batch.entries.append(entry)
        if not self._in_flight:  # else it goes with the next commit, queued by the hand-back
            self._in_flight = True
            self._jobs.put(_COMMIT)
        result = (await batch.results)[index]
        if isinstance(result, Exception):
            raise result
        return result

    def _settle_batch(self, batch: _Batch[E], results: list[int | Exception]) -> None:
        """On the loop: the batch's results, then the next commit if appends are waiting.

        No lock: the thread takes `_filling` only for a queued commit, and none is queued while
        this commit's results are on their way back."""
        batch.results.set_result(results)
        if self._filling is not None:
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
            batch, self._filling = self._filling, None
        assert batch is not None, "a commit is queued only with an append waiting"
        try:
            results = self._commit(batch.entries)
        except Exception as exc:  # the committer itself failed: every entry hears it
            results = [exc] * len(batch.entries)
        # One hand-back per commit, on the loop the batch's appends came from.
        _hand_back(batch.results.get_loop(), self._settle_batch, batch, results)
