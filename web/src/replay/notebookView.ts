// The notebook as the replay shows it, pure: the cells of the `notebook` doc at the instant (as
// plain data, read straight from the Y.Doc: the player rebuilds docs from the log and needs no
// @jupyter/ydoc model) with each code cell's latest run in the console doc at the same instant,
// so outputs are the ones recorded by then. Cells a client could not have written through the
// server's checks (server/sync/notebook_guard.py) are skipped rather than trusted.
import * as Y from "yjs";
import type { CellRun } from "../notebook/model";
import { latestRunByCell } from "../notebook/model";

export interface ReplayCell {
  id: string;
  cellType: "code" | "markdown" | "raw";
  source: string;
  run?: CellRun;
}

const TYPES = new Set(["code", "markdown", "raw"]);

export function replayCells(notebook: Y.Doc, runs: readonly CellRun[]): ReplayCell[] {
  const latest = latestRunByCell(runs);
  const out: ReplayCell[] = [];
  for (const cell of notebook.getArray<unknown>("cells").toArray()) {
    if (!(cell instanceof Y.Map)) continue;
    const id = cell.get("id");
    const type = cell.get("cell_type");
    const source = cell.get("source");
    if (typeof id !== "string" || typeof type !== "string" || !TYPES.has(type)) continue;
    out.push({
      id,
      cellType: type as ReplayCell["cellType"],
      source: source instanceof Y.Text ? source.toString() : "",
      ...(type === "code" && latest.has(id) ? { run: latest.get(id) } : {}),
    });
  }
  return out;
}
