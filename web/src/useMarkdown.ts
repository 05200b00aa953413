// Markdown rendering (marked + DOMPurify) off the room's critical path: the brief and notices
// arrive with the console doc, after the editor, so their renderer is fetched in parallel
// instead of being parsed before the editor can appear. Until it has loaded the hook gives null
// and the caller renders nothing (never the raw Markdown). `wanted` holds the load back until
// the caller needs it: the room asks once its code doc is live, so marked's and DOMPurify's
// start-up (tens of ms on a first visit) does not run between the first sync and the editor.
import { useEffect, useState } from "react";

export type RenderMarkdown = (text: string) => string;

let loaded: RenderMarkdown | null = null;
let loading: Promise<RenderMarkdown> | null = null;

export function loadMarkdown(): Promise<RenderMarkdown> {
  loading ??= import("./markdown").then((m) => (loaded = m.markdownToHtml));
  return loading;
}

export function useMarkdown(wanted = true): RenderMarkdown | null {
  const [render, setRender] = useState<RenderMarkdown | null>(() => loaded);
  useEffect(() => {
    if (render || !wanted) return;
    let live = true;
    void loadMarkdown().then((r) => live && setRender(() => r));
    return () => {
      live = false;
    };
  }, [render, wanted]);
  return render;
}
