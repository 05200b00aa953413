// The interviewer's private panel: collaborative notes (the `notes` doc, which candidates never
// open), the rubric, and the candidate controls. The toggles call the REST API, which the server
// enforces; their checked state is read back from `console.controls`, so every interviewer's
// panel mirrors what the server actually applied.
import { useState } from "react";
import type * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { ApiError, setControls } from "../api";
import { Editor } from "../editor/Editor";
import { useYJson } from "../sync/hooks";
import type { Controls } from "../console/types";

export interface RubricCriterion {
  id: string;
  title: string;
  levels: string[];
}

/** Reads rubric criteria from session metadata, tolerating the shapes a scenario may provide. */
export function rubricCriteria(raw: unknown): RubricCriterion[] {
  const list = Array.isArray(raw)
    ? raw
    : raw && typeof raw === "object" && Array.isArray((raw as { criteria?: unknown }).criteria)
      ? (raw as { criteria: unknown[] }).criteria
      : [];
  const out: RubricCriterion[] = [];
  for (const c of list) {
    if (!c || typeof c !== "object") continue;
    const o = c as Record<string, unknown>;
    const id = typeof o.id === "string" ? o.id : null;
    if (!id) continue;
    const title = typeof o.title === "string" ? o.title : typeof o.name === "string" ? o.name : id;
    const levels = Array.isArray(o.levels)
      ? o.levels.map((l) =>
          typeof l === "string" ? l : l && typeof l === "object" ? String((l as Record<string, unknown>).id ?? (l as Record<string, unknown>).name ?? "") : String(l),
        )
      : [];
    out.push({ id, title, levels });
  }
  return out;
}

interface Props {
  session: string;
  token: string;
  notesText: Y.Text;
  rubric: Y.Map<unknown>;
  awareness: Awareness;
  controls: Controls;
  criteria: RubricCriterion[];
  dark: boolean;
  canWrite: boolean;
}

export function InterviewerPanel(p: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scores = useYJson<Record<string, unknown>>(p.rubric, {});

  const toggle = async (key: keyof Controls, value: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await setControls(p.session, p.token, { [key]: value });
    } catch (e) {
      setError(e instanceof ApiError ? `${e.status || "offline"}: ${e.message}` : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="panel" aria-label="Interviewer panel (private)">
      <h2>Private to interviewers</h2>
      {p.canWrite ? (
        <fieldset className="controls" disabled={busy}>
          <legend>Candidate controls</legend>
          <label>
            <input
              type="checkbox"
              data-testid="lock-editor"
              checked={!!p.controls.editor_locked}
              onChange={(e) => void toggle("editor_locked", e.target.checked)}
            />{" "}
            Lock the editor
          </label>
          <label>
            <input
              type="checkbox"
              data-testid="disable-run"
              checked={!!p.controls.run_disabled}
              onChange={(e) => void toggle("run_disabled", e.target.checked)}
            />{" "}
            Disable Run
          </label>
          {error ? <p className="error" role="alert">{error}</p> : null}
        </fieldset>
      ) : null}
      <section className="notes">
        <h3>Notes</h3>
        <Editor
          text={p.notesText}
          awareness={p.awareness}
          readOnly={!p.canWrite}
          dark={p.dark}
          vim={false}
          language="text"
          label="Interviewer notes"
        />
      </section>
      <section className="rubric">
        <h3>Rubric</h3>
        {p.criteria.length === 0 ? (
          <p className="muted">No rubric for this session (sessions created from a scenario carry one).</p>
        ) : (
          <table>
            <tbody>
              {p.criteria.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.title}</th>
                  <td>
                    <select
                      aria-label={`Rubric level for ${c.title}`}
                      disabled={!p.canWrite}
                      value={typeof scores[c.id] === "string" ? (scores[c.id] as string) : ""}
                      onChange={(e) => p.rubric.set(c.id, e.target.value)}
                    >
                      <option value="">not scored</option>
                      {c.levels.map((l) => (
                        <option key={l} value={l}>
                          {l}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </aside>
  );
}
