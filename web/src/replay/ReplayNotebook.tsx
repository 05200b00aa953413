// The recorded notebook in the replay: its cells at the scrubbed instant, each code cell with the
// outputs and execution count of its latest run recorded by then (notebookView.ts), Markdown
// rendered. Read-only, and plain: the player's docs are rebuilt from the log, not JupyterLab models.
import { OutputView } from "../console/OutputView";
import { markdownToHtml } from "../markdown";
import { prompt } from "../notebook/model";
import "../notebook/notebook.css";
import type { ReplayCell } from "./notebookView";

export function ReplayNotebook({ cells }: { cells: ReplayCell[] }) {
  return (
    <section className="notebook replay-notebook" aria-label="Recorded notebook" data-testid="replay-notebook">
      {cells.length === 0 ? <p className="muted center">No cells yet at this moment.</p> : null}
      <ol className="cells">
        {cells.map((cell, index) => (
          <li key={cell.id} className={`cell cell-${cell.cellType}`} data-cell-id={cell.id} data-testid="replay-cell"
            data-cell-type={cell.cellType}>
            <div className="cell-prompt" aria-hidden="true">{cell.cellType === "code" ? prompt(cell.run) : ""}</div>
            <div className="cell-body">
              {cell.cellType === "markdown" && cell.source.trim() !== "" ? (
                <div className="md cell-rendered" data-testid="cell-rendered" dangerouslySetInnerHTML={{ __html: markdownToHtml(cell.source) }} />
              ) : (
                <pre className="cell-source" data-testid="cell-source" aria-label={`Cell ${index + 1} (${cell.cellType})`}>{cell.source}</pre>
              )}
              {cell.run ? (
                <div className="cell-outputs" data-testid="cell-outputs" data-status={cell.run.status}>
                  {(cell.run.outputs ?? []).map((o, i) => <OutputView key={i} out={o} />)}
                  {cell.run.status === "cancelled" ? <p className="out-notice">{cell.run.reason ?? "not run"}</p> : null}
                </div>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
