// What the room's editor does not need (the whiteboard, Excalidraw, the biggest chunk by far;
// the console and its renderers; the brief's Markdown renderer) is fetched and parsed only once
// the code doc is live, a task after the effects of that render (the editor's view is built in
// its own effect, which runs first): before, it competed with the editor's chunk and the first
// sync for the main thread and the network. If the code doc never comes live (offline, refused)
// they load anyway after BOARD_FALLBACK_MS.
import { useEffect, useState } from "react";
import type { DocLink } from "../sync/link";

/** Longest wait for the editor before the deferred parts load regardless (ms). Default 3000. */
export const BOARD_FALLBACK_MS = 3000;

export function useAfterLive(link: DocLink): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (ready) return;
    let timer = window.setTimeout(() => setReady(true), BOARD_FALLBACK_MS);
    const check = () => {
      if (link.state !== "live") return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setReady(true), 0); // after the editor's first paint
    };
    check();
    const off = link.subscribe(check);
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [link, ready]);
  return ready;
}
