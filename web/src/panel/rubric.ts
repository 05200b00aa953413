// Rubric criteria as the interviewer panel shows them, read from session or scenario metadata.
// Pure: the metadata comes from the server as loose JSON (scenario authors write it in YAML), so
// every shape is checked here and anything unreadable is left out rather than crashing the panel.

export interface RubricLevel {
  /** What is stored in the notes doc's `rubric` map: the level's score (or its label). */
  value: number | string;
  label: string;
  description?: string;
}

export interface RubricCriterion {
  id: string;
  title: string;
  levels: RubricLevel[];
}

function readLevel(l: unknown): RubricLevel | null {
  if (typeof l === "string") return { value: l, label: l };
  if (!l || typeof l !== "object") return null;
  const o = l as Record<string, unknown>;
  const label = typeof o.label === "string" ? o.label : typeof o.name === "string" ? o.name : null;
  const value = typeof o.score === "number" ? o.score : label;
  if (value === null) return null;
  const description = typeof o.description === "string" ? o.description : undefined;
  return { value, label: typeof o.score === "number" ? `${o.score} · ${label ?? ""}` : String(label), description };
}

/**
 * Rubric criteria from the session metadata (`rubric`: the scenario's criteria, each with
 * `id`, `title` and `levels` of `{score, label, description}`), tolerating plainer shapes.
 */
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
    if (typeof o.id !== "string") continue;
    const title = typeof o.title === "string" ? o.title : o.id;
    const levels = (Array.isArray(o.levels) ? o.levels : []).map(readLevel).filter((l): l is RubricLevel => l !== null);
    out.push({ id: o.id, title, levels });
  }
  return out;
}
