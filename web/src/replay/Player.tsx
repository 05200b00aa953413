// The replay player at /replay/{session}?token=...: one timeline for the editor (with cursors),
// the whiteboard, the console and, for interviewers and reviewers, the notes and comments.
// Everything shown is rebuilt in the browser from the server's log (see engine.ts); the server
// decides what this token may read (notes, signals and comments only for reviewers/interviewers).
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ExcalidrawImperativeAPI } from "@excalidraw/excalidraw/types";
import { Awareness } from "y-protocols/awareness";
import { api, ApiError } from "../api";
import { Console } from "../console/Console";
import type { RunEntry } from "../console/types";
import { Editor } from "../editor/Editor";
import { prefersDark, usePref } from "../prefs";
import { DOC, RECORD, roots } from "../sync/schema";
import { Comments } from "./Comments";
import { cursorsAt, DocTimeline, fetchLog, type LogEntry } from "./engine";
import { skipIdle, SPEEDS, type Timeline } from "./timeline";
import { TimelineBar } from "./TimelineBar";
import "./replay.css";

const Board = lazy(() => import("../board/Board"));

interface Loaded {
  timeline: Timeline;
  code: DocTimeline;
  board: DocTimeline;
  console: DocTimeline;
  notes: DocTimeline | null;
  cursors: LogEntry[];
}

async function optional<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return null; // not for this role
    throw e;
  }
}

async function load(session: string, token: string, progress: (n: number) => void): Promise<Loaded> {
  const path = `/api/sessions/${encodeURIComponent(session)}`;
  let fetched = 0;
  const count = () => progress(++fetched);
  const [timeline, code, board, consoleLog, notes, cursors] = await Promise.all([
    api<Timeline>(`${path}/timeline`, token),
    fetchLog(session, token, DOC.code),
    fetchLog(session, token, DOC.board),
    fetchLog(session, token, DOC.console),
    optional(fetchLog(session, token, DOC.notes)),
    fetchLog(session, token, RECORD.awareness),
  ].map((p) => (p as Promise<unknown>).then((v) => (count(), v))) as [
    Promise<Timeline>, Promise<LogEntry[]>, Promise<LogEntry[]>, Promise<LogEntry[]>,
    Promise<LogEntry[] | null>, Promise<LogEntry[]>,
  ]);
  return {
    timeline,
    code: new DocTimeline(code),
    board: new DocTimeline(board),
    console: new DocTimeline(consoleLog),
    notes: notes ? new DocTimeline(notes) : null,
    cursors,
  };
}

/** Puts recorded cursors into an Awareness so y-codemirror draws them like live ones. */
function showCursors(awareness: Awareness, cursors: Map<number, { state: Record<string, unknown> }>) {
  const states = awareness.getStates();
  const removed = [...states.keys()].filter((id) => id !== awareness.clientID && !cursors.has(id));
  for (const id of removed) states.delete(id);
  const updated: number[] = [];
  for (const [id, c] of cursors) {
    if (states.get(id) !== c.state) {
      states.set(id, c.state);
      updated.push(id);
    }
  }
  if (removed.length || updated.length) {
    awareness.emit("change", [{ added: [], updated, removed }, "replay"]);
  }
}

export function ReplayPage({ session, token }: { session: string; token: string | null }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState(0);
  const [t, setT] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(8);
  const [skip, setSkip] = useState(true);
  const [dark] = usePref<boolean>("dark", prefersDark());
  const [, setFrame] = useState(0);
  const boardApi = useRef<ExcalidrawImperativeAPI | null>(null);

  useEffect(() => {
    if (!token) {
      setError("This replay link has no token.");
      return;
    }
    load(session, token, setProgress).then(setData, (e: unknown) => setError(String(e instanceof Error ? e.message : e)));
  }, [session, token]);

  // Bring every doc to `t` before rendering the views.
  if (data) {
    data.code.seek(t);
    data.board.seek(t);
    data.console.seek(t);
    data.notes?.seek(t);
  }
  const codeDoc = data?.code.doc;
  const boardDoc = data?.board.doc;
  const awareness = useMemo(() => (codeDoc ? new Awareness(codeDoc) : null), [codeDoc]);
  const boardAwareness = useMemo(() => (boardDoc ? new Awareness(boardDoc) : null), [boardDoc]);
  useEffect(() => {
    if (awareness) {
      awareness.setLocalState(null); // the viewer has no cursor of its own
      return () => awareness.destroy();
    }
  }, [awareness]);
  useEffect(() => {
    if (data && awareness) showCursors(awareness, cursorsAt(data.cursors, DOC.code, t));
  }, [data, awareness, t]);

  // Keep the drawing in view as shapes appear (a viewer never pans a recording by hand first).
  const shapes = data ? roots.board.elements(data.board.doc).size : 0;
  const fitBoard = useCallback(() => {
    // Two frames: the board pulls new elements into its scene on the next animation frame.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => boardApi.current?.scrollToContent(undefined, { fitToContent: true })),
    );
  }, []);
  useEffect(() => {
    if (shapes > 0) fitBoard();
  }, [shapes, data?.board.generation, fitBoard]);

  // The clock: real time times the speed, idle stretches skipped, stops at the end.
  const last = useRef<number | null>(null);
  const tRef = useRef(t);
  tRef.current = t;
  useEffect(() => {
    if (!playing || !data) return;
    let raf = 0;
    const tick = (now: number) => {
      const dt = last.current === null ? 0 : now - last.current;
      last.current = now;
      let next = tRef.current + dt * speed;
      if (skip) next = skipIdle(data.timeline, next);
      if (next >= data.timeline.duration_ms) {
        setT(data.timeline.duration_ms);
        setPlaying(false);
        return;
      }
      setT(next);
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      last.current = null;
    };
  }, [playing, speed, skip, data]);

  const seek = useCallback(
    (ms: number) => {
      if (!data) return;
      setT(Math.max(0, Math.min(ms, data.timeline.duration_ms)));
      setFrame((f) => f + 1);
    },
    [data],
  );

  if (error) return <main className="center"><p role="alert">Cannot open this replay: {error}</p></main>;
  if (!data || !awareness || !boardAwareness) {
    return <main className="center" data-testid="replay-state">Loading the recording… ({progress}/6)</main>;
  }
  const runs = roots.console.runs(data.console.doc).toJSON() as RunEntry[];
  const events = roots.console.events(data.console.doc).toJSON() as { id: string; text: string; level?: string }[];
  const tl = data.timeline;
  const atEnd = t >= tl.duration_ms;

  return (
    <div className={`replay ${dark ? "dark" : "light"}`}>
      <header className="replay-bar">
        <strong>{tl.title}</strong>
        <span className="muted">replay</span>
        <button
          data-testid="replay-play"
          onClick={() => {
            if (atEnd) seek(0);
            setPlaying((p) => !p);
          }}
        >
          {playing ? "Pause" : "Play"}
        </button>
        <label>
          speed{" "}
          <select data-testid="replay-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>{s}x</option>
            ))}
          </select>
        </label>
        <label>
          <input data-testid="replay-skip" type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} /> skip idle
        </label>
        <span data-testid="replay-state" data-t={Math.round(t)} data-playing={playing ? "true" : "false"}>
          {playing ? "playing" : atEnd ? "ended" : "paused"}
        </span>
      </header>
      <TimelineBar timeline={tl} t={t} onSeek={seek} />
      {events.length ? (
        <div className="replay-events">
          {events.map((e) => (
            <div key={e.id} className={`banner ${e.level ?? "info"}`}>{e.text}</div>
          ))}
        </div>
      ) : null}
      <main className="replay-grid">
        <section className="replay-editor" data-testid="replay-editor">
          <Editor text={roots.code.source(data.code.doc)} awareness={awareness} readOnly dark={dark} vim={false} label="Recorded code" />
        </section>
        <section className="replay-board">
          <Suspense fallback={<p className="center muted">Loading the whiteboard…</p>}>
            <Board
              key={data.board.generation}
              doc={data.board.doc}
              awareness={boardAwareness}
              readOnly
              dark={dark}
              onApi={(a) => {
                boardApi.current = a;
                if (a) fitBoard();
              }}
            />
          </Suspense>
        </section>
        <section className="replay-console">
          <Console runs={runs} />
        </section>
        {data.notes ? (
          <aside className="replay-notes">
            <h3>Interviewer notes</h3>
            <pre data-testid="replay-notes">{roots.notes.notes(data.notes.doc).toString()}</pre>
            <Comments session={session} token={token!} t={t} onSeek={seek} />
          </aside>
        ) : null}
      </main>
    </div>
  );
}
