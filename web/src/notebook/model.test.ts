import { describe, expect, it } from "vitest";
import { afterRunAndAdvance, busy, consoleRuns, latestRunByCell, prompt, type CellRun } from "./model";

const runs: CellRun[] = [
  { id: "r1", cell_id: "a", status: "ok", execution_count: 1 },
  { id: "r2", status: "ok" },
  { id: "r3", cell_id: "a", status: "error", execution_count: 2 },
  { id: "r4", cell_id: "b", status: "queued" },
];

describe("the notebook's view of the console runs", () => {
  it("gives each cell its latest run", () => {
    const latest = latestRunByCell(runs);
    expect([...latest.entries()].map(([k, v]) => [k, v.id])).toEqual([
      ["a", "r3"],
      ["b", "r4"],
    ]);
  });

  it("leaves runs of no cell to the console", () => {
    expect(consoleRuns(runs).map((r) => r.id)).toEqual(["r2"]);
  });

  it("prompts as Jupyter does", () => {
    expect(prompt(undefined)).toBe("[ ]");
    expect(prompt({ id: "x", status: "running" })).toBe("[*]");
    expect(prompt({ id: "x", status: "queued" })).toBe("[*]");
    expect(prompt({ id: "x", status: "ok", execution_count: 7 })).toBe("[7]");
    expect(prompt({ id: "x", status: "cancelled" })).toBe("[ ]");
  });

  it("is busy while anything is queued or running", () => {
    expect(busy(runs)).toBe(true);
    expect(busy(runs.slice(0, 3))).toBe(false);
  });

  it("moves to the next cell after Shift-Enter, appending one after the last", () => {
    expect(afterRunAndAdvance(0, 3)).toBe(1);
    expect(afterRunAndAdvance(2, 3)).toBe("append");
  });
});
