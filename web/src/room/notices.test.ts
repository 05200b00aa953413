import { describe, expect, it } from "vitest";
import { noticesFrom } from "./notices";
import type { ScenarioEvent } from "../console/types";

const events: ScenarioEvent[] = [
  { id: "e0:0", kind: "brief", title: "Brief", text: "# Task" },
  { id: "interviewer:hint:h1", kind: "message", text: "Hint: use `sorted()`" },
  { id: "e1:reveal:two", kind: "reveal", title: "Part two", text: "Now **stream** it" },
  { id: "e2:0", kind: "banner", text: "Prod is down" },
];

describe("candidate notices", () => {
  it("turns hints and reveals into titled Markdown notices, not the brief or banners", () => {
    expect(noticesFrom(events, new Set())).toEqual([
      { id: "interviewer:hint:h1", title: "Hint", markdown: "use `sorted()`", tone: "hint" },
      { id: "e1:reveal:two", title: "New in the brief: Part two", markdown: "Now **stream** it", tone: "reveal" },
    ]);
  });
  it("leaves out dismissed ones and keeps the latest few", () => {
    expect(noticesFrom(events, new Set(["interviewer:hint:h1"])).map((n) => n.id)).toEqual(["e1:reveal:two"]);
    expect(noticesFrom(events, new Set(), 1).map((n) => n.id)).toEqual(["e1:reveal:two"]);
  });
});
