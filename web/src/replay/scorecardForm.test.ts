import { describe, expect, it } from "vitest";
import type { RubricCriterion } from "../panel/rubric";
import { initialLevels, recommendationLabel, submission } from "./scorecardForm";

const criteria: RubricCriterion[] = [
  { id: "correctness", title: "Correctness", levels: [{ value: 1, label: "1 · Broken" }, { value: 3, label: "3 · Solid" }] },
  { id: "shapes", title: "Shapes", levels: [{ value: 1, label: "1 · Weak" }, { value: 2, label: "2 · Fine" }] },
];

describe("the scorecard form", () => {
  it("starts from the panel's levels the rubric has, and skips others", () => {
    expect(initialLevels(criteria, { correctness: 3, shapes: 7, other: 1 })).toEqual({ correctness: 3 });
    expect(initialLevels(criteria, { shapes: "2" })).toEqual({ shapes: 2 });
  });

  it("sends only scored criteria of the rubric and a trimmed summary", () => {
    expect(submission(criteria, { correctness: 1, shapes: null, stray: 2 }, "hire", "  ok \n")).toEqual({
      rubric: { correctness: 1 },
      recommendation: "hire",
      summary: "ok",
    });
  });

  it("names recommendations for people", () => {
    expect(recommendationLabel("strong_no_hire")).toBe("Strong no hire");
    expect(recommendationLabel("odd")).toBe("odd");
  });
});
