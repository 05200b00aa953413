// The parts of a listed session that the lobby (admin token) and the dashboard (a member's
// sign-in) show alike: its facts, the End control that asks first, and the copyable links. Each
// row decides which of them the viewer gets; the parts only draw.
import { useState } from "react";
import { CopyLink } from "./CopyLink";

export interface SessionFactsOf {
  scenario?: string | null;
  candidate_name?: string | null;
  created_at?: string | number | null;
  ended_at?: string | number | null;
  /** When retention deletes this ended session's recording (ms); null: it is kept. */
  deletes_at?: number | null;
}

const when = (t: string | number | null | undefined) => (t == null ? null : new Date(t).toLocaleString());
/** The day retention deletes a recording, as the reader's calendar says it. */
export const deletionDate = (ms: number) =>
  new Date(ms).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });

export function SessionFacts({ s }: { s: SessionFactsOf }) {
  return (
    <dl className="session-facts">
      <dt>Scenario</dt>
      <dd>{s.scenario ?? "blank pad"}</dd>
      <dt>Candidate</dt>
      <dd data-testid="candidate-name">{s.candidate_name ?? "not named yet"}</dd>
      <dt>Created</dt>
      <dd>{when(s.created_at) ?? "?"}</dd>
      {s.ended_at ? (
        <>
          <dt>Ended</dt>
          <dd>{when(s.ended_at)}</dd>
          <dt>Recording</dt>
          <dd data-testid="deletes-at" className={s.deletes_at ? "deletes-at" : undefined}>
            {s.deletes_at ? `deleted on ${deletionDate(s.deletes_at)}` : "kept"}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** End, then "End it for everyone?" before anything is sent; a refusal is shown in the row. */
export function EndControl({ name, end, describe }: { name: string; end: () => Promise<void>; describe: (e: unknown) => string }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmed = async () => {
    setError(null);
    try {
      await end();
      setConfirming(false);
    } catch (e) {
      setError(describe(e));
    }
  };
  return (
    <>
      <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={`End ${name}`}>
        End
      </button>
      {confirming ? (
        <span role="alertdialog" aria-label={`End ${name}?`} className="inline-confirm">
          End it for everyone? <button type="button" className="danger" onClick={() => void confirmed()}>End now</button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
        </span>
      ) : null}
      {error ? <span className="error" role="alert">{error}</span> : null}
    </>
  );
}

export function SessionLinks({ name, links }: { name: string; links: { interviewer: string; candidate: string; observer: string } }) {
  return (
    <details>
      <summary>Links</summary>
      <CopyLink key={links.interviewer} label="Interviewer" url={links.interviewer} owner={name} />
      <CopyLink key={links.candidate} label="Candidate" url={links.candidate} owner={name} />
      <CopyLink key={links.observer} label="Observer" url={links.observer} owner={name} />
    </details>
  );
}
