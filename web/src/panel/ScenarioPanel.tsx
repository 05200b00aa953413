// The interviewer's scenario controls: the clock (Start / Pause / Resume), upcoming events (fire
// now / skip), hints (reveal to the candidate) and Grade (hidden tests in a grader kernel; the
// report lands in the notes doc's `grades`, which candidates never open). Everything here is a
// REST call the server authorises; the view is re-read whenever the console doc's scenario state
// or events change, so several interviewers see the same thing.
import { useCallback, useEffect, useState } from "react";
import type * as Y from "yjs";
import {
  ApiError,
  getScenario,
  gradeSession,
  revealHint,
  scenarioClock,
  scenarioEvent,
  type GradeResult,
  type ScenarioClock,
  type ScenarioView,
} from "../api";
import { useYJson } from "../sync/hooks";
import { elapsedMs, formatClock } from "./clock";
import { useNow } from "./useNow";
import { roots } from "../sync/schema";
import { clockNow, endedFrom, type SessionMark } from "../room/roomState";


interface Props {
  session: string;
  token: string;
  consoleDoc: Y.Doc;
  grades: Y.Map<unknown> | null;
  canWrite: boolean;
  onView?: (view: ScenarioView) => void;
}

export function ScenarioPanel(p: Props) {
  const [view, setView] = useState<ScenarioView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mirrored = useYJson<{ clock?: ScenarioClock }>(roots.console.scenario(p.consoleDoc), {});
  const events = useYJson<unknown[]>(roots.console.events(p.consoleDoc), []);
  const grades = useYJson<Record<string, GradeResult>>(p.grades, {});
  const mark = useYJson<SessionMark>(roots.console.session(p.consoleDoc), {});
  const now = clockNow(useNow(), endedFrom(mark)); // the clock stops when the session ends
  const { onView } = p;

  const refresh = useCallback(async () => {
    try {
      const v = await getScenario(p.session, p.token);
      setView(v);
      onView?.(v);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.status || "offline"}: ${e.message}` : String(e));
    }
  }, [p.session, p.token, onView]);

  // Re-read on every change of the mirrored clock or the console's events (fired, revealed).
  const clockKey = JSON.stringify(mirrored.clock ?? null);
  useEffect(() => {
    void refresh();
  }, [refresh, clockKey, events.length]);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await refresh();
    } catch (e) {
      setError(e instanceof ApiError ? `${e.status || "offline"}: ${e.message}` : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!view) return error ? <p className="error" role="alert">{error}</p> : null;
  const clock = mirrored.clock ?? view.clock;
  const upcoming = (view.events ?? []).filter((e) => e.status === "upcoming");
  const done = (view.events ?? []).filter((e) => e.status !== "upcoming");
  const latest = Object.values(grades).sort((a, b) => b.at - a.at)[0];

  return (
    <section className="scenario" aria-label="Scenario controls" data-testid="scenario-panel">
      <h3>Scenario · {view.title}</h3>
      <div className="scenario-clock">
        <span data-testid="scenario-clock" className="badge">
          {clock.state} · {formatClock(elapsedMs(clock, now))} / {view.duration_min}:00
        </span>
        {p.canWrite ? (
          <>
            {clock.state === "waiting" ? (
              <button type="button" disabled={busy} data-testid="scenario-start"
                onClick={() => void act(() => scenarioClock(p.session, p.token, "start"))}>Start</button>
            ) : null}
            {clock.state === "running" ? (
              <button type="button" disabled={busy}
                onClick={() => void act(() => scenarioClock(p.session, p.token, "pause"))}>Pause</button>
            ) : null}
            {clock.state === "paused" ? (
              <button type="button" disabled={busy}
                onClick={() => void act(() => scenarioClock(p.session, p.token, "resume"))}>Resume</button>
            ) : null}
          </>
        ) : null}
      </div>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <h3>Upcoming events</h3>
      {upcoming.length === 0 ? <p className="muted">None.</p> : null}
      <ul className="scenario-list">
        {upcoming.map((e) => (
          <li key={e.id} data-testid={`event-${e.id}`}>
            <span className="when">{e.at_seconds != null ? formatClock(e.at_seconds * 1000) : "manual"}</span>{" "}
            {e.title} <span className="muted">({e.actions.join(", ")})</span>
            {p.canWrite ? (
              <span className="actions">
                <button type="button" disabled={busy} aria-label={`Fire now: ${e.title}`}
                  onClick={() => void act(() => scenarioEvent(p.session, p.token, e.id, "fire"))}>Fire now</button>
                <button type="button" disabled={busy} aria-label={`Skip: ${e.title}`}
                  onClick={() => void act(() => scenarioEvent(p.session, p.token, e.id, "skip"))}>Skip</button>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {done.length ? (
        <details>
          <summary>Done ({done.length})</summary>
          <ul className="scenario-list">
            {done.map((e) => <li key={e.id}>{e.status}: {e.title}</li>)}
          </ul>
        </details>
      ) : null}
      {view.hints && view.hints.length ? (
        <>
          <h3>Hints</h3>
          <ul className="scenario-list">
            {view.hints.map((h) => (
              <li key={h.id}>
                {h.text} {h.when ? <span className="muted">— {h.when}</span> : null}
                {h.revealed ? <span className="badge">revealed</span> : p.canWrite ? (
                  <button type="button" disabled={busy} aria-label={`Reveal hint: ${h.text}`}
                    onClick={() => void act(() => revealHint(p.session, p.token, h.id))}>Reveal</button>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {view.notes ? (
        <details>
          <summary>Interviewer notes from the scenario</summary>
          <p className="prewrap">{view.notes}</p>
        </details>
      ) : null}
      {view.tests && view.tests.length ? (
        <>
          <h3>Hidden tests</h3>
          {p.canWrite ? (
            <button type="button" disabled={busy} data-testid="grade"
              onClick={() => void act(() => gradeSession(p.session, p.token))}>
              {busy ? "Working…" : "Grade the current code"}
            </button>
          ) : null}
          {latest ? (
            <div className="grade" data-testid="grade-result">
              <strong>{latest.score}%</strong> ({latest.passed}/{latest.total} passed)
              {latest.error ? <p className="error">{latest.error}</p> : null}
              <ul className="scenario-list">
                {latest.results.map((r) => (
                  <li key={r.id} className={r.passed ? "status-ok" : "status-error"}>
                    <span aria-hidden="true">{r.passed ? "✓" : "✗"}</span>
                    <span className="sr-only">{r.passed ? "passed:" : "failed:"}</span> {r.name} <span className="muted" aria-label={`weight ${r.weight}`}>×{r.weight}</span>
                    {r.message ? <div className="muted">{r.message}</div> : null}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
