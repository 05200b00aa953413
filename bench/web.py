"""Browser client figures: bundle sizes, the room's editor-ready time (empty and warm cache),
Run-to-first-output in the browser split into where the time goes, and typing latency after a
20,000-line output against an empty console (bench/web_typing.py).

Prints figures, asserts nothing. Needs a built client (`make web`) and Debian's Chromium.
Editor ready is measured from navigation start to the moment the `code` doc is synced and the
editor accepts input (`window.pairboard.interactiveAt`, set by the client); the whiteboard is
loaded lazily after that and reported separately. A run is timed from the Run click to: the POST
answering, the run's entry and its first output arriving in the console doc, and the output being
on screen (a MutationObserver), on a warm kernel (one unmeasured run first). Each server writes
its runs' phases (server/run_trace.py), which `bench/web_phases.py` lines up with the browser's
moments on the host's one clock: the run's time split by where it goes.

Editor ready is also measured from outside the client, the same way for any build: the first
animation frame at which the `code` doc is live and CodeMirror's content is editable (an init
script polls each frame), so a build that moves its own mark cannot flatter itself.

A peer is measured in the same run, interleaved visit by visit (the order alternating), and the
ratio printed: `--before main` checks `main` out in a temporary git worktree, builds its client
and serves it with its own server code (bench/web_before.py); `--peer-dist` with `--peer-code`
takes a build and a checkout made by hand. `--runs 0` skips the kernel (no Run figures) and
`--no-typing` the typing benchmark, for editor-ready alone:

    .venv/bin/python bench/web.py --before main --visits 8 --runs 0 --no-typing
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.web_before import checkout_and_build  # noqa: E402
from bench.web_phases import phase_report  # noqa: E402
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
# Editor ready from outside the client: the first frame with the code doc live and the editor
# editable. Installed before any of the page's scripts run.
READY_PROBE = """(() => {
    const frame = () => {
        const p = window.pairboard;
        const code = p && p.sync && p.sync.links && p.sync.links.get('code');
        const editable = document.querySelector('.cm-content[contenteditable="true"]');
        if (code && code.state === 'live' && editable) {
            window.__benchEditorReady = performance.now();
            return;
        }
        requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
})();"""
IMPORT_RE = re.compile(r"""(?:from|import)\s*["']\./([^"']+\.js)["']""")


def sizes(dist: Path, files: set[str]) -> tuple[int, int, int]:
    """Raw, gzip -9 and what is sent to a brotli client (the build's .br copy where it has one)."""
    assets = dist / "assets"
    raw = sum((assets / f).stat().st_size for f in files)
    gz = sum(len(gzip.compress((assets / f).read_bytes(), 9)) for f in files)
    br = sum(
        (assets / f"{f}.br").stat().st_size if (assets / f"{f}.br").is_file() else 0 for f in files
    )
    return raw, gz, br


def static_closure(dist: Path, entry: str) -> set[str]:
    """The entry chunk and every chunk it imports statically (what loading it costs)."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = (dist / "assets" / name).read_text(errors="replace")
        text = text.split("__vite__mapDeps", 1)[-1] if name == entry else text
        todo.extend(IMPORT_RE.findall(text))
    return seen


def bundle_report(dist: Path) -> None:
    html = (dist / "index.html").read_text()
    scripts = set(re.findall(r'<script[^>]+src="/assets/([^"]+\.js)"', html))
    css = set(re.findall(r'/assets/([^"]+\.css)"', html))
    closure = set().union(*(static_closure(dist, f) for f in scripts)) | css
    # Since the route split the room is its own chunk; index.html preloads it (and its imports).
    room = {p.name for p in (dist / "assets").glob("Room-*.js")}
    room_closure = set().union(set(), *(static_closure(dist, f) for f in room)) - closure
    board_entry = next(p.name for p in (dist / "assets").glob("Board-*.js"))
    board = static_closure(dist, board_entry) - closure - room_closure
    board |= {p.name for p in (dist / "assets").glob("Board-*.css")}
    every = {p.name for p in (dist / "assets").iterdir() if not p.name.endswith((".gz", ".br"))}
    for label, files in (
        ("entry (index.html's script + CSS)", closure),
        ("room route (preloaded: editor, sync)", room_closure),
        ("whiteboard chunk (lazy, Excalidraw)", board),
        ("all assets (incl. lazy mermaid/locales)", every),
    ):
        if not files:
            print(f"{label:<42}    - (not a separate chunk in this build)")
            continue
        raw, gz, br = sizes(dist, files)
        print(
            f"{label:<42} {len(files):>4} files  {raw / 1024:>8.0f} KiB  gzip {gz / 1024:>7.0f} KiB"
            + (f"  br {br / 1024:>6.0f} KiB" if br else "")
        )


# Clicks Run and resolves with when (ms after the click) the run's entry and its first output
# reached the console doc, the POST answered, and the output was in the DOM.
RUN_PROBE = """async ([marker, tail]) => {
    const sync = window.pairboard.sync;
    sync.link('code').doc.transact(() => {
        const src = sync.link('code').doc.getText('source');
        src.delete(0, src.length);
        src.insert(0, `print('${marker}')` + tail);
    });
    const runs = sync.link('console').doc.getArray('runs');
    const box = document.querySelector('.console');
    const out = {};
    let t0 = 0;
    const has = () => runs.toArray().find(r => (r.get('code') || '').includes(marker));
    const watch = () => {
        const r = has();
        if (!r) return;
        out.entry ??= performance.now() - t0;
        out.run_id ??= r.get('id');
        if ((r.get('outputs')?.length ?? 0) > 0 && out.output_doc === undefined) {
            out.output_doc = performance.now() - t0;
            out.output_doc_epoch = Date.now();  // the server's trace reads the same clock
        }
    };
    runs.observeDeep(watch);
    const dom = new Promise(resolve => {
        const obs = new MutationObserver(() => {
            const pres = box.querySelectorAll('.run-outputs pre');
            for (const p of pres) {
                if (p.textContent.includes(marker)) { obs.disconnect(); resolve(); return; }
            }
        });
        obs.observe(box, {subtree: true, childList: true, characterData: true});
    });
    // The server takes the next run once the last one's kernel status is written (idle).
    const kernel = sync.link('console').doc.getMap('kernel');
    const idle = () => runs.toArray().every(r => r.get('status') !== 'running')
        && (kernel.get('status') ?? 'idle') === 'idle'
        && !document.querySelector('[data-testid=run]').disabled;
    const waitUntil = Date.now() + 60000;
    while (!idle()) {  // one run at a time
        if (Date.now() > waitUntil) throw new Error('the last run did not end in 60 s');
        await new Promise(r => setTimeout(r, 20));
    }
    await new Promise(r => requestAnimationFrame(() => r()));
    t0 = performance.now();
    out.t0_epoch = Date.now();
    document.querySelector('[data-testid=run]').click();
    const post = (async () => {
        for (;;) {
            const e = performance.getEntriesByType('resource')
                .filter(e => e.name.endsWith('/runs')).pop();
            if (e && e.responseEnd > t0) return e.responseEnd - t0;
            await new Promise(r => setTimeout(r, 5));
        }
    })();
    await Promise.race([dom, new Promise((_, no) => setTimeout(() => no(new Error(
        'no output in 30 s: ' + box.textContent.slice(-300))), 30000))]);
    out.output_dom = performance.now() - t0;
    out.post = await post;
    runs.unobserveDeep(watch);
    return out;
}"""


WORK_TAIL = "\nimport time\ntime.sleep(0.5)"


class Peer:
    """One build of the client and one checkout of the server, measured in the same run."""

    def __init__(self, name: str, dist: Path, code: Path | None, tmp: Path) -> None:
        self.name = name
        self.dist = dist
        from kernels.settings import KernelSettings

        # Its server's run phases (server/run_trace.py; ignored by code from before it).
        self.trace_file = tmp / f"{name.replace(' ', '-')}-run-traces.jsonl"
        self.probes: list[dict[str, Any]] = []
        env = {
            "PAIRBOARD_RUN_TRACE_FILE": str(self.trace_file),
            "PAIRBOARD_WEB_DIST": str(dist),
            "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
            # The peer's checkout has no kernel env of its own: both use this tree's.
            "PAIRBOARD_KERNEL_ENV_DIR": str(KernelSettings().env_dir),
        }
        if code is not None:
            env["PYTHONPATH"] = str(code)
        self.server = ServerProcess(tmp / name, env=env, cwd=code)
        self.figures: dict[str, list[float]] = {}
        # Checkouts from before the candidate's name prompt have no name route.
        routes = (code or REPO) / "server" / "api" / "sessions.py"
        self.names_candidate = '/{session_id}/name"' in routes.read_text()

    def add(self, key: str, value: float) -> None:
        self.figures.setdefault(key, []).append(value)


def open_room(peer: Peer, browser: Any, runs_per_visit: int) -> tuple[Any, Any] | None:
    """A first visit (empty cache) and a return (warm cache), measured; the warm page, its kernel
    started by one unmeasured run, and its context (none when no run is measured)."""
    created = peer.server.create_session(title="bench")
    link = created["links"]["candidate"]
    if peer.names_candidate:  # the name prompt is a first open's: not measured
        peer.server.name_candidate(created)
    context = browser.new_context()  # empty cache: a first visit
    context.add_init_script(READY_PROBE)
    page = context.new_page()
    page.goto(link)
    page.wait_for_function("window.__benchEditorReady")
    peer.add("editor ready, empty cache", page.evaluate("window.__benchEditorReady"))
    page.wait_for_function("window.pairboard && window.pairboard.interactiveAt")
    peer.add("client's own mark, empty cache", page.evaluate("window.pairboard.interactiveAt"))
    page.wait_for_function("!!(window.pairboard && window.pairboard.excalidraw)")
    peer.add("whiteboard ready, empty cache", page.evaluate("performance.now()"))
    peer.add(
        "KiB transferred, empty cache",
        page.evaluate(
            "performance.getEntriesByType('resource')"
            ".concat(performance.getEntriesByType('navigation'))"
            ".reduce((n, e) => n + (e.transferSize || 0), 0)"
        )
        / 1024,
    )
    page.reload()  # cached assets: a returning visit
    page.wait_for_function("window.__benchEditorReady")
    peer.add("editor ready, warm cache", page.evaluate("window.__benchEditorReady"))
    if runs_per_visit == 0:
        context.close()
        return None
    page.wait_for_function("window.pairboard.sync.link('console').state === 'live'")
    page.evaluate(RUN_PROBE, ["warm-up-0", ""])  # starts the kernel: not counted
    return context, page


def measure_run(peer: Peer, page: Any, marker: str, tail: str) -> None:
    r = page.evaluate(RUN_PROBE, [marker, tail])
    if tail:
        peer.add("run that works on: first output on screen", r["output_dom"])
        return
    peer.add("run: POST answered", r["post"])
    peer.add("run: entry in console doc", r["entry"])
    peer.add("run: first output in console doc", r["output_doc"])
    peer.add("run: first output on screen", r["output_dom"])
    peer.probes.append(r)


def measure(peers: list[Peer], browser: Any, runs_per_visit: int) -> None:
    """One visit of every peer, then their runs interleaved run by run (the order alternating),
    so the shared machine's load hits each peer alike. The last runs print and then keep
    working (a training loop's first epoch): their first line shows only once the kernel sends
    it, not when the cell ends."""
    rooms = [open_room(peer, browser, runs_per_visit) for peer in peers]
    opened = [room for room in rooms if room is not None]
    if not opened:
        return
    jobs = [(f"bench-mark-{i}", "") for i in range(runs_per_visit)]
    jobs += [(f"work-mark-{i}", WORK_TAIL) for i in range(2)]
    for n, (marker, tail) in enumerate(jobs):
        order = list(zip(peers, opened, strict=True))
        for peer, (_, page) in order if n % 2 == 0 else order[::-1]:
            measure_run(peer, page, marker, tail)
    for context, _ in opened:
        context.close()


def browser_report(peers: list[Peer], visits: int, runs_per_visit: int) -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("PAIRBOARD_BROWSER", "/usr/bin/chromium")
    loads = [os.getloadavg()[0]]
    for peer in peers:
        peer.server.start(timeout=180)  # a loaded machine starts slowly
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for visit in range(visits):  # interleaved: each visit measures every peer once
                measure(peers if visit % 2 == 0 else peers[::-1], browser, runs_per_visit)
                loads.append(os.getloadavg()[0])
            browser.close()
    finally:
        for peer in peers:
            peer.server.stop()
    print(f"\nload average (1 min) during the run: {min(loads):.1f} to {max(loads):.1f}", end="")
    print(f" on {os.cpu_count()} cores; this process's nice: {os.nice(0)}")
    keys = list(peers[0].figures)
    head = "".join(f"{p.name:>26}" for p in peers)
    print(f"\n{'median (min-max) over ' + str(visits) + ' visits, ms':<40}{head}")
    for key in keys:
        cells = []
        for p in peers:
            xs = p.figures.get(key, [])
            med = statistics.median(xs)
            cells.append(f"{med:8.0f} ({min(xs):.0f}-{max(xs):.0f})".rjust(26))
        ratio = ""
        if len(peers) == 2:
            a, b = (statistics.median(p.figures[key]) for p in peers)
            ratio = f"   x{b / a:.2f}" if a else ""
            # The same visit's two figures were taken seconds apart, under the same load: the
            # median of their ratios is steadier than the ratio of the medians.
            pairs = zip(peers[0].figures[key], peers[1].figures[key], strict=False)
            per_visit = [y / x for x, y in pairs if x]
            if per_visit:
                ratio += f"  (per visit x{statistics.median(per_visit):.2f})"
        print(f"{key:<40}{''.join(cells)}{ratio}")
    phase_report(peers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=5, help="empty-cache visits per peer")
    parser.add_argument("--runs", type=int, default=5, help="runs per visit on a warm kernel")
    parser.add_argument("--peer-dist", type=Path, help="another build of web/dist to compare")
    parser.add_argument("--peer-code", type=Path, help="the server checkout that serves it")
    parser.add_argument("--peer-name", default="before")
    parser.add_argument("--before", metavar="REF", help="build REF in a git worktree as the peer")
    parser.add_argument("--dist", type=Path, default=DIST, help="this tree's build to measure")
    parser.add_argument("--no-typing", action="store_true", help="skip bench/web_typing.py")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if not (args.dist / "index.html").is_file():
        print("web/dist is not built: run `make web`", file=sys.stderr)
        return 1
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        peers = [Peer("this tree", args.dist, None, tmp)]
        if args.before:
            print(f"building {args.before} in a temporary worktree ...")
            tree = stack.enter_context(checkout_and_build(args.before))
            peers.insert(0, Peer(args.before, tree / "web" / "dist", tree, tmp))
        elif args.peer_dist:
            peers.insert(0, Peer(args.peer_name, args.peer_dist, args.peer_code, tmp))
        for peer in peers:
            print(f"bundle: {peer.name} ({peer.dist})")
            bundle_report(peer.dist)
        browser_report(peers, args.visits, args.runs)
    if not args.no_typing:
        typing_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
