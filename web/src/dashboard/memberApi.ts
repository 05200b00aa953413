// The signed-in member's REST calls (dashboard, users, tokens). The browser's sign-in cookie is
// HttpOnly and goes along by itself (same origin); what this client adds is the sign-in's CSRF
// token on every state-changing request (`X-CSRF-Token`), which the server demands of cookies.
// The transport is a parameter so tests can record what is sent; pages use `fetch`.
import { ApiError, type SessionLinks } from "../api";

export type OrgRole = "owner" | "interviewer" | "reviewer";

export interface Me {
  user: { id: string; email: string; name: string; role: OrgRole };
  csrf_token: string | null;
}

export interface MemberSession {
  id: string;
  title: string;
  state: string;
  created_at: string;
  ended_at: number | null;
  /** When retention deletes this ended session's recording (ms); null: it is kept. */
  deletes_at?: number | null;
  scenario: string | null;
  mode?: string;
  candidate_name: string | null;
  owner_id: string | null;
  shared: boolean;
  /** Present only where the member may hand the session out (rejoin, share). */
  links?: Partial<SessionLinks> & { replay?: string };
  /** The replay opened with this sign-in (no token): present where the member may read the
   * recording (owner, interviewer who ran it, shared with them or the team). */
  replay_url?: string;
}

export interface SessionPage {
  sessions: MemberSession[];
  /** Every match of the filters (`X-Total-Count`), not only this page's. */
  total: number;
}

export interface Person {
  id: string;
  email: string | null;
  name: string | null;
  role: OrgRole | null;
}

export interface AccessList {
  owner: Person | null;
  shared_with: Person[];
  team: boolean;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: OrgRole;
  disabled: boolean;
}

export interface Invited {
  user: Omit<UserRow, "disabled">;
  invite_link: string;
}

export interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface CreatedToken extends TokenRow {
  /** The secret: shown once, never again. */
  token: string;
}

export interface CreatedSession {
  id: string;
  links: SessionLinks;
}

/** The scopes a personal API token may hold: server/permissions.py TOKEN_SCOPES, in its order
 * (tests/web/test_token_scopes_agree.py keeps them equal). */
export const TOKEN_SCOPES = ["sessions:read", "sessions:write", "users:manage", "audit:read", "privacy", "org:settings", "webhooks"] as const;

export type Transport = (url: string, init: RequestInit) => Promise<Response>;

const browserFetch: Transport = (url, init) => fetch(url, init);

async function detail(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === "object" && "detail" in body) {
      const d = (body as { detail: unknown }).detail;
      return typeof d === "string" ? d : JSON.stringify(d);
    }
    return `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

const enc = encodeURIComponent;

/** Who is signed in, or null (not signed in, or signed out elsewhere). */
export async function loadMe(transport: Transport = browserFetch): Promise<Me | null> {
  let res: Response;
  try {
    res = await transport("/api/me", { method: "GET", credentials: "same-origin" });
  } catch {
    return null;
  }
  return res.ok ? ((await res.json()) as Me) : null;
}

export class MemberApi {
  constructor(
    private readonly csrf: string | null,
    private readonly transport: Transport = browserFetch,
  ) {}

  private async send(path: string, method: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && this.csrf) headers["X-CSRF-Token"] = this.csrf;
    let res: Response;
    try {
      res = await this.transport(path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, `server unreachable: ${String(e)}`);
    }
    if (!res.ok) throw new ApiError(res.status, await detail(res));
    return res;
  }

  private async json<T>(path: string, method = "GET", body?: unknown): Promise<T> {
    return (await (await this.send(path, method, body)).json()) as T;
  }

  /** One page of the listing; `params` are the server's filters (see filters.ts apiParams). */
  async listSessions(params: URLSearchParams): Promise<SessionPage> {
    const query = params.toString();
    const res = await this.send(`/api/sessions${query ? `?${query}` : ""}`, "GET");
    const sessions = (await res.json()) as MemberSession[];
    const total = Number(res.headers.get("X-Total-Count") ?? sessions.length);
    return { sessions, total: Number.isFinite(total) ? total : sessions.length };
  }

  createSession(body: { title?: string; scenario?: string; mode?: "code" | "notebook" }) {
    return this.json<CreatedSession>("/api/sessions", "POST", body);
  }

  listScenarios() {
    return this.json<{ id: string; title: string; kind: string; level: string }[]>("/api/scenarios");
  }

  endSession(id: string) {
    return this.json<{ id: string; state: string }>(`/api/sessions/${enc(id)}/end`, "POST");
  }

  listAccess(id: string) {
    return this.json<AccessList>(`/api/sessions/${enc(id)}/access`);
  }

  /** Share with users (by e-mail) and/or the whole team. */
  share(id: string, emails: string[], team?: boolean) {
    return this.json<unknown>(`/api/sessions/${enc(id)}/access`, "POST", team === undefined ? { emails } : { emails, team });
  }

  /** Stop sharing with one user (id or e-mail), or with the team (`"team"`). */
  revokeAccess(id: string, memberOrTeam: string) {
    return this.json<unknown>(`/api/sessions/${enc(id)}/access/${enc(memberOrTeam)}`, "DELETE");
  }

  listUsers() {
    return this.json<UserRow[]>("/api/users");
  }

  inviteUser(email: string, role: OrgRole, name?: string) {
    return this.json<Invited>("/api/users", "POST", name ? { email, role, name } : { email, role });
  }

  changeUser(id: string, change: { role?: OrgRole; disabled?: boolean }) {
    return this.json<UserRow>(`/api/users/${enc(id)}`, "PATCH", change);
  }

  listTokens() {
    return this.json<TokenRow[]>("/api/tokens");
  }

  createToken(name: string, scopes: string[], expiresInDays: number) {
    return this.json<CreatedToken>("/api/tokens", "POST", { name, scopes, expires_in_days: expiresInDays });
  }

  revokeToken(id: string) {
    return this.json<{ id: string; revoked: boolean }>(`/api/tokens/${enc(id)}`, "DELETE");
  }

  signOut() {
    return this.json<unknown>("/api/auth/sign-out", "POST", {});
  }
}
