"""Which sandbox a host gets, and that every report of it tells the truth.

bubblewrap where it works; else, as root, the namespace launcher (the same jail, see
tests/kernels/test_isolation*.py); else candidate code is refused with what to install, unless
the UNSAFE setting is on. A missing bwrap is reproduced with `bwrap=/nonexistent/bwrap` (the
probe looks the setting up like PATH would), a non-root host with `use_namespaces=False`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from kernels.local.provider import LocalProvider
from kernels.sandbox.doctor import verdict
from kernels.sandbox.layers import SandboxReport, sandbox_report
from kernels.sandbox.provisioner import SandboxUnavailable
from kernels.settings import REPO_ROOT
from tests.kernels.local_support import quick_settings, run
from tests.kernels.test_isolation import connect_code
from tests.support.server import ServerProcess

ASYNC = pytest.mark.asyncio(loop_scope="module")

MISSING = "/nonexistent/bwrap"
REFUSAL = (
    "REFUSING to run candidate code: no sandbox on this host (bubblewrap: /nonexistent/bwrap "
    "not found (apt-get install bubblewrap); namespaces: off: PAIRBOARD_KERNEL_USE_NAMESPACES). "
    "Install bubblewrap (apt-get install bubblewrap) or run the server as root; "
    "PAIRBOARD_KERNEL_ALLOW_UNSAFE_SANDBOX=1 runs it unsandboxed (UNSAFE)"
)


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("the namespace launcher and kernel uids need a root server")


@ASYNC
async def test_a_host_without_bwrap_gets_the_namespace_jail(sandbox_layers: SandboxReport) -> None:
    needs_root()
    report = sandbox_report(quick_settings(bwrap=MISSING))
    assert report.mode == "namespaces"
    assert report.layer("bubblewrap").detail == f"{MISSING} not found (apt-get install bubblewrap)"
    sandbox = report.layer("sandbox")
    assert sandbox.active
    assert sandbox.detail.startswith(f"namespaces (bubblewrap: {MISSING} not found")
    assert report.layer("network").line() == (
        "network: active (empty network namespace (namespaces): loopback only)"
    )
    assert report.active("filesystem")
    assert verdict(report) == (0, "all sandbox layers active")


@ASYNC
async def test_no_sandbox_refuses_candidate_code_and_names_the_package(
    sandbox_layers: SandboxReport,
) -> None:
    settings = quick_settings(bwrap=MISSING, use_namespaces=False, pool_size=0)
    report = sandbox_report(settings)
    assert (report.mode, report.refusal) == (None, REFUSAL)
    assert report.layer("sandbox").line() == f"sandbox: UNAVAILABLE ({REFUSAL})"
    assert not report.active("filesystem")
    assert verdict(report)[0] == 1
    assert verdict(report)[1].startswith("NOT SAFE for untrusted code: sandbox")
    provider = LocalProvider(settings)
    await provider.start()
    try:
        with pytest.raises(SandboxUnavailable) as refused:
            await provider.acquire("refused")
        assert str(refused.value) == REFUSAL
    finally:
        await provider.close()


@ASYNC
async def test_the_unsafe_setting_runs_code_on_the_hosts_view_and_says_so(
    sandbox_layers: SandboxReport,
) -> None:
    needs_root()
    settings = quick_settings(
        bwrap=MISSING, use_namespaces=False, allow_unsafe_sandbox=True, pool_size=0
    )
    report = sandbox_report(settings)
    assert report.mode == "unsafe"
    assert report.layer("sandbox").detail.startswith(
        "UNSAFE, allowed by PAIRBOARD_KERNEL_ALLOW_UNSAFE_SANDBOX: kernels see the host's files"
    )
    assert report.layer("filesystem").line() == (
        "filesystem: UNAVAILABLE (host view: the checkout, data dir, /tmp, /dev/shm, /proc "
        "and Unix sockets)"
    )
    provider = LocalProvider(settings)
    await provider.start()
    try:
        kernel = await provider.acquire("unsafe")
        checkout = str(REPO_ROOT / "scenarios")
        code = f"import os\nprint(os.path.isdir({checkout!r}))\n"
        code += connect_code("127.0.0.1", 6379)
        # What UNSAFE means: the host's files are there; the uid and netns still hold.
        result = await run(kernel, code)
        assert result.text() == "True\nOSError 101\n", result.events
    finally:
        await provider.close()


def test_a_refusing_server_says_so_in_healthz_its_log_and_every_run(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path / "server",
        env={"PAIRBOARD_KERNEL_BWRAP": MISSING, "PAIRBOARD_KERNEL_USE_NAMESPACES": "0"},
    )
    server.start()
    try:
        s = server.create_session()
        sid, token = s["id"], s["tokens"]["candidate"]
        headers = {"Authorization": f"Bearer {token}"}
        r = httpx.post(f"{server.url}/api/sessions/{sid}/runs", json={"code": "1"}, headers=headers)
        assert r.status_code == 202, r.text
        run_url = f"{server.url}/api/sessions/{sid}/runs/{r.json()['run_id']}"
        deadline = time.monotonic() + 30
        while (body := httpx.get(run_url, headers=headers).json())["status"] == "running":
            assert time.monotonic() < deadline, body
            time.sleep(0.05)
        assert body["status"] == "error", body
        assert body["outputs"] == [{"type": "notice", "text": REFUSAL}]
        sandbox = httpx.get(f"{server.url}/healthz").json()["kernels"]["sandbox"]
        assert sandbox["sandbox"] == {"active": False, "detail": REFUSAL}
        assert sandbox["filesystem"]["active"] is False
    finally:
        server.stop()
    assert f"kernel sandbox: {REFUSAL}" in server.log_path.read_text()
