// REST client for the server's /api. A call carries a bearer token (the admin token in the
// lobby, the session capability token from the link in a room or a replay) or, for a signed-in
// member's replay, the browser's sign-in cookie (see `Credential`). Errors carry the HTTP status
// so callers can tell "refused" (401/403/404) from "server unreachable" (status 0).

export type Role = "interviewer" | "candidate" | "observer" | "reviewer";

export interface SessionLinks {
  interviewer: string;
  candidate: string;
  observer: string;
}

export interface SessionSummary {
  id: string;
  title: string;
  state?: string;
  created_at?: string | number;
  scenario?: string | null;
  links?: SessionLinks;
}

export interface SessionInfo {
  id: string;
  title: string;
  state?: string;
  created_at?: string | number;
  role: Role;
  name: string;
  scenario?: string | null;
  /** `notebook`: the room shows the shared notebook instead of the code editor. */
  mode?: "code" | "notebook";
  [key: string]: unknown;
}

export interface CreatedSession {
  id: string;
  links: SessionLinks;
  tokens: SessionLinks;
}

export interface ScenarioSummary {
  id: string;
  title: string;
  kind: string;
  level: string;
  duration_min: number;
  summary: string;
}

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached at all. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
  get refused(): boolean {
    return this.status === 401 || this.status === 403 || this.status === 404;
  }
}

async function detail(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === "object" && "detail" in body) {
      const d = (body as { detail: unknown }).detail;
      return typeof d === "string" ? d : JSON.stringify(d);
    }
    return JSON.stringify(body);
  } catch {
    return res.statusText || `HTTP ${res.status}`;
  }
}

/** A signed-in member's browser: the HttpOnly sign-in cookie goes along by itself (same origin);
 * `csrf` is the sign-in's CSRF token, which the server demands of a cookie's state-changing
 * request (`X-CSRF-Token`). */
export interface SignedIn {
  csrf: string | null;
}

/** Who a request is from: a bearer token, or the browser's sign-in (`SignedIn`). */
export type Credential = string | SignedIn;

/** The headers that present `credential` on a request of `method`. */
export function credentialHeaders(credential: Credential, method: string): Record<string, string> {
  if (typeof credential === "string") return { Authorization: `Bearer ${credential}` };
  return method !== "GET" && method !== "HEAD" && credential.csrf ? { "X-CSRF-Token": credential.csrf } : {};
}

export async function api<T>(
  path: string,
  token: Credential,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  let res: Response;
  const method = init.method ?? "GET";
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        ...credentialHeaders(token, method),
        ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (e) {
    throw new ApiError(0, `server unreachable: ${String(e)}`);
  }
  return readResponse<T>(res);
}

/** An API answer's body, or its error as an ApiError (also for a request someone else sent). */
export async function readResponse<T>(res: Response): Promise<T> {
  if (!res.ok) throw new ApiError(res.status, await detail(res));
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const getSession = (id: string, token: string) =>
  api<SessionInfo>(`/api/sessions/${encodeURIComponent(id)}`, token);

export const listSessions = (adminToken: string) =>
  api<SessionSummary[] | { sessions: SessionSummary[] }>("/api/sessions", adminToken).then((r) =>
    Array.isArray(r) ? r : r.sessions,
  );

export const createSession = (
  adminToken: string,
  body: { title?: string; scenario?: string; mode?: "code" | "notebook" },
) =>
  api<CreatedSession>("/api/sessions", adminToken, { method: "POST", body });

export const listScenarios = (token: string) => api<ScenarioSummary[]>("/api/scenarios", token);

export const setControls = (
  id: string,
  token: string,
  controls: { editor_locked?: boolean; run_disabled?: boolean },
) => api<unknown>(`/api/sessions/${encodeURIComponent(id)}/controls`, token, { method: "POST", body: controls });

/** Run `code` (the editor's text); `entry` names the project file it is, when not the entry file;
 * `selection`: the code is the editor's selected lines (Run selection). */
export const startRun = (id: string, token: string, code?: string, entry?: string, selection = false) =>
  api<{ run_id: string }>(`/api/sessions/${encodeURIComponent(id)}/runs`, token, {
    method: "POST",
    body: {
      ...(code === undefined ? {} : { code }),
      ...(entry === undefined ? {} : { entry }),
      ...(selection ? { selection } : {}),
    },
  });

/** Answer the input() a run waits on (only its runner may; the server says so otherwise). */
export const answerInput = (id: string, token: string, run: string, value: string) =>
  api<unknown>(`/api/sessions/${encodeURIComponent(id)}/runs/${encodeURIComponent(run)}/input`, token, {
    method: "POST",
    body: { value },
  });

export const interruptKernel = (id: string, token: string) =>
  api<unknown>(`/api/sessions/${encodeURIComponent(id)}/kernel/interrupt`, token, { method: "POST" });

export const restartKernel = (id: string, token: string) =>
  api<unknown>(`/api/sessions/${encodeURIComponent(id)}/kernel/restart`, token, { method: "POST" });

// --- scenario runner (server/scenarios/api.py) ---------------------------------------------

export interface ScenarioClock {
  state: "waiting" | "running" | "paused";
  started_at: number | null;
  paused_at: number | null;
  paused_total: number;
  elapsed_ms?: number;
}

export interface ScenarioEventInfo {
  id: string;
  title: string;
  at_seconds: number | null;
  trigger: string | null;
  status: "upcoming" | "fired" | "skipped";
  done_at: number | null;
  done_by: string | null;
  actions: string[];
}

/** The interviewer's view of the session's scenario (candidates get a brief-only view). */
export interface ScenarioView {
  id: string;
  title: string;
  kind: string;
  duration_min: number;
  brief: string;
  clock: ScenarioClock;
  upcoming?: string[];
  events?: ScenarioEventInfo[];
  hints?: { id: string; text: string; when?: string; revealed?: boolean }[];
  rubric?: unknown;
  notes?: string;
  tests?: { id: string; name: string; weight: number }[];
}

export interface GradeResult {
  id: string;
  at: number;
  by: string;
  score: number;
  error: string;
  passed: number;
  total: number;
  results: { id: string; name: string; weight: number; passed: boolean; message: string }[];
}

const sessionPath = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;

export const getScenario = (id: string, token: string) => api<ScenarioView>(`${sessionPath(id)}/scenario`, token);

export const scenarioClock = (id: string, token: string, action: "start" | "pause" | "resume") =>
  api<ScenarioClock>(`${sessionPath(id)}/scenario/${action}`, token, { method: "POST" });

export const scenarioEvent = (id: string, token: string, event: string, action: "fire" | "skip") =>
  api<unknown>(`${sessionPath(id)}/scenario/events/${encodeURIComponent(event)}/${action}`, token, { method: "POST" });

export const revealHint = (id: string, token: string, hint: string) =>
  api<unknown>(`${sessionPath(id)}/scenario/hints/${encodeURIComponent(hint)}/reveal`, token, { method: "POST" });

export const gradeSession = (id: string, token: string) =>
  api<GradeResult>(`${sessionPath(id)}/grade`, token, { method: "POST" });

// --- scorecards (server/api/scorecard.py) ----------------------------------------------------

export type Recommendation = "strong_hire" | "hire" | "no_hire" | "strong_no_hire";

export interface SubmittedScorecard {
  id: string;
  at: number;
  by: string;
  role: string;
  rubric: Record<string, number>;
  recommendation: Recommendation;
  summary: string;
}

export interface ScorecardSubmission {
  rubric: Record<string, number>;
  recommendation: Recommendation;
  summary: string;
}

export const submitScorecard = (id: string, token: Credential, body: ScorecardSubmission) =>
  api<SubmittedScorecard & { webhook_deliveries: number }>(`${sessionPath(id)}/scorecard`, token, {
    method: "POST",
    body,
  });

export const listScorecards = (id: string, token: Credential) =>
  api<SubmittedScorecard[]>(`${sessionPath(id)}/scorecards`, token);
