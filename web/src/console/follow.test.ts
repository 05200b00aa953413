import { describe, expect, test } from "vitest";
import { atBottom, followAfterScroll } from "./follow";

const box = (scrollTop: number, scrollHeight: number) => ({ scrollTop, clientHeight: 300, scrollHeight });

describe("followAfterScroll", () => {
  test("the reader at the bottom (within the slack) follows; above it does not", () => {
    expect(atBottom(box(700, 1000))).toBe(true);
    expect(atBottom(box(661, 1000))).toBe(true);
    expect(atBottom(box(659, 1000))).toBe(false);
  });

  test("our own scroll's event keeps following even though an image grew the content since", () => {
    // We scrolled to 27 (content 327 px); the plot then grew it to 1,299 px before the event.
    expect(followAfterScroll(box(27, 1299), 27, true)).toBe(true);
  });

  test("the reader scrolling up stops following, scrolling back down resumes it", () => {
    expect(followAfterScroll(box(500, 1299), 999, true)).toBe(false);
    expect(followAfterScroll(box(500, 1299), null, true)).toBe(false);
    expect(followAfterScroll(box(999, 1299), null, false)).toBe(true);
  });
});
