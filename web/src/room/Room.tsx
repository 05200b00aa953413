// The session room: editor and console on the left, the whiteboard beside them, and for
// interviewers the private panel. Which docs are open and what is writable follows the role the
// server gave our token; the server enforces the same rules on its side.
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { answerInput, ApiError, interruptKernel, restartKernel, startRun, type SessionInfo } from "../api";
import type { Controls, KernelState, RunEntry, ScenarioEvent } from "../console/types";
import { fileText, ProjectEditor } from "../editor/ProjectEditor";
import { consoleRuns } from "../notebook/model";
import type { YNotebook } from "@jupyter/ydoc";
import { elapsedMs, formatClock } from "../panel/clock";
import { rubricCriteria } from "../panel/rubric";
import { useNow } from "../panel/useNow";
import type { ScenarioClock } from "../api";
import { useMarkdown } from "../useMarkdown";
import { prefersDark, usePref } from "../prefs";
import { useLinkStates, useYJson } from "../sync/hooks";
import { overallState } from "../sync/link";
import type { RoomSync } from "../sync/room";
import { DOC, roots } from "../sync/schema";
import { RoomLayout } from "./RoomLayout";
import { useAfterLive } from "./useDeferred";
import { ConnectionBadge, Participants } from "./StatusBar";
import { EndControls } from "./EndControls";
import { IntegrityIndicator } from "./IntegrityIndicator";
import { NamePrompt } from "./NamePrompt";
import { NoticePage } from "./NoticePage";
import { Notices } from "./Notices";
import { EndedPage, LinkProblemPage } from "./Pages";
import { clockNow, endedFrom, runBlockedReason, type SessionMark } from "./roomState";
import { useIntegritySignals } from "./useIntegritySignals";
import { useRoom } from "./useRoom";

// Off the editor's critical path (their chunks load in parallel, after the room's): the
// whiteboard, the notebook, the console's output renderers (ANSI, sanitised HTML) and the
// interviewer's panel.
const Board = lazy(() => import("../board/Board"));
const Notebook = lazy(() => import("../notebook/Notebook"));
const Console = lazy(() => import("../console/Console").then((m) => ({ default: m.Console })));
const InterviewerPanel = lazy(() => import("../panel/InterviewerPanel").then((m) => ({ default: m.InterviewerPanel })));

export function RoomPage({ session, token }: { session: string; token: string | null }) {
  const load = useRoom(session, token);
  if (load.phase === "loading") return <main className="center muted">Joining the session…</main>;
  if (load.phase === "error") return <LinkProblemPage problem={load.problem} />;
  if (load.phase === "notice") {
    return <NoticePage info={load.info} notice={load.notice} token={token!} onAcknowledged={load.acknowledged} />;
  }
  if (load.phase === "name") return <NamePrompt info={load.info} token={token!} onNamed={load.named} />;
  if (load.phase === "ended") return <EndedPage info={load.info} token={token!} />;
  return <Room sync={load.sync} info={load.info} token={token!} onEditorMounted={load.ready.editorMounted} />;
}

function runErrorMessage(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  if (e.status === 409) return "A run is already in progress.";
  if (e.status === 403) return `Not allowed: ${e.message}`;
  if (e.status === 0) return "The server cannot be reached.";
  return `${e.status}: ${e.message}`;
}

function Room({ sync, info, token, onEditorMounted }: {
  sync: RoomSync;
  info: SessionInfo;
  token: string;
  onEditorMounted: () => void;
}) {
  // Bumped when a doc is replaced by a fresh copy after the server refused our writes.
  const [, setGeneration] = useState(0);
  useEffect(() => sync.onReplaced(() => setGeneration((g) => g + 1)), [sync]);
  const [dark, setDark] = usePref<boolean>("dark", prefersDark());
  const [vim, setVim] = usePref<boolean>("vim", false);
  const [briefOpen, setBriefOpen] = usePref<boolean>("brief.open", true);
  const [actionError, setActionError] = useState<string | null>(null);
  const code = sync.link(DOC.code);
  // What the editor does not need waits until the code doc is live: the whiteboard, the console
  // (its ANSI and HTML renderers) and the brief's Markdown renderer (src/room/useDeferred.ts).
  const afterEditor = useAfterLive(code);
  const board = sync.link(DOC.board);
  const consoleDoc = sync.link(DOC.console).doc;
  const notes = sync.has(DOC.notes) ? sync.link(DOC.notes) : null;
  const notebook = sync.has(DOC.notebook) ? sync.link(DOC.notebook) : null;
  const notebookModel = notebook ? sync.model<YNotebook>(DOC.notebook) : undefined;
  const links = [...sync.links.values()];
  const states = useLinkStates(links);
  const refusedError = links.find((l) => l.state === "refused")?.error ?? null;

  const runs = useYJson<RunEntry[]>(roots.console.runs(consoleDoc), []);
  const kernel = useYJson<KernelState>(roots.console.kernel(consoleDoc), {});
  const controls = useYJson<Controls>(roots.console.controls(consoleDoc), {});
  const events = useYJson<ScenarioEvent[]>(roots.console.events(consoleDoc), []);
  const scenarioInfo = useYJson<{ title?: string; duration_min?: number; clock?: ScenarioClock }>(
    roots.console.scenario(consoleDoc),
    {},
  );
  const clock = scenarioInfo.clock;
  const mark = useYJson<SessionMark>(roots.console.session(consoleDoc), {});
  const ended = endedFrom(mark, info.state);
  const now = clockNow(useNow(), ended);
  const [say, setSay] = useState<string | null>(null);
  const markdown = useMarkdown(afterEditor);
  const mainFile = typeof info.main_file === "string" ? info.main_file : "main.py";
  const [entry, setEntry] = useState(mainFile);

  const role = info.role;
  const viewer = role === "observer" || role === "reviewer";
  const locked = role === "candidate" && !!controls.editor_locked;
  const refused = refusedError !== null;
  const readOnlyReason = viewer
    ? `${role}s cannot edit`
    : ended.ended
      ? "the interview has ended"
      : locked
        ? "the interviewer locked the editor"
        : null;
  const runBlocked = runBlockedReason({ role, ended: ended.ended, runDisabled: !!controls.run_disabled, refused });
  const canRun = runBlocked === null;
  useIntegritySignals(info.id, token, role === "candidate" && !ended.ended);
  const running = runs.some((r) => (r.status ?? "running") === "running");

  const act = useCallback(
    async (fn: () => Promise<unknown>) => {
      setActionError(null);
      try {
        await fn();
      } catch (e) {
        setActionError(runErrorMessage(e));
      }
    },
    [],
  );
  const run = useCallback(() => {
    if (!canRun) {
      setSay(`Run is not available: ${runBlocked ?? "it is disabled"}.`);
      return;
    }
    setSay(null);
    const path = fileText(code.doc, mainFile, entry) ? entry : mainFile;
    const text = fileText(code.doc, mainFile, path)!.toString();
    void act(() => startRun(info.id, token, text, path === mainFile ? undefined : path));
  }, [act, canRun, runBlocked, code.doc, info.id, token, entry, mainFile]);
  // Run selection: the selected lines, in the same kernel; the run entry says it was a selection.
  const [selected, setSelected] = useState<string | null>(null);
  const runSelection = useCallback(
    (lines: string) => {
      if (!canRun) {
        setSay(`Run is not available: ${runBlocked ?? "it is disabled"}.`);
        return;
      }
      setSay(null);
      void act(() => startRun(info.id, token, lines, undefined, true));
    },
    [act, canRun, runBlocked, info.id, token],
  );
  const answer = useCallback(
    async (runId: string, value: string) => {
      try {
        await answerInput(info.id, token, runId, value);
      } catch (e) {
        throw new Error(runErrorMessage(e));
      }
    },
    [info.id, token],
  );

  const banners = events.filter((e) => e.kind === "banner").slice(-2);
  // The brief and the sections revealed since (`reveal` entries), in the order they arrived.
  const brief = events.filter((e) => e.kind === "brief" || e.kind === "reveal");

  if (role === "candidate" && clock?.state === "waiting") {
    return (
      <main className="center waiting" data-testid="waiting-room">
        <div>
          <h1>{info.title || "Your interview"}</h1>
          <p>Waiting for the interviewer to start the session.</p>
          <p className="muted">This page will open the session by itself; keep it open.</p>
        </div>
      </main>
    );
  }

  return (
    <div className={`room ${dark ? "dark" : "light"}`} data-role={role}>
      <header className="topbar">
        <a href="/" className="brand">Pairboard</a>
        <h1 className="title">{info.title || info.id}</h1>
        <span className="badge role-badge" data-testid="my-role">{info.name} · {role}</span>
        <ConnectionBadge state={overallState(states)} readOnly={readOnlyReason} error={ended.ended ? null : refusedError} ended={ended.ended} />
        {clock && clock.state !== "waiting" ? (
          <span className="badge" data-testid="clock" title="Scenario time">
            {ended.ended ? "ended · " : clock.state === "paused" ? "paused · " : ""}
            {formatClock(elapsedMs(clock, now))}
            {scenarioInfo.duration_min ? ` / ${scenarioInfo.duration_min}:00` : ""}
          </span>
        ) : null}
        {role === "interviewer" ? (
          <>
            <IntegrityIndicator session={info.id} token={token} live={!ended.ended} />
            <EndControls session={info.id} token={token} ended={ended.ended} />
          </>
        ) : null}
        <Participants awareness={code.provider.awareness} />
        <label className="pref">
          <input type="checkbox" checked={dark} onChange={(e) => setDark(e.target.checked)} /> dark
        </label>
        <label className="pref">
          <input type="checkbox" checked={vim} onChange={(e) => setVim(e.target.checked)} /> Vim keys
        </label>
      </header>
      {ended.ended ? (
        <div className="ended-banner" role="status" data-testid="ended-banner">
          The interview has ended{ended.endedBy ? ` (ended by ${ended.endedBy})` : ""}.{" "}
          {role === "candidate" ? "Thank you: your work is saved. You can close this tab." : "Everything is kept in the replay."}
        </div>
      ) : null}
      {banners.map((b) => (
        <div key={b.id} className={`banner banner-${b.level ?? "info"}`} role="alert">{b.text}</div>
      ))}
      <RoomLayout
        head={
          <>
            <div className="toolbar" role="toolbar" aria-label="Run controls">
              {!viewer && !notebook ? (
                <>
                  <button type="button" onClick={run} disabled={!canRun || running} data-testid="run"
                    title={canRun ? "Run the editor's code (Ctrl/Cmd-Enter)" : `Run is not available: ${runBlocked}`}>
                    <span aria-hidden="true">▶ </span>Run
                  </button>
                  <button type="button" onClick={() => selected !== null && runSelection(selected)}
                    disabled={!canRun || running || selected === null || ended.ended} data-testid="run-selection"
                    title="Run the selected lines in the same kernel (Ctrl/Cmd-Shift-Enter)">
                    Run selection
                  </button>
                  <button type="button" onClick={() => void act(() => interruptKernel(info.id, token))} disabled={!running || ended.ended}>
                    <span aria-hidden="true">■ </span>Stop
                  </button>
                  <button type="button" onClick={() => void act(() => restartKernel(info.id, token))} disabled={ended.ended}>
                    <span aria-hidden="true">↻ </span>Restart
                  </button>
                </>
              ) : null}
              <span className="kernel" data-testid="kernel-status" title={kernel.message ?? ""} role="status" aria-live="polite">
                kernel: {kernel.status ?? "not started"}
              </span>
              {runBlocked && !viewer ? <span className="badge" data-testid="run-blocked">Run is off: {runBlocked}</span> : null}
              {actionError ? <span className="error" role="alert">{actionError}</span> : null}
            </div>
            {brief.length ? (
              <details className="brief" open={briefOpen} data-testid="brief"
                onToggle={(e) => setBriefOpen(e.currentTarget.open)}>
                <summary>Brief</summary>
                {brief.map((b) => (
                  <div key={b.id}>
                    {b.kind === "reveal" && b.title ? <h4>New: {b.title}</h4> : null}
                    {markdown ? <div className="md" dangerouslySetInnerHTML={{ __html: markdown(b.text) }} /> : null}
                  </div>
                ))}
              </details>
            ) : null}
            {locked ? (
              <div className="locked" role="status" data-testid="locked-banner">
                <strong>Locked.</strong> The interviewer has locked the editor. You can still read it and follow along.
              </div>
            ) : null}
          </>
        }
        editor={
          <>
            {notebook && notebookModel ? (
              <Suspense fallback={<p className="center muted">Loading the notebook…</p>}>
                <Notebook
                  model={notebookModel}
                  awareness={notebook.provider.awareness}
                  runs={runs}
                  session={info.id}
                  token={token}
                  readOnly={viewer || locked || refused || ended.ended}
                  canRun={canRun}
                  canImport={role === "interviewer" && !ended.ended}
                  dark={dark}
                  act={(fn) => void act(fn)}
                />
              </Suspense>
            ) : (
              <ProjectEditor
                doc={code.doc}
                awareness={code.provider.awareness}
                main={mainFile}
                entry={entry}
                onEntry={setEntry}
                readOnly={viewer || locked || refused || ended.ended}
                dark={dark}
                vim={vim}
                onRun={run}
                say={setSay}
                onRunSelection={runSelection}
                onSelection={setSelected}
                onMounted={onEditorMounted}
                tabIndents
              />
            )}
            <Notices events={events} say={say} />
          </>
        }
        console={
          <Suspense fallback={null}>
            {!afterEditor ? null : notebook ? (
              consoleRuns(runs).length ? <Console runs={consoleRuns(runs)} /> : null
            ) : (
              <Console runs={runs} session={info.id} myRole={viewer ? null : role} onAnswer={answer} />
            )}
          </Suspense>
        }
        board={
          !afterEditor ? (
            <p className="center muted">Loading the whiteboard…</p>
          ) : <Suspense fallback={<p className="center muted">Loading the whiteboard…</p>}>
            <Board
              doc={board.doc}
              awareness={board.provider.awareness}
              readOnly={viewer || ended.ended}
              dark={dark}
              onApi={(a) => {
                if (window.pairboard) window.pairboard.excalidraw = a;
              }}
            />
          </Suspense>
        }
        panel={
          notes && role === "interviewer" ? (
          <Suspense fallback={<p className="muted">Loading the panel…</p>}>
          <InterviewerPanel
            session={info.id}
            token={token}
            notesText={roots.notes.notes(notes.doc)}
            rubric={roots.notes.rubric(notes.doc)}
            awareness={notes.provider.awareness}
            controls={controls}
            criteria={rubricCriteria(info.rubric)}
            dark={dark}
            canWrite={role === "interviewer" && !ended.ended}
            scenario={info.scenario ? { consoleDoc, grades: roots.notes.grades(notes.doc) } : null}
          />
          </Suspense>
        ) : null
        }
      />
    </div>
  );
}
