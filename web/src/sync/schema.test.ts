import { describe, expect, test } from "vitest";
import * as Y from "yjs";
import { DOC, DOCS, RECORD, RECORD_DOCS, roots, SCHEMA } from "./schema";

describe("schema", () => {
  test("lists the live docs in the table's order, and names each doc and record stream after itself", () => {
    expect(DOCS).toEqual(["code", "board", "console", "notes", "notebook"]);
    expect(Object.entries(DOC)).toEqual(DOCS.map((d) => [d, d]));
    expect(Object.entries(RECORD)).toEqual(RECORD_DOCS.map((r) => [r, r]));
  });

  test("every root accessor returns the doc's own shared type of the declared kind", () => {
    const kinds = { Text: Y.Text, Map: Y.Map, Array: Y.Array } as const;
    const seen: string[] = [];
    for (const d of DOCS) {
      const doc = new Y.Doc();
      for (const [key, kind] of Object.entries(SCHEMA[d])) {
        const get = (roots[d] as Record<string, (doc: Y.Doc) => unknown>)[key];
        const shared = get(doc);
        expect(shared).toBeInstanceOf(kinds[kind]);
        expect(doc.share.get(key)).toBe(shared);
        expect(get(doc)).toBe(shared);
        seen.push(`${d}.${key}`);
      }
      expect(Object.keys(roots[d])).toEqual(Object.keys(SCHEMA[d]));
    }
    expect(seen).toHaveLength(16);
  });

  test("a write through an accessor is what another replica reads under the same key", () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    roots.console.runs(a).push([{ id: "r1" }]);
    roots.console.controls(a).set("editor_locked", true);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(b.getArray("runs").toJSON()).toEqual([{ id: "r1" }]);
    expect(b.getMap("controls").toJSON()).toEqual({ editor_locked: true });
  });
});
