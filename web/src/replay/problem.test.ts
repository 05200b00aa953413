import { describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { replayProblem, SIGNED_OUT } from "./problem";

describe("replayProblem", () => {
  it("tells a signed-in member without access that the recording is not shared with them, with the server's reason", () => {
    const p = replayProblem(new ApiError(403, "this session is neither yours nor shared with you"), "sign-in");
    expect(p).toEqual({
      status: 403,
      title: "You do not have access to this recording",
      detail: "The server says: this session is neither yours nor shared with you.",
      next: "Ask the session's interviewer to share it with you (Share, on their dashboard), then open it from yours.",
      signIn: false,
    });
  });

  it("sends a refused link's holder to a new link or their sign-in", () => {
    const p = replayProblem(new ApiError(403, "token is for another session"), "token");
    expect([p.status, p.title, p.signIn]).toEqual([403, "This replay link does not work", true]);
  });

  it("asks a signed-out browser to sign in, whichever way the replay was opened", () => {
    for (const opened of ["token", "sign-in"] as const) {
      const p = replayProblem(new ApiError(401, "signed out or expired: sign in again"), opened);
      expect(p).toEqual({ ...SIGNED_OUT, detail: "The server says: signed out or expired: sign in again." });
    }
  });

  it("says a missing session is gone, and an unreachable server is unreachable", () => {
    expect(replayProblem(new ApiError(404, "no such session"), "sign-in").title).toBe("There is no such recording");
    expect(replayProblem(new ApiError(0, "server unreachable"), "sign-in").title).toBe("The server cannot be reached");
    expect(replayProblem(new Error("boom"), "token")).toMatchObject({ status: -1, detail: "Error: boom" });
  });
});
