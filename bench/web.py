"""Browser client figures: bundle sizes (raw and gzip), the session room's time to interactive,
and typing latency after a 20,000-line output against an empty console (bench/web_typing.py).

Prints figures, asserts nothing. Needs a built client (`make web`) and Debian's Chromium.
Time to interactive is measured from navigation start to the moment the `code` doc is synced and
the editor accepts input (`window.pairboard.interactiveAt`, set by the client); the whiteboard is
loaded lazily after that and reported separately.

    .venv/bin/python bench/web.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.web_typing import typing_report  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

DIST = REPO / "web" / "dist"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IMPORT_RE = re.compile(r"""(?:from|import)\s*["']\./([^"']+\.js)["']""")


def sizes(files: set[str]) -> tuple[int, int]:
    raw = sum((DIST / "assets" / f).stat().st_size for f in files)
    gz = sum(len(gzip.compress((DIST / "assets" / f).read_bytes(), 9)) for f in files)
    return raw, gz


def static_closure(entry: str) -> set[str]:
    """The entry chunk and every chunk it imports statically (what loading it costs)."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = (DIST / "assets" / name).read_text(errors="replace")
        text = text.split("__vite__mapDeps", 1)[-1] if name == entry else text
        todo.extend(IMPORT_RE.findall(text))
    return seen


def bundle_report() -> None:
    html = (DIST / "index.html").read_text()
    initial = set(re.findall(r'/assets/([^"]+\.(?:js|css))"', html))
    js_initial = {f for f in initial if f.endswith(".js")}
    closure = set().union(*(static_closure(f) for f in js_initial)) | initial
    board_entry = next(p.name for p in (DIST / "assets").glob("Board-*.js"))
    board = static_closure(board_entry) - closure
    board |= {p.name for p in (DIST / "assets").glob("Board-*.css")}
    every = {p.name for p in (DIST / "assets").iterdir() if not p.name.endswith(".gz")}
    for label, files in (
        ("room initial (index.html's JS+CSS)", closure),
        ("whiteboard chunk (lazy, Excalidraw)", board),
        ("all assets (incl. lazy mermaid/locales)", every),
    ):
        raw, gz = sizes(files)
        print(
            f"{label:<42} {len(files):>4} files  {raw / 1024:>8.0f} KiB  gzip {gz / 1024:>7.0f} KiB"
        )
    fonts = sum(p.stat().st_size for p in (DIST / "excalidraw-assets").rglob("*") if p.is_file())
    print(f"{'excalidraw fonts (self-hosted, on demand)':<42} {fonts / 1024:>24.0f} KiB")


def tti_report(runs: int) -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("PAIRBOARD_BROWSER", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp))
        server.start()
        try:
            created = server.create_session(title="bench")
            link = created["links"]["candidate"]
            server.name_candidate(created)  # the name prompt is a first open's: not measured
            cold: list[float] = []
            board: list[float] = []
            warm: list[float] = []
            transferred: list[int] = []
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for _ in range(runs):
                    context = browser.new_context()  # empty cache: a first visit
                    page = context.new_page()
                    page.goto(link)
                    page.wait_for_function("window.pairboard && window.pairboard.interactiveAt")
                    cold.append(page.evaluate("window.pairboard.interactiveAt"))
                    page.wait_for_function("!!(window.pairboard && window.pairboard.excalidraw)")
                    board.append(page.evaluate("performance.now()"))
                    transferred.append(
                        page.evaluate(
                            "performance.getEntriesByType('resource')"
                            ".concat(performance.getEntriesByType('navigation'))"
                            ".reduce((n, e) => n + (e.transferSize || 0), 0)"
                        )
                    )
                    page.reload()  # cached assets: a returning visit
                    page.wait_for_function("window.pairboard && window.pairboard.interactiveAt")
                    warm.append(page.evaluate("window.pairboard.interactiveAt"))
                    context.close()
                browser.close()
        finally:
            server.stop()

    def fmt(xs: list[float]) -> str:
        return f"median {statistics.median(xs):6.0f} ms  (min {min(xs):.0f}, max {max(xs):.0f})"

    print(f"room time to interactive, cold cache  ({runs} runs): {fmt(cold)}")
    print(f"room time to interactive, warm cache  ({runs} runs): {fmt(warm)}")
    print(f"whiteboard ready (lazy chunk loaded)  ({runs} runs): {fmt(board)}")
    print(
        f"bytes transferred on a cold visit: median {statistics.median(transferred) / 1024:.0f} KiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        print("web/dist is not built: run `make web`", file=sys.stderr)
        return 1
    bundle_report()
    tti_report(args.runs)
    typing_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
