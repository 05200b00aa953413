// Long text outputs are cut into chunks of lines (pure), each drawn in its own block that the
// browser may skip laying out and painting while it is off screen (`content-visibility: auto`
// in styles.css). That is what keeps typing in the editor as fast after a 20,000-line output as
// before it: the page's layout no longer walks every line of the console.

/** Lines per chunk. Default 200: small enough to skip most of a long output, large enough that
 * a normal output is one block. */
export const CHUNK_LINES = 200;

/** `text` in consecutive pieces of at most `lines` lines each; joined, they are `text` again. */
export function chunkLines(text: string, lines = CHUNK_LINES): string[] {
  const out: string[] = [];
  let start = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10 && ++count === lines) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
      count = 0;
    }
  }
  if (start < text.length || out.length === 0) out.push(text.slice(start));
  return out;
}

/** How many lines a chunk shows (a last line without a newline counts). */
export function lineCount(chunk: string): number {
  let n = 0;
  for (let i = 0; i < chunk.length; i++) if (chunk.charCodeAt(i) === 10) n++;
  return chunk.length && !chunk.endsWith("\n") ? n + 1 : n;
}

/** Consecutive stream outputs of one stream drawn as one text (pure). The kernel sends a run's
 * first line at once and the rest in batches (kernel_startup.py, server/runs.py), so one
 * print loop can arrive as several outputs; shown as one, its lines are not cut apart. */
export function mergeStreams<T extends { type: string; name?: string; text?: string }>(outputs: T[]): T[] {
  const merged: T[] = [];
  for (const out of outputs) {
    const last = merged[merged.length - 1];
    if (last && out.type === "stream" && last.type === "stream" && last.name === out.name) {
      merged[merged.length - 1] = { ...last, text: (last.text ?? "") + (out.text ?? "") };
    } else {
      merged.push(out);
    }
  }
  return merged;
}
