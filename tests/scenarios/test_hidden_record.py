"""The server's record of the hidden steps it ran in a kernel: it counts for exactly one kernel
process, named by (kernel_id, generation); anything else in the record means "none"."""

from __future__ import annotations

from server.scenarios.hidden import RECORD_KEY, Injected, applied_steps


def test_the_record_counts_only_for_the_kernel_process_it_names() -> None:
    meta = {RECORD_KEY: Injected("k1", 2, ("setup", "shift-now")).to_json()}
    assert applied_steps(meta, "k1", 2) == ["setup", "shift-now"]
    assert applied_steps(meta, "k1", 3) == []  # restarted, or died: a new process
    assert applied_steps(meta, "k2", 2) == []  # another (revived or replaced) kernel
    assert applied_steps({}, "k1", 2) == []


def test_a_malformed_record_counts_as_none() -> None:
    for raw in (
        "setup",
        {"kernel_id": "k1", "steps": ["setup"]},
        {"kernel_id": "k1", "generation": "x", "steps": []},
    ):
        assert applied_steps({RECORD_KEY: raw}, "k1", 0) == []
