// The server's timeline (GET /api/sessions/{id}/timeline) and the player's clock rules, pure.
export interface Marker {
  t: number;
  kind: "run" | "event" | "paste" | "blur" | "focus" | "note" | "comment";
  id?: string | number;
  status?: string;
  author?: string;
  text?: string;
  size?: number;
  /** Runs: how long the run took (null while it was still running when recorded). */
  duration_ms?: number | null;
  /** Scenario events: brief, banner, message, reveal, hint. */
  event_kind?: string;
}

export interface Person {
  name: string;
  role: string;
  counts: number[];
}

export interface Timeline {
  id: string;
  title: string;
  state: string;
  /** "notebook" for a notebook session (older servers leave it out). */
  mode?: string;
  /** The project's entry file (its text is `code.source`). */
  main_file?: string;
  created_at_ms: number;
  duration_ms: number;
  bucket_ms: number;
  people: Person[];
  busy: number[];
  markers: Marker[];
}

export const SPEEDS = [1, 2, 4, 8, 16, 32];

/** With idle skipping on, time inside an idle bucket jumps to the next busy one (or the end). */
export function skipIdle(tl: Timeline, t: number): number {
  let b = Math.floor(t / tl.bucket_ms);
  if (b >= tl.busy.length || tl.busy[b] > 0) return t;
  while (b < tl.busy.length && tl.busy[b] === 0) b++;
  return Math.min(b * tl.bucket_ms, tl.duration_ms);
}

export function formatClock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}
