import { describe, expect, it } from "vitest";
import { pathProblem, tabsOf } from "./files";

describe("project files", () => {
  it("lists the entry file first, then the others by path, leaving out unusable paths", () => {
    expect(tabsOf("main.py", ["utils.py", "data/io.py", "../x.py", "main.py"])).toEqual([
      "main.py",
      "data/io.py",
      "utils.py",
    ]);
  });

  it("accepts the server's paths and says why others are refused", () => {
    expect(pathProblem("pkg/utils.py", ["main.py"])).toBeNull();
    expect(pathProblem("", [])).toMatch("1 to 160");
    expect(pathProblem("a/b/c/d/e.py", [])).toMatch("4 levels");
    expect(pathProblem("../secret", [])).toMatch('".." is not a usable name');
    expect(pathProblem(".hidden", [])).toMatch("not a usable name");
    expect(pathProblem("main.py", ["main.py"])).toBe("main.py already exists.");
  });
});
