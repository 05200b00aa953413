// The replay player at /replay/{session} (opened by ReplayRoute.tsx with a link's token or the
// member's sign-in): one timeline for the project's files (tabs,
// with cursors) or, in a notebook session, the notebook's cells with their outputs, the
// whiteboard, the console and, for interviewers and reviewers, the notes and comments.
// Everything shown is rebuilt in the browser from the server's log (see engine.ts); the server
// decides what this credential may read (notes, signals and comments only for the hiring team).
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ExcalidrawImperativeAPI } from "@excalidraw/excalidraw/types";
import { Awareness } from "y-protocols/awareness";
import { api, ApiError, type Credential, type GradeResult, type ScenarioView } from "../api";
import { Console } from "../console/Console";
import type { RunEntry } from "../console/types";
import { rubricCriteria } from "../panel/rubric";
import { prefersDark, usePref } from "../prefs";
import { DOC, RECORD, roots } from "../sync/schema";
import { Comments } from "./Comments";
import { countAtOrBefore, cursorsAt, DocTimeline, fetchLog, type LogEntry } from "./engine";
import { EventsPane, type ReplayEvent } from "./EventsPane";
import { replayCells } from "./notebookView";
import { ReplayFiles } from "./ReplayFiles";
import { replayProblem, type ReplayProblem } from "./problem";
import { ReplayNotebook } from "./ReplayNotebook";
import { ReplayProblemPage } from "./ReplayProblemPage";
import { Scorecard } from "./Scorecard";
import { SubmitScorecard } from "./SubmitScorecard";
import { skipIdle, SPEEDS, type Marker, type Timeline } from "./timeline";
import { TimelineBar } from "./TimelineBar";
import { useComments, withCommentMarkers } from "./useComments";
import "./replay.css";

const Board = lazy(() => import("../board/Board"));
const LOADS = 8;

type View = "replay" | "scorecard";
const viewFromHash = (): View => (window.location.hash === "#scorecard" ? "scorecard" : "replay");

interface Loaded {
  timeline: Timeline;
  code: DocTimeline;
  board: DocTimeline;
  console: DocTimeline;
  notebook: DocTimeline;
  notes: DocTimeline | null;
  /** The notes doc at the end of the recording: what the scorecard shows. */
  notesFinal: DocTimeline | null;
  scenario: ScenarioView | null;
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

async function load(session: string, token: Credential, progress: (n: number) => void): Promise<Loaded> {
  const path = `/api/sessions/${encodeURIComponent(session)}`;
  let fetched = 0;
  const count = () => progress(++fetched);
  const [timeline, code, board, consoleLog, notebook, notes, cursors, scenario] = await Promise.all([
    api<Timeline>(`${path}/timeline`, token),
    fetchLog(session, token, DOC.code),
    fetchLog(session, token, DOC.board),
    fetchLog(session, token, DOC.console),
    fetchLog(session, token, DOC.notebook),
    optional(fetchLog(session, token, DOC.notes)),
    fetchLog(session, token, RECORD.awareness),
    // The rubric's criteria; a session without a scenario answers 404, a candidate's link 403.
    api<ScenarioView>(`${path}/scenario`, token).catch(() => null),
  ].map((p) => (p as Promise<unknown>).then((v) => (count(), v))) as [
    Promise<Timeline>, Promise<LogEntry[]>, Promise<LogEntry[]>, Promise<LogEntry[]>, Promise<LogEntry[]>,
    Promise<LogEntry[] | null>, Promise<LogEntry[]>, Promise<ScenarioView | null>,
  ]);
  const notesFinal = notes ? new DocTimeline(notes) : null;
  notesFinal?.seek(Number.POSITIVE_INFINITY);
  return {
    timeline,
    code: new DocTimeline(code),
    board: new DocTimeline(board),
    console: new DocTimeline(consoleLog),
    notebook: new DocTimeline(notebook),
    notes: notes ? new DocTimeline(notes) : null,
    notesFinal,
    scenario,
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

export default function ReplayPage({ session, credential }: { session: string; credential: Credential }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<ReplayProblem | null>(null);
  const [progress, setProgress] = useState(0);
  const [t, setT] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(8);
  const [skip, setSkip] = useState(true);
  const [dark] = usePref<boolean>("dark", prefersDark());
  const [, setFrame] = useState(0);
  const boardApi = useRef<ExcalidrawImperativeAPI | null>(null);
  const comments = useComments(session, credential);
  const [view, setView] = useState<View>(viewFromHash);
  const [focusRun, setFocusRun] = useState<{ id: string; n: number } | null>(null);
  useEffect(() => {
    const onHash = () => setView(viewFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const show = useCallback((v: View) => {
    window.history.replaceState(null, "", v === "scorecard" ? "#scorecard" : window.location.pathname + window.location.search);
    setView(v);
  }, []);

  useEffect(() => {
    const opened = typeof credential === "string" ? "token" : "sign-in";
    load(session, credential, setProgress).then(setData, (e: unknown) => setError(replayProblem(e, opened)));
  }, [session, credential]);

  // Bring every doc to `t` before rendering the views.
  if (data) {
    data.code.seek(t);
    data.board.seek(t);
    data.console.seek(t);
    data.notebook.seek(t);
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

  // Jump to a run: to the first instant its outcome is recorded, then bring its output into view.
  const jumpToRun = useCallback(
    (m: Marker) => {
      if (!data) return;
      const times = data.console.times;
      const run = () => (roots.console.runs(data.console.doc).toJSON() as RunEntry[]).find((r) => r.id === m.id);
      let i = Math.max(0, countAtOrBefore(times, m.t + (m.duration_ms ?? 0)) - 1);
      for (; i < times.length - 1; i++) {
        data.console.seek(times[i]);
        const r = run();
        if (r && r.status && r.status !== "running") break;
      }
      seek(times.length ? Math.max(times[i], m.t) : m.t);
      setFocusRun((f) => ({ id: String(m.id), n: (f?.n ?? 0) + 1 }));
    },
    [data, seek],
  );
  const pick = useCallback(
    (m: Marker) => (m.kind === "run" && m.id !== undefined ? jumpToRun(m) : seek(m.t)),
    [jumpToRun, seek],
  );
  useEffect(() => {
    if (!focusRun) return;
    const el = document.querySelector<HTMLElement>(`.replay-console [data-run-id="${CSS.escape(focusRun.id)}"]`);
    if (!el) return;
    el.scrollIntoView({ block: "nearest" });
    el.classList.add("run-focused");
    const timer = window.setTimeout(() => el.classList.remove("run-focused"), 1500);
    return () => window.clearTimeout(timer);
  }, [focusRun]);

  if (error) return <ReplayProblemPage problem={error} />;
  if (!data || !awareness || !boardAwareness) {
    return <main className="center" data-testid="replay-state">Loading the recording… ({progress}/{LOADS})</main>;
  }
  const runs = roots.console.runs(data.console.doc).toJSON() as RunEntry[];
  const events = roots.console.events(data.console.doc).toJSON() as ReplayEvent[];
  const tl = { ...data.timeline, markers: withCommentMarkers(data.timeline.markers, comments.list) };
  const atEnd = t >= tl.duration_ms;
  const final = data.notesFinal?.doc;
  // A notebook session shows its cells (older recordings say nothing of the mode: their
  // notebook log tells); its project files below them once it has any.
  const notebookSession = tl.mode === "notebook" || data.notebook.length > 0;
  const hasFiles = roots.code.files(data.code.doc).size > 0 || roots.code.source(data.code.doc).length > 0;

  return (
    <div className={`replay ${dark ? "dark" : "light"}`}>
      <header className="replay-bar">
        <strong>{tl.title}</strong>
        <span className="muted">recording</span>
        <nav className="view-switch" aria-label="Views">
          <button type="button" aria-pressed={view === "replay"} data-testid="view-replay" onClick={() => show("replay")}>Replay</button>
          <button type="button" aria-pressed={view === "scorecard"} data-testid="view-scorecard" onClick={() => show("scorecard")}>Scorecard</button>
        </nav>
        {view === "replay" ? (
          <>
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
          </>
        ) : null}
        <span data-testid="replay-state" data-t={Math.round(t)} data-playing={playing ? "true" : "false"}>
          {playing ? "playing" : atEnd ? "ended" : "paused"}
        </span>
      </header>
      {view === "scorecard" ? (
        <Scorecard
          criteria={rubricCriteria(data.scenario?.rubric)}
          rubric={final ? (roots.notes.rubric(final).toJSON() as Record<string, unknown>) : {}}
          grades={final ? (roots.notes.grades(final).toJSON() as Record<string, GradeResult>) : {}}
          notes={final ? roots.notes.notes(final).toString() : ""}
          comments={comments.list}
          markers={tl.markers}
          onOpenAt={(ms) => {
            show("replay");
            seek(ms);
          }}
        >
          {data.notes ? (
            <SubmitScorecard
              session={session}
              token={credential}
              criteria={rubricCriteria(data.scenario?.rubric)}
              draft={final ? (roots.notes.rubric(final).toJSON() as Record<string, unknown>) : {}}
            />
          ) : null}
        </Scorecard>
      ) : (
        <>
          <TimelineBar timeline={tl} t={t} onSeek={seek} onPick={pick} />
          <main className={`replay-grid ${data.notes ? "with-side" : ""}`}>
            <section className={`replay-editor ${notebookSession ? "with-notebook" : ""}`} data-testid="replay-editor"
              aria-label={notebookSession ? "Recorded notebook and files" : "Recorded code"}>
              {notebookSession ? <ReplayNotebook cells={replayCells(data.notebook.doc, runs)} /> : null}
              {!notebookSession || hasFiles ? (
                <ReplayFiles doc={data.code.doc} main={tl.main_file ?? "main.py"} awareness={awareness} dark={dark} />
              ) : null}
            </section>
            <section className="replay-board" aria-label="Recorded whiteboard">
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
            <section className="replay-console" aria-label="Recorded console">
              <Console runs={runs} replay />
            </section>
            <aside className="replay-side" aria-label="Events, notes and comments">
              <EventsPane events={events} />
              {data.notes ? (
                <section className="replay-notes" aria-label="Interviewer notes">
                  <h3>Interviewer notes</h3>
                  <pre data-testid="replay-notes">{roots.notes.notes(data.notes.doc).toString()}</pre>
                </section>
              ) : null}
              <Comments comments={comments} t={t} onSeek={seek} />
            </aside>
          </main>
        </>
      )}
    </div>
  );
}
