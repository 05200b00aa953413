"""The limits every run is held to, whichever provider runs it.

A plain value object so the run logic can be tested and reused without reading the environment;
the providers build it from the kernel settings (`PAIRBOARD_*`), where each default is documented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunLimits:
    """wall_time_s: a run longer than this is interrupted. grace_s: if the kernel is still busy
    this long after the interrupt (code can swallow KeyboardInterrupt), it is restarted.
    output_limit_bytes: output past this is dropped with a notice and the run is interrupted."""

    wall_time_s: float = 30.0
    grace_s: float = 5.0
    output_limit_bytes: int = 1 << 20
