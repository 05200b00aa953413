import { describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { linkProblem } from "./linkError";

describe("what a refused room link tells its holder", () => {
  it("tells an ended interview from a bad link and an unreachable server", () => {
    expect(linkProblem(new ApiError(403, "session has ended")).kind).toBe("ended");
    const bad = linkProblem(new ApiError(403, "bad token signature"));
    expect([bad.kind, bad.detail]).toEqual(["invalid", "This link is not valid (403: bad token signature)."]);
    expect(linkProblem(new ApiError(0, "offline")).kind).toBe("unreachable");
    expect(linkProblem(new ApiError(500, "boom")).kind).toBe("server");
  });
});
