// The whiteboard (Excalidraw, the biggest chunk by far) is fetched and parsed only once the
// editor is ready: before that it competed with the editor's chunk and the first sync for the
// main thread and the network. If the code doc never comes live (offline, refused) the board
// loads anyway after BOARD_FALLBACK_MS.
import { useEffect, useState } from "react";
import type { DocLink } from "../sync/link";

/** Longest wait for the editor before the whiteboard loads regardless (ms). Default 3000. */
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
