// The interviewer's private panel: collaborative notes (the `notes` doc, which candidates never
// open), the rubric, and the candidate controls. The toggles call the REST API, which the server
// enforces; their checked state is read back from `console.controls`, so every interviewer's
// panel mirrors what the server actually applied.
import { useCallback, useState } from "react";
import type * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { ApiError, setControls, type ScenarioView } from "../api";
import { ScenarioPanel } from "./ScenarioPanel";
import { Editor } from "../editor/Editor";
import { useYJson } from "../sync/hooks";
import type { Controls } from "../console/types";
import { rubricCriteria, type RubricCriterion } from "./rubric";

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
  /** Set when the session follows a scenario: the clock, events, hints and Grade appear. */
  scenario?: { consoleDoc: Y.Doc; grades: Y.Map<unknown> } | null;
}

export function InterviewerPanel(p: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scores = useYJson<Record<string, unknown>>(p.rubric, {});
  const [scenarioRubric, setScenarioRubric] = useState<RubricCriterion[]>([]);
  const onView = useCallback((v: ScenarioView) => setScenarioRubric(rubricCriteria(v.rubric)), []);
  const criteria = p.criteria.length ? p.criteria : scenarioRubric;

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
      {p.scenario ? (
        <ScenarioPanel
          session={p.session}
          token={p.token}
          consoleDoc={p.scenario.consoleDoc}
          grades={p.scenario.grades}
          canWrite={p.canWrite}
          onView={onView}
        />
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
        {criteria.length === 0 ? (
          <p className="muted">No rubric for this session (sessions created from a scenario carry one).</p>
        ) : (
          <table>
            <tbody>
              {criteria.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.title}</th>
                  <td>
                    <select
                      aria-label={`Rubric level for ${c.title}`}
                      disabled={!p.canWrite}
                      value={scores[c.id] === undefined ? "" : String(scores[c.id])}
                      onChange={(e) => {
                        const level = c.levels.find((l) => String(l.value) === e.target.value);
                        if (level) p.rubric.set(c.id, level.value);
                        else p.rubric.delete(c.id);
                      }}
                    >
                      <option value="">not scored</option>
                      {c.levels.map((l) => (
                        <option key={String(l.value)} value={String(l.value)} title={l.description}>
                          {l.label}
                        </option>
                      ))}
                    </select>
                    {(() => {
                      const chosen = c.levels.find((l) => String(l.value) === String(scores[c.id]));
                      return chosen?.description ? <div className="muted level-description">{chosen.description}</div> : null;
                    })()}
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
