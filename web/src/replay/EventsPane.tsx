// Scenario events of the recording up to the player's instant (the brief, revealed sections,
// hints, banners, messages), newest first, rendered as Markdown in a compact scrolling list:
// the brief no longer covers the player as a raw-Markdown banner.
import { markdownToHtml } from "../markdown";

export interface ReplayEvent {
  id: string;
  kind?: string;
  title?: string;
  text: string;
  level?: string;
}

const KIND_LABEL: Record<string, string> = {
  brief: "Brief",
  reveal: "Revealed",
  banner: "Banner",
  message: "Message",
  hint: "Hint",
};

function kindOf(e: ReplayEvent): string {
  if (e.id.includes(":hint:")) return "hint";
  return e.kind ?? "message";
}

export function EventsPane({ events }: { events: ReplayEvent[] }) {
  if (events.length === 0) return null;
  const newest = [...events].reverse();
  return (
    <section className="replay-events" aria-label="Scenario events" data-testid="replay-events">
      <h3>Scenario events</h3>
      {newest.map((e, i) => {
        const kind = kindOf(e);
        return (
          <details key={e.id} open={i === 0} className={`replay-event event-${kind}`} data-testid="replay-event">
            <summary>
              <span className="badge">{KIND_LABEL[kind] ?? kind}</span> {e.title ?? e.text.split("\n")[0].replace(/^#+\s*/, "").slice(0, 80)}
            </summary>
            <div className="md" dangerouslySetInnerHTML={{ __html: markdownToHtml(e.text) }} />
          </details>
        );
      })}
    </section>
  );
}
