import { expect, test } from "vitest";
import { MIN_VIEWPORT_PX, minimumWidth, PANE_MIN } from "./layoutPrefs";

test("the interviewer's three columns fit a 1024 px viewport at their minimum sizes", () => {
  expect(minimumWidth(true)).toBe(PANE_MIN.work + PANE_MIN.board + PANE_MIN.panel + 8);
  expect(minimumWidth(true)).toBeLessThanOrEqual(MIN_VIEWPORT_PX);
});

test("the two columns of other roles leave room to spare at 1024 px", () => {
  expect(minimumWidth(false)).toBe(PANE_MIN.work + PANE_MIN.board + 4);
  expect(minimumWidth(false)).toBeLessThan(minimumWidth(true));
});
