// One session of the dashboard: state, scenario, candidate, times, and what the member may do
// with it: rejoin as interviewer, copy the links, end it (asks first), open the replay, share.
// Links are re-issued by the server on every listing, only for sessions the member may hand out;
// Replay opens `replay_url` (the member's sign-in, no token) wherever they may read the recording.
import { useState } from "react";
import { CopyLink } from "../lobby/CopyLink";
import { deletionDate } from "../lobby/SessionList";
import type { MemberApi, MemberSession } from "./memberApi";
import { ShareDialog } from "./ShareDialog";
import "../room/journey.css";

const when = (t: string | number | null | undefined) => (t == null ? null : new Date(t).toLocaleString());

export function SessionRow({ s, api, badge, onChanged }: { s: MemberSession; api: MemberApi; badge: string | null; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = s.title || s.id;
  const links = s.links;
  // The member's own sign-in opens the replay (audited by name); a reviewer link is the fallback.
  const replay = s.replay_url ?? links?.replay;
  const end = async () => {
    setError(null);
    try {
      await api.endSession(s.id);
      setConfirming(false);
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <li data-testid={`session-${s.id}`} data-state={s.state}>
      <div className="session-head">
        <strong>{name}</strong> <span className={`badge state-${s.state}`}>{s.state}</span>{" "}
        {badge ? <span className="badge">{badge}</span> : null}
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
            <dd data-testid="deletes-at">
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
        {replay ? (
          <a className="button-link" href={replay} target="_blank" rel="noreferrer" aria-label={`Replay of ${name}`}>
            Replay
          </a>
        ) : null}
        {links ? (
          <button type="button" onClick={() => setSharing(!sharing)} aria-label={`Share ${name}`} aria-expanded={sharing}>
            Share
          </button>
        ) : null}
        {links && s.state !== "ended" ? (
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
      {sharing ? <ShareDialog api={api} id={s.id} title={name} onClose={() => setSharing(false)} /> : null}
      {links?.interviewer && links.candidate && links.observer ? (
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
