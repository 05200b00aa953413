// What the notebook view derives from the console's runs, as pure functions: a cell's outputs
// are its latest run (`console.runs` entries carry the cell's id; server/notebook.py says why
// outputs are not in the notebook doc), and its prompt is Jupyter's `[n]`, `[*]` or `[ ]`.
import type { RunEntry } from "../console/types";

export interface CellRun extends RunEntry {
  cell_id?: string;
  execution_count?: number | null;
}

/** cell id -> that cell's latest run, in one pass over the console's runs. */
export function latestRunByCell(runs: readonly CellRun[]): Map<string, CellRun> {
  const latest = new Map<string, CellRun>();
  for (const run of runs) if (typeof run.cell_id === "string") latest.set(run.cell_id, run);
  return latest;
}

/** Runs that belong to no cell (a scenario's console runs): shown in the console below. */
export const consoleRuns = (runs: readonly CellRun[]): CellRun[] =>
  runs.filter((r) => typeof r.cell_id !== "string");

/** Jupyter's input prompt: `[*]` while queued or running, `[n]` once counted, else `[ ]`. */
export function prompt(run: CellRun | undefined): string {
  if (!run) return "[ ]";
  const status = run.status ?? "running";
  if (status === "running" || status === "queued") return "[*]";
  return typeof run.execution_count === "number" ? `[${run.execution_count}]` : "[ ]";
}

/** Whether any cell is queued or running (Run all is one request: the whole queue counts). */
export const busy = (runs: readonly CellRun[]): boolean =>
  runs.some((r) => {
    const s = r.status ?? "running";
    return s === "running" || s === "queued";
  });

/** After Shift-Enter on cell `index` of `count`: the cell to focus, or "append" at the end. */
export function afterRunAndAdvance(index: number, count: number): number | "append" {
  return index + 1 < count ? index + 1 : "append";
}
