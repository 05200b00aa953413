import { describe, expect, test } from "vitest";
import { docsFor, sharesTabsOverBroadcast } from "./room";

describe("docsFor", () => {
  test("interviewers and reviewers open every doc, notes included", () => {
    expect(docsFor("interviewer")).toEqual(["code", "board", "console", "notes"]);
    expect(docsFor("reviewer")).toEqual(["code", "board", "console", "notes"]);
  });

  test("candidates and observers never open the notes doc", () => {
    expect(docsFor("candidate")).toEqual(["code", "board", "console"]);
    expect(docsFor("observer")).toEqual(["code", "board", "console"]);
  });

  test("only a notebook session opens the notebook doc, for every role", () => {
    expect(docsFor("interviewer", "notebook")).toEqual(["code", "board", "console", "notes", "notebook"]);
    expect(docsFor("candidate", "notebook")).toEqual(["code", "board", "console", "notebook"]);
    expect(docsFor("observer", "code")).toEqual(["code", "board", "console"]);
  });
});

test("only interviewers share docs between their tabs over BroadcastChannel", () => {
  expect(sharesTabsOverBroadcast("interviewer")).toBe(true);
  for (const role of ["candidate", "observer", "reviewer"] as const) expect(sharesTabsOverBroadcast(role)).toBe(false);
});
