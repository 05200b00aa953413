"""Typing latency in the editor before and after a 20,000-line output, in one run (a ratio).

The issue's figure: after a 20,000-line output, 25 keystrokes took 925 ms against 436 ms before
it. The console now draws long output in chunks the browser skips while off screen and never
re-renders an output it has drawn (web/src/console/Output.tsx), so the target is a ratio near 1.

Each sample types 25 characters into the shared editor one key at a time, as a person does, and
stops the clock when the last one is in the editor's DOM and a frame has been drawn. Prints
figures, asserts nothing. Run by `bench/web.py`, or alone:

    .venv/bin/python bench/web_typing.py [--rounds 5] [--lines 20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.server import ServerProcess  # noqa: E402

KEYS = "abcdefghijklmnopqrstuvwxy"  # 25 keystrokes
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


# In the page: for each keydown, the time until the frame after it was drawn (rAF, then a task),
# i.e. the main thread's work for that key (handlers, style, layout, paint) without the
# automation's round trips.
KEY_TIMER = """() => {
  if (window.__keyMs) return;
  window.__keyMs = [];
  window.addEventListener('keydown', () => {
    const t0 = performance.now();
    requestAnimationFrame(() => setTimeout(() => window.__keyMs.push(performance.now() - t0)));
  }, true);
}"""


def type_keys(page: Any, marker: str) -> tuple[float, float]:
    """(wall ms, in-page ms) for 25 keystrokes typed and drawn; `marker` ends the sample."""
    page.evaluate(KEY_TIMER)
    page.evaluate("window.__keyMs.length = 0")
    started = time.perf_counter()
    page.keyboard.type(KEYS)
    wall = (time.perf_counter() - started) * 1000
    page.keyboard.type(marker)
    page.wait_for_function(
        "m => document.querySelector('.left .cm-content').textContent.includes(m)", arg=marker
    )
    page.wait_for_function("n => window.__keyMs.length >= n", arg=len(KEYS) + len(marker))
    in_page: float = page.evaluate(
        f"window.__keyMs.slice(0, {len(KEYS)}).reduce((a, b) => a + b, 0)"
    )
    return wall, in_page


def open_editor(browser: Any, link: str) -> Any:
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(link)
    page.wait_for_function("window.pairboard && window.pairboard.interactiveAt")
    return page


def focus_end(page: Any) -> None:
    page.locator(".left .cm-content").click()
    page.keyboard.press("Control+End")


def long_output(server: ServerProcess, created: dict[str, Any], page: Any, lines: int) -> None:
    """Runs a `lines`-line print in the session and waits until `page` has drawn all of it."""
    code = f"print('\\n'.join(f'output line {{i}}' for i in range({lines})))"
    r = httpx.post(
        f"{server.url}/api/sessions/{created['id']}/runs",
        json={"code": code},
        headers={"Authorization": f"Bearer {created['tokens']['candidate']}"},
        timeout=30,
    )
    r.raise_for_status()
    page.wait_for_function(
        "n => { const r = [...document.querySelectorAll('.console .run')].pop();"
        " return r && r.dataset.status === 'ok' &&"
        " r.querySelector('.run-outputs').textContent.includes('output line ' + n); }",
        arg=lines - 1,
        timeout=120_000,
    )


# What the client drew before chunking: the whole output in one <pre> (the same lines as
# long_output prints; the chunks far from view hold no text to copy).
UNCHUNKED = """(lines) => {
  const box = document.querySelector('.console .out-chunks');
  const pre = document.createElement('pre');
  pre.className = 'out-stream out-stdout';
  pre.textContent = Array.from({length: lines}, (_, i) => `output line ${i}\n`).join('');
  box.replaceWith(pre);
}"""


def typing_report(rounds_n: int = 5, lines: int = 20_000, peer_dist: Path | None = None) -> None:
    """Rooms typed in turn, round by round, so the shared machine's noise hits each alike: an
    empty console, a `lines`-line output as the client draws it, the same output as one block,
    and (with `peer_dist`, another build of the client, e.g. the previous commit's) the same
    output in that client, served by a second server."""
    import os

    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("PAIRBOARD_BROWSER", "/usr/bin/chromium")
    labels: tuple[str, ...] = (
        "empty console",
        f"{lines:,}-line output, chunked",
        f"{lines:,}-line output, one block",
    )
    if peer_dist is not None:
        labels += (f"{lines:,}-line output, client of {peer_dist}",)
    samples: dict[str, list[float]] = {label: [] for label in labels}
    in_page: dict[str, list[float]] = {label: [] for label in labels}
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(
            Path(tmp), env={"PAIRBOARD_KERNEL_POOL_SIZE": "1", "PAIRBOARD_KERNEL_PRELOAD_CODE": ""}
        )
        server.start(timeout=180)
        peer = ServerProcess(
            Path(tmp) / "peer",
            env={
                "PAIRBOARD_KERNEL_POOL_SIZE": "1",
                "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
                "PAIRBOARD_WEB_DIST": str(peer_dist),
            },
        )
        if peer_dist is not None:
            (Path(tmp) / "peer").mkdir()
            peer.start(timeout=180)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                pages = []
                for n, label in enumerate(labels):
                    host = peer if n == 3 else server
                    created = host.create_session(title=label)
                    host.name_candidate(created)  # the first open's name prompt: not measured
                    page = open_editor(browser, created["links"]["candidate"])
                    if label != labels[0]:
                        long_output(host, created, page, lines)
                    if label == labels[2]:
                        page.evaluate(UNCHUNKED, lines)
                    pages.append(page)
                chunks = pages[1].evaluate(
                    "document.querySelectorAll('.console .out-chunk').length"
                )
                drawn = pages[1].evaluate(
                    "document.querySelectorAll('.console .out-chunk[data-drawn=true]').length"
                )
                for i in range(rounds_n + 1):
                    turn = list(zip(labels, pages, strict=True))
                    shift = i % len(turn)  # each round starts with another page
                    for label, page in turn[shift:] + turn[:shift]:
                        page.bring_to_front()
                        focus_end(page)
                        page.keyboard.press("Enter")
                        wall, work = type_keys(page, f"#{i}")
                        if i:  # the first round warms each page up
                            samples[label].append(wall)
                            in_page[label].append(work)
                browser.close()
        finally:
            server.stop()
            if peer_dist is not None:
                peer.stop()
    print(
        f"typing 25 keystrokes, {rounds_n} interleaved rounds ({chunks} chunks,"
        f" {drawn} holding text while typing):"
    )
    base, base_work = statistics.median(samples[labels[0]]), statistics.median(in_page[labels[0]])
    for label in labels:
        m, w = statistics.median(samples[label]), statistics.median(in_page[label])
        print(
            f"  {label:<34} wall {m:6.0f} ms ({m / base:4.2f}x)"
            f"  keydown-to-frame {w:6.0f} ms ({w / base_work:4.2f}x the empty console)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--peer-dist", type=Path, help="another client build to compare with")
    args = parser.parse_args()
    typing_report(args.rounds, args.lines, args.peer_dist)
    return 0


if __name__ == "__main__":
    sys.exit(main())
