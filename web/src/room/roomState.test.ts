import { describe, expect, it } from "vitest";
import { clockNow, endedFrom, runBlockedReason } from "./roomState";

describe("the session's end as the room sees it", () => {
  it("reads the console mark first, then the record", () => {
    expect(endedFrom({ state: "ended", ended_at: 5, ended_by: "Ann" }, "live")).toEqual({
      ended: true,
      endedAt: 5,
      endedBy: "Ann",
    });
    expect(endedFrom({}, "ended", 9)).toEqual({ ended: true, endedAt: 9, endedBy: null });
    expect(endedFrom({}, "live")).toEqual({ ended: false, endedAt: null, endedBy: null });
  });

  it("stops the clock at the end and not before", () => {
    const ended = endedFrom({ state: "ended", ended_at: 1000 });
    expect(clockNow(5000, ended)).toBe(1000);
    expect(clockNow(500, ended)).toBe(500);
    expect(clockNow(5000, endedFrom({}))).toBe(5000);
  });
});

describe("why Run is blocked", () => {
  const base = { role: "candidate" as const, ended: false, runDisabled: false, refused: false };
  it("says the most fundamental reason first", () => {
    expect(runBlockedReason(base)).toBeNull();
    expect(runBlockedReason({ ...base, runDisabled: true })).toBe("the interviewer has disabled Run");
    expect(runBlockedReason({ ...base, runDisabled: true, ended: true })).toBe("the interview has ended");
    expect(runBlockedReason({ ...base, role: "observer" })).toBe("observers cannot run code");
    expect(runBlockedReason({ ...base, refused: true })).toBe("the server refused this link");
  });
  it("never blocks the interviewer for the candidate's switch", () => {
    expect(runBlockedReason({ ...base, role: "interviewer", runDisabled: true })).toBeNull();
  });
});
