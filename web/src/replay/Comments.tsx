// Reviewers' comments pinned to moments: listed in time order (click to seek) and added at the
// current instant. The server accepts them from reviewers and interviewers only.
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "../api";
import { formatClock } from "./timeline";

interface Comment {
  id: number;
  at: number;
  text: string;
  author: string;
  role: string;
}

export function Comments({ session, token, t, onSeek }: { session: string; token: string; t: number; onSeek: (ms: number) => void }) {
  const path = `/api/sessions/${encodeURIComponent(session)}/comments`;
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    api<Comment[]>(path, token).then(setComments, (e: unknown) => {
      if (e instanceof ApiError && e.status === 403) setComments(null);
      else setError(String(e));
    });
  }, [path, token]);
  useEffect(refresh, [refresh]);
  if (comments === null) return null;
  const add = async () => {
    try {
      await api(path, token, { method: "POST", body: { at: Math.round(t), text } });
      setText("");
      setError(null);
      refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section className="replay-comments" aria-label="Comments">
      <h3>Comments</h3>
      <ul>
        {comments.map((c) => (
          <li key={c.id} data-testid="replay-comment">
            <button className="link" onClick={() => onSeek(c.at)}>{formatClock(c.at)}</button> <strong>{c.author}</strong>: {c.text}
          </li>
        ))}
      </ul>
      <textarea data-testid="replay-comment-text" value={text} onChange={(e) => setText(e.target.value)} placeholder={`Comment at ${formatClock(t)}`} />
      <button data-testid="replay-comment-add" disabled={!text.trim()} onClick={() => void add()}>Add comment</button>
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}
