import { expect, test } from "vitest";
import type { GradeResult } from "../api";
import { gradesNewestFirst, scoreRubric } from "./scorecard";

const criteria = [
  { id: "correct", title: "Correctness", levels: [{ value: 1, label: "1 · weak" }, { value: 3, label: "3 · strong" }] },
  { id: "talk", title: "Communication", levels: [{ value: 1, label: "1 · weak" }] },
];

test("each criterion gets the level whose score the notes doc holds, or none", () => {
  const scored = scoreRubric(criteria, { correct: 3 });
  expect(scored.map((s) => [s.id, s.chosen?.label ?? null])).toEqual([
    ["correct", "3 · strong"],
    ["talk", null],
  ]);
});

test("a stored level written as text still matches its numeric score", () => {
  expect(scoreRubric(criteria, { correct: "1" })[0].chosen?.label).toBe("1 · weak");
});

test("a scored criterion the rubric does not name is listed after the rubric's, raw", () => {
  const scored = scoreRubric(criteria, { extra: "B" });
  expect(scored[2]).toEqual({ id: "extra", title: "extra", levels: [], chosen: null, raw: "B" });
});

test("grades are listed newest first", () => {
  const g = (id: string, at: number) => ({ id, at }) as GradeResult;
  expect(gradesNewestFirst({ a: g("a", 10), b: g("b", 30), c: g("c", 20) }).map((x) => x.id)).toEqual(["b", "c", "a"]);
});
