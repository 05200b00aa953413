// One session of the dashboard: state, scenario, candidate, times, and what the member may do
// with it: rejoin as interviewer, copy the links, end it (asks first), open the replay, share.
// Links are re-issued by the server on every listing, only for sessions the member may hand out;
// Replay opens `replay_url` (the member's sign-in, no token) wherever they may read the recording.
import { useState } from "react";
import { EndControl, SessionFacts, SessionLinks } from "../lobby/sessionParts";
import type { MemberApi, MemberSession } from "./memberApi";
import { ShareDialog } from "./ShareDialog";
import "../room/journey.css";

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function SessionRow({ s, api, badge, onChanged }: { s: MemberSession; api: MemberApi; badge: string | null; onChanged: () => void }) {
  const [sharing, setSharing] = useState(false);
  const name = s.title || s.id;
  const links = s.links;
  // The member's own sign-in opens the replay (audited by name); a reviewer link is the fallback.
  const replay = s.replay_url ?? links?.replay;
  const end = async () => {
    await api.endSession(s.id);
    onChanged();
  };
  return (
    <li data-testid={`session-${s.id}`} data-state={s.state}>
      <div className="session-head">
        <strong>{name}</strong> <span className={`badge state-${s.state}`}>{s.state}</span>{" "}
        {badge ? <span className="badge">{badge}</span> : null}
      </div>
      <SessionFacts s={s} />
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
        {links && s.state !== "ended" ? <EndControl name={name} end={end} describe={describe} /> : null}
      </div>
      {sharing ? <ShareDialog api={api} id={s.id} title={name} onClose={() => setSharing(false)} /> : null}
      {links?.interviewer && links.candidate && links.observer ? (
        <SessionLinks name={name} links={{ interviewer: links.interviewer, candidate: links.candidate, observer: links.observer }} />
      ) : null}
    </li>
  );
}
