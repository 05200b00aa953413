// The interviewer's live, unobtrusive view of the candidate's integrity signals: a small badge
// with counts, read from the session's signal log every few seconds. Evidence to weigh, never a
// verdict: it counts and times, it does not score.
import { useEffect, useState } from "react";
import { EMPTY_SUMMARY, describeSignals, summariseSignals, type SignalSummary } from "./integrity";
import { readSignals, type LogEntry } from "./sessionApi";
import "./journey.css";

/** How often the interviewer's page reads new signals (ms). Default 2000. */
export const SIGNAL_POLL_MS = 2000;

export function IntegrityIndicator({ session, token, live }: { session: string; token: string; live: boolean }) {
  const [summary, setSummary] = useState<SignalSummary>(EMPTY_SUMMARY);
  useEffect(() => {
    let after = 0;
    let stopped = false;
    const entries: LogEntry[] = [];
    const poll = async () => {
      try {
        for (;;) {
          const chunk = await readSignals(session, token, after);
          entries.push(...chunk.entries);
          after = chunk.next_after;
          if (chunk.done || chunk.entries.length === 0) break;
        }
        if (!stopped) setSummary(summariseSignals(entries));
      } catch {
        // the next poll tries again; the replay keeps every signal regardless
      }
    };
    void poll();
    if (!live) return;
    const t = window.setInterval(() => void poll(), SIGNAL_POLL_MS);
    return () => {
      stopped = true;
      window.clearInterval(t);
    };
  }, [session, token, live]);
  const text = describeSignals(summary);
  const quiet = summary.pastes === 0 && summary.focusLosses === 0;
  return (
    <span
      className={`badge integrity ${quiet ? "" : "integrity-some"} ${summary.awayNow ? "integrity-away" : ""}`}
      data-testid="integrity"
      role="status"
      aria-label={`Candidate activity: ${text}`}
      title="Pastes and focus changes reported by the candidate's page: evidence to weigh, not a verdict."
    >
      {text}
    </span>
  );
}
