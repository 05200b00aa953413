"""Sync benchmark: R rooms x 2 stock y-websocket clients typing, Pairboard against its peers in the
same run: the Node reference (`@y/websocket-server`) and pycrdt-websocket.

For each R, the servers take turns (A B C A B C ..., `--repeats` rounds), a fresh server process
each time, every one pinned to core 0 at the same niceness; one Node process (`load.mjs`, real
`yjs` + `y-websocket`) drives all 2R clients from core 1. Each client inserts one character 5
times a second. Per run: delivery latency p50/p99, deliveries lost, rooms converged, and from
/proc (procstat.py) the server's CPU per delivered edit (user/system, event-loop thread / SQLite
writer thread / other threads), write syscalls per delivered edit and RSS, over the typing +
drain window. Per R, a table of each server's medians with their ratios to the reference's.
Pairboard runs with its persistence on (the SQLite update log, group commit); the others keep
rooms in memory.

The machine may be shared and noisy: compare figures within one run of this script (the ratios),
not across days. Figures, not assertions: nothing here fails on a slow result.

With `PAIRBOARD_BENCH_BEFORE=<a Pairboard tree>` (e.g. main, `git archive`d to a directory) the
default turns also run that tree's server as `before` (pairboard before node pycrdt), so that a
change is measured against the code it changes, interleaved in the same run.

Usage: python bench/sync/run.py [--rooms 50,200,500,1000] [--duration 20] [--repeats 2]
                                [--servers pairboard,before,node,pycrdt] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make `bench.sync.*` importable

from bench.sync import procstat, report  # noqa: E402
from bench.sync.servers import (  # noqa: E402
    BEFORE_ENV,
    GENERATOR_CORE,
    HERE,
    NICE,
    REFERENCE,
    Target,
    free_port,
    missing,
    pairboard_trees,
    wait_for_port,
)

PY_SPY = Path(sys.executable).parent / "py-spy"


# --- profiling -----------------------------------------------------------------------------


def start_profiler(pid: int, out_dir: Path | None, name: str) -> subprocess.Popen[bytes] | None:
    """py-spy on the server during the measured window: collapsed stacks of whichever thread
    holds the GIL (so Python time only, idle waits excluded; SQLite's own C time is not in them)."""
    if out_dir is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    argv = [str(PY_SPY), "record", "--nonblocking", "--gil", "-r", "250", "-f", "raw"]
    argv += ["-o", str(out_dir / f"{name}.txt"), "-p", str(pid)]
    return subprocess.Popen(
        ["taskset", "-c", GENERATOR_CORE, *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profiler(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        proc.wait(30)


# --- one run --------------------------------------------------------------------------------


class Generator:
    """The Node load generator, spoken to in JSON lines (see load.mjs)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.proc = subprocess.Popen(
            [*NICE, "taskset", "-c", GENERATOR_CORE, "node", str(HERE / "load.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.send(json.dumps(config))

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, event: str) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"load generator exited ({self.proc.wait()}) before {event!r}")
        message: dict[str, Any] = json.loads(line)
        if message.get("event") != event:
            raise RuntimeError(f"expected {event!r} from the generator, got {message}")
        return message

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_one(target: Target, rooms: int, round_no: int, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        log_path = Path(tmp) / "server.log"
        with open(log_path, "wb") as log:
            server = target.start(port, Path(tmp) / "data", log)
            generator: Generator | None = None
            try:
                wait_for_port(port, server)
                config = {
                    "rooms": target.rooms(port, rooms),
                    "rate": args.rate,
                    "duration_s": args.duration,
                    "drain_s": args.drain,
                    "connect_concurrency": 20,
                    "connect_timeout_s": args.connect_timeout,
                    "open": args.open,
                }
                generator = Generator(config)
                ready = generator.expect("ready")
                profiler = None
                if target.is_python:
                    name = f"{target.name}-{rooms}-{round_no}"
                    profiler = start_profiler(server.pid, args.profile, name)
                load_before = os.getloadavg()[0]
                before = procstat.sample(server.pid)
                generator.send("go")
                generator.expect("done")
                after = procstat.sample(server.pid)
                load_after = os.getloadavg()[0]
                stop_profiler(profiler)
                status = Path(f"/proc/{server.pid}/status").read_text()
                names = procstat.thread_names(
                    server.pid, PY_SPY if target.is_python else None, GENERATOR_CORE
                )
                generator.send("report")
                result = generator.expect("result")
            except Exception:
                sys.stderr.write(log_path.read_text()[-3000:] if log_path.exists() else "")
                raise
            finally:
                if generator is not None:
                    generator.close()
                stop_server(server)
    spent = procstat.window(before, after)
    return {
        **result,
        "server": target.name,
        "round": round_no,
        "load_avg": max(load_before, load_after),
        "connect_failed": ready["failed"],
        "connect_s": ready["connect_ms"] / 1000,
        # What the generator managed to send of what was asked (2 clients x rate x typing time).
        "sent_share": result["sent"] / (rooms * 2 * args.rate * result["typing_ms"] / 1000),
        **report.per_edit(spent, server.pid, names, result["delivered"]),
        "server_core": spent.process.cpu_s / (result["typing_ms"] / 1000),
        "rss_mib": procstat.status_kib(status, "VmRSS") / 1024,
        "hwm_mib": procstat.status_kib(status, "VmHWM") / 1024,
    }


# --- the whole run --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rooms", help="comma-separated room counts (default 50,200,500,1000)")
    parser.add_argument("--duration", type=float, help="seconds of typing per run (default 20)")
    parser.add_argument("--drain", type=float, default=10.0, help="max seconds to await delivery")
    parser.add_argument("--rate", type=float, default=5.0, help="edits per second per client")
    parser.add_argument(
        "--repeats", type=int, help="rounds per room count, servers interleaved (default 2)"
    )
    parser.add_argument(
        "--servers",
        default=None,
        help="which, in turn order (default pairboard,node,pycrdt; with $"
        + BEFORE_ENV
        + " set, pairboard,before,node,pycrdt)",
    )
    parser.add_argument(
        "--reference", default=REFERENCE, help="the server every ratio is taken against"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 50 rooms (unless --rooms), 5 s typing, 1 round, 5 s drain",
    )
    parser.add_argument(
        "--open",
        choices=["staggered", "together"],
        default="staggered",
        help="connect each room's two clients one after the other, or at the same instant",
    )
    parser.add_argument(
        "--connect-timeout", type=float, default=30.0, help="seconds for a client to sync"
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--profile", type=Path, help="record py-spy collapsed stacks of each Python server here"
    )
    args = parser.parse_args(argv)
    if args.servers is None:
        before = ["before"] if os.environ.get(BEFORE_ENV) else []
        args.servers = ",".join(["pairboard", *before, "node", "pycrdt"])
    quick = args.quick
    args.rooms = args.rooms or ("50" if quick else "50,200,500,1000")
    args.duration = args.duration or (5.0 if quick else 20.0)
    args.repeats = args.repeats or (1 if quick else 2)
    if quick:
        args.drain = min(args.drain, 5.0)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (ROOT / "tests/js/node_modules/y-websocket").is_dir():
        print("tests/js/node_modules is missing: run `make js-deps`", file=sys.stderr)
        return 2
    names = args.servers.split(",")
    problems = [p for p in map(missing, names) if p]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    counts = [int(n) for n in args.rooms.split(",")]
    targets = [Target(name) for name in names]
    total = len(counts) * args.repeats * len(targets)
    print(
        f"{args.rate:g} edits/s per client, 2 clients per room, {args.duration:g} s of typing, "
        f"up to {args.drain:g} s drain; {args.repeats} round(s) per room count, servers in turn "
        f"({' '.join(names)}), a fresh process each run"
    )
    print("every server on core 0 at nice -10, the load generator (Node) on core 1")
    for name, tree in pairboard_trees().items():
        if name in names:
            print(f"{name}: the Pairboard tree at {tree}, same Python and packages")
    print(
        "cpu/edit: server CPU µs per delivered edit; writes/edit: write syscalls per delivered "
        "edit;\ncore: server CPU / typing time; gen: generator CPU share; load: 1-min load average;"
        f"\n*: the generator sent under {report.FULL_LOAD_SHARE:.0%} of the edits asked for"
        " (its core was busy): that round is left out of the medians"
    )
    print(report.PROGRESS_HEADER, flush=True)
    runs: list[dict[str, Any]] = []
    started = time.monotonic()
    done = 0
    for count in counts:
        for round_no in range(1, args.repeats + 1):
            for target in targets:
                done += 1
                print(
                    f"  [{done}/{total}] {target.name}, {count} rooms, round {round_no} ...",
                    file=sys.stderr,
                    flush=True,
                )
                result = run_one(target, count, round_no, args)
                runs.append(result)
                print(report.progress_row(result, time.monotonic() - started), flush=True)
        these = [r for r in runs if r["rooms"] == count]
        print(report.table(report.summarise(these, args.reference), args.reference, these))
        print(flush=True)
        if args.json:  # after every room count, so a long run that is stopped keeps its figures
            write_json(args, runs)
    return 0


def write_json(args: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    config = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    document = {
        "config": config,
        "load_avg_at_end": os.getloadavg(),
        "runs": runs,
        "summary": report.summarise(runs, args.reference),
    }
    args.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    sys.exit(main())
