"""Sync benchmark: R rooms x 2 stock y-websocket clients typing, Pairboard vs pycrdt-websocket.

For each server and each R, a fresh server process is pinned to core 0 and one Node process
(`load.mjs`, real `yjs` + `y-websocket`) driving all 2R clients is pinned to core 1, so neither
steals the other's CPU. Each client inserts one character 5 times a second. Printed per run:
delivery latency p50/p99, deliveries lost, rooms converged, the server's CPU per delivered edit
(utime + stime from /proc/PID/stat over the typing + drain window) and its RSS. Pairboard runs with
its persistence on (the SQLite update log, group commit); pycrdt-websocket keeps rooms in memory.

Figures, not assertions: nothing here fails on a slow result.

Usage: python bench/sync/run.py [--rooms 50,200,500] [--duration 20] [--servers pairboard,pycrdt]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ADMIN_TOKEN = "bench-admin-token"
SERVER_CORE, GENERATOR_CORE = "0", "1"
# Both the server and the generator run at this niceness, so that whatever else runs on the
# machine interferes less with the measurement (both servers get the same treatment).
NICE = ["nice", "-n", "-10"]
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- pure helpers ---------------------------------------------------------------------------


def cpu_seconds(stat_line: str) -> float:
    """utime + stime of a /proc/PID/stat line (fields 14 and 15), in seconds, all threads."""
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds per thread of `pid` (the main thread's id is the pid)."""
    times = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            times[int(task.name)] = cpu_seconds((task / "stat").read_text())
        except FileNotFoundError:
            continue  # the thread ended between listing and reading
    return times


def status_kib(status_text: str, key: str) -> int:
    """A `kB` field of /proc/PID/status, e.g. VmRSS or VmHWM."""
    for line in status_text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "-"
    return f"{ours / theirs:.2f}x"


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port} after {timeout} s")


@dataclass
class Target:
    """A server under test: how to start it and which rooms the clients join."""

    name: str

    def start(self, port: int, data_dir: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
        if self.name == "pairboard":
            argv = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]
            argv += ["--data-dir", str(data_dir)]
        else:
            argv = [sys.executable, str(HERE / "pycrdt_ws_server.py"), str(port)]
        env = {
            **os.environ,
            "PAIRBOARD_ADMIN_TOKEN": ADMIN_TOKEN,
            "PAIRBOARD_LOG_LEVEL": "warning",
            # No warm kernels: their start-up CPU would be counted against the sync path.
            "PAIRBOARD_KERNEL_POOL_SIZE": "0",
        }
        # nice and taskset exec the server, so the Popen pid is the server's own pid.
        return subprocess.Popen(
            [*NICE, "taskset", "-c", SERVER_CORE, *argv], cwd=ROOT, env=env, stdout=log, stderr=log
        )

    def rooms(self, port: int, count: int) -> list[dict[str, Any]]:
        if self.name != "pairboard":
            url = f"ws://127.0.0.1:{port}"
            return [{"url": url, "name": f"room-{i}", "params": [{}, {}]} for i in range(count)]
        rooms = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for i in range(count):
                response = http.post(
                    "/api/sessions",
                    json={"title": f"bench {i}"},
                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                )
                response.raise_for_status()
                created = response.json()
                tokens = created["tokens"]
                rooms.append(
                    {
                        "url": f"ws://127.0.0.1:{port}/ws/{created['id']}",
                        "name": "code",
                        "params": [
                            {"token": tokens["interviewer"]},
                            {"token": tokens["candidate"]},
                        ],
                    }
                )
        return rooms


# --- profiling -----------------------------------------------------------------------------


def start_profiler(pid: int, out_dir: Path | None, name: str) -> subprocess.Popen[bytes] | None:
    """py-spy on the server during the measured window: collapsed stacks of whichever thread
    holds the GIL (so Python time only, idle waits excluded; SQLite's own C time is not in them)."""
    if out_dir is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    py_spy = Path(sys.executable).parent / "py-spy"
    argv = [str(py_spy), "record", "--nonblocking", "--gil", "-r", "250", "-f", "raw"]
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


def run_one(target: Target, rooms: int, args: argparse.Namespace) -> dict[str, Any]:
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
                stat = Path(f"/proc/{server.pid}/stat")
                profiler = start_profiler(server.pid, args.profile, f"{target.name}-{rooms}")
                load_before = os.getloadavg()[0]
                cpu_before = cpu_seconds(stat.read_text())
                threads_before = thread_cpu_seconds(server.pid)
                generator.send("go")
                generator.expect("done")
                cpu = cpu_seconds(stat.read_text()) - cpu_before
                threads_after = thread_cpu_seconds(server.pid)
                main_cpu = threads_after.get(server.pid, 0.0) - threads_before.get(server.pid, 0.0)
                load_after = os.getloadavg()[0]
                stop_profiler(profiler)
                status = Path(f"/proc/{server.pid}/status").read_text()
                generator.send("report")
                result = generator.expect("result")
            except Exception:
                sys.stderr.write(log_path.read_text()[-3000:] if log_path.exists() else "")
                raise
            finally:
                if generator is not None:
                    generator.close()
                server.terminate()
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    delivered = result["delivered"]
    return {
        **result,
        "server": target.name,
        "load_avg": max(load_before, load_after),
        "connect_failed": ready["failed"],
        "connect_s": ready["connect_ms"] / 1000,
        "server_cpu_s": cpu,
        # The event loop's share; the rest is worker threads (Pairboard: the SQLite writer).
        "main_thread_share": main_cpu / cpu if cpu else None,
        "server_core": cpu / (result["typing_ms"] / 1000),
        "cpu_ms_per_edit": cpu * 1000 / delivered if delivered else None,
        "rss_mib": status_kib(status, "VmRSS") / 1024,
        "hwm_mib": status_kib(status, "VmHWM") / 1024,
    }


# --- report ---------------------------------------------------------------------------------

COLUMNS = [
    ("server", "{:<10}"),
    ("rooms", "{:>5}"),
    ("sent", "{:>7}"),
    ("lost", "{:>5}"),
    ("connect_failed", "{:>4}"),
    ("converged", "{:>9}"),
    ("closes", "{:>6}"),
    ("p50_ms", "{:>7.1f}"),
    ("p99_ms", "{:>7.1f}"),
    ("cpu_ms_per_edit", "{:>9.3f}"),
    ("server_core", "{:>6.0%}"),
    ("rss_mib", "{:>7.0f}"),
    ("generator_cpu", "{:>6.0%}"),
    ("load_avg", "{:>5.1f}"),
]
HEADER = (
    "server     rooms    sent  lost nsyn converged closes  p50 ms  p99 ms  cpu/edit  core  RSS MiB"
    "    gen  load"
)


def row(r: dict[str, Any]) -> str:
    cells = []
    for key, fmt in COLUMNS:
        value = r[key]
        if key == "converged":
            value = f"{r['converged']}/{r['rooms']}"
        cells.append("-" if value is None else fmt.format(value))
    return " ".join(cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", default="50,200,500", help="comma-separated room counts")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of typing per run")
    parser.add_argument("--drain", type=float, default=10.0, help="max seconds to await delivery")
    parser.add_argument("--rate", type=float, default=5.0, help="edits per second per client")
    parser.add_argument("--servers", default="pairboard,pycrdt", help="which servers to run")
    parser.add_argument(
        "--open",
        choices=["staggered", "together"],
        default="staggered",
        help="connect each room's two clients one after the other, or at the same instant",
    )
    parser.add_argument(
        "--connect-timeout", type=float, default=30.0, help="seconds for a client to sync"
    )
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument(
        "--profile", type=Path, help="record py-spy collapsed stacks of each server into this dir"
    )
    args = parser.parse_args(argv)
    if not (ROOT / "tests/js/node_modules/y-websocket").is_dir():
        print("tests/js/node_modules is missing: run `make js-deps`", file=sys.stderr)
        return 2
    counts = [int(n) for n in args.rooms.split(",")]
    targets = [Target(name) for name in args.servers.split(",")]
    print(f"{args.rate:g} edits/s per client, 2 clients per room, {args.duration:g} s of typing")
    print("server on core 0, load generator (Node) on core 1")
    print("cpu/edit: server CPU ms per delivered edit; core: server CPU / typing time;")
    print("gen: generator CPU share; load: the machine's 1-min load average (noise indicator)")
    print(HEADER, flush=True)
    results: list[dict[str, Any]] = []
    for count in counts:
        for target in targets:
            result = run_one(target, count, args)
            results.append(result)
            print(row(result), flush=True)
        by_server = {r["server"]: r for r in results if r["rooms"] == count}
        ours, theirs = by_server.get("pairboard"), by_server.get("pycrdt")
        if ours and theirs:
            print(
                f"{'ratio':<10} {count:>5}  pairboard/pycrdt-websocket: "
                f"cpu/edit {ratio(ours['cpu_ms_per_edit'], theirs['cpu_ms_per_edit'])}, "
                f"p50 {ratio(ours['p50_ms'], theirs['p50_ms'])}, "
                f"p99 {ratio(ours['p99_ms'], theirs['p99_ms'])}, "
                f"RSS {ratio(ours['rss_mib'], theirs['rss_mib'])}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
