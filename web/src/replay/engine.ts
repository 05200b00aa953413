// The replay engine: each doc's state at any instant, rebuilt in the browser with `yjs` from the
// server's chunked log (GET /api/sessions/{id}/log). Like the server's `state?at=`, a seek costs
// one snapshot plus a merged tail, never a replay from the start: snapshots are built once, at
// load, by merging the log in chunks (Y.mergeUpdates needs no doc, so that stays cheap).
// Playing forward applies only the updates since the last frame to the doc on screen; seeking
// backwards builds a fresh doc (its `generation` changes so the views re-bind to it).
import * as Y from "yjs";
import { api, type Credential } from "../api";
import type { DocName, RecordDoc } from "../sync/schema";

export const SNAPSHOT_EVERY = 500;

export interface LogEntry {
  seq: number;
  t: number;
  author: string;
  role: string;
  kind: string;
  data?: string;
  value?: unknown;
}

interface LogChunk {
  entries: LogEntry[];
  next_after: number;
  done: boolean;
}

function decode(b64: string): Uint8Array {
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Every entry of one log, fetched chunk by chunk. */
export async function fetchLog(
  session: string,
  token: Credential,
  doc: DocName | RecordDoc,
  onProgress?: (n: number) => void,
): Promise<LogEntry[]> {
  const all: LogEntry[] = [];
  let after = 0;
  for (;;) {
    const chunk = await api<LogChunk>(
      `/api/sessions/${encodeURIComponent(session)}/log?doc=${doc}&after=${after}`,
      token,
    );
    all.push(...chunk.entries);
    onProgress?.(all.length);
    if (chunk.done || chunk.entries.length === 0) return all;
    after = chunk.next_after;
  }
}

/** First index whose time is above `t` (= how many entries happened at or before `t`). */
export function countAtOrBefore(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class DocTimeline {
  readonly times: number[];
  private readonly updates: Uint8Array[];
  private readonly snapshots: Uint8Array[] = []; // snapshots[k]: the first (k+1)*SNAPSHOT_EVERY updates
  doc = new Y.Doc();
  applied = 0;
  generation = 0;

  constructor(entries: LogEntry[]) {
    const updates = entries.filter((e) => e.kind === "update" && e.data);
    this.times = updates.map((e) => e.t);
    this.updates = updates.map((e) => decode(e.data as string));
    let state: Uint8Array | null = null;
    for (let end = SNAPSHOT_EVERY; end <= this.updates.length; end += SNAPSHOT_EVERY) {
      const chunk = this.updates.slice(end - SNAPSHOT_EVERY, end);
      state = Y.mergeUpdates(state ? [state, ...chunk] : chunk);
      this.snapshots.push(state);
    }
  }

  get length(): number {
    return this.updates.length;
  }

  /** Bring `doc` to the instant `t` (ms since the session's creation); true if it changed. */
  seek(t: number): boolean {
    const target = countAtOrBefore(this.times, t);
    if (target === this.applied) return false;
    if (target > this.applied) {
      this.apply(this.updates.slice(this.applied, target));
    } else {
      this.doc = new Y.Doc();
      this.generation += 1;
      const k = Math.floor(target / SNAPSHOT_EVERY);
      const base = k > 0 ? [this.snapshots[k - 1]] : [];
      this.apply([...base, ...this.updates.slice(k * SNAPSHOT_EVERY, target)]);
    }
    this.applied = target;
    return true;
  }

  private apply(updates: Uint8Array[]): void {
    if (updates.length === 0) return;
    Y.applyUpdate(this.doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates), "replay");
  }
}

/** Cursor samples: the latest state of each awareness client id at an instant. */
export function cursorsAt(
  samples: LogEntry[],
  doc: DocName,
  t: number,
): Map<number, { author: string; state: Record<string, unknown> }> {
  const out = new Map<number, { author: string; state: Record<string, unknown> }>();
  for (const s of samples) {
    if (s.t > t) break;
    const v = s.value as { doc: string; client: number; state: Record<string, unknown> | null };
    if (v.doc !== doc) continue;
    if (v.state) out.set(v.client, { author: s.author, state: v.state });
    else out.delete(v.client);
  }
  return out;
}
