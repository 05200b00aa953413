// What the scorecard shows, derived purely from the recording's final notes doc and the
// scenario's rubric: each criterion with the level chosen (or none), and the latest grade.
import type { GradeResult } from "../api";
import type { RubricCriterion, RubricLevel } from "../panel/rubric";

export interface ScoredCriterion {
  id: string;
  title: string;
  levels: RubricLevel[];
  /** The chosen level, null when the interviewer chose none. */
  chosen: RubricLevel | null;
  /** What the notes doc holds when it matches no level of the rubric (kept, not hidden). */
  raw: unknown;
}

/** Criteria in the rubric's order, then any scored criterion the rubric does not name. */
export function scoreRubric(criteria: readonly RubricCriterion[], values: Record<string, unknown>): ScoredCriterion[] {
  const out: ScoredCriterion[] = criteria.map((c) => {
    const raw = values[c.id];
    const chosen = c.levels.find((l) => l.value === raw || String(l.value) === String(raw)) ?? null;
    return { id: c.id, title: c.title, levels: c.levels, chosen, raw: raw ?? null };
  });
  const known = new Set(criteria.map((c) => c.id));
  for (const [id, raw] of Object.entries(values)) {
    if (!known.has(id)) out.push({ id, title: id, levels: [], chosen: null, raw });
  }
  return out;
}

/** Grades newest first (the latest is the one a decision reads). */
export function gradesNewestFirst(grades: Record<string, GradeResult>): GradeResult[] {
  return Object.values(grades)
    .filter((g) => g && typeof g.at === "number")
    .sort((a, b) => b.at - a.at);
}
