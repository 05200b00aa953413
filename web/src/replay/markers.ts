// Timeline markers that lie closer together than a finger or a mouse can tell apart are drawn
// as one cluster (a count), which expands into the list of its markers. Pure: the pixel width of
// the track is the caller's, so the same recording clusters differently on a wide and a narrow
// screen, and the rule is unit-tested.
import type { Marker } from "./timeline";

export interface Cluster {
  /** Position of the cluster's first marker, in percent of the track. */
  left: number;
  /** Time of the first and the last marker in it. */
  start: number;
  end: number;
  markers: Marker[];
}

/** Markers nearer than this many pixels to the previous one join its cluster. */
export const MIN_MARKER_GAP_PX = 10;

/**
 * Groups time-sorted-or-not markers into clusters: a marker joins the current cluster when it is
 * within `minGapPx` of that cluster's last marker on a track `widthPx` wide.
 */
export function clusterMarkers(
  markers: readonly Marker[],
  durationMs: number,
  widthPx: number,
  minGapPx: number = MIN_MARKER_GAP_PX,
): Cluster[] {
  const d = Math.max(durationMs, 1);
  const px = (t: number) => (Math.max(0, Math.min(t, d)) / d) * Math.max(widthPx, 1);
  const sorted = [...markers].sort((a, b) => a.t - b.t);
  const out: Cluster[] = [];
  let lastPx = -Infinity;
  for (const m of sorted) {
    const x = px(m.t);
    const current = out[out.length - 1];
    if (current && x - lastPx < minGapPx) {
      current.markers.push(m);
      current.end = m.t;
    } else {
      out.push({ left: (100 * x) / Math.max(widthPx, 1), start: m.t, end: m.t, markers: [m] });
    }
    lastPx = x;
  }
  return out;
}

/** The colour class of a cluster: its markers' kind when they agree, else "mixed". */
export function clusterKind(c: Cluster): string {
  const kinds = new Set(c.markers.map((m) => m.kind));
  if (kinds.size !== 1) return "mixed";
  const [kind] = kinds;
  if (kind === "run" && c.markers.some((m) => m.status === "error" || m.status === "timeout" || m.status === "killed")) {
    return "run error";
  }
  return kind;
}
