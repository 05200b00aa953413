// "Submit scorecard" in the replay's scorecard view: the hiring team's decision (a level per
// criterion, an overall recommendation, a notes summary), sent to the server, which checks it
// against the scenario's rubric, keeps it with the session, audits it and tells the webhooks.
// Shown to whoever may read the notes (interviewer and reviewer links, members seated so); the
// server decides again. Earlier submissions are listed under it, latest first.
import { useCallback, useEffect, useState } from "react";
import { ApiError, listScorecards, submitScorecard, type Credential, type Recommendation, type SubmittedScorecard } from "../api";
import type { RubricCriterion } from "../panel/rubric";
import { initialLevels, RECOMMENDATIONS, recommendationLabel, submission } from "./scorecardForm";

export interface SubmitScorecardProps {
  session: string;
  token: Credential;
  criteria: RubricCriterion[];
  draft: Record<string, unknown>;
}

export function SubmitScorecard(p: SubmitScorecardProps) {
  const [levels, setLevels] = useState<Record<string, number | null>>(() => initialLevels(p.criteria, p.draft));
  const [recommendation, setRecommendation] = useState<Recommendation | "">("");
  const [summary, setSummary] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [submitted, setSubmitted] = useState<SubmittedScorecard[] | null>(null);

  const refresh = useCallback(() => {
    listScorecards(p.session, p.token).then(setSubmitted, (e: unknown) => {
      if (!(e instanceof ApiError && e.status === 403)) setMessage({ error: true, text: String(e) });
    });
  }, [p.session, p.token]);
  useEffect(refresh, [refresh]);

  const submit = async () => {
    if (!recommendation) return;
    setBusy(true);
    setMessage(null);
    try {
      const made = await submitScorecard(p.session, p.token, submission(p.criteria, levels, recommendation, summary));
      const sent = made.webhook_deliveries;
      setMessage({ error: false, text: `Scorecard submitted${sent ? `, sent to ${sent} webhook${sent > 1 ? "s" : ""}` : ""}.` });
      setSummary("");
      refresh();
    } catch (e) {
      setMessage({ error: true, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card submit-scorecard" aria-labelledby="sc-submit">
      <h2 id="sc-submit">Submit scorecard</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {p.criteria.length ? (
          <table className="scorecard-rubric">
            <tbody>
              {p.criteria.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <label htmlFor={`sc-level-${c.id}`}>{c.title}</label>
                  </th>
                  <td>
                    <select
                      id={`sc-level-${c.id}`}
                      data-testid="submit-level"
                      data-criterion={c.id}
                      value={levels[c.id] ?? ""}
                      onChange={(e) => setLevels((l) => ({ ...l, [c.id]: e.target.value === "" ? null : Number(e.target.value) }))}
                    >
                      <option value="">not scored</option>
                      {c.levels.map((l) => (
                        <option key={String(l.value)} value={String(l.value)}>{l.label}</option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <label className="submit-row">
          Recommendation{" "}
          <select
            data-testid="submit-recommendation"
            value={recommendation}
            required
            onChange={(e) => setRecommendation(e.target.value as Recommendation | "")}
          >
            <option value="">choose…</option>
            {RECOMMENDATIONS.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </select>
        </label>
        <label className="submit-row submit-summary">
          Notes summary
          <textarea data-testid="submit-summary" rows={4} value={summary} onChange={(e) => setSummary(e.target.value)} />
        </label>
        <button type="submit" data-testid="submit-scorecard" disabled={busy || !recommendation}>
          {busy ? "Submitting…" : "Submit scorecard"}
        </button>
        {message ? (
          <p role={message.error ? "alert" : "status"} className={message.error ? "error" : "muted"} data-testid="submit-result">
            {message.text}
          </p>
        ) : null}
      </form>
      {submitted && submitted.length ? (
        <>
          <h4>Submitted</h4>
          <ul className="scorecard-submitted">
            {[...submitted].reverse().map((s, i) => (
              <li key={s.id} data-testid="submitted-scorecard">
                <strong>{recommendationLabel(s.recommendation)}</strong> by {s.by} ({s.role})
                <span className="muted"> · {new Date(s.at).toLocaleString()}{i === 0 ? " · the latest" : ""}</span>
                {s.summary ? <div className="scorecard-notes">{s.summary}</div> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
