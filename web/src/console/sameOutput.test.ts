import { describe, expect, test } from "vitest";
import { sameOutput } from "./sameOutput";

describe("sameOutput", () => {
  test("equal content in fresh snapshots is the same output", () => {
    expect(sameOutput({ type: "stream", name: "stdout", text: "a\n" }, { type: "stream", name: "stdout", text: "a\n" })).toBe(true);
    expect(sameOutput({ type: "display", data: { "image/png": "iVBO" } }, { type: "display", data: { "image/png": "iVBO" } })).toBe(true);
  });

  test("another output at the same index (a notebook cell run again) is not", () => {
    expect(sameOutput({ type: "stream", name: "stdout", text: "1\n" }, { type: "stream", name: "stdout", text: "2\n" })).toBe(false);
    expect(sameOutput({ type: "stream", name: "stdout", text: "x" }, { type: "stream", name: "stderr", text: "x" })).toBe(false);
    expect(sameOutput({ type: "result", data: { "text/plain": "1" } }, { type: "display", data: { "text/plain": "1" } })).toBe(false);
    expect(sameOutput({ type: "result", data: { "text/plain": "1" } }, { type: "result", data: { "text/plain": "1", "text/html": "<b>" } })).toBe(false);
    expect(
      sameOutput(
        { type: "input", prompt: "? ", password: false, value: "a" },
        { type: "input", prompt: "? ", password: false, value: "b" },
      ),
    ).toBe(false);
  });
});
