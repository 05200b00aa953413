// The set of documents a role opens in a room. Candidates and observers never open `notes`: the
// server refuses it anyway, but not even trying keeps notes traffic off their sockets entirely.
import type { Role, SessionInfo } from "../api";
import { DocLink, type DocName } from "./link";
import { makeUser, type AwarenessUser } from "./user";

export function docsFor(role: Role): DocName[] {
  return role === "interviewer" || role === "reviewer"
    ? ["code", "board", "console", "notes"]
    : ["code", "board", "console"];
}

/** Roles that may never write: their providers disable BroadcastChannel. */
export const isViewer = (role: Role): boolean => role === "observer" || role === "reviewer";

export class RoomSync {
  readonly links = new Map<DocName, DocLink>();
  readonly user: AwarenessUser;
  readonly info: SessionInfo;

  constructor(info: SessionInfo, token: string) {
    this.info = info;
    this.user = makeUser(info.name, info.role);
    for (const name of docsFor(info.role)) {
      const link = new DocLink({ session: info.id, token, name, viewer: isViewer(info.role) });
      link.provider.awareness.setLocalStateField("user", this.user);
      this.links.set(name, link);
    }
  }

  link(name: DocName): DocLink {
    const l = this.links.get(name);
    if (!l) throw new Error(`doc ${name} is not open for role ${this.info.role}`);
    return l;
  }

  has(name: DocName): boolean {
    return this.links.has(name);
  }

  destroy(): void {
    for (const l of this.links.values()) l.destroy();
    this.links.clear();
  }
}
