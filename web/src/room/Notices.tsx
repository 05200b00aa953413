// Hints and revealed brief sections as notices the candidate cannot miss: rendered Markdown in a
// polite live region (screen readers read each new one), each dismissable by name. `say` is the
// room's own short announcements (why Ctrl/Cmd-Enter did not run).
import { useMemo, useState } from "react";
import type { ScenarioEvent } from "../console/types";
import { useMarkdown } from "../useMarkdown";
import { noticesFrom } from "./notices";
import "./journey.css";

export function Notices({ events, say }: { events: ScenarioEvent[]; say: string | null }) {
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const notices = useMemo(() => noticesFrom(events, dismissed), [events, dismissed]);
  const markdown = useMarkdown(notices.length > 0);
  return (
    <div className="notices-area">
      <div className="events notices" aria-live="polite" aria-relevant="additions" aria-label="Notices" data-testid="notices">
        {notices.map((n) => (
          <section key={n.id} className={`notice notice-${n.tone}`} aria-label={n.title} data-testid={`notice-${n.tone}`}>
            <header>
              <strong>{n.title}</strong>
              <button
                type="button"
                className="link"
                aria-label={`Dismiss notice: ${n.title}`}
                onClick={() => setDismissed((d) => new Set([...d, n.id]))}
              >
                dismiss
              </button>
            </header>
            {markdown ? <div className="md" dangerouslySetInnerHTML={{ __html: markdown(n.markdown) }} /> : null}
          </section>
        ))}
      </div>
      <p className="announce" role="status" aria-live="polite" data-testid="announcement">{say ?? ""}</p>
    </div>
  );
}
