import { describe, expect, test } from "vitest";
import { clusterKind, clusterMarkers } from "./markers";
import type { Marker } from "./timeline";

const run = (t: number, status = "ok"): Marker => ({ t, kind: "run", status });

describe("clusterMarkers", () => {
  test("13 runs in 28 px of a 1000 px track become one cluster of 13", () => {
    // 28 px of a 1000 px track over 100 s is 2.8 s: a run every 0.2 s.
    const runs = Array.from({ length: 13 }, (_, i) => run(50_000 + i * 200));
    const clusters = clusterMarkers(runs, 100_000, 1000);
    expect(clusters).toHaveLength(1);
    expect(clusters[0].markers).toHaveLength(13);
    expect(clusters[0].start).toBe(50_000);
    expect(clusters[0].end).toBe(52_400);
    expect(clusters[0].left).toBeCloseTo(50, 5);
  });

  test("the same runs stay apart on a track wide enough to show each", () => {
    const runs = Array.from({ length: 13 }, (_, i) => run(50_000 + i * 2_000));
    expect(clusterMarkers(runs, 100_000, 1000).map((c) => c.markers.length)).toEqual(Array(13).fill(1));
  });

  test("chains: a marker joins when it is near the previous marker, not the cluster's first", () => {
    const ms = [run(0), run(900), run(1_800), run(10_000)];
    // 1 s = 10 px on this track: 9 px steps chain, the fourth is 82 px away.
    expect(clusterMarkers(ms, 100_000, 1000).map((c) => c.markers.length)).toEqual([3, 1]);
  });

  test("sorts by time and clamps markers past the end to the end", () => {
    const clusters = clusterMarkers([run(120_000), run(0)], 100_000, 500);
    expect(clusters.map((c) => c.start)).toEqual([0, 120_000]);
    expect(clusters[1].left).toBe(100);
  });

  test("no markers, no clusters", () => {
    expect(clusterMarkers([], 0, 0)).toEqual([]);
  });
});

describe("clusterKind", () => {
  test("names the shared kind, flags a failed run, and calls a mix mixed", () => {
    const c = (markers: Marker[]) => ({ left: 0, start: 0, end: 0, markers });
    expect(clusterKind(c([run(0), run(1)]))).toBe("run");
    expect(clusterKind(c([run(0), run(1, "error")]))).toBe("run error");
    expect(clusterKind(c([run(0), { t: 1, kind: "comment" }]))).toBe("mixed");
  });
});
