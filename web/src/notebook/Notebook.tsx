// The shared notebook: JupyterLab's model (@jupyter/ydoc's YNotebook) over the session's
// `notebook` doc, one CodeMirror per cell, and under each code cell the outputs of its latest
// run from the server-written console doc (server/notebook.py says why outputs live there).
// Writers add, delete, move, retype and edit cells; Shift-Enter runs a cell and moves on,
// Ctrl/Cmd-Enter runs it in place, Ctrl/Cmd-Shift-Enter runs the selected lines (a console run,
// as the file editor's Run selection: the cell's own output stays its last whole run); Run all,
// Stop and Restart act on the session's one kernel.
import { useCallback, useEffect, useMemo, useState } from "react";
import type { YCellType, YNotebook } from "@jupyter/ydoc";
import type { Awareness } from "y-protocols/awareness";
import { interruptKernel, restartKernel, startRun } from "../api";
import { mergeStreams } from "../console/chunks";
import { OutputView } from "../console/OutputView";
import { markdownToHtml } from "../markdown";
import { CellEditor } from "./CellEditor";
import "./notebook.css";
import { afterRunAndAdvance, busy, latestRunByCell, prompt, type CellRun } from "./model";
import { downloadIpynb, importIpynb, runAll, runCells } from "./notebookApi";

export interface NotebookProps {
  /** JupyterLab's shared model over the session's notebook doc (RoomSync owns it). */
  model: YNotebook;
  awareness: Awareness;
  runs: CellRun[];
  session: string;
  token: string;
  readOnly: boolean;
  canRun: boolean;
  canImport: boolean;
  dark: boolean;
  act: (fn: () => Promise<unknown>) => void;
}

/** The model's cells, re-read whenever cells are added, removed, moved or retyped. */
function useCells(model: YNotebook): YCellType[] {
  const [cells, setCells] = useState<YCellType[]>(() => [...model.cells]);
  useEffect(() => {
    setCells([...model.cells]);
    const changed = (_: YNotebook, change: { cellsChange?: unknown }) => {
      if (change.cellsChange) setCells([...model.cells]);
    };
    model.changed.connect(changed);
    return () => {
      model.changed.disconnect(changed);
    };
  }, [model]);
  return cells;
}

export function Notebook(props: NotebookProps) {
  const { model } = props;
  const cells = useCells(model);
  const latest = useMemo(() => latestRunByCell(props.runs), [props.runs]);
  const [focused, setFocused] = useState<string | null>(null);
  const [autoFocus, setAutoFocus] = useState<string | null>(null);
  const { session, token, act, canRun } = props;
  const running = busy(props.runs);

  const insert = useCallback(
    (index: number, type: "code" | "markdown" = "code") => {
      const cell = model.insertCell(index, { cell_type: type, source: "", metadata: {} });
      setAutoFocus(cell.id);
      return cell;
    },
    [model],
  );

  const run = useCallback(
    (cell: YCellType) => {
      if (cell.cell_type !== "code" || !canRun) return;
      act(() => runCells(session, token, [cell.id]));
    },
    [act, canRun, session, token],
  );

  // Run selection: the selected lines in the same kernel; the run entry says it was a selection
  // and shows in the console under the notebook.
  const runSelection = useCallback(
    (code: string) => {
      if (!canRun) return;
      act(() => startRun(session, token, code, undefined, true));
    },
    [act, canRun, session, token],
  );

  const runAndAdvance = useCallback(
    (cell: YCellType, index: number) => {
      run(cell);
      if (cell.cell_type === "markdown") setEditing((e) => ({ ...e, [cell.id]: false }));
      const next = afterRunAndAdvance(index, model.cells.length);
      if (next === "append") {
        if (!props.readOnly) insert(model.cells.length);
      } else setAutoFocus(model.cells[next]!.id);
    },
    [insert, model, props.readOnly, run],
  );

  const retype = useCallback(
    (index: number, type: "code" | "markdown") => {
      const cell = model.cells[index];
      if (!cell || cell.cell_type === type) return;
      const source = cell.source;
      model.transact(() => {
        model.deleteCell(index);
        model.insertCell(index, { id: cell.id, cell_type: type, source, metadata: {} });
      });
    },
    [model],
  );

  const [editing, setEditing] = useState<Record<string, boolean>>({});

  return (
    <section className="notebook" aria-label="Notebook" data-testid="notebook">
      <div className="toolbar" role="toolbar" aria-label="Notebook controls">
        {!props.readOnly || canRun ? (
          <>
            <button type="button" data-testid="run-all" disabled={!canRun || running}
              onClick={() => act(() => runAll(session, token))}>
              ▶▶ Run all
            </button>
            <button type="button" disabled={!running} onClick={() => act(() => interruptKernel(session, token))}>
              ■ Stop
            </button>
            <button type="button" onClick={() => act(() => restartKernel(session, token))}>↻ Restart</button>
          </>
        ) : null}
        <button type="button" onClick={() => act(() => downloadIpynb(session, token))}>Export .ipynb</button>
        {props.canImport ? (
          <label className="button">
            Import .ipynb
            <input type="file" accept=".ipynb,application/x-ipynb+json" hidden
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file) act(() => importIpynb(session, token, file));
                e.currentTarget.value = "";
              }} />
          </label>
        ) : null}
      </div>
      <ol className="cells">
        {cells.map((cell, index) => {
          const cellRun = cell.cell_type === "code" ? latest.get(cell.id) : undefined;
          const isMarkdown = cell.cell_type === "markdown";
          const showRendered = isMarkdown && !editing[cell.id] && cell.source.trim() !== "";
          return (
            <li key={cell.id} className={`cell cell-${cell.cell_type} ${focused === cell.id ? "focused" : ""}`}
              data-cell-id={cell.id} data-testid="cell" data-cell-type={cell.cell_type}>
              <div className="cell-prompt" aria-hidden="true">{isMarkdown ? "" : prompt(cellRun)}</div>
              <div className="cell-body">
                {showRendered ? (
                  <div className="md cell-rendered" data-testid="cell-rendered"
                    onDoubleClick={() => !props.readOnly && setEditing((e) => ({ ...e, [cell.id]: true }))}
                    dangerouslySetInnerHTML={{ __html: markdownToHtml(cell.source) }} />
                ) : (
                  <CellEditor
                    text={cell.ysource}
                    awareness={props.awareness}
                    readOnly={props.readOnly}
                    dark={props.dark}
                    markdown={isMarkdown}
                    label={`Cell ${index + 1} (${cell.cell_type})`}
                    autoFocus={autoFocus === cell.id}
                    onFocus={() => setFocused(cell.id)}
                    onRun={() => (isMarkdown ? setEditing((e) => ({ ...e, [cell.id]: false })) : run(cell))}
                    onRunSelection={cell.cell_type === "code" ? runSelection : undefined}
                    onRunAndAdvance={() => runAndAdvance(cell, index)}
                  />
                )}
                {cellRun ? (
                  <div className="cell-outputs" data-testid="cell-outputs" data-status={cellRun.status}
                    aria-live="polite" aria-label={`Output of cell ${index + 1}`}>
                    {mergeStreams(cellRun.outputs ?? []).map((o, i) => <OutputView key={i} out={o} onMedia={() => {}} />)}
                    {cellRun.status === "cancelled" ? <p className="out-notice">{cellRun.reason ?? "not run"}</p> : null}
                  </div>
                ) : null}
              </div>
              {!props.readOnly ? (
                <div className="cell-actions" role="group" aria-label={`Cell ${index + 1} actions`}>
                  {cell.cell_type === "code" ? (
                    <button type="button" disabled={!canRun || running} onClick={() => run(cell)}
                      aria-label={`Run cell ${index + 1}`} title="Run (Ctrl/Cmd-Enter; Shift-Enter runs and moves on; Ctrl/Cmd-Shift-Enter runs the selected lines)">▶</button>
                  ) : null}
                  <select aria-label={`Type of cell ${index + 1}`} value={cell.cell_type}
                    onChange={(e) => retype(index, e.currentTarget.value as "code" | "markdown")}>
                    <option value="code">Code</option>
                    <option value="markdown">Markdown</option>
                  </select>
                  <button type="button" aria-label={`Move cell ${index + 1} up`} disabled={index === 0}
                    onClick={() => model.moveCell(index, index - 1)}>↑</button>
                  <button type="button" aria-label={`Move cell ${index + 1} down`} disabled={index === cells.length - 1}
                    onClick={() => model.moveCell(index, index + 1)}>↓</button>
                  <button type="button" aria-label={`Add a cell below cell ${index + 1}`} onClick={() => insert(index + 1)}>+</button>
                  <button type="button" aria-label={`Delete cell ${index + 1}`} onClick={() => model.deleteCell(index)}>✕</button>
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      {!props.readOnly ? (
        <div className="cell-add">
          <button type="button" data-testid="add-code-cell" onClick={() => insert(cells.length, "code")}>+ Code</button>
          <button type="button" onClick={() => insert(cells.length, "markdown")}>+ Markdown</button>
        </div>
      ) : null}
    </section>
  );
}

export default Notebook;
