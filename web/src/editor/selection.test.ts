import { EditorSelection, EditorState } from "@codemirror/state";
import { describe, expect, test } from "vitest";
import { selectedLines } from "./selection";

const DOC = "a = 1\nb = 2\nc = 3\nd = 4";

function at(...ranges: [number, number][]): EditorState {
  return EditorState.create({
    doc: DOC,
    selection: EditorSelection.create(ranges.map(([a, b]) => EditorSelection.range(a, b))),
    extensions: EditorState.allowMultipleSelections.of(true),
  });
}

describe("selectedLines", () => {
  test("nothing selected runs nothing", () => {
    expect(selectedLines(at([3, 3]))).toBeNull();
  });

  test("a selection inside one line takes the whole line", () => {
    expect(selectedLines(at([8, 9]))).toBe("b = 2");
  });

  test("a selection across lines takes each line whole, backwards too", () => {
    expect(selectedLines(at([2, 9]))).toBe("a = 1\nb = 2");
    expect(selectedLines(at([9, 2]))).toBe("a = 1\nb = 2");
  });

  test("a selection ending at the start of a line leaves that line out", () => {
    expect(selectedLines(at([6, 12]))).toBe("b = 2");
  });

  test("several ranges give their lines once each, in document order", () => {
    expect(selectedLines(at([19, 20], [0, 2], [1, 3]))).toBe("a = 1\nd = 4");
  });
});
