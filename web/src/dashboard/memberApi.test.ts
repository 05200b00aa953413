import { describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { MemberApi, loadMe, type Transport } from "./memberApi";

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

/** A transport that records each request and answers from a list of responses. */
function recorder(...answers: Response[]): { transport: Transport; sent: Sent[] } {
  const sent: Sent[] = [];
  const transport: Transport = async (url, init) => {
    sent.push({
      url,
      method: init.method ?? "GET",
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
      credentials: init.credentials,
    });
    const answer = answers.shift();
    if (!answer) throw new TypeError("Failed to fetch");
    return answer;
  };
  return { transport, sent };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

describe("memberApi", () => {
  it("sends the CSRF token on changes and never on reads", async () => {
    const { transport, sent } = recorder(json([]), json({ id: "t1", revoked: true }));
    const api = new MemberApi("csrf-1", transport);
    await api.listTokens();
    await api.revokeToken("t/1");
    expect(sent.map((s) => [s.method, s.url, s.headers["X-CSRF-Token"] ?? null, s.credentials])).toEqual([
      ["GET", "/api/tokens", null, "same-origin"],
      ["DELETE", "/api/tokens/t%2F1", "csrf-1", "same-origin"],
    ]);
  });

  it("reads a page of sessions and its total from X-Total-Count", async () => {
    const row = { id: "s1", title: "one", state: "live" };
    const { transport, sent } = recorder(json([row], 200, { "X-Total-Count": "41" }));
    const page = await new MemberApi("c", transport).listSessions(new URLSearchParams("scope=mine&limit=20&offset=20"));
    expect(sent[0].url).toBe("/api/sessions?scope=mine&limit=20&offset=20");
    expect(page).toEqual({ sessions: [row], total: 41 });
  });

  it("shares by e-mail and with the team, and revokes one share or the team's", async () => {
    const { transport, sent } = recorder(json({}), json({}), json({}));
    const api = new MemberApi("c", transport);
    await api.share("s1", ["rita@example.com"]);
    await api.share("s1", [], true);
    await api.revokeAccess("s1", "rita@example.com");
    expect(sent.map((s) => [s.method, s.url, s.body])).toEqual([
      ["POST", "/api/sessions/s1/access", { emails: ["rita@example.com"] }],
      ["POST", "/api/sessions/s1/access", { emails: [], team: true }],
      ["DELETE", "/api/sessions/s1/access/rita%40example.com", undefined],
    ]);
  });

  it("invites, changes a role, creates a token with its scopes and expiry", async () => {
    const { transport, sent } = recorder(json({}, 201), json({}), json({ token: "pbt_x" }, 201));
    const api = new MemberApi("c", transport);
    await api.inviteUser("new@example.com", "reviewer");
    await api.changeUser("u1", { role: "interviewer" });
    const made = await api.createToken("ci", ["sessions:read"], 30);
    expect(made.token).toBe("pbt_x");
    expect(sent.map((s) => [s.method, s.url, s.body, s.headers["Content-Type"]])).toEqual([
      ["POST", "/api/users", { email: "new@example.com", role: "reviewer" }, "application/json"],
      ["PATCH", "/api/users/u1", { role: "interviewer" }, "application/json"],
      ["POST", "/api/tokens", { name: "ci", scopes: ["sessions:read"], expires_in_days: 30 }, "application/json"],
    ]);
  });

  it("turns a refusal into an ApiError with the server's reason and status", async () => {
    const { transport } = recorder(json({ detail: "the organisation must keep an enabled owner" }, 409));
    const error = await new MemberApi("c", transport).changeUser("u1", { disabled: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).message]).toEqual([409, "the organisation must keep an enabled owner"]);
  });

  it("says the server is unreachable with status 0", async () => {
    const { transport } = recorder();
    const error = await new MemberApi("c", transport).listUsers().catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(0);
  });

  it("loads who is signed in, or null when nobody is", async () => {
    const me = { user: { id: "u1", email: "o@example.com", name: "o", role: "owner" }, csrf_token: "c" };
    expect(await loadMe(recorder(json(me)).transport)).toEqual(me);
    expect(await loadMe(recorder(json({ detail: "missing bearer token" }, 401)).transport)).toBeNull();
    expect(await loadMe(recorder().transport)).toBeNull();
  });
});
