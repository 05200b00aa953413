// The timeline: a row of activity bars per person, markers (runs coloured by status, scenario
// events, pastes, focus losses, notes, comments), and a scrubber that seeks anywhere.
import { formatClock, type Marker, type Timeline } from "./timeline";

const MARKER_LABEL: Record<Marker["kind"], string> = {
  run: "run",
  event: "scenario event",
  paste: "paste",
  blur: "focus lost",
  focus: "focus back",
  note: "note",
  comment: "comment",
};

function describe(m: Marker): string {
  const parts = [`${formatClock(m.t)} ${MARKER_LABEL[m.kind]}`];
  if (m.status) parts.push(m.status);
  if (m.size !== undefined) parts.push(`${m.size} chars`);
  if (m.author) parts.push(`by ${m.author}`);
  if (m.text) parts.push(`“${m.text}”`);
  return parts.join(" · ");
}

export function TimelineBar({ timeline, t, onSeek }: { timeline: Timeline; t: number; onSeek: (ms: number) => void }) {
  const d = Math.max(timeline.duration_ms, 1);
  const n = Math.max(timeline.busy.length, 1);
  return (
    <section className="replay-timeline" aria-label="Timeline">
      {timeline.people.map((p) => {
        const max = Math.max(1, ...p.counts);
        return (
          <div className="replay-row" key={`${p.name}/${p.role}`} data-testid="replay-person">
            <span className="replay-who">{p.name}</span>
            <svg viewBox={`0 0 ${n} 10`} preserveAspectRatio="none" className={`replay-plot ${p.role}`}>
              {p.counts.map((c, i) => (c ? <rect key={i} x={i} y={10 - (10 * c) / max} width={1} height={(10 * c) / max} /> : null))}
            </svg>
          </div>
        );
      })}
      <div className="replay-row">
        <span className="replay-who">events</span>
        <div className="replay-markers">
          {timeline.markers.map((m, i) => (
            <button
              key={i}
              className={`marker ${m.kind} ${m.status ?? ""}`}
              style={{ left: `${(100 * m.t) / d}%` }}
              title={describe(m)}
              aria-label={describe(m)}
              data-testid={`marker-${m.kind}`}
              onClick={() => onSeek(m.t)}
            />
          ))}
        </div>
      </div>
      <div className="replay-row">
        <span className="replay-who" data-testid="replay-time">{formatClock(t)} / {formatClock(d)}</span>
        <input
          data-testid="replay-scrubber"
          className="replay-scrubber"
          type="range"
          min={0}
          max={d}
          step={1}
          value={Math.round(t)}
          aria-label="Seek"
          onChange={(e) => onSeek(Number(e.target.value))}
        />
      </div>
    </section>
  );
}
