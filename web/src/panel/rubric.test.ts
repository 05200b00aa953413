import { describe, expect, test } from "vitest";
import { rubricCriteria } from "./rubric";

describe("rubricCriteria", () => {
  test("reads a scenario's criteria with scored levels", () => {
    const raw = [
      {
        id: "design",
        title: "System design",
        levels: [
          { score: 1, label: "weak", description: "no structure" },
          { score: 3, label: "strong" },
        ],
      },
    ];
    expect(rubricCriteria(raw)).toEqual([
      {
        id: "design",
        title: "System design",
        levels: [
          { value: 1, label: "1 · weak", description: "no structure" },
          { value: 3, label: "3 · strong", description: undefined },
        ],
      },
    ]);
  });

  test("accepts a {criteria: [...]} wrapper, plain string levels and `name` for a label", () => {
    const raw = { criteria: [{ id: "code", levels: ["ok", { name: "great" }] }] };
    expect(rubricCriteria(raw)).toEqual([
      {
        id: "code",
        title: "code",
        levels: [
          { value: "ok", label: "ok" },
          { value: "great", label: "great", description: undefined },
        ],
      },
    ]);
  });

  test("leaves out criteria without an id and levels without a score or label", () => {
    const raw = [{ title: "no id" }, null, "x", { id: "c", levels: [{ description: "?" }, 7, null] }];
    expect(rubricCriteria(raw)).toEqual([{ id: "c", title: "c", levels: [] }]);
  });

  test("reads anything else as no rubric", () => {
    expect(rubricCriteria(undefined)).toEqual([]);
    expect(rubricCriteria({ criteria: "x" })).toEqual([]);
    expect(rubricCriteria("design")).toEqual([]);
  });
});
