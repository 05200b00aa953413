"""Start a real `jupyter kernelgateway` on a free loopback port, for tests and the benchmark.

The gateway gets a Jupyter path of its own holding our kernelspecs, so it never picks up whatever
kernels happen to be installed on the machine: `pairboard-python` runs the project's kernel
environment (`.kernel-env`, else this interpreter), and `pairboard-sandbox` (when the provisioner is
importable) runs the same kernel through our sandboxing provisioner.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
TOKEN = "test-gateway-token"
PLAIN_SPEC = "pairboard-python"
SANDBOX_SPEC = "pairboard-sandbox"


@dataclass(frozen=True)
class RunningGateway:
    url: str
    token: str
    kernel_specs: tuple[str, ...]
    log_path: Path
    pid: int


def kernel_python() -> str:
    """The kernel environment's python if `make kernel-env` built it, else this interpreter."""
    candidate = REPO / ".kernel-env" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_kernelspecs(root: Path, with_sandbox: bool) -> tuple[str, ...]:
    """Kernelspecs under `root/kernels`; returns their names."""
    plain = root / "kernels" / PLAIN_SPEC
    plain.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [kernel_python(), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Pairboard Python (unsandboxed, tests)",
        "language": "python",
        "env": {"MPLBACKEND": "Agg"},
    }
    (plain / "kernel.json").write_text(json.dumps(spec))
    names = [PLAIN_SPEC]
    if with_sandbox:
        from kernels.sandbox.provisioner import install_kernelspec

        # As a deployment's gateway would: data files come through the kernel channel.
        install_kernelspec(root / "kernels", SANDBOX_SPEC, overrides={"data_bind": False})
        names.append(SANDBOX_SPEC)
    return tuple(names)


def sandbox_provisioner_available() -> bool:
    try:
        from kernels.sandbox.provisioner import install_kernelspec  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def kernel_gateway(
    workdir: Path, *, with_sandbox: bool = False, nodelay: bool = True, extra: tuple[str, ...] = ()
) -> Iterator[RunningGateway]:
    """Run a gateway until the block exits; shuts it (and so its kernels) down afterwards."""
    specs = write_kernelspecs(workdir, with_sandbox)
    port = free_port()
    log_path = workdir / "gateway.log"
    env = {
        **os.environ,
        "JUPYTER_PATH": str(workdir),
        "JUPYTER_DATA_DIR": str(workdir / "data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "JUPYTER_CONFIG_DIR": str(workdir / "config"),
        "PYTHONPATH": str(REPO),
    }
    args = [
        sys.executable,
        "-m",
        "kernel_gateway",
        "--KernelGatewayApp.ip=127.0.0.1",
        f"--KernelGatewayApp.port={port}",
        "--KernelGatewayApp.port_retries=0",
        f"--KernelGatewayApp.auth_token={TOKEN}",
        f"--KernelGatewayApp.default_kernel_name={PLAIN_SPEC}",
        "--JupyterWebsocketPersonality.list_kernels=True",
        # Pairboard caps output per run itself; the gateway's own rate limit would drop output
        # silently instead.
        "--ZMQChannelsWebsocketConnection.limit_rate=False",
        *extra,
    ]
    if nodelay:
        args.append(
            "--KernelGatewayApp.kernel_websocket_connection_class="
            "kernels.gateway.kg_nodelay.NoDelayConnection"
        )
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        _wait_ready(proc, url, log_path)
        yield RunningGateway(url, TOKEN, specs, log_path, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kernel gateway exited: {log_path.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            headers = {"Authorization": f"token {TOKEN}"}
            if httpx.get(f"{url}/api", headers=headers, timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"kernel gateway not ready after 60 s: {log_path.read_text()[-2000:]}")
