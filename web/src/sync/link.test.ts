import { describe, expect, test } from "vitest";
import { jitteredCap, overallState, wsBase } from "./link";

describe("overallState", () => {
  test("shows the worst state of the links: refused, then reconnecting, then connecting", () => {
    expect(overallState(["live", "refused", "reconnecting"])).toBe("refused");
    expect(overallState(["connecting", "reconnecting", "live"])).toBe("reconnecting");
    expect(overallState(["live", "connecting"])).toBe("connecting");
    expect(overallState(["live", "live"])).toBe("live");
  });
});

describe("jitteredCap", () => {
  test("scales the cap by a factor in [0.5, 1.5), rounded to whole milliseconds", () => {
    expect(jitteredCap(4000, () => 0)).toBe(2000);
    expect(jitteredCap(4000, () => 0.5)).toBe(4000);
    expect(jitteredCap(4000, () => 0.9999)).toBe(6000);
    expect(jitteredCap(1000, () => 0.1234)).toBe(623);
  });
});

describe("wsBase", () => {
  test("uses wss under https and ws otherwise, on the page's own host, with the session id escaped", () => {
    expect(wsBase("abc", { protocol: "https:", host: "pb.example:8443" } as Location)).toBe("wss://pb.example:8443/ws/abc");
    expect(wsBase("a/b c", { protocol: "http:", host: "127.0.0.1:8000" } as Location)).toBe("ws://127.0.0.1:8000/ws/a%2Fb%20c");
  });
});
