// What the room derives from the session's end and its controls. Pure, so the rules can be
// unit-tested: who may type, whether Run works and why not, and where the clock stops.
import type { Role } from "../api";

/** `console.session` as the server writes it when the session ends. */
export interface SessionMark {
  state?: string;
  ended_at?: number;
  ended_by?: string;
}

export interface Ended {
  ended: boolean;
  endedAt: number | null;
  endedBy: string | null;
}

/** The session's end, from the console mark (live) or the session record (loaded ended). */
export function endedFrom(mark: SessionMark, recordState?: string, recordEndedAt?: number | null): Ended {
  if (mark.state === "ended") {
    return { ended: true, endedAt: mark.ended_at ?? null, endedBy: mark.ended_by ?? null };
  }
  if (recordState === "ended") return { ended: true, endedAt: recordEndedAt ?? null, endedBy: null };
  return { ended: false, endedAt: null, endedBy: null };
}

/** Why Run cannot be used now, or null when it can. Said in the toolbar and on Ctrl/Cmd-Enter. */
export function runBlockedReason(p: {
  role: Role;
  ended: boolean;
  runDisabled: boolean;
  refused: boolean;
}): string | null {
  if (p.role === "observer" || p.role === "reviewer") return `${p.role}s cannot run code`;
  if (p.ended) return "the interview has ended";
  if (p.refused) return "the server refused this link";
  if (p.role === "candidate" && p.runDisabled) return "the interviewer has disabled Run";
  return null;
}

/** "Now" for the clock: it stops at the end. */
export function clockNow(now: number, ended: Ended): number {
  return ended.ended && ended.endedAt !== null ? Math.min(now, ended.endedAt) : now;
}
