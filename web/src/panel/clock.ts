// The scenario clock as the room shows it, from the server's mirror in `console.scenario`.
// Pure: the room and the interviewer panel render the same time from the same rules.
import type { ScenarioClock } from "../api";

export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Scenario time now, from the mirrored clock (frozen while paused, 0 while waiting). */
export function elapsedMs(clock: Partial<ScenarioClock> | undefined, now: number): number {
  if (!clock || clock.started_at == null) return 0;
  const until = clock.paused_at ?? now;
  return Math.max(0, until - clock.started_at - (clock.paused_total ?? 0));
}
