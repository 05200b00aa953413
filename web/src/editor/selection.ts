// Run selection runs the selected lines (pure, over CodeMirror's state): every line any selected
// range touches, whole, in document order, so a selection that starts mid-line does not hand
// the kernel half a statement. A range ending at the very start of a line (a drag to the next
// line's start) does not take that line. Empty selections select nothing.
import type { EditorState } from "@codemirror/state";

export function selectedLines(state: EditorState): string | null {
  const lines = new Set<number>();
  for (const r of state.selection.ranges) {
    if (r.empty) continue;
    const first = state.doc.lineAt(r.from);
    let last = state.doc.lineAt(r.to);
    if (r.to === last.from && last.number > first.number) last = state.doc.line(last.number - 1);
    for (let n = first.number; n <= last.number; n++) lines.add(n);
  }
  if (lines.size === 0) return null;
  return [...lines]
    .sort((a, b) => a - b)
    .map((n) => state.doc.line(n).text)
    .join("\n");
}
