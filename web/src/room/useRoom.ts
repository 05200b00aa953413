// Loads a room: checks the link's token against the REST API (which also tells our role and
// display name), shows a candidate the organisation's notice until they acknowledge it (the
// server opens nothing else to them before), asks a candidate their name on first open, shows an ended session's page
// instead of opening its documents, then opens the role's documents. Exposes the live objects on `window.pairboard`
// for debugging and for the browser tests' sync barriers; security never depends on the UI.
import { useEffect, useState } from "react";
import type { SessionInfo } from "../api";
import { RoomSync, type DocModels } from "../sync/room";
import { DOC } from "../sync/schema";
import { linkProblem, NO_TOKEN, type LinkProblem } from "./linkError";
import { sessionInfo } from "./prefetch";
import { noticePending, type SessionNotice } from "./sessionApi";

declare global {
  interface Window {
    pairboard?: { sync: RoomSync; interactiveAt?: number; [k: string]: unknown };
  }
}

export type RoomLoad =
  | { phase: "loading" }
  | { phase: "error"; problem: LinkProblem }
  | { phase: "notice"; info: SessionInfo; notice: SessionNotice; acknowledged: (at: number) => void }
  | { phase: "name"; info: SessionInfo; named: (info: SessionInfo) => void }
  | { phase: "ended"; info: SessionInfo }
  | { phase: "ready"; sync: RoomSync; info: SessionInfo };

export function useRoom(session: string, token: string | null): RoomLoad {
  const [load, setLoad] = useState<RoomLoad>({ phase: "loading" });
  useEffect(() => {
    if (!token) {
      setLoad({ phase: "error", problem: NO_TOKEN });
      return;
    }
    let sync: RoomSync | null = null;
    let cancelled = false;
    // A notebook session's doc is JupyterLab's model, whose code is loaded only for such sessions.
    const modelsFor = async (info: SessionInfo): Promise<DocModels> =>
      info.mode === "notebook"
        ? import("@jupyter/ydoc").then(({ YNotebook }) => ({
            [DOC.notebook]: () => new YNotebook({ disableDocumentWideUndoRedo: true }),
          }))
        : {};
    const enter = async (info: SessionInfo) => {
      if (cancelled) return;
      if (info.state === "ended") {
        setLoad({ phase: "ended", info });
        return;
      }
      const notice = noticePending(info);
      if (notice) {
        const acknowledged = (at: number) => void enter({ ...info, notice: { ...notice, acknowledged_at: at } });
        setLoad({ phase: "notice", info, notice, acknowledged });
        return;
      }
      if (info.role === "candidate" && info.name_chosen === false) {
        setLoad({ phase: "name", info, named: (named) => void enter({ ...named, name_chosen: true }) });
        return;
      }
      const models = await modelsFor(info);
      if (cancelled) return;
      sync = new RoomSync(info, token, models);
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
    };
    sessionInfo(session, token)
      .then(enter)
      .catch((e: unknown) => {
        if (!cancelled) setLoad({ phase: "error", problem: linkProblem(e) });
      });
    return () => {
      cancelled = true;
      sync?.destroy();
    };
  }, [session, token]);
  return load;
}
