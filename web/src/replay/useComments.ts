// The recording's comments, kept live: re-read every COMMENT_POLL_MS while the page is visible,
// so a comment another reviewer adds shows up (in the list and as a timeline marker) without a
// reload. A comment list is small (the server caps it per session), so a plain re-read is cheap.
import { useCallback, useEffect, useState } from "react";
import { api, ApiError, type Credential } from "../api";
import type { Marker } from "./timeline";

export interface Comment {
  id: number;
  at: number;
  text: string;
  author: string;
  role: string;
}

/** How often the comments are re-read while the replay is open and visible (ms). Default 2000. */
export const COMMENT_POLL_MS = 2000;

export interface Comments {
  /** null: this credential may not read comments (the server answered 403), or none yet. */
  list: Comment[] | null;
  error: string | null;
  refresh: () => void;
  add: (at: number, text: string) => Promise<void>;
}

export function useComments(session: string, token: Credential | null): Comments {
  const path = `/api/sessions/${encodeURIComponent(session)}/comments`;
  const [list, setList] = useState<Comment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [allowed, setAllowed] = useState(true);
  const refresh = useCallback(() => {
    if (token === null) return; // who is asking is not known yet (the sign-in is loading)
    api<Comment[]>(path, token).then(
      (c) => {
        setList((old) => (old && JSON.stringify(old) === JSON.stringify(c) ? old : c));
        setError(null);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 403) {
          setAllowed(false);
          setList(null);
        } else setError(e instanceof Error ? e.message : String(e));
      },
    );
  }, [path, token]);
  useEffect(() => {
    if (!allowed) return;
    refresh();
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, COMMENT_POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh, allowed]);
  const add = useCallback(
    async (at: number, text: string) => {
      if (token === null) throw new Error("not signed in");
      await api(path, token, { method: "POST", body: { at: Math.round(at), text } });
      refresh();
    },
    [path, token, refresh],
  );
  return { list, error, refresh, add };
}

/** The timeline's markers with its comment markers replaced by the live comment list. */
export function withCommentMarkers(markers: readonly Marker[], comments: readonly Comment[] | null): Marker[] {
  if (comments === null) return [...markers];
  const others = markers.filter((m) => m.kind !== "comment");
  const live: Marker[] = comments.map((c) => ({ t: c.at, kind: "comment", id: c.id, author: c.author, text: c.text }));
  return [...others, ...live].sort((a, b) => a.t - b.t);
}
