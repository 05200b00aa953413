// The interviewer's end-of-interview controls: "End interview" (asks first: it ends the session
// for everyone and revokes the live links), "Share replay" (a copyable reviewer link) and
// "Open replay" (with the interviewer's own link, which keeps the replay after the end).
import { useState } from "react";
import { ApiError } from "../api";
import { CopyLink } from "../lobby/CopyLink";
import { endSession, replayUrl, shareReplay } from "./sessionApi";
import "./journey.css";

const message = (e: unknown) => (e instanceof ApiError ? `${e.status || "offline"}: ${e.message}` : String(e));

export function ReplayActions({ session, token }: { session: string; token: string }) {
  const [shared, setShared] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const share = async () => {
    setError(null);
    try {
      setShared((await shareReplay(session, token)).link);
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <div className="replay-actions">
      <a className="button-link" href={replayUrl(session, token)} target="_blank" rel="noreferrer" data-testid="open-replay">
        Open replay
      </a>
      <button type="button" onClick={() => void share()} data-testid="share-replay">Share replay</button>
      {shared ? <CopyLink label="Reviewer" url={shared} testId="reviewer-link" /> : null}
      {error ? <span className="error" role="alert">{error}</span> : null}
    </div>
  );
}

export function EndControls({ session, token, ended }: { session: string; token: string; ended: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const end = async () => {
    setError(null);
    try {
      await endSession(session, token);
      setConfirming(false);
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <div className="end-controls" data-testid="end-controls">
      {!ended ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)} aria-expanded={confirming}>
          End interview
        </button>
      ) : null}
      <ReplayActions session={session} token={token} />
      {confirming && !ended ? (
        <div
          className="confirm"
          role="alertdialog"
          aria-labelledby="end-confirm-title"
          aria-describedby="end-confirm-text"
          onKeyDown={(e) => {
            if (e.key === "Escape") setConfirming(false);
          }}
        >
          <strong id="end-confirm-title">End the interview for everyone?</strong>
          <p id="end-confirm-text">
            Editors turn read-only, Run stops working and the candidate's link stops working. The replay stays.
          </p>
          <button type="button" className="danger" onClick={() => void end()} autoFocus>End now</button>
          <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      ) : null}
      {error ? <span className="error" role="alert">{error}</span> : null}
    </div>
  );
}
