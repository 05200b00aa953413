// React hooks over Yjs types and links: components re-render from snapshots, never mutate them.
import { useEffect, useState, useSyncExternalStore } from "react";
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

/** A JSON snapshot of a Yjs shared type, refreshed on every (deep) change. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function useYJson<T>(type: Y.AbstractType<any> | null, fallback: T): T {
  const read = (): T => (type ? (type.toJSON() as T) : fallback);
  const [value, setValue] = useState<T>(read);
  useEffect(() => {
    if (!type) return;
    const update = () => setValue(type.toJSON() as T);
    update();
    type.observeDeep(update);
    return () => type.unobserveDeep(update);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [type]);
  return value;
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
