// Reviewers' comments pinned to moments: listed in time order (click to seek) and added at the
// current instant. The server accepts them from reviewers and interviewers only.
import { useState } from "react";
import { formatClock } from "./timeline";
import type { Comments as CommentsState } from "./useComments";

export function Comments({ comments, t, onSeek }: { comments: CommentsState; t: number; onSeek: (ms: number) => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (comments.list === null) return null;
  const add = async () => {
    try {
      await comments.add(t, text);
      setText("");
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const sorted = [...comments.list].sort((a, b) => a.at - b.at);
  return (
    <section className="replay-comments" aria-label="Comments">
      <h3>Comments</h3>
      <ul>
        {sorted.map((c) => (
          <li key={c.id} data-testid="replay-comment">
            <button className="link" onClick={() => onSeek(c.at)} aria-label={`Go to ${formatClock(c.at)}`}>{formatClock(c.at)}</button>{" "}
            <strong>{c.author}</strong>: {c.text}
          </li>
        ))}
      </ul>
      <label className="sr-only" htmlFor="replay-comment-text">Comment at {formatClock(t)}</label>
      <textarea id="replay-comment-text" data-testid="replay-comment-text" value={text} onChange={(e) => setText(e.target.value)} placeholder={`Comment at ${formatClock(t)}`} />
      <button data-testid="replay-comment-add" disabled={!text.trim()} onClick={() => void add()}>Add comment</button>
      {error || comments.error ? <p role="alert">{error ?? comments.error}</p> : null}
    </section>
  );
}
