import { describe, expect, it } from "vitest";
import { describeSignals, pasteSignal, summariseSignals } from "./integrity";
import type { LogEntry } from "./sessionApi";

const entry = (t: number, value: Record<string, unknown>, role = "candidate"): LogEntry => ({
  seq: t,
  t,
  author: "Ada",
  role,
  kind: "signal",
  value,
});

describe("integrity signals", () => {
  it("reports a paste by size and lines, never its text", () => {
    const text = Array.from({ length: 41 }, (_, i) => `line ${i}`).join("\n");
    const signal = pasteSignal(text);
    expect(signal).toEqual({ kind: "paste", size: text.length, lines: 41 });
    expect(JSON.stringify(signal)).not.toContain("line 3");
    expect(pasteSignal("")).toBeNull();
  });

  it("counts pastes, focus losses and time away, and knows when the candidate is away now", () => {
    const summary = summariseSignals([
      entry(100, { kind: "paste", size: 300, lines: 41 }),
      entry(1000, { kind: "blur" }),
      entry(13000, { kind: "focus" }),
      entry(14000, { kind: "paste", size: 5, lines: 1 }, "interviewer"), // not the candidate's
      entry(20000, { kind: "blur" }),
    ]);
    expect(summary).toMatchObject({ pastes: 1, pastedLines: 41, largestPaste: 300, focusLosses: 2, awayMs: 12000, awayNow: true });
    expect(describeSignals(summary)).toBe("1 paste (41 lines) · 2 focus losses (12 s away) · away now");
    expect(describeSignals(summariseSignals([]))).toBe("no pastes or focus changes");
  });
});
