// The Submit scorecard form's pure parts: which level each criterion starts at (the level the
// interviewer's panel holds in the notes doc, when it is one of the rubric's), and the body the
// server takes (criteria left unscored are left out; the server checks every level again).
import type { Recommendation, ScorecardSubmission } from "../api";
import type { RubricCriterion } from "../panel/rubric";

export const RECOMMENDATIONS: { value: Recommendation; label: string }[] = [
  { value: "strong_hire", label: "Strong hire" },
  { value: "hire", label: "Hire" },
  { value: "no_hire", label: "No hire" },
  { value: "strong_no_hire", label: "Strong no hire" },
];

/** Criterion id -> the numeric level to start from (only levels the rubric has). */
export function initialLevels(criteria: readonly RubricCriterion[], draft: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of criteria) {
    const raw = draft[c.id];
    const level = c.levels.find((l) => typeof l.value === "number" && String(l.value) === String(raw));
    if (level && typeof level.value === "number") out[c.id] = level.value;
  }
  return out;
}

export function submission(
  criteria: readonly RubricCriterion[],
  levels: Record<string, number | null>,
  recommendation: Recommendation,
  summary: string,
): ScorecardSubmission {
  const rubric: Record<string, number> = {};
  for (const c of criteria) {
    const v = levels[c.id];
    if (typeof v === "number") rubric[c.id] = v;
  }
  return { rubric, recommendation, summary: summary.trim() };
}

export function recommendationLabel(value: string): string {
  return RECOMMENDATIONS.find((r) => r.value === value)?.label ?? value;
}
