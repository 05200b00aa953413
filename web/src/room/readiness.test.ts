import { describe, expect, it } from "vitest";
import { ReadinessMark } from "./readiness";

describe("ReadinessMark", () => {
  it("is set once, when the code doc is live and the editor mounted, whichever comes last", () => {
    const seen: number[] = [];
    let t = 10;
    const mark = new ReadinessMark((at) => seen.push(at), { now: () => t });
    mark.editorMounted();
    t = 20;
    expect(seen).toEqual([]);
    mark.codeLive();
    t = 30;
    mark.codeLive();
    mark.editorMounted();
    expect(seen).toEqual([20]);
    expect(mark.at).toBe(20);
  });

  it("waits for the editor even when the doc is live first", () => {
    const seen: number[] = [];
    let t = 5;
    const mark = new ReadinessMark((at) => seen.push(at), { now: () => t });
    mark.codeLive();
    expect(seen).toEqual([]);
    t = 7;
    mark.editorMounted();
    expect(seen).toEqual([7]);
  });

  it("counts the synced doc alone on a page without a code editor (notebook sessions)", () => {
    const seen: number[] = [];
    const mark = new ReadinessMark((at) => seen.push(at), { editor: false, now: () => 3 });
    mark.codeLive();
    expect(seen).toEqual([3]);
  });
});
