// The REST calls of the interview journey (end, share, name, integrity signals), beside the
// general client in ../api: the room's and the lobby's new buttons call these.
import { api, type SessionInfo } from "../api";

const path = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;

export interface EndedSession {
  id: string;
  state: string;
  ended_at: number | null;
}

export const endSession = (id: string, token: string) =>
  api<EndedSession>(`${path(id)}/end`, token, { method: "POST" });

/** A reviewer link to the replay (read, comment, export; never edit), also after the end. */
export const shareReplay = (id: string, token: string, name?: string) =>
  api<{ link: string; token: string }>(`${path(id)}/share`, token, {
    method: "POST",
    body: name ? { name } : {},
  });

/** The replay of this session, opened with the caller's own link (interviewers keep it after the end). */
export const replayUrl = (id: string, token: string) =>
  `/replay/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`;

export const chooseName = (id: string, token: string, name: string) =>
  api<SessionInfo>(`${path(id)}/name`, token, { method: "POST", body: { name } });

export type SignalBody = { kind: "paste"; size: number; lines: number } | { kind: "blur" } | { kind: "focus" };

export const sendSignal = (id: string, token: string, body: SignalBody) =>
  api<unknown>(`${path(id)}/signals`, token, { method: "POST", body });

export interface LogEntry {
  seq: number;
  t: number;
  author: string;
  role: string;
  kind: string;
  value?: Record<string, unknown>;
}

export const readSignals = (id: string, token: string, after: number) =>
  api<{ entries: LogEntry[]; next_after: number; done: boolean }>(
    `${path(id)}/log?doc=signals&after=${after}`,
    token,
  );

/** The organisation's candidate notice a session shows (GET /api/sessions/{id} `notice`). */
export interface SessionNotice {
  version: number;
  hash: string;
  text: string | null;
  privacy_policy_url: string | null;
  acknowledged_at: number | null;
}

/** Whether a session's page must show the notice before anything else. */
export const noticePending = (info: SessionInfo): SessionNotice | null => {
  const notice = info.notice as SessionNotice | null | undefined;
  return info.role === "candidate" && notice && notice.acknowledged_at == null ? notice : null;
};

export const acknowledgeNotice = (id: string, token: string, version: number, hash: string) =>
  api<{ acknowledged: { version: number; hash: string; at: number } }>(`${path(id)}/notice/ack`, token, {
    method: "POST",
    body: { version, hash },
  });
