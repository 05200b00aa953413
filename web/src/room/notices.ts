// The candidate's notices: hints and newly revealed brief sections, taken from `console.events`
// and shown as rendered Markdown in an announced (aria-live) region instead of a raw bullet or
// a line appended at the bottom of the brief. Pure: which events become which notice.
import type { ScenarioEvent } from "../console/types";

export interface Notice {
  id: string;
  title: string;
  markdown: string;
  tone: "hint" | "reveal" | "message";
}

const HINT_PREFIX = /^Hint:\s*/;

export function noticeOf(e: ScenarioEvent): Notice | null {
  if (e.kind === "reveal") {
    return { id: e.id, title: `New in the brief: ${e.title ?? "a section"}`, markdown: e.text, tone: "reveal" };
  }
  if (e.kind !== "message") return null;
  if (e.id.includes(":hint:")) return { id: e.id, title: "Hint", markdown: e.text.replace(HINT_PREFIX, ""), tone: "hint" };
  return { id: e.id, title: "Message", markdown: e.text, tone: "message" };
}

/** The latest `limit` notices not dismissed, oldest first (the order they arrived). */
export function noticesFrom(events: readonly ScenarioEvent[], dismissed: ReadonlySet<string>, limit = 3): Notice[] {
  const all = events.map(noticeOf).filter((n): n is Notice => n !== null && !dismissed.has(n.id));
  return all.slice(-limit);
}
