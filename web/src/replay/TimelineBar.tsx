// The timeline: a row of activity bars per person, markers (runs coloured by status, scenario
// events, pastes, focus losses, notes, comments), and a scrubber that seeks anywhere. Markers too
// close to tell apart are drawn as one numbered cluster that expands into a list (markers.ts).
import { useEffect, useRef, useState } from "react";
import { clusterKind, clusterMarkers, type Cluster } from "./markers";
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

export function describe(m: Marker): string {
  const parts = [`${formatClock(m.t)} ${m.kind === "event" && m.event_kind ? m.event_kind : MARKER_LABEL[m.kind]}`];
  if (m.status) parts.push(m.status);
  if (m.size !== undefined) parts.push(`${m.size} chars`);
  if (m.author) parts.push(`by ${m.author}`);
  if (m.text) parts.push(`“${m.text.length > 60 ? `${m.text.slice(0, 57)}…` : m.text}”`);
  return parts.join(" · ");
}

/** The pixel width of an element, kept up to date as the window or the layout changes. */
function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** "13 runs, 1 comment": what a cluster holds, for its accessible name and tooltip. */
function kindCounts(markers: Marker[]): string {
  const counts = new Map<string, number>();
  for (const m of markers) counts.set(MARKER_LABEL[m.kind], (counts.get(MARKER_LABEL[m.kind]) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}${n === 1 ? "" : "s"}`).join(", ");
}

function ClusterButton({ c, open, onToggle, onPick }: { c: Cluster; open: boolean; onToggle: () => void; onPick: (m: Marker) => void }) {
  const style = { left: `${c.left}%` };
  if (c.markers.length === 1) {
    const m = c.markers[0];
    return (
      <button
        type="button"
        className={`marker ${m.kind} ${m.status ?? ""}`}
        style={style}
        title={describe(m)}
        aria-label={describe(m)}
        data-testid={`marker-${m.kind}`}
        data-run-id={m.kind === "run" ? m.id : undefined}
        onClick={() => onPick(m)}
      />
    );
  }
  const label = `${c.markers.length} markers from ${formatClock(c.start)} to ${formatClock(c.end)}: ${kindCounts(c.markers)}`;
  return (
    <button
      type="button"
      className={`marker cluster ${clusterKind(c)}`}
      style={style}
      title={label}
      aria-label={label}
      aria-expanded={open}
      data-testid="marker-cluster"
      onClick={onToggle}
    >
      {c.markers.length}
    </button>
  );
}

export function TimelineBar({ timeline, t, onSeek, onPick }: {
  timeline: Timeline;
  t: number;
  onSeek: (ms: number) => void;
  /** A marker was chosen (a run jumps to its output; anything else seeks to its moment). */
  onPick: (m: Marker) => void;
}) {
  const d = Math.max(timeline.duration_ms, 1);
  const n = Math.max(timeline.busy.length, 1);
  const [track, width] = useWidth<HTMLDivElement>();
  const clusters = clusterMarkers(timeline.markers, d, width);
  const [openAt, setOpenAt] = useState<number | null>(null);
  const open = clusters.find((c) => c.start === openAt && c.markers.length > 1) ?? null;
  return (
    <section className="replay-timeline" aria-label="Timeline">
      {timeline.people.map((p) => {
        const max = Math.max(1, ...p.counts);
        return (
          <div className="replay-row" key={`${p.name}/${p.role}`} data-testid="replay-person">
            <span className="replay-who">{p.name}</span>
            <svg viewBox={`0 0 ${n} 10`} preserveAspectRatio="none" className={`replay-plot ${p.role}`} aria-hidden="true">
              {p.counts.map((c, i) => (c ? <rect key={i} x={i} y={10 - (10 * c) / max} width={1} height={(10 * c) / max} /> : null))}
            </svg>
          </div>
        );
      })}
      <div className="replay-row">
        <span className="replay-who">events</span>
        <div className="replay-markers" ref={track}>
          {clusters.map((c) => (
            <ClusterButton
              key={`${c.start}:${c.markers.length}`}
              c={c}
              open={open === c}
              onToggle={() => setOpenAt(open === c ? null : c.start)}
              onPick={onPick}
            />
          ))}
        </div>
      </div>
      {open ? (
        <div className="replay-row marker-list-row">
          <span className="replay-who" />
          <ul className="marker-list" data-testid="marker-cluster-list" aria-label={`${open.markers.length} markers`}>
            {open.markers.map((m, i) => (
              <li key={i}>
                <button type="button" className={`link marker-item ${m.kind}`} data-testid={`cluster-item-${m.kind}`}
                  data-run-id={m.kind === "run" ? m.id : undefined}
                  onClick={() => onPick(m)}>
                  <span className={`marker-swatch marker ${m.kind} ${m.status ?? ""}`} aria-hidden="true" />
                  {describe(m)}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="link" onClick={() => setOpenAt(null)}>Close</button>
        </div>
      ) : null}
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
