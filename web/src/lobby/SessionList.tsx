// The lobby's sessions: state, scenario, candidate name, created and ended times (for an ended
// one, the day the organisation's retention deletes its recording), and for each the links the
// server re-issues on every listing (nothing is kept in this browser, so closing the tab loses
// nothing): rejoin as interviewer, copy the links, end (asks first), replay.
import { useState } from "react";
import { ApiError, type SessionSummary } from "../api";
import { endSession } from "../room/sessionApi";
import { CopyLink } from "./CopyLink";

export interface ListedSession extends SessionSummary {
  ended_at?: number | null;
  /** When retention deletes this ended session's recording (ms); null: it is kept. */
  deletes_at?: number | null;
  candidate_name?: string | null;
  links?: SessionSummary["links"] & { replay?: string };
}

const when = (t: string | number | null | undefined) => (t == null ? null : new Date(t).toLocaleString());
/** The day retention deletes a recording, as the reader's calendar says it. */
export const deletionDate = (ms: number) =>
  new Date(ms).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });

function SessionRow({ s, adminToken, onChanged }: { s: ListedSession; adminToken: string; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = s.title || s.id;
  const links = s.links;
  const end = async () => {
    setError(null);
    try {
      await endSession(s.id, adminToken);
      setConfirming(false);
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? `${e.status || "offline"}: ${e.message}` : String(e));
    }
  };
  return (
    <li data-testid={`session-${s.id}`} data-state={s.state}>
      <div className="session-head">
        <strong>{name}</strong> <span className={`badge state-${s.state ?? ""}`}>{s.state ?? "?"}</span>
      </div>
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
      <div className="session-actions">
        {links?.interviewer ? (
          <a className="button-link" href={links.interviewer} target="_blank" rel="noreferrer" aria-label={`Rejoin ${name} as interviewer`}>
            Rejoin
          </a>
        ) : null}
        {links?.replay ? (
          <a className="button-link" href={links.replay} target="_blank" rel="noreferrer" aria-label={`Replay of ${name}`}>
            Replay
          </a>
        ) : null}
        {s.state !== "ended" ? (
          <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={`End ${name}`}>
            End
          </button>
        ) : null}
        {confirming ? (
          <span role="alertdialog" aria-label={`End ${name}?`} className="inline-confirm">
            End it for everyone? <button type="button" className="danger" onClick={() => void end()}>End now</button>{" "}
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </span>
        ) : null}
        {error ? <span className="error" role="alert">{error}</span> : null}
      </div>
      {links?.interviewer ? (
        <details>
          <summary>Links</summary>
          <CopyLink key={links.interviewer} label="Interviewer" url={links.interviewer} owner={name} />
          <CopyLink key={links.candidate} label="Candidate" url={links.candidate} owner={name} />
          <CopyLink key={links.observer} label="Observer" url={links.observer} owner={name} />
        </details>
      ) : null}
    </li>
  );
}

export function SessionList({ sessions, adminToken, onChanged }: { sessions: ListedSession[]; adminToken: string; onChanged: () => void }) {
  if (sessions.length === 0) return <p className="muted">No sessions yet.</p>;
  return (
    <ul className="sessions" data-testid="sessions">
      {sessions.map((s) => (
        <SessionRow key={s.id} s={s} adminToken={adminToken} onChanged={onChanged} />
      ))}
    </ul>
  );
}
