// The organisation's candidate notice, shown to a candidate before anything else of the room
// (the name prompt comes after it). The server refuses the room's documents and every action to
// this link until the acknowledgement is recorded, so this page is a courtesy, not the guard.
import { useState } from "react";
import { ApiError, type SessionInfo } from "../api";
import { useMarkdown } from "../useMarkdown";
import { acknowledgeNotice, type SessionNotice } from "./sessionApi";
import "./journey.css";

export function NoticePage({
  info,
  notice,
  token,
  onAcknowledged,
}: {
  info: SessionInfo;
  notice: SessionNotice;
  token: string;
  onAcknowledged: (at: number) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Loaded on demand (src/useMarkdown.ts): a static import put marked and DOMPurify into every
  // room's first load, noticed or not.
  const markdown = useMarkdown();
  const acknowledge = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await acknowledgeNotice(info.id, token, notice.version, notice.hash);
      onAcknowledged(answer.acknowledged.at);
    } catch (e) {
      // 409: the organisation changed the notice meanwhile; reloading shows the new one.
      setError(e instanceof ApiError ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <main className="center journey-page" data-testid="candidate-notice">
      <section className="journey-card notice-card" aria-labelledby="notice-title">
        <h1 id="notice-title">{info.title || "Your interview"}</h1>
        <p className="muted">Before you join, please read how this interview is recorded.</p>
        {markdown ? (
          <div className="md notice-text" data-testid="notice-text" dangerouslySetInnerHTML={{ __html: markdown(notice.text ?? "") }} />
        ) : null}
        {notice.privacy_policy_url ? (
          <p>
            <a href={notice.privacy_policy_url} target="_blank" rel="noreferrer noopener" data-testid="privacy-link">
              Privacy policy
            </a>
          </p>
        ) : null}
        <button type="button" onClick={() => void acknowledge()} disabled={busy} data-testid="acknowledge-notice" autoFocus>
          I understand, continue
        </button>
        {error ? <p className="error" role="alert">{error}</p> : null}
      </section>
    </main>
  );
}
