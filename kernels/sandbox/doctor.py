"""`pairboard doctor`: what protects candidates' code on this host, layer by layer.

Probes the sandbox for real (the same probes the server runs at startup) and prints one line
per layer, so an operator sees "bubblewrap: UNAVAILABLE (why)" before the first interview rather
than after. Exit status 1 when a layer that stops code from reaching the host or network is
missing (no sandbox at all, no kernel uid, no network namespace), or the kernel env is not
built, so scripts can gate a deployment on it. `bubblewrap` and `namespaces` are alternatives
(the `sandbox` line says which one kernels get), so only the one in use counts.
"""

from __future__ import annotations

import argparse
import json

from kernels.sandbox.layers import SandboxReport, sandbox_report
from kernels.settings import KernelSettings

ESSENTIAL = ("sandbox", "uid", "network", "kernel_env")
ALTERNATIVES = ("bubblewrap", "namespaces")


def verdict(report: SandboxReport) -> tuple[int, str]:
    """(exit status, closing line) for a report (pure)."""
    missing = [name for name in ESSENTIAL if not report.active(name)]
    if missing:
        return 1, f"NOT SAFE for untrusted code: {', '.join(missing)} unavailable"
    off = [
        layer.name for layer in report.layers if not layer.active and layer.name not in ALTERNATIVES
    ]
    if off:
        return 0, f"usable; weaker without: {', '.join(off)}"
    return 0, "all sandbox layers active"


def _doctor(args: argparse.Namespace) -> int:
    report = sandbox_report(KernelSettings())
    status, closing = verdict(report)
    if args.json:
        print(json.dumps({"layers": report.as_dict(), "ok": status == 0}, indent=2))
        return status
    print("kernel sandbox layers:")
    for line in report.lines():
        print(f"  {line}")
    print(closing)
    return status


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    doctor = commands.add_parser("doctor", help="check the kernel sandbox on this host")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(func=_doctor)
