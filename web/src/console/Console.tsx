// The console: every run of the session, live from the `console` doc, with its author, status,
// duration and outputs. It is a focusable log region (role=log: new output is announced
// politely; Tab reaches it and the arrow and Page keys scroll it). It follows new output unless
// the reader scrolled up (useFollow), with "Jump to latest" to come back; Clear hides earlier
// runs in this tab only (cleared.ts says why); a run waiting for input() shows its prompt.
import { memo, useCallback, useEffect, useState } from "react";
import { CONSOLE_MAX_RENDERED_RUNS } from "../config";
import { mergeStreams } from "./chunks";
import { clearedKey, readCleared, visibleAfterClear } from "./cleared";
import { OutputView } from "./OutputView";
import { formatDuration } from "./render";
import { StdinPrompt } from "./StdinPrompt";
import type { RunEntry } from "./types";
import { useFollow } from "./useFollow";

interface RunProps {
  run: RunEntry;
  myRole: string | null;
  onAnswer: (runId: string, value: string) => Promise<void>;
}

function RunViewInner({ run, myRole, onAnswer }: RunProps) {
  const status = run.status ?? "running";
  const when = run.started_at ? new Date(run.started_at).toLocaleTimeString() : "";
  const stdin = status === "running" ? run.stdin : null;
  return (
    <article className={`run run-${status}`} data-run-id={run.id} data-status={status}>
      <header className="run-head">
        <span className="run-author">
          {run.author ?? "someone"}
          {run.role ? <span className="run-role"> ({run.role})</span> : null}
        </span>
        {run.selection ? <span className="run-selection badge" data-testid="run-selection">selection</span> : null}
        <span className={`run-status status-${status}`}>{status}</span>
        <span className="run-duration">{formatDuration(run.duration_ms)}</span>
        <time className="run-time">{when}</time>
      </header>
      {run.code ? (
        <details className="run-code">
          <summary>{run.selection ? "selected code" : "code"}</summary>
          <pre>{run.code}</pre>
        </details>
      ) : null}
      <div className="run-outputs">
        {mergeStreams(run.outputs ?? []).map((o, i) => (
          <OutputView key={i} out={o} />
        ))}
        {stdin ? (
          <StdinPrompt
            key={stdin.at ?? 0}
            request={stdin}
            author={run.author ?? "the person who ran it"}
            mine={myRole !== null && myRole === run.role}
            onAnswer={(value) => onAnswer(run.id, value)}
          />
        ) : null}
      </div>
    </article>
  );
}

/** Outputs are append-only and a run's other fields change a few times: compare those only. */
const RunView = memo(RunViewInner, (a, b) => {
  const x = a.run;
  const y = b.run;
  return (
    a.myRole === b.myRole &&
    a.onAnswer === b.onAnswer &&
    x.id === y.id &&
    x.status === y.status &&
    x.duration_ms === y.duration_ms &&
    (x.outputs?.length ?? 0) === (y.outputs?.length ?? 0) &&
    (x.stdin?.at ?? null) === (y.stdin?.at ?? null) &&
    !!x.stdin === !!y.stdin
  );
});

function useCleared(session: string | undefined): [number, (n: number) => void] {
  const key = session === undefined ? null : clearedKey(session);
  const [hidden, setHidden] = useState(() => (key ? readCleared(sessionStorage.getItem(key)) : 0));
  const set = useCallback(
    (n: number) => {
      setHidden(n);
      if (!key) return;
      if (n > 0) sessionStorage.setItem(key, String(n));
      else sessionStorage.removeItem(key);
    },
    [key],
  );
  return [hidden, set];
}

export function Console({
  runs,
  session,
  myRole = null,
  onAnswer = async () => {},
  replay = false,
}: {
  runs: RunEntry[];
  session?: string;
  myRole?: string | null;
  onAnswer?: (runId: string, value: string) => Promise<void>;
  replay?: boolean;
}) {
  const { box, content, following, onScroll, jump } = useFollow();
  const [hidden, setHidden] = useCleared(session);
  const visible = visibleAfterClear(runs, hidden);
  const shown = visible.slice(-CONSOLE_MAX_RENDERED_RUNS);
  const last = runs[runs.length - 1];
  const lastRunning = (last?.status ?? "ok") === "running";
  // A run of your own comes into view even if you had scrolled up: you just asked for it.
  // Someone else's run is followed only while you follow.
  const lastRole = last?.role;
  useEffect(() => {
    if (runs.length && myRole !== null && lastRole === myRole) jump();
  }, [runs.length, lastRole, myRole, jump]);

  const clear = () => setHidden(lastRunning ? runs.length - 1 : runs.length);
  return (
    <div className="console-wrap">
      <div className="console-bar" role="toolbar" aria-label="Console">
        <span className="console-title" id="console-title">Console</span>
        {hidden > 0 && runs.length >= hidden ? (
          <button type="button" className="link" onClick={() => setHidden(0)} data-testid="console-unclear">
            Show {hidden} cleared {hidden === 1 ? "run" : "runs"}
          </button>
        ) : null}
        {replay ? null : (
        <button
          type="button"
          onClick={clear}
          disabled={visible.length === 0 || (visible.length === 1 && lastRunning)}
          data-testid="console-clear"
          title="Hide the runs so far in your console only; everyone else and the replay keep them"
        >
          Clear
        </button>
        )}
      </div>
      <section
        className="console"
        role="log"
        aria-labelledby="console-title"
        tabIndex={0}
        ref={box}
        onScroll={onScroll}
        data-following={following ? "true" : "false"}
        data-testid="console"
      >
        <div className="console-content" ref={content}>
          {runs.length === 0 ? (
            <p className="muted">{replay ? "No runs at this moment of the recording." : "No runs yet. Press Run or Ctrl/Cmd-Enter."}</p>
          ) : null}
          {hidden > 0 && visible.length === 0 ? <p className="muted">Console cleared (for you only).</p> : null}
          {visible.length > shown.length ? (
            <p className="muted">{visible.length - shown.length} earlier runs not shown.</p>
          ) : null}
          {shown.map((r, i) => (
            <RunView key={r.id ?? i} run={r} myRole={myRole} onAnswer={onAnswer} />
          ))}
        </div>
      </section>
      {!following ? (
        <button type="button" className="jump-latest" onClick={jump} data-testid="jump-latest">
          <span aria-hidden="true">↓ </span>Jump to latest
        </button>
      ) : null}
    </div>
  );
}
