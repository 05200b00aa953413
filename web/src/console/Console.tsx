// The console: every run of the session, live from the `console` doc, with its author, status,
// duration and outputs. It is a log region (aria-live) so screen readers announce new output.
import { useEffect, useRef } from "react";
import { CONSOLE_MAX_RENDERED_RUNS } from "../config";
import { OutputView } from "./OutputView";
import { formatDuration } from "./render";
import type { RunEntry } from "./types";

function RunView({ run, onMedia }: { run: RunEntry; onMedia: () => void }) {
  const status = run.status ?? "running";
  const when = run.started_at ? new Date(run.started_at).toLocaleTimeString() : "";
  return (
    <article className={`run run-${status}`} data-run-id={run.id} data-status={status}>
      <header className="run-head">
        <span className="run-author">
          {run.author ?? "someone"}
          {run.role ? <span className="run-role"> ({run.role})</span> : null}
        </span>
        <span className={`run-status status-${status}`}>{status}</span>
        <span className="run-duration">{formatDuration(run.duration_ms)}</span>
        <time className="run-time">{when}</time>
      </header>
      {run.code ? (
        <details className="run-code">
          <summary>code</summary>
          <pre>{run.code}</pre>
        </details>
      ) : null}
      <div className="run-outputs">
        {(run.outputs ?? []).map((o, i) => (
          <OutputView key={i} out={o} onMedia={onMedia} />
        ))}
      </div>
    </article>
  );
}

export function Console({ runs }: { runs: RunEntry[] }) {
  const box = useRef<HTMLElement>(null);
  // Follow new output only while the reader is at the bottom (scrolling up to read stops it).
  const following = useRef(true);
  const follow = () => {
    const el = box.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  };
  const shown = runs.slice(-CONSOLE_MAX_RENDERED_RUNS);
  const last = runs[runs.length - 1];
  const lastSize = last ? (last.outputs?.length ?? 0) : 0;
  useEffect(follow, [runs.length, lastSize, last?.status]);
  return (
    <section
      className="console"
      role="log"
      aria-live="polite"
      aria-label="Console output"
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 40;
      }}
    >
      {runs.length === 0 ? <p className="muted">No runs yet. Press Run or Ctrl/Cmd-Enter.</p> : null}
      {runs.length > shown.length ? (
        <p className="muted">{runs.length - shown.length} earlier runs not shown.</p>
      ) : null}
      {shown.map((r, i) => (
        <RunView key={r.id ?? i} run={r} onMedia={follow} />
      ))}
    </section>
  );
}
