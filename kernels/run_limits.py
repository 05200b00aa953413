"""The limits every run is held to, whichever provider runs it.

A plain value object so the run logic can be tested and reused without reading the environment;
the providers build it from the kernel settings (`PAIRBOARD_*`), where each default is documented.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernels.settings import KernelSettings


@dataclass(frozen=True)
class RunLimits:
    """Defaults equal `KernelSettings`' documented ones.

    wall_time_s: a run longer than this is interrupted. grace_s: if the kernel is still busy
    this long after the interrupt (code can swallow KeyboardInterrupt), it is restarted.
    output_limit_bytes: output past this is dropped with a notice and the run is interrupted."""

    wall_time_s: float = 30.0
    grace_s: float = 3.0
    output_limit_bytes: int = 1 << 20

    @classmethod
    def from_settings(cls, settings: KernelSettings) -> RunLimits:
        """The `PAIRBOARD_KERNEL_*` limits, shared with the local provider."""
        return cls(
            wall_time_s=settings.run_timeout_seconds,
            grace_s=settings.interrupt_grace_seconds,
            output_limit_bytes=settings.output_limit_bytes,
        )
