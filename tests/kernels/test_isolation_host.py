"""No host path, socket or process is visible to a kernel, in BOTH sandbox modes.

The attacks of issue 11 against a host without bubblewrap, played in each mode (`mode_provider`
in tests/kernels/conftest.py) with the same expected outcome: the checkout (hidden tests,
reference solutions, .venv), a readable data dir, the PostgreSQL socket and any other Unix
socket, host /tmp and /dev/shm (shared, unbounded, surviving the session), other processes'
command lines, and a detached child outliving a killed server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernels.local.provider import LocalProvider, SessionKernel
from kernels.sandbox.layers import SandboxReport
from kernels.sandbox.uids import processes_of
from kernels.settings import REPO_ROOT, MiB
from tests.kernels.local_support import assert_unharmed, eventually, run, watched

pytestmark = pytest.mark.asyncio(loop_scope="module")

PG_SOCKET = "/var/run/postgresql/.s.PGSQL.5432"

READ_EACH = """
import os
for path in {paths!r}:
    try:
        if os.path.isdir(path):
            print(len(os.listdir(path)))
        else:
            print(len(open(path, 'rb').read()))
    except OSError as e:
        print(type(e).__name__)
"""


async def test_the_checkout_is_invisible(victim: SessionKernel, bystander: SessionKernel) -> None:
    scenario = sorted((REPO_ROOT / "scenarios").rglob("*.yaml"))[0]
    targets = [str(scenario), str(REPO_ROOT / "scenarios"), str(REPO_ROOT / ".venv")]
    assert on_host(targets) == [True] * 3  # the host has them: the attack is real
    result, watch = await watched(victim, bystander, READ_EACH.format(paths=targets))
    assert result.text() == "FileNotFoundError\n" * 3
    assert_unharmed(watch)


async def test_a_world_readable_data_dir_is_invisible(
    victim: SessionKernel, bystander: SessionKernel, tmp_path: Path
) -> None:
    """Even a data dir left 0755/0644 (what the issue found) is out of sight, not just denied."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "pairboard.sqlite3").write_bytes(b"SQLite format 3\x00 interviewer notes")
    for path in [tmp_path, data]:
        path.chmod(0o755)
    (data / "pairboard.sqlite3").chmod(0o644)
    targets = [str(data / "pairboard.sqlite3"), str(REPO_ROOT / "data" / "pairboard.sqlite3")]
    result, watch = await watched(victim, bystander, READ_EACH.format(paths=targets))
    assert result.text() == "FileNotFoundError\n" * 2
    assert_unharmed(watch)


@pytest.fixture
def host_unix_sockets(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A world-connectable Unix socket on the host's filesystem and one in the abstract
    namespace (bound by root, like the host's PostgreSQL socket)."""
    path = tmp_path / "open.sock"
    tmp_path.chmod(0o755)
    abstract = f"\0pairboard-test-{uuid.uuid4().hex}"
    listeners = []
    for address in (str(path), abstract):
        s = socket.socket(socket.AF_UNIX)
        s.bind(address)
        s.listen()
        listeners.append(s)
    path.chmod(0o777)
    yield str(path), abstract
    for s in listeners:
        s.close()


CONNECT_UNIX = """
import socket
for address in {addresses!r}:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(address)
        print('connected')
    except OSError as e:
        print(type(e).__name__)
"""


async def test_no_host_unix_socket_is_reachable(
    victim: SessionKernel, bystander: SessionKernel, host_unix_sockets: tuple[str, str]
) -> None:
    path, abstract = host_unix_sockets
    for address in [path, abstract]:  # the host itself can connect: the attack is real
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(address)
    addresses = [PG_SOCKET, path, abstract]
    result, watch = await watched(victim, bystander, CONNECT_UNIX.format(addresses=addresses))
    # Filesystem sockets are not in the kernel's root; the abstract namespace is per network
    # namespace, and the kernel's holds nothing.
    assert result.text() == "FileNotFoundError\nFileNotFoundError\nConnectionRefusedError\n"
    assert_unharmed(watch)


async def test_postgres_socket_exists_on_the_host_for_the_attack_above() -> None:
    if on_host([PG_SOCKET]) != [True]:
        pytest.skip(f"no PostgreSQL socket at {PG_SOCKET} (apt-get install postgresql)")
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(PG_SOCKET)


FILL = """
import os
fs = os.statvfs('{directory}')
free = fs.f_bavail * fs.f_frsize
total, error = 0, None
n = 0
while total < (2 << 30) and error is None:  # 2 GiB, in files under the 64 MiB file limit
    fd = os.open(f'{directory}/fill-{{n}}', os.O_WRONLY | os.O_CREAT)
    n += 1
    try:
        for _ in range(16):
            total += os.write(fd, b'x' * (1 << 20))
    except OSError as e:
        error = e
    finally:
        os.close(fd)
print(error.errno if error else None, total == free, (fs.f_blocks * fs.f_frsize) >> 20)
for i in range(n):
    os.unlink(f'{directory}/fill-{{i}}')
"""


@pytest.mark.parametrize("directory", ["/tmp", "/dev/shm"])
async def test_writing_2_gib_to_tmp_or_shm_hits_its_size_limit(
    victim: SessionKernel, bystander: SessionKernel, mode_provider: LocalProvider, directory: str
) -> None:
    settings = mode_provider.settings
    limit = settings.workspace_bytes if directory == "/tmp" else settings.shm_bytes
    result, watch = await watched(victim, bystander, FILL.format(directory=directory))
    # ENOSPC once every free byte of a tmpfs of the configured size is written.
    assert result.text() == f"28 True {limit // MiB}\n", result.events
    assert_unharmed(watch)


async def test_tmp_and_shm_are_private_to_a_session_and_gone_after_it(
    mode_provider: LocalProvider, bystander: SessionKernel
) -> None:
    mark = f"mark-{uuid.uuid4().hex}"
    first = await mode_provider.acquire("writer")
    write = f"for d in ['/tmp', '/dev/shm']:\n    open(f'{{d}}/{mark}', 'w').write('mine')"
    assert (await run(first, write)).status == "ok"
    look = f"import os\nprint([os.path.exists(f'{{d}}/{mark}') for d in ['/tmp', '/dev/shm']])"
    assert (await run(first, look)).text() == "[True, True]\n"
    assert (await run(bystander, look)).text() == "[False, False]\n"
    assert on_host([f"/tmp/{mark}", f"/dev/shm/{mark}"]) == [False, False]
    await mode_provider.release(first)
    later = await mode_provider.acquire("later")
    assert (await run(later, look)).text() == "[False, False]\n"
    await mode_provider.release(later)
    assert on_host([f"/tmp/{mark}", f"/dev/shm/{mark}"]) == [False, False]


async def test_other_processes_are_invisible_in_proc(
    victim: SessionKernel, bystander: SessionKernel
) -> None:
    code = (
        "import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), "
        "os.getpid())\n"
        f"try:\n    open('/proc/{os.getpid()}/cmdline').read()\n"
        "except OSError as e:\n    print(type(e).__name__)"
    )
    result, watch = await watched(victim, bystander, code)
    # PID 1 is the namespace's init, 2 the kernel; the test process (this host pid) is unseen.
    assert result.text() == "[1, 2] 2\nFileNotFoundError\n"
    assert_unharmed(watch)


KILLED_SERVER = """
import asyncio, json, os, sys
from kernels.local.provider import LocalProvider
from kernels.settings import KernelSettings

DETACH = '''
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv('/bin/sleep', ['/bin/sleep', '{seconds}'])
    os._exit(0)
os.wait()
'''

async def main():
    provider = LocalProvider(KernelSettings(**json.loads(sys.argv[1])))
    await provider.start()
    kernel = await provider.acquire("detacher")
    async for _ in kernel.execute(DETACH):
        pass
    print(kernel.kernel.uid, kernel.kernel.provisioner.process.pid, flush=True)
    await asyncio.sleep(600)  # until the test kills this "server" with SIGKILL

asyncio.run(main())
"""


def on_host(paths: list[str]) -> list[bool]:
    return [os.path.exists(p) for p in paths]


def sleepers(uid: int, seconds: str) -> list[int]:
    found = []
    for pid in processes_of(uid):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes() == f"/bin/sleep\0{seconds}\0".encode():
                found.append(pid)
    return found


async def test_a_detached_child_dies_with_a_killed_server(
    mode_provider: LocalProvider, layers: SandboxReport
) -> None:
    if not layers.uid_ok:
        pytest.skip("uid layer unavailable: " + layers.layer("uid").detail)
    seconds = str(600 + uuid.uuid4().int % 1000)  # names this test's sleeper on the host
    settings = mode_provider.settings.model_copy(update={"pool_size": 0})
    script = KILLED_SERVER.replace("{seconds}", seconds)
    server = await asyncio.create_subprocess_exec(
        *[sys.executable, "-c", script, settings.model_dump_json()],
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    try:
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), 120)
        uid, supervisor = (int(v) for v in line.split())
        # Detached: a new session, re-parented away from the kernel, still alive.
        assert await eventually(lambda: len(sleepers(uid, seconds)) == 1)
        (sleeper,) = sleepers(uid, seconds)
        assert os.getsid(sleeper) != os.getsid(supervisor)
    finally:
        server.send_signal(signal.SIGKILL)  # kill -9: no shutdown, no cleanup code runs
        await server.wait()
    assert await eventually(lambda: sleepers(uid, seconds) == [], timeout=10)
    assert await eventually(lambda: processes_of(uid) == [], timeout=10)
