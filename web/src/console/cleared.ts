// "Clear" in a shared, recorded console is per viewer (pure helpers). The console doc is the
// session's record: the other person's console and the replay must keep every run, so Clear
// hides, in this browser tab only, the runs that existed when it was pressed (CoderPad's
// behaviour). The run entries are append-only, so "hidden" is a count of leading runs; it is
// kept in sessionStorage per session, so a reload keeps the cleared view and a new tab starts
// full.

export function visibleAfterClear<T>(runs: T[], hidden: number): T[] {
  return hidden > 0 ? runs.slice(Math.min(hidden, runs.length)) : runs;
}

export function clearedKey(session: string): string {
  return `pairboard:console-cleared:${session}`;
}

export function readCleared(raw: string | null): number {
  const n = raw === null ? 0 : Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
