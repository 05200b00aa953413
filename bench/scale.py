"""Scale-out benchmark: cross-instance delivery latency against one instance, at 100 and 500 rooms.

Three topologies, each with R rooms x 2 stock y-websocket clients typing (bench/sync/load.mjs,
one Node process pinned to core 1; the servers pinned to core 0; Redis is the machine's own):
- `single`        one instance, embedded SQLite, in-process fan-out (the default);
- `redis-local`   one instance on Redis: both clients of a room on it (the cost of committing to
                  a Redis stream instead of SQLite, no instance hop);
- `redis-cross`   two instances on Redis, each room's clients on different instances, so every
                  delivery crosses instances through the doc's stream.
Latency is from an edit's insert on one client to its arrival on the other. Figures, not
assertions.

Usage: python bench/scale.py [--rooms 100,500] [--duration 15] [--rate 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import IO, Any

import httpx
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.sync.procstat import cpu_seconds  # noqa: E402 - the repo root must be importable first
from bench.sync.run import Generator  # noqa: E402
from bench.sync.servers import (  # noqa: E402
    ADMIN_TOKEN,
    NICE,
    SERVER_CORE,
    free_port,
    wait_for_port,
)

REDIS_URL = os.environ.get("PAIRBOARD_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TOPOLOGIES = ("single", "redis-local", "redis-cross")


def start_server(port: int, data_dir: Path, env: dict[str, str], log: IO[bytes]) -> Any:
    argv = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]
    argv += ["--data-dir", str(data_dir)]
    full_env = {
        **os.environ,
        "PAIRBOARD_ADMIN_TOKEN": ADMIN_TOKEN,
        "PAIRBOARD_LOG_LEVEL": "warning",
        **env,
    }
    return subprocess.Popen(
        [*NICE, "taskset", "-c", SERVER_CORE, *argv],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=log,
    )


def make_rooms(ports: list[int], count: int) -> list[dict[str, Any]]:
    rooms = []
    with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=30) as http:
        for i in range(count):
            response = http.post(
                "/api/sessions",
                json={"title": f"scale bench {i}"},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            response.raise_for_status()
            created = response.json()
            urls = [f"ws://127.0.0.1:{port}/ws/{created['id']}" for port in ports]
            rooms.append(
                {
                    "url": urls[0],
                    "urls": [urls[0], urls[-1]],
                    "name": "code",
                    "params": [
                        {"token": created["tokens"]["interviewer"]},
                        {"token": created["tokens"]["candidate"]},
                    ],
                }
            )
    return rooms


def run_one(topology: str, rooms: int, args: argparse.Namespace) -> dict[str, Any]:
    prefix = f"pbbench:{uuid.uuid4().hex[:8]}:"
    instances = 2 if topology == "redis-cross" else 1
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        env: dict[str, str] = {"PAIRBOARD_SECRET": "bench-secret-for-scale-runs"}
        if topology != "single":
            env |= {
                "PAIRBOARD_REDIS_URL": REDIS_URL,
                "PAIRBOARD_REDIS_PREFIX": prefix,
                "PAIRBOARD_DATABASE_URL": f"sqlite:///{tmp}/shared.sqlite3",
            }
        ports = [free_port() for _ in range(instances)]
        servers: list[Any] = []
        log_path = Path(tmp) / "servers.log"
        generator: Generator | None = None
        try:
            with open(log_path, "wb") as log:
                for i, port in enumerate(ports):
                    servers.append(start_server(port, Path(tmp) / f"data-{i}", env, log))
                for port, server in zip(ports, servers, strict=True):
                    wait_for_port(port, server)
                generator = Generator(
                    {
                        "rooms": make_rooms(ports, rooms),
                        "rate": args.rate,
                        "duration_s": args.duration,
                        "drain_s": args.drain,
                        "connect_concurrency": 20,
                        "connect_timeout_s": 30,
                        "open": "staggered",
                    }
                )
                ready = generator.expect("ready")
                stats = [Path(f"/proc/{server.pid}/stat") for server in servers]
                cpu_before = sum(cpu_seconds(stat.read_text()) for stat in stats)
                generator.send("go")
                generator.expect("done")
                cpu = sum(cpu_seconds(stat.read_text()) for stat in stats) - cpu_before
                generator.send("report")
                result = generator.expect("result")
        except Exception:
            sys.stderr.write(log_path.read_text()[-3000:] if log_path.exists() else "")
            raise
        finally:
            if generator is not None:
                generator.close()
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:
                    server.kill()
            if topology != "single":
                client = redis.Redis.from_url(REDIS_URL)
                keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
                if keys:
                    client.delete(*keys)
    delivered = result["delivered"]
    return {
        **result,
        "topology": topology,
        "connect_failed": ready["failed"],
        # CPU is CPU whatever else the machine runs: steadier than latency on a busy host.
        "cpu_ms_per_edit": cpu * 1000 / delivered if delivered else None,
        "load_avg": os.getloadavg()[0],
    }


def row(r: dict[str, Any]) -> str:
    return (
        f"{r['topology']:<12} {r['rooms']:>5} {r['sent']:>7} {r['lost']:>5} "
        f"{r['converged']:>4}/{r['rooms']:<4} {r['closes']:>6} {r['p50_ms']:>8.1f} "
        f"{r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['cpu_ms_per_edit'] or 0:>9.3f} "
        f"{r['load_avg']:>5.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", default="100,500", help="comma-separated room counts")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of typing per run")
    parser.add_argument("--drain", type=float, default=10.0, help="max seconds to await delivery")
    parser.add_argument("--rate", type=float, default=2.0, help="edits per second per client")
    parser.add_argument("--topologies", default=",".join(TOPOLOGIES))
    args = parser.parse_args(argv)
    if not (ROOT / "tests/js/node_modules/y-websocket").is_dir():
        print("tests/js/node_modules is missing: run `make js-deps`", file=sys.stderr)
        return 2
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        print(f"Redis unreachable at {REDIS_URL}: {exc}", file=sys.stderr)
        return 2
    print(f"{args.rate:g} edits/s per client, 2 clients per room, {args.duration:g} s of typing")
    print("servers on core 0 (both, for redis-cross), Node load generator on core 1")
    print("cpu/edit: CPU ms of all server processes per delivered edit; load: 1-min load average")
    print(
        "topology     rooms    sent  lost  converged closes   p50 ms   p99 ms   max ms  cpu/edit"
        "  load"
    )
    for count in [int(n) for n in args.rooms.split(",")]:
        for topology in args.topologies.split(","):
            print(row(run_one(topology, count, args)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
