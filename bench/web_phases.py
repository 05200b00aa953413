"""Run-to-first-output split by where the time goes: the browser's probe and the server's trace.

`bench/web.py` clicks Run and notes, in the page, the click and the moments the first output
reached the console doc and the screen; the server under test writes each run's phases
(`server/run_trace.py`, `PAIRBOARD_RUN_TRACE_FILE`). Both read the host's wall clock, so one
run's moments line up on one time line, and each step is the time from the previous moment.
A peer whose server has no trace (older code) shows only the browser's steps.

Prints figures, asserts nothing.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

# (label, where the moment is: ("browser", key) relative to the click, ("server", phase) or
# ("kernel", key) in epoch ms), in time-line order.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("click -> POST in the handler", "server", "received"),
    ("-> run entry durable + broadcast", "server", "entry_written"),
    ("-> execute_request sent", "server", "execute_sent"),
    ("-> kernel's first iopub (busy) in", "server", "kernel_first_message"),
    ("-> first output message in", "server", "first_output_received"),
    ("-> first output durable + broadcast", "server", "first_output_written"),
    ("-> written to the websocket", "server", "first_output_relayed"),
    ("-> in the browser's console doc", "browser", "output_doc"),
    ("-> on screen (in the DOM)", "browser", "output_dom"),
)
# The kernel's stamps (its messages' header dates) split the steps around it: (label, from,
# to), each "k:" a kernel stamp, anything else a server mark.
KERNEL_STEPS: tuple[tuple[str, str, str], ...] = (
    ("execute sent -> kernel made busy", "execute_sent", "k:first_message"),
    ("kernel made busy -> server got it", "k:first_message", "kernel_first_message"),
    ("kernel: busy made -> first output made", "k:first_message", "k:first_output"),
    ("first output made -> server got it", "k:first_output", "first_output_received"),
)


def timeline(probe: dict[str, Any], trace: dict[str, Any] | None) -> dict[str, float]:
    """Each step's ms (from the previous moment present) for one run; missing moments skipped."""
    t0 = float(probe["t0_epoch"])
    # Date.now() (the wall clock, to the ms) when the output reached the doc; the screen's
    # moment is that plus the page's precise clock's difference.
    doc = float(probe.get("output_doc_epoch", t0 + float(probe.get("output_doc", 0))))
    browser = {"output_doc": doc, "output_dom": doc + probe["output_dom"] - probe["output_doc"]}
    at: list[tuple[str, float]] = []
    for label, side, key in STEPS:
        if side == "browser":
            if key in probe:
                at.append((label, browser[key]))
        elif trace is not None and key in trace["marks"]:
            at.append((label, float(trace["marks"][key])))
    steps: dict[str, float] = {}
    previous = t0
    for label, moment in at:
        steps[label] = moment - previous
        previous = moment
    if trace is not None:
        moments = dict(trace["marks"])
        moments.update({f"k:{k}": v for k, v in trace.get("kernel", {}).items()})
        for label, start, end in KERNEL_STEPS:
            if start in moments and end in moments:
                steps[label] = moments[end] - moments[start]
    return steps


def phase_report(peers: list[Any]) -> None:
    """Median step times per peer (`peer.probes`: browser results; `peer.trace_file`)."""
    from server.run_trace import read_traces

    per_peer: list[dict[str, list[float]]] = []
    for peer in peers:
        traces = read_traces(peer.trace_file)
        steps: dict[str, list[float]] = {}
        for probe in peer.probes:
            for label, ms in timeline(probe, traces.get(str(probe.get("run_id")))).items():
                steps.setdefault(label, []).append(ms)
        per_peer.append(steps)
    labels = [s[0] for s in STEPS] + [s[0] for s in KERNEL_STEPS]
    head = "".join(f"{p.name:>22}" for p in peers)
    print(f"\n{'where Run-to-first-output goes, median ms':<44}{head}")
    for label in labels:
        if not any(label in steps for steps in per_peer):
            continue
        cells = []
        for steps in per_peer:
            xs = steps.get(label)
            cells.append(
                f"{statistics.median(xs):7.1f} ({min(xs):.0f}-{max(xs):.0f})".rjust(22)
                if xs
                else "-".rjust(22)
            )
        print(f"{label:<44}{''.join(cells)}")
