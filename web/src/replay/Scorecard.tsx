// The scorecard: what a hiring team decides from, on one page: the rubric with the level chosen
// for each criterion, the hidden-test grade (latest first), the interviewer's notes, and every
// comment with its moment (a click opens the replay there). Read from the recording's final
// state, whatever instant the player is at.
import type { ReactNode } from "react";
import type { GradeResult } from "../api";
import type { RubricCriterion } from "../panel/rubric";
import { gradesNewestFirst, scoreRubric } from "./scorecard";
import { formatClock, type Marker } from "./timeline";
import type { Comment } from "./useComments";

export interface ScorecardProps {
  criteria: RubricCriterion[];
  rubric: Record<string, unknown>;
  grades: Record<string, GradeResult>;
  notes: string;
  comments: Comment[] | null;
  markers: Marker[];
  onOpenAt: (ms: number) => void;
  /** The Submit scorecard form, for those who may submit one. */
  children?: ReactNode;
}

function Grade({ g, latest }: { g: GradeResult; latest: boolean }) {
  return (
    <article className="grade" data-testid={latest ? "scorecard-grade" : "scorecard-earlier-grade"}>
      <h4>
        {latest ? "Latest grade" : "Earlier grade"}: {g.passed}/{g.total} tests passed · score {Math.round(g.score * 10) / 10}%
        <span className="muted"> · {new Date(g.at).toLocaleString()} by {g.by}</span>
      </h4>
      {g.error ? <p className="error">{g.error}</p> : null}
      {latest ? (
        <ul className="grade-results">
          {g.results.map((r) => (
            <li key={r.id} className={r.passed ? "pass" : "fail"} data-testid="scorecard-test">
              <strong>{r.passed ? "passed" : "failed"}</strong> {r.name}
              {r.weight !== 1 ? <span className="muted"> (weight {r.weight})</span> : null}
              {r.message ? <span className="muted"> — {r.message}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}

export function Scorecard(p: ScorecardProps) {
  const scored = scoreRubric(p.criteria, p.rubric);
  const grades = gradesNewestFirst(p.grades);
  const runs = p.markers.filter((m) => m.kind === "run");
  const failed = runs.filter((m) => m.status && m.status !== "ok").length;
  const signals = p.markers.filter((m) => m.kind === "paste" || m.kind === "blur").length;
  return (
    <main className="scorecard" data-testid="scorecard" aria-label="Scorecard">
      {p.children}
      <section className="card" aria-labelledby="sc-rubric">
        <h2 id="sc-rubric">Rubric</h2>
        {scored.length === 0 ? <p className="muted">No rubric was scored in this session.</p> : null}
        <table className="scorecard-rubric">
          <tbody>
            {scored.map((c) => (
              <tr key={c.id} data-testid="scorecard-criterion" data-criterion={c.id}>
                <th scope="row">{c.title}</th>
                <td data-testid="scorecard-level">
                  {c.chosen ? c.chosen.label : c.raw !== null ? String(c.raw) : <span className="muted">not scored</span>}
                  {c.chosen?.description ? <div className="muted level-description">{c.chosen.description}</div> : null}
                </td>
                <td aria-label={`Levels of ${c.title}`}>
                  <div className="levels">
                    {c.levels.map((l) => (
                      <span key={String(l.value)} className={`level ${c.chosen === l ? "chosen" : ""}`}>{l.label}</span>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-labelledby="sc-grade">
        <h2 id="sc-grade">Hidden tests</h2>
        {grades.length === 0 ? <p className="muted">The session was not graded.</p> : null}
        {grades.map((g, i) => <Grade key={g.id} g={g} latest={i === 0} />)}
      </section>
      <section className="card" aria-labelledby="sc-activity">
        <h2 id="sc-activity">Activity</h2>
        <p data-testid="scorecard-activity">
          {runs.length} runs ({failed} not ok) · {signals} integrity signals (pastes, focus losses: evidence, not a verdict)
        </p>
      </section>
      <section className="card" aria-labelledby="sc-notes">
        <h2 id="sc-notes">Interviewer notes</h2>
        {p.notes.trim() ? <pre className="scorecard-notes" data-testid="scorecard-notes">{p.notes}</pre> : <p className="muted">No notes.</p>}
      </section>
      <section className="card" aria-labelledby="sc-comments">
        <h2 id="sc-comments">Comments</h2>
        {p.comments === null || p.comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
        <ul className="scorecard-comments">
          {[...(p.comments ?? [])].sort((a, b) => a.at - b.at).map((c) => (
            <li key={c.id} data-testid="scorecard-comment">
              <button type="button" className="link" onClick={() => p.onOpenAt(c.at)} aria-label={`Open the replay at ${formatClock(c.at)}`}>
                {formatClock(c.at)}
              </button>{" "}
              <strong>{c.author}</strong> <span className="muted">({c.role})</span>: {c.text}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
