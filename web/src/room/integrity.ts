// Integrity signals: what the candidate's page reports (a paste's size and line count, never its
// text; focus lost and regained) and the interviewer's summary of them. Evidence for a person
// to weigh, never a verdict: the summary counts and times, it does not score.
import type { LogEntry, SignalBody } from "./sessionApi";

/** The signal for a paste of `text`, or null for an empty paste. */
export function pasteSignal(text: string): SignalBody | null {
  if (!text) return null;
  return { kind: "paste", size: text.length, lines: text.split("\n").length };
}

export interface SignalSummary {
  pastes: number;
  pastedLines: number;
  largestPaste: number; // characters
  focusLosses: number;
  awayNow: boolean;
  awayMs: number; // completed absences
  lastAt: number | null; // ms since the session's creation
}

export const EMPTY_SUMMARY: SignalSummary = {
  pastes: 0,
  pastedLines: 0,
  largestPaste: 0,
  focusLosses: 0,
  awayNow: false,
  awayMs: 0,
  lastAt: null,
};

/** Folds the candidate's signal entries (in log order) into counts. */
export function summariseSignals(entries: readonly LogEntry[]): SignalSummary {
  const s = { ...EMPTY_SUMMARY };
  let leftAt: number | null = null;
  for (const e of entries) {
    if (e.role !== "candidate" || !e.value) continue;
    const kind = e.value.kind;
    s.lastAt = e.t;
    if (kind === "paste") {
      s.pastes += 1;
      s.pastedLines += Number(e.value.lines ?? 1);
      s.largestPaste = Math.max(s.largestPaste, Number(e.value.size ?? 0));
    } else if (kind === "blur" && leftAt === null) {
      s.focusLosses += 1;
      leftAt = e.t;
    } else if (kind === "focus" && leftAt !== null) {
      s.awayMs += Math.max(0, e.t - leftAt);
      leftAt = null;
    }
  }
  s.awayNow = leftAt !== null;
  return s;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One short line for the indicator, e.g. "1 paste (41 lines) · 1 focus loss (12 s away)". */
export function describeSignals(s: SignalSummary): string {
  if (s.pastes === 0 && s.focusLosses === 0) return "no pastes or focus changes";
  const parts: string[] = [];
  if (s.pastes) parts.push(`${plural(s.pastes, "paste", "pastes")} (${plural(s.pastedLines, "line", "lines")})`);
  if (s.focusLosses) {
    const away = Math.round(s.awayMs / 1000);
    parts.push(`${plural(s.focusLosses, "focus loss", "focus losses")}${away ? ` (${away} s away)` : ""}`);
  }
  if (s.awayNow) parts.push("away now");
  return parts.join(" · ");
}
