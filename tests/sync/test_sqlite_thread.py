"""The SQLite store's database thread: group commit, order, and failures handed to every waiter."""

from __future__ import annotations

import asyncio
import threading

import pytest

from server.store.sqlite_thread import DatabaseThread


class Recorder:
    """A committer that records each batch and gives entry i the seq 100 + i."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.committed: list[str] = []

    def __call__(self, entries: list[str]) -> list[int | Exception]:
        self.batches.append(list(entries))
        self.committed += entries
        return [100 + len(self.committed) - len(entries) + i for i in range(len(entries))]


async def test_appends_that_arrive_during_a_commit_share_the_next_one_in_order() -> None:
    recorder = Recorder()
    thread: DatabaseThread[str] = DatabaseThread(recorder)
    busy = threading.Event()
    blocker = asyncio.ensure_future(thread.run(busy.wait, 10))  # the thread is in "a commit"
    await asyncio.sleep(0)
    futures = [thread.append(name) for name in ("a", "b", "c")]
    busy.set()
    assert await blocker is True
    assert await asyncio.gather(*futures) == [100, 101, 102]
    assert recorder.batches == [["a", "b", "c"]]
    await thread.stop()


async def test_appends_during_an_in_flight_commit_wait_for_it_then_commit_together() -> None:
    recorder = Recorder()
    started, release = threading.Event(), threading.Event()

    def commit(entries: list[str]) -> list[int | Exception]:
        if not recorder.batches:
            started.set()
            release.wait(10)  # the first commit is slow
        return recorder(entries)

    thread: DatabaseThread[str] = DatabaseThread(commit)
    first = thread.append("a")
    assert await asyncio.to_thread(started.wait, 10)
    later = [thread.append(name) for name in ("b", "c", "d")]
    release.set()
    assert await first == 100
    assert await asyncio.gather(*later) == [101, 102, 103]
    assert recorder.batches == [["a"], ["b", "c", "d"]]
    await thread.stop()


async def test_drain_returns_once_every_append_so_far_is_committed() -> None:
    recorder = Recorder()
    thread: DatabaseThread[str] = DatabaseThread(recorder)
    futures = [thread.append(name) for name in ("a", "b")]
    await thread.drain()
    assert all(f.done() for f in futures)
    assert recorder.committed == ["a", "b"]
    await thread.stop()


async def test_a_failing_commit_fails_every_append_of_its_batch_and_the_thread_goes_on() -> None:
    calls = 0

    def commit(entries: list[str]) -> list[int | Exception]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("disk gone")
        return [7] * len(entries)

    thread: DatabaseThread[str] = DatabaseThread(commit)
    busy = threading.Event()
    blocker = asyncio.ensure_future(thread.run(busy.wait, 10))
    await asyncio.sleep(0)
    first = [thread.append("a"), thread.append("b")]
    busy.set()
    await blocker
    for future in first:
        with pytest.raises(OSError, match="disk gone"):
            await future
    assert await thread.append("c") == 7
    await thread.stop()


async def test_a_query_that_raises_raises_in_its_caller_only() -> None:
    thread: DatabaseThread[str] = DatabaseThread(Recorder())

    def bad() -> None:
        raise ValueError("no such table")

    with pytest.raises(ValueError, match="no such table"):
        await thread.run(bad)
    assert await thread.run(lambda: 42) == 42
    await thread.stop()


async def test_an_append_whose_waiter_was_cancelled_still_commits_and_others_get_their_seq() -> (
    None
):
    recorder = Recorder()
    thread: DatabaseThread[str] = DatabaseThread(recorder)
    busy = threading.Event()
    blocker = asyncio.ensure_future(thread.run(busy.wait, 10))
    await asyncio.sleep(0)
    gone, kept = thread.append("gone"), thread.append("kept")
    gone.cancel()
    busy.set()
    await blocker
    assert await kept == 101
    assert recorder.committed == ["gone", "kept"]
    await thread.stop()
