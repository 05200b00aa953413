// Loads a room: checks the link's token against the REST API (which also tells our role and
// display name), then opens the role's documents. Exposes the live objects on `window.pairboard`
// for debugging and for the browser tests' sync barriers; security never depends on the UI.
import { useEffect, useState } from "react";
import { ApiError, getSession, type SessionInfo } from "../api";
import { RoomSync } from "../sync/room";
import { DOC } from "../sync/schema";

declare global {
  interface Window {
    pairboard?: { sync: RoomSync; interactiveAt?: number; [k: string]: unknown };
  }
}

export type RoomLoad =
  | { phase: "loading" }
  | { phase: "error"; message: string }
  | { phase: "ready"; sync: RoomSync; info: SessionInfo };

export function useRoom(session: string, token: string | null): RoomLoad {
  const [load, setLoad] = useState<RoomLoad>({ phase: "loading" });
  useEffect(() => {
    if (!token) {
      setLoad({ phase: "error", message: "This link has no token. Ask the interviewer for your session link." });
      return;
    }
    let sync: RoomSync | null = null;
    let cancelled = false;
    getSession(session, token)
      .then((info) => {
        if (cancelled) return;
        sync = new RoomSync(info, token);
        window.pairboard = { sync };
        const code = sync.link(DOC.code);
        const markInteractive = () => {
          if (code.state === "live" && window.pairboard && window.pairboard.interactiveAt === undefined) {
            window.pairboard.interactiveAt = performance.now();
            performance.mark("pairboard:interactive");
          }
        };
        code.subscribe(markInteractive);
        setLoad({ phase: "ready", sync, info });
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        const message =
          e instanceof ApiError
            ? e.status === 0
              ? "The server cannot be reached. Check your connection and reload."
              : e.refused
                ? `This link is not valid (${e.status}: ${e.message}).`
                : `The server answered ${e.status}: ${e.message}`
            : String(e);
        setLoad({ phase: "error", message });
      });
    return () => {
      cancelled = true;
      sync?.destroy();
    };
  }, [session, token]);
  return load;
}
