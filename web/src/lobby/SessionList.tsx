// The lobby's sessions: state, scenario, candidate name, created and ended times (for an ended
// one, the day the organisation's retention deletes its recording), and for each the links the
// server re-issues on every listing (nothing is kept in this browser, so closing the tab loses
// nothing): rejoin as interviewer, copy the links, end (asks first), replay.
import { ApiError, type SessionSummary } from "../api";
import { endSession } from "../room/sessionApi";
import { EndControl, SessionFacts, SessionLinks } from "./sessionParts";

export interface ListedSession extends SessionSummary {
  ended_at?: number | null;
  /** When retention deletes this ended session's recording (ms); null: it is kept. */
  deletes_at?: number | null;
  candidate_name?: string | null;
  links?: SessionSummary["links"] & { replay?: string };
}

const describe = (e: unknown) => (e instanceof ApiError ? `${e.status || "offline"}: ${e.message}` : String(e));

function SessionRow({ s, adminToken, onChanged }: { s: ListedSession; adminToken: string; onChanged: () => void }) {
  const name = s.title || s.id;
  const links = s.links;
  const end = async () => {
    await endSession(s.id, adminToken);
    onChanged();
  };
  return (
    <li data-testid={`session-${s.id}`} data-state={s.state}>
      <div className="session-head">
        <strong>{name}</strong> <span className={`badge state-${s.state ?? ""}`}>{s.state ?? "?"}</span>
      </div>
      <SessionFacts s={s} />
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
        {s.state !== "ended" ? <EndControl name={name} end={end} describe={describe} /> : null}
      </div>
      {links?.interviewer ? <SessionLinks name={name} links={links} /> : null}
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
