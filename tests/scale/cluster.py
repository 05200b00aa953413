"""Real multi-instance topologies for the scale-out tests: Redis, a shared durable store, N servers.

Each `Cluster` has its own Redis key prefix (`PAIRBOARD_REDIS_PREFIX`), so tests never see each
other's keys, and deletes its keys when it stops. `RedisServer` is a private `redis-server` with
AOF `appendfsync always` in a tmp dir, for the test that restarts Redis (the machine's own Redis
keeps nothing on disk, so it cannot be restarted without losing acknowledged entries).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis

from tests.support.server import ServerProcess, free_port

REDIS_URL = os.environ.get("PAIRBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def require_redis(url: str = REDIS_URL) -> None:
    """Skip (or fail, with PAIRBOARD_REQUIRE_REDIS=1) when Redis is unreachable."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        reason = f"Redis unreachable at {url} ({exc}); set PAIRBOARD_TEST_REDIS_URL"
        if os.environ.get("PAIRBOARD_REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def delete_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


class RedisServer:
    """A private redis-server with AOF `appendfsync always`: restartable without losing acks."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if not Path(REDIS_SERVER).exists():
            reason = f"no redis-server binary at {REDIS_SERVER} for a private, restartable Redis"
            if os.environ.get("PAIRBOARD_REQUIRE_REDIS") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
        self.dir.mkdir(parents=True, exist_ok=True)
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "always"]
        args += ["--save", "", "--logfile", str(self.dir / "redis.log")]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start: {(self.dir / 'redis.log').read_text()}")

    def kill(self) -> None:
        """SIGKILL: only what AOF fsynced survives, exactly like a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


class Cluster:
    """N Pairboard servers sharing one Redis (by prefix) and one durable SQLite file."""

    def __init__(
        self,
        root: Path,
        *,
        redis_url: str = REDIS_URL,
        instances: int = 2,
        database_url: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.redis_url = redis_url
        self.prefix = f"pbtest:{uuid.uuid4().hex[:12]}:"
        self.database_path = root / "shared.sqlite3"
        self.env = {
            "PAIRBOARD_REDIS_URL": redis_url,
            "PAIRBOARD_REDIS_PREFIX": self.prefix,
            "PAIRBOARD_DATABASE_URL": database_url or f"sqlite:///{self.database_path}",
            "PAIRBOARD_SECRET": "scale-test-secret-" + uuid.uuid4().hex,
            "PAIRBOARD_MOVER_INTERVAL_SECONDS": "0.2",
            "PAIRBOARD_REDIS_STREAM_RETENTION_SECONDS": "1",
            **(extra_env or {}),
        }
        self.servers = [
            ServerProcess(root / f"instance-{i + 1}", env=self.env) for i in range(instances)
        ]

    def start(self) -> Cluster:
        for server in self.servers:
            server.start()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        with contextlib.suppress(redis.RedisError):
            delete_prefix(self.redis_url, self.prefix)

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def stream_key(self, session_id: str, doc: str) -> str:
        return f"{self.prefix}log:{session_id}:{doc}"
