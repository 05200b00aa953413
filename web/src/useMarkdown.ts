// Markdown rendering (marked + DOMPurify) off the room's critical path: the brief and notices
// arrive with the console doc, after the editor, so their renderer is fetched in parallel
// instead of being parsed before the editor can appear. Until it has loaded the hook gives null
// and the caller renders nothing (never the raw Markdown).
import { useEffect, useState } from "react";

export type RenderMarkdown = (text: string) => string;

let loaded: RenderMarkdown | null = null;
let loading: Promise<RenderMarkdown> | null = null;

export function loadMarkdown(): Promise<RenderMarkdown> {
  loading ??= import("./markdown").then((m) => (loaded = m.markdownToHtml));
  return loading;
}

export function useMarkdown(): RenderMarkdown | null {
  const [render, setRender] = useState<RenderMarkdown | null>(() => loaded);
  useEffect(() => {
    if (render) return;
    let live = true;
    void loadMarkdown().then((r) => live && setRender(() => r));
    return () => {
      live = false;
    };
  }, [render]);
  return render;
}
