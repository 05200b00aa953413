import { expect, test } from "vitest";
import type { Marker } from "./timeline";
import { withCommentMarkers } from "./useComments";

const run: Marker = { t: 500, kind: "run", status: "ok" };
const stale: Marker = { t: 100, kind: "comment", id: 1, author: "a" };

test("the live comment list replaces the timeline's comment markers, in time order", () => {
  const live = [
    { id: 1, at: 100, text: "good", author: "a", role: "reviewer" },
    { id: 2, at: 900, text: "slow", author: "b", role: "interviewer" },
  ];
  expect(withCommentMarkers([stale, run], live)).toEqual([
    { t: 100, kind: "comment", id: 1, author: "a", text: "good" },
    run,
    { t: 900, kind: "comment", id: 2, author: "b", text: "slow" },
  ]);
});

test("without the right to read comments the timeline's markers are kept as they are", () => {
  expect(withCommentMarkers([stale, run], null)).toEqual([stale, run]);
});
