// The set of documents a role opens in a room. Candidates and observers never open `notes`: the
// server refuses it anyway, but not even trying keeps notes traffic off their sockets entirely.
import type { Role, SessionInfo } from "../api";
import { DocLink } from "./link";
import { DOC, DOCS, type DocName } from "./schema";
import { makeUser, type AwarenessUser } from "./user";

export function docsFor(role: Role): readonly DocName[] {
  return role === "interviewer" || role === "reviewer"
    ? DOCS
    : DOCS.filter((d) => d !== DOC.notes);
}

/**
 * Only interviewers share docs between their own tabs over BroadcastChannel. Viewers must not (a
 * second tab could bypass the server's permissions), nor candidates: a tab holding edits the
 * server refused (locked editor) would hand them to the candidate's other tabs.
 */
export const sharesTabsOverBroadcast = (role: Role): boolean => role === "interviewer";

export class RoomSync {
  readonly links = new Map<DocName, DocLink>();
  readonly user: AwarenessUser;
  readonly info: SessionInfo;
  private readonly token: string;
  private replaced = new Set<() => void>();

  constructor(info: SessionInfo, token: string) {
    this.info = info;
    this.token = token;
    this.user = makeUser(info.name, info.role);
    for (const name of docsFor(info.role)) this.open(name);
  }

  private open(name: DocName): DocLink {
    const link = new DocLink({
      session: this.info.id,
      token: this.token,
      name,
      disableBc: !sharesTabsOverBroadcast(this.info.role),
    });
    link.provider.awareness.setLocalStateField("user", this.user);
    // Edits the server refused live only in this tab's copy and would be re-sent on every
    // reconnect: replace the doc with a fresh one synced from the server (the refused edits go).
    link.onDenied(() => queueMicrotask(() => this.reopen(name, link)));
    this.links.set(name, link);
    return link;
  }

  private reopen(name: DocName, stale: DocLink): void {
    if (this.links.get(name) !== stale) return;
    stale.destroy(); // first: the fresh doc must not sync the refused edits back from it
    this.open(name);
    for (const fn of this.replaced) fn();
  }

  /** Called whenever a doc was replaced by a fresh copy (components rebind to `link(name)`). */
  onReplaced(fn: () => void): () => void {
    this.replaced.add(fn);
    return () => this.replaced.delete(fn);
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
