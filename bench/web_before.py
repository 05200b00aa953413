"""The "before" peer of bench/web.py: another git ref's server and client, built for this run.

`git worktree add --detach` checks the ref out beside this tree (nothing in this tree changes),
its `web/` is built with this tree's `node_modules` when the two lockfiles agree (else with its
own `npm ci`), and the benchmark serves its `web/dist` from its own `server/` code. The checkout
is removed again when the run ends, so a benchmark never leaves a worktree behind.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], cwd: Path) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def checkout_and_build(ref: str) -> Iterator[Path]:
    """A built checkout of `ref` (its `web/dist` and `server/`), removed on exit."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-before-"))
    tree = tmp / "tree"
    _run(["git", "worktree", "add", "--detach", str(tree), ref], REPO)
    try:
        web = tree / "web"
        ours = REPO / "web"
        same_lock = (web / "package-lock.json").read_bytes() == (
            ours / "package-lock.json"
        ).read_bytes()
        if same_lock:
            (web / "node_modules").symlink_to(ours / "node_modules")
        else:
            _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], web)
        # vite only: the type check says nothing about speed and costs a minute under load.
        _run(["npx", "vite", "build", "--logLevel", "error"], web)
        yield tree
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(tree)],
            cwd=REPO,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(tmp, ignore_errors=True)
