import { describe, expect, test } from "vitest";
import * as Y from "yjs";
import { DOC, roots } from "../sync/schema";
import { countAtOrBefore, cursorsAt, DocTimeline, SNAPSHOT_EVERY, type LogEntry } from "./engine";

function b64(bytes: Uint8Array): string {
  let raw = "";
  for (const b of bytes) raw += String.fromCharCode(b);
  return btoa(raw);
}

/** A code doc's log: one update per typed character, character i at t = 10 * (i + 1) ms. */
function typed(text: string): LogEntry[] {
  const doc = new Y.Doc();
  const log: LogEntry[] = [];
  doc.on("update", (u: Uint8Array) =>
    log.push({ seq: log.length + 1, t: 10 * (log.length + 1), author: "ann", role: "candidate", kind: "update", data: b64(u) }),
  );
  const source = roots.code.source(doc);
  for (const ch of text) source.insert(source.length, ch);
  return log;
}

const textOf = (tl: DocTimeline) => roots.code.source(tl.doc).toString();

describe("countAtOrBefore", () => {
  test("counts the entries at or before an instant in a sorted list of times", () => {
    const times = [10, 20, 20, 30];
    expect(countAtOrBefore(times, 5)).toBe(0);
    expect(countAtOrBefore(times, 20)).toBe(3);
    expect(countAtOrBefore(times, 29)).toBe(3);
    expect(countAtOrBefore(times, 30)).toBe(4);
    expect(countAtOrBefore(times, 1_000)).toBe(4);
    expect(countAtOrBefore([], 1_000)).toBe(0);
  });
});

describe("DocTimeline", () => {
  test("starts empty and seeking forward applies the updates up to the instant on the same doc", () => {
    const tl = new DocTimeline(typed("hello"));
    expect(tl.length).toBe(5);
    expect(textOf(tl)).toBe("");
    const doc = tl.doc;
    expect(tl.seek(30)).toBe(true);
    expect(textOf(tl)).toBe("hel");
    expect(tl.seek(50)).toBe(true);
    expect(textOf(tl)).toBe("hello");
    expect(tl.doc).toBe(doc);
    expect(tl.generation).toBe(0);
  });

  test("seeking to an instant that adds no update reports no change", () => {
    const tl = new DocTimeline(typed("hello"));
    tl.seek(30);
    expect(tl.seek(39)).toBe(false);
    expect(tl.applied).toBe(3);
  });

  test("seeking back builds a fresh doc and bumps the generation so views re-bind", () => {
    const tl = new DocTimeline(typed("hello"));
    tl.seek(50);
    const before = tl.doc;
    expect(tl.seek(20)).toBe(true);
    expect(tl.doc).not.toBe(before);
    expect(tl.generation).toBe(1);
    expect(textOf(tl)).toBe("he");
  });

  test("a seek back from snapshots plus tail gives the same text as the log up to that instant", () => {
    const text = Array.from({ length: 2 * SNAPSHOT_EVERY + 200 }, (_, i) => "abcdefghij"[i % 10]).join("");
    const tl = new DocTimeline(typed(text));
    tl.seek(10 * text.length);
    expect(textOf(tl)).toBe(text);
    for (const n of [2 * SNAPSHOT_EVERY, SNAPSHOT_EVERY + 123, SNAPSHOT_EVERY, 7, 0]) {
      tl.seek(10 * n);
      expect(textOf(tl)).toBe(text.slice(0, n));
      expect(tl.applied).toBe(n);
    }
  });

  test("ignores log entries that carry no Yjs update", () => {
    const log = typed("ab");
    const noise: LogEntry[] = [
      { seq: 90, t: 1, author: "ann", role: "candidate", kind: "signal", value: { kind: "paste" } },
      { seq: 91, t: 2, author: "ann", role: "candidate", kind: "update" },
    ];
    const tl = new DocTimeline([...noise, ...log]);
    expect(tl.length).toBe(2);
    expect(tl.times).toEqual([10, 20]);
  });
});

describe("cursorsAt", () => {
  const sample = (t: number, doc: string, client: number, state: Record<string, unknown> | null, author = "ann"): LogEntry => ({
    seq: t,
    t,
    author,
    role: "candidate",
    kind: "awareness",
    value: { doc, client, state },
  });

  test("keeps each client's latest state in the doc at the instant, drops cleared ones, ignores other docs", () => {
    const samples = [
      sample(10, DOC.code, 1, { cursor: 1 }),
      sample(20, DOC.code, 2, { cursor: 5 }, "bob"),
      sample(30, DOC.board, 3, { pointer: [0, 0] }),
      sample(40, DOC.code, 1, { cursor: 2 }),
      sample(50, DOC.code, 2, null, "bob"),
      sample(60, DOC.code, 1, { cursor: 9 }),
    ];
    expect([...cursorsAt(samples, DOC.code, 45)]).toEqual([
      [1, { author: "ann", state: { cursor: 2 } }],
      [2, { author: "bob", state: { cursor: 5 } }],
    ]);
    expect([...cursorsAt(samples, DOC.code, 55)]).toEqual([[1, { author: "ann", state: { cursor: 2 } }]]);
    expect([...cursorsAt(samples, DOC.code, 5)]).toEqual([]);
  });
});
