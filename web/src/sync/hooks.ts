// React hooks over Yjs types and links: components re-render from snapshots, never mutate them.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import type { DocLink, LinkState } from "./link";

export function useLinkStates(links: DocLink[]): LinkState[] {
  const key = () => links.map((l) => l.state).join(",");
  const snapshot = useSyncExternalStore(
    (cb) => {
      const offs = links.map((l) => l.subscribe(cb));
      return () => offs.forEach((off) => off());
    },
    key,
  );
  return snapshot ? (snapshot.split(",") as LinkState[]) : [];
}

/** A JSON snapshot of a Yjs shared type, refreshed on every (deep) change.
 *
 * Through useSyncExternalStore, so a change is rendered in the same task as the websocket
 * message that brought it (React renders external-store updates synchronously), not one
 * scheduler task later: a run's first output is on screen that much sooner (bench/web.py).
 * The snapshot is taken once per change, when it is first read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function useYJson<T>(type: Y.AbstractType<any> | null, fallback: T): T {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const cache = useRef<{ type: Y.AbstractType<any> | null; value: T } | null>(null);
  const subscribe = useCallback(
    (changed: () => void) => {
      if (!type) return () => {};
      const update = () => {
        cache.current = null;
        changed();
      };
      type.observeDeep(update);
      return () => type.unobserveDeep(update);
    },
    [type],
  );
  const snapshot = (): T => {
    if (cache.current === null || cache.current.type !== type) {
      cache.current = { type, value: type ? (type.toJSON() as T) : fallback };
    }
    return cache.current.value;
  };
  return useSyncExternalStore(subscribe, snapshot);
}

/** The awareness states (client id → state), refreshed on every change. */
export function useAwareness(awareness: Awareness | null): Map<number, Record<string, unknown>> {
  const [states, setStates] = useState(() => new Map(awareness?.getStates() ?? []));
  useEffect(() => {
    if (!awareness) return;
    const update = () => setStates(new Map(awareness.getStates()));
    update();
    awareness.on("change", update);
    return () => awareness.off("change", update);
  }, [awareness]);
  return states as Map<number, Record<string, unknown>>;
}
