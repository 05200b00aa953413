import { describe, expect, test } from "vitest";
import { elapsedMs, formatClock } from "./clock";

describe("elapsedMs", () => {
  test("is zero before the clock starts", () => {
    expect(elapsedMs(undefined, 5_000)).toBe(0);
    expect(elapsedMs({ state: "waiting", started_at: null, paused_at: null, paused_total: 0 }, 5_000)).toBe(0);
  });

  test("runs from the start, less the time spent paused", () => {
    expect(elapsedMs({ state: "running", started_at: 1_000, paused_at: null, paused_total: 2_000 }, 10_000)).toBe(7_000);
  });

  test("stands still while paused", () => {
    const paused = { state: "paused", started_at: 1_000, paused_at: 4_000, paused_total: 500 } as const;
    expect(elapsedMs(paused, 10_000)).toBe(2_500);
    expect(elapsedMs(paused, 99_000)).toBe(2_500);
  });

  test("never goes below zero when this browser's clock is behind the server's", () => {
    expect(elapsedMs({ state: "running", started_at: 10_000, paused_at: null, paused_total: 0 }, 9_000)).toBe(0);
  });
});

describe("formatClock", () => {
  test("shows minutes unpadded and seconds two digits, never negative", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(65_999)).toBe("1:05");
    expect(formatClock(45 * 60_000)).toBe("45:00");
    expect(formatClock(-3_000)).toBe("0:00");
  });
});
