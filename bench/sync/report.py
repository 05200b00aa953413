"""The sync benchmark's figures: per run, per server (medians of its interleaved runs), and the
ratio of each server's figure to the reference server's from the same run of the benchmark.

Pure functions over plain dicts (what `--json` writes), so a saved JSON file can be re-rendered.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from bench.sync.procstat import Sample

# Figures that are summarised as the median of a server's runs at one room count.
MEDIAN_KEYS = (
    "cpu_us_per_edit",
    "user_us_per_edit",
    "system_us_per_edit",
    "loop_us_per_edit",
    "writer_us_per_edit",
    "other_us_per_edit",
    "writes_per_edit",
    "loop_writes_per_edit",
    "writer_writes_per_edit",
    "p50_ms",
    "p99_ms",
    "server_core",
    "rss_mib",
    "generator_cpu",
    "load_avg",
)


def thread_role(tid: int, pid: int, name: str) -> str:
    """`loop` is the main thread (the event loop, in every server here); `writer` is Pairboard's
    SQLite thread (named `sqlite_0` in server/store/sqlite.py); the rest `other`
    (uvloop's resolver pool, Node's V8 platform and GC threads, and threads that ended)."""
    if tid == pid:
        return "loop"
    if name.startswith("sqlite"):
        return "writer"
    return "other"


def per_edit(spent: Sample, pid: int, names: dict[int, str], delivered: int) -> dict[str, Any]:
    """CPU (µs) and write syscalls per delivered edit, split by mode and by thread role."""
    by_role = {"loop": [0.0, 0], "writer": [0.0, 0]}
    threads = []
    for tid, usage in sorted(spent.threads.items()):
        name = names.get(tid, "?")
        role = thread_role(tid, pid, name)
        if role in by_role:
            by_role[role][0] += usage.cpu_s
            by_role[role][1] += usage.writes
        threads.append(
            {
                "tid": tid,
                "name": name,
                "role": role,
                "user_s": usage.user_s,
                "system_s": usage.system_s,
                "writes": usage.writes,
            }
        )
    total = spent.process
    if not delivered:
        return {"threads": threads, "server_cpu_s": total.cpu_s, "writes": total.writes}
    us = 1e6 / delivered
    loop_cpu, loop_writes = by_role["loop"]
    writer_cpu, writer_writes = by_role["writer"]
    return {
        "threads": threads,
        "server_cpu_s": total.cpu_s,
        "writes": total.writes,
        "cpu_us_per_edit": total.cpu_s * us,
        "user_us_per_edit": total.user_s * us,
        "system_us_per_edit": total.system_s * us,
        "loop_us_per_edit": loop_cpu * us,
        "writer_us_per_edit": writer_cpu * us,
        # Whatever is neither, including threads that ended in the window (the process total
        # keeps their time).
        "other_us_per_edit": max(0.0, total.cpu_s - loop_cpu - writer_cpu) * us,
        "writes_per_edit": total.writes / delivered,
        "loop_writes_per_edit": loop_writes / delivered,
        "writer_writes_per_edit": writer_writes / delivered,
    }


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


# A run whose generator sent less than this share of the edits asked for did not get the load it
# was meant to measure: on a shared machine, something else had the generator's core.
FULL_LOAD_SHARE = 0.9


def short_rounds(runs: Sequence[dict[str, Any]]) -> dict[int, set[int]]:
    """Per room count, the rounds in which some server's run got less than the asked-for load."""
    short: dict[int, set[int]] = {}
    for run in runs:
        if run.get("sent_share", 1.0) < FULL_LOAD_SHARE:
            short.setdefault(run["rooms"], set()).add(run["round"])
    return short


def summarise(runs: Sequence[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    """One row per (rooms, server), in the order first seen: medians, totals, and ratios to the
    reference's medians at the same room count. `paired_*` are the per-round ratios (each run of a
    server against the reference's run of the same round), which show how far the noise goes.

    A round in which any server's generator fell short of the load (`short_rounds`) is left out
    for every server, so that the servers are still compared over the same rounds; unless that
    would leave nothing, in which case every round counts (and `left_out` stays empty)."""
    short = short_rounds(runs)
    kept = []
    for run in runs:
        rounds = {r["round"] for r in runs if r["rooms"] == run["rooms"]}
        if run["round"] in short.get(run["rooms"], set()) and rounds - short[run["rooms"]]:
            continue
        kept.append(run)
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for run in kept:
        groups.setdefault((run["rooms"], run["server"]), []).append(run)
    rows = []
    for (rooms, server), group in groups.items():
        row: dict[str, Any] = {"rooms": rooms, "server": server, "runs": len(group)}
        row["rounds"] = [r["round"] for r in group]
        all_rounds = {r["round"] for r in runs if r["rooms"] == rooms}
        row["left_out"] = sorted(all_rounds - {r["round"] for r in kept if r["rooms"] == rooms})
        for key in MEDIAN_KEYS:
            row[key] = _median(r.get(key) for r in group)
        row["lost"] = sum(r["lost"] for r in group)
        row["delivered"] = sum(r["delivered"] for r in group)
        row["connect_failed"] = sum(r["connect_failed"] for r in group)
        row["closes"] = sum(r["closes"] for r in group)
        row["converged_worst"] = min(r["converged"] for r in group)
        rows.append(row)
    for row in rows:
        ref_rows = [r for r in rows if r["rooms"] == row["rooms"] and r["server"] == reference]
        ref = ref_rows[0] if ref_rows else None
        for key in ("cpu_us_per_edit", "p50_ms", "p99_ms", "rss_mib", "writes_per_edit"):
            row[f"{key}_ratio"] = ratio(row[key], ref[key]) if ref else None
        ref_runs = {r["round"]: r for r in groups.get((row["rooms"], reference), [])}
        for key in ("cpu_us_per_edit", "p99_ms"):
            row[f"paired_{key}_ratios"] = [
                ratio(r.get(key), ref_runs[r["round"]].get(key))
                for r in groups[(row["rooms"], row["server"])]
                if r["round"] in ref_runs
            ]
    return rows


# --- rendering ------------------------------------------------------------------------------


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


TABLE_HEADER = (
    "| server | runs | CPU/edit µs | ratio | user / sys µs | loop / writer / other µs "
    "| writes/edit (loop) | p50 ms | p99 ms | p99 ratio | lost | converged | RSS MiB |"
)


def table(
    rows: Sequence[dict[str, Any]], reference: str, rows_runs: Sequence[dict[str, Any]] = ()
) -> str:
    """A Markdown table per room count (it renders as text on a terminal as well); `rows_runs`,
    the runs summarised, lets it say when no round had the full load."""
    out = []
    for rooms in dict.fromkeys(r["rooms"] for r in rows):
        first = next(r for r in rows if r["rooms"] == rooms)
        note = ""
        short = short_rounds([r for r in rows_runs if r["rooms"] == rooms]) if rows_runs else {}
        if short.get(rooms) and not first["left_out"]:
            note = (
                f"; every round had a generator under {FULL_LOAD_SHARE:.0%} of the load: all kept"
            )
        elif first["left_out"]:
            shown = ", ".join(map(str, first["left_out"]))
            note = f"; round {shown} left out: a generator sent under {FULL_LOAD_SHARE:.0%}"
        out.append(
            f"\n{rooms} rooms (medians of each server's runs; ratios to {reference}{note}):\n"
        )
        out.append(TABLE_HEADER)
        out.append("|" + " --- |" * TABLE_HEADER.count(" |"))
        for r in (r for r in rows if r["rooms"] == rooms):
            writer = r["writer_us_per_edit"]
            out.append(
                "| "
                + " | ".join(
                    [
                        r["server"],
                        str(r["runs"]),
                        _num(r["cpu_us_per_edit"], ".0f"),
                        _x(r["cpu_us_per_edit_ratio"]),
                        f"{_num(r['user_us_per_edit'], '.0f')} / "
                        f"{_num(r['system_us_per_edit'], '.0f')}",
                        f"{_num(r['loop_us_per_edit'], '.0f')} / "
                        f"{_num(writer, '.0f') if writer else '-'} / "
                        f"{_num(r['other_us_per_edit'], '.0f')}",
                        f"{_num(r['writes_per_edit'], '.2f')} "
                        f"({_num(r['loop_writes_per_edit'], '.2f')})",
                        _ms(r["p50_ms"]),
                        _ms(r["p99_ms"]),
                        _x(r["p99_ms_ratio"]),
                        str(r["lost"]),
                        f"{r['converged_worst']}/{rooms}",
                        _num(r["rss_mib"], ".0f"),
                    ]
                )
                + " |"
            )
        paired = [
            f"{r['server']} CPU {', '.join(_x(v) for v in r['paired_cpu_us_per_edit_ratios'])}"
            f"; p99 {', '.join(_x(v) for v in r['paired_p99_ms_ratios'])}"
            for r in rows
            if r["rooms"] == rooms
            and r["server"] != reference
            and r["paired_cpu_us_per_edit_ratios"]
        ]
        if paired:
            out.append(f"\nper-round ratios to {reference}: " + " | ".join(paired))
    return "\n".join(out)


PROGRESS_HEADER = (
    "round server     rooms    sent  lost conv/rooms closes  p50 ms  p99 ms  cpu/edit µs"
    "  writes/edit  core  RSS MiB  gen gen p99  load  elapsed"
)


def progress_row(r: dict[str, Any], elapsed_s: float) -> str:
    return (
        f"{r['round']:>5} {r['server']:<10} {r['rooms']:>5} {r['sent']:>7}"
        f"{'*' if r.get('sent_share', 1.0) < FULL_LOAD_SHARE else ' '}{r['lost']:>4} "
        f"{r['converged']:>5}/{r['rooms']:<4} {r['closes']:>6} {_num(r['p50_ms'], '7.1f')} "
        f"{_num(r['p99_ms'], '7.1f')} {_num(r.get('cpu_us_per_edit'), '12.0f')} "
        f"{_num(r.get('writes_per_edit'), '12.2f')} {_num(r['server_core'], '5.0%')} "
        f"{_num(r['rss_mib'], '8.0f')} {_num(r['generator_cpu'], '4.0%')} "
        f"{_num(r.get('generator_loop_delay_p99_ms'), '7.0f')} "
        f"{r['load_avg']:>5.1f} {elapsed_s:>7.0f}s"
    )
