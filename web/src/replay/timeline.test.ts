import { describe, expect, test } from "vitest";
import { formatClock, skipIdle, SPEEDS, type Timeline } from "./timeline";

// Five 1 s buckets, busy only in the second and the fourth; the recording ends at 4.5 s.
const tl: Timeline = {
  id: "s1",
  title: "t",
  state: "ended",
  created_at_ms: 0,
  duration_ms: 4_500,
  bucket_ms: 1_000,
  people: [],
  busy: [0, 3, 0, 1, 0],
  markers: [],
};

describe("skipIdle", () => {
  test("leaves a time inside a busy bucket where it is", () => {
    expect(skipIdle(tl, 1_250)).toBe(1_250);
    expect(skipIdle(tl, 3_999)).toBe(3_999);
  });

  test("moves a time inside an idle stretch to the start of the next busy bucket", () => {
    expect(skipIdle(tl, 0)).toBe(1_000);
    expect(skipIdle(tl, 2_500)).toBe(3_000);
  });

  test("moves a time in the trailing idle stretch to the end of the recording, not past it", () => {
    expect(skipIdle(tl, 4_100)).toBe(4_500);
  });

  test("leaves a time beyond the last bucket where it is", () => {
    expect(skipIdle(tl, 5_000)).toBe(5_000);
  });

  test("leaves a recording without buckets alone", () => {
    expect(skipIdle({ ...tl, busy: [] }, 700)).toBe(700);
  });
});

describe("formatClock", () => {
  test("shows whole minutes and seconds, both two digits, truncating milliseconds", () => {
    expect(formatClock(0)).toBe("00:00");
    expect(formatClock(61_999)).toBe("01:01");
    expect(formatClock(599_000)).toBe("09:59");
  });

  test("keeps counting minutes past an hour", () => {
    expect(formatClock(3_600_000)).toBe("60:00");
  });
});

test("the player offers speeds from 1x to 32x, doubling", () => {
  expect(SPEEDS).toEqual([1, 2, 4, 8, 16, 32]);
});
