import { describe, expect, test } from "vitest";
import * as Y from "yjs";
import { replayCells } from "./notebookView";

function cell(doc: Y.Doc, id: unknown, type: unknown, source: string): void {
  const m = new Y.Map<unknown>();
  m.set("id", id);
  m.set("cell_type", type);
  const text = new Y.Text();
  text.insert(0, source);
  m.set("source", text);
  doc.getArray("cells").push([m]);
}

describe("replayCells", () => {
  test("gives each code cell its latest run and skips cells no model could take", () => {
    const doc = new Y.Doc();
    cell(doc, "md", "markdown", "# Title");
    cell(doc, "a", "code", "print(1)");
    cell(doc, "bad", "sql", "select 1");
    cell(doc, 7, "code", "x");
    cell(doc, "b", "code", "never run");
    const runs = [
      { id: "r1", cell_id: "a", status: "ok" as const, outputs: [{ type: "stream" as const, name: "stdout" as const, text: "1\n" }] },
      { id: "console", status: "ok" as const, outputs: [] },
      { id: "r2", cell_id: "a", status: "error" as const, outputs: [] },
      { id: "r3", cell_id: "md", status: "ok" as const, outputs: [] },
    ];
    const cells = replayCells(doc, runs);
    expect(cells.map((c) => [c.id, c.cellType, c.source, c.run?.id])).toEqual([
      ["md", "markdown", "# Title", undefined],
      ["a", "code", "print(1)", "r2"],
      ["b", "code", "never run", undefined],
    ]);
  });
});
