"""Where a Python server's time goes, from the py-spy stacks `run.py --profile DIR` records.

Each sample is the stack of whichever thread held the GIL (py-spy `--gil`), so idle waits are not
in it, nor SQLite's or the kernel's own C time. A sample is charged to one layer by its innermost
frame (self time), and separately counted for every layer anywhere on its stack (inclusive time:
how much a layer and what it calls cost). Also the innermost functions that hold the most samples.

Usage: python bench/sync/profile_summary.py FILE [FILE ...] [--top 15]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

# (layer, what a frame's file path contains), first match wins.
LAYERS = (
    ("websocket protocol (uvicorn, websockets)", ("/uvicorn/", "/websockets/")),
    ("ASGI framework (Starlette, FastAPI)", ("/starlette/", "/fastapi/")),
    ("sync: transport (ours, its write(2) included)", ("server/sync/transport.py",)),
    ("sync: rooms, endpoint, protocol", ("server/sync/",)),
    ("store: SQLite thread and queries", ("server/store/", "sqlite3")),
    ("pycrdt", ("/pycrdt/",)),
    # The loop's own C code (epoll, socket reads, callbacks) shows as `Runner.run`.
    ("asyncio and uvloop", ("/asyncio/", "uvloop")),
    ("threads, queues", ("/threading.py", "/queue.py", "/concurrent/")),
)
OTHER = "other"
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")


def layer_of(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    # py-spy names files relative to their sys.path entry ("asyncio/queues.py"): anchor them.
    where = "/" + (match.group("file") if match else frame)
    for layer, needles in LAYERS:
        if any(needle in where for needle in needles):
            return layer
    return OTHER


def parse(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    """py-spy's raw (collapsed) lines, `frame;frame;...;frame COUNT`, outermost first."""
    stacks = []
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def summarise(
    stacks: list[tuple[list[str], int]], top: int
) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    total = 0
    self_by_layer: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for frames, count in stacks:
        # py-spy puts the thread ("thread (0x..)" / "process ...") first when asked; skip those.
        frames = [f for f in frames if "(" in f and not f.startswith(("thread ", "process "))]
        if not frames:
            continue
        total += count
        self_by_layer[layer_of(frames[-1])] += count
        for layer in {layer_of(f) for f in frames}:
            inclusive[layer] += count
        leaves[frames[-1].strip()] += count
    return total, self_by_layer, inclusive, Counter(dict(leaves.most_common(top)))


def render(path_names: str, stacks: list[tuple[list[str], int]], top: int) -> str:
    total, self_by_layer, inclusive, leaves = summarise(stacks, top)
    if not total:
        return f"{path_names}: no samples"
    out = [f"{path_names}: {total} samples (GIL holder only)", "", "| layer | self | inclusive |"]
    out.append("| --- | --- | --- |")
    for layer, count in self_by_layer.most_common():
        out.append(f"| {layer} | {count / total:.0%} | {inclusive[layer] / total:.0%} |")
    out += ["", f"innermost functions, top {top}:"]
    out += [f"  {count / total:5.1%}  {leaf}" for leaf, count in leaves.most_common()]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    stacks = []
    for path in args.files:
        stacks += parse(path.read_text().splitlines())
    print(render(", ".join(p.name for p in args.files), stacks, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
