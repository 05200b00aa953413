"""What the notebook's content checks (`server/sync/notebook_guard.py`) cost per client update.

A notebook of N cells (200, as issue 14's figures, and 900, near the `notebook_max_cells`
default of 1000) is seeded as the server seeds one; a client replica then makes three kinds of
edits: keystrokes into random cells, cells added and deleted (in turn), and metadata changes
(tags). Each update is taken the way `Room.apply_client_update` takes it, with and without the
guard, on fresh copies of the same doc, interleaved round by round (odd rounds guard first), in
this one process:

- peer (no guard): `get_state` (validation), the doc budget, `apply_update`;
- guard: the same plus `NotebookGuard.admit` (apply to the shadow, check the touched cells).

The store's append (a group commit, ~100 us or more) is left out of both, so the ratio is the
CPU path's alone: the end-to-end cost per update is smaller still. Also printed: the shadow's
one-off build (on a room's first client update) and its memory, as RSS growth per shadow
(`/proc/self/statm`). Figures only, no assertions. Run: `.venv/bin/python bench/notebook_guard.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from jupyter_ydoc import YNotebook  # noqa: E402
from pycrdt import Doc, get_state  # noqa: E402

from server.notebook import set_cells  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.sync.doc_limits import DocBudget, DocLimits  # noqa: E402
from server.sync.notebook_guard import NotebookGuard, NotebookGuardLimits  # noqa: E402

SOURCE = "import numpy as np\nx = np.arange(10)\nfor i in range(3):\n    print(x * i)\n"


def seeded(cells: int) -> bytes:
    doc: Doc[Any] = Doc()
    with doc.transaction():
        set_cells(
            doc,
            [
                {"id": f"c{i}", "cell_type": "code", "source": SOURCE, "metadata": {}}
                for i in range(cells)
            ],
        )
    return doc.get_update()


def edits(state: bytes, kind: str, count: int, seed: int) -> list[bytes]:
    """`count` updates of one kind, as a client's replica emits them."""
    rng = random.Random(seed)
    replica: Doc[Any] = Doc()
    replica.apply_update(state)
    nb = YNotebook(replica)
    out: list[bytes] = []
    for i in range(count):
        before = replica.get_state()
        if kind == "keystroke":
            source = nb.ycells[rng.randrange(nb.cell_number)]["source"]
            source.insert(rng.randrange(len(str(source)) + 1), rng.choice("abc =()\n"))
        elif kind == "add/delete" and i % 2:
            nb.ycells.pop(rng.randrange(nb.cell_number))
        elif kind == "add/delete":
            nb.ycells.insert(
                rng.randrange(nb.cell_number + 1),
                nb.create_ycell({"id": f"n{i}", "cell_type": "code", "source": "", "metadata": {}}),
            )
        else:  # metadata
            nb.ycells[rng.randrange(nb.cell_number)]["metadata"]["tags"] = [f"t{i}"]
        out.append(replica.get_update(before))
    return out


def take(state: bytes, updates: list[bytes], guarded: bool, settings: Settings) -> list[float]:
    """Each update's cost in seconds, the room's way (see the module docstring)."""
    doc: Doc[Any] = Doc()
    doc.apply_update(state)
    budget = DocBudget(DocLimits.from_settings(settings), "notebook")
    guard = NotebookGuard(NotebookGuardLimits.from_settings(settings)) if guarded else None
    if guard is not None:
        guard.admit(doc, b"\x00\x00")  # the one-off shadow build, timed on its own
    times: list[float] = []
    for update in updates:
        t0 = time.perf_counter()
        get_state(update)
        assert budget.admit(doc, update) is None
        if guard is not None:
            assert guard.admit(doc, update) is None
        doc.apply_update(update)
        times.append(time.perf_counter() - t0)
    return times


def timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def shadow_memory(state: bytes, settings: Settings, copies: int = 20) -> float:
    """RSS growth per shadow copy held (bytes)."""
    doc: Doc[Any] = Doc()
    doc.apply_update(state)
    limits = NotebookGuardLimits.from_settings(settings)
    before = rss_bytes()
    guards = [NotebookGuard(limits) for _ in range(copies)]
    for guard in guards:
        guard.admit(doc, b"\x00\x00")
    grown = rss_bytes() - before
    assert all(g.shadowing for g in guards)
    return grown / copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="200,900")
    parser.add_argument("--updates", type=int, default=400, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    settings = Settings()
    print(f"load average {os.getloadavg()[0]:.1f}; {args.rounds} rounds interleaved")
    for cells in (int(c) for c in args.cells.split(",")):
        state = seeded(cells)
        print(f"\n{cells} cells (doc state {len(state) / 1024:.0f} KiB)")
        print(f"  {'update':<10} {'peer us':>8} {'guard us':>9} {'ratio':>6}  (median per update)")
        for kind in ("keystroke", "add/delete", "metadata"):
            samples: dict[bool, list[float]] = {False: [], True: []}
            for r in range(args.rounds):
                updates = edits(state, kind, args.updates, seed=r)
                for guarded in (r % 2 == 1, r % 2 == 0):
                    samples[guarded] += take(state, updates, guarded, settings)
            peer, guard = statistics.median(samples[False]), statistics.median(samples[True])
            print(f"  {kind:<10} {peer * 1e6:8.1f} {guard * 1e6:9.1f} {guard / peer:6.2f}")
        limits = NotebookGuardLimits.from_settings(settings)

        def build(state: bytes = state, limits: NotebookGuardLimits = limits) -> None:
            doc: Doc[Any] = Doc()
            doc.apply_update(state)
            NotebookGuard(limits).admit(doc, b"\x00\x00")

        def copy_only(state: bytes = state) -> None:
            doc: Doc[Any] = Doc()
            doc.apply_update(state)

        shadow = timed(build, 5) - timed(copy_only, 5)
        print(f"  shadow build (first client update): {shadow * 1e3:.1f} ms")
        print(f"  shadow memory: {shadow_memory(state, settings) / 1024:.0f} KiB RSS per room")


if __name__ == "__main__":
    main()
