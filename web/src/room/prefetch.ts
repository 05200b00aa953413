// The room's first request, started by the entry before the room's chunk has even arrived:
// checking the link (GET /api/sessions/{id}) then overlaps the download of the editor, instead
// of waiting for it. Used once: later loads (a retry, another session) ask the server again.
import { getSession, type SessionInfo } from "../api";

let early: { key: string; info: Promise<SessionInfo> } | null = null;

export function prefetchSession(session: string, token: string): void {
  const info = getSession(session, token);
  info.catch(() => undefined); // answered (or reported) when the room asks for it
  early = { key: `${session}\n${token}`, info };
}

/** The prefetched answer for this link if there is one, else a fresh request. */
export function sessionInfo(session: string, token: string): Promise<SessionInfo> {
  if (early && early.key === `${session}\n${token}`) {
    const { info } = early;
    early = null;
    return info;
  }
  return getSession(session, token);
}
