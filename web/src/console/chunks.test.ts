import { describe, expect, test } from "vitest";
import { chunkLines, lineCount, mergeStreams } from "./chunks";
import { visibleAfterClear, readCleared } from "./cleared";

describe("chunkLines", () => {
  test("short text is one chunk, unchanged", () => {
    expect(chunkLines("a\nb\n", 3)).toEqual(["a\nb\n"]);
    expect(chunkLines("", 3)).toEqual([""]);
  });

  test("long text is cut after every n-th newline and joins back to itself", () => {
    const text = Array.from({ length: 7 }, (_, i) => `line ${i}`).join("\n");
    const chunks = chunkLines(text, 3);
    expect(chunks).toEqual(["line 0\nline 1\nline 2\n", "line 3\nline 4\nline 5\n", "line 6"]);
    expect(chunks.join("")).toBe(text);
    expect(chunks.map(lineCount)).toEqual([3, 3, 1]);
  });

  test("20,000 lines become 100 chunks of 200", () => {
    const text = "x\n".repeat(20_000);
    const chunks = chunkLines(text);
    expect(chunks.length).toBe(100);
    expect(new Set(chunks.map(lineCount))).toEqual(new Set([200]));
  });
});

describe("clear is per viewer", () => {
  test("hides the runs that existed at Clear, shows the ones after", () => {
    expect(visibleAfterClear(["r1", "r2", "r3"], 2)).toEqual(["r3"]);
    expect(visibleAfterClear(["r1"], 0)).toEqual(["r1"]);
    expect(visibleAfterClear(["r1"], 5)).toEqual([]);
  });

  test("a stored count that is missing or not a positive number hides nothing", () => {
    expect([readCleared(null), readCleared("x"), readCleared("-3"), readCleared("4")]).toEqual([0, 0, 0, 4]);
  });
});

describe("mergeStreams", () => {
  test("consecutive outputs of one stream become one, in order; others stay apart", () => {
    const outs = [
      { type: "stream", name: "stdout", text: "epoch 1\n" },
      { type: "stream", name: "stdout", text: "epoch 2\n" },
      { type: "stream", name: "stderr", text: "warn\n" },
      { type: "stream", name: "stdout", text: "epoch 3\n" },
      { type: "result", data: { "text/plain": "42" } },
      { type: "stream", name: "stdout", text: "after\n" },
    ];
    expect(mergeStreams(outs)).toEqual([
      { type: "stream", name: "stdout", text: "epoch 1\nepoch 2\n" },
      { type: "stream", name: "stderr", text: "warn\n" },
      { type: "stream", name: "stdout", text: "epoch 3\n" },
      { type: "result", data: { "text/plain": "42" } },
      { type: "stream", name: "stdout", text: "after\n" },
    ]);
    expect(outs[0].text).toBe("epoch 1\n"); // the snapshot is not mutated
  });
});
