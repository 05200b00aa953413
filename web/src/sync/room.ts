// The set of documents a role opens in a room. Candidates and observers never open `notes`: the
// server refuses it anyway, but not even trying keeps notes traffic off their sockets entirely.
import type { Role, SessionInfo } from "../api";
import type * as Y from "yjs";
import { DocLink } from "./link";
import { DOC, DOCS, type DocName } from "./schema";
import { makeUser, type AwarenessUser } from "./user";

export function docsFor(role: Role, mode: "code" | "notebook" = "code"): readonly DocName[] {
  const mine = role === "interviewer" || role === "reviewer" ? DOCS : DOCS.filter((d) => d !== DOC.notes);
  // A code session never opens the notebook doc (one socket less); a notebook session does.
  return mode === "notebook" ? mine : mine.filter((d) => d !== DOC.notebook);
}

/**
 * Only interviewers share docs between their own tabs over BroadcastChannel. Viewers must not (a
 * second tab could bypass the server's permissions), nor candidates: a tab holding edits the
 * server refused (locked editor) would hand them to the candidate's other tabs.
 */
export const sharesTabsOverBroadcast = (role: Role): boolean => role === "interviewer";

/**
 * A shared model that owns its doc (@jupyter/ydoc's YNotebook builds its own Y.Doc and cannot
 * wrap one): the room syncs `model.ydoc` and disposes the model with its link. Passed in by the
 * caller, so a code session never loads the notebook model's code.
 */
export interface DocModel {
  readonly ydoc: Y.Doc;
  dispose(): void;
}
export type DocModels = Partial<Record<DocName, () => DocModel>>;
/** The WebSocket class each doc's first connection uses (see `LinkOptions.webSocket`). */
export type DocSockets = (name: DocName) => typeof WebSocket | undefined;

export class RoomSync {
  readonly links = new Map<DocName, DocLink>();
  private readonly models = new Map<DocLink, DocModel>();
  private readonly modelFactories: DocModels;
  readonly user: AwarenessUser;
  readonly info: SessionInfo;
  private readonly token: string;
  private replaced = new Set<() => void>();

  constructor(info: SessionInfo, token: string, models: DocModels = {}, sockets?: DocSockets) {
    this.info = info;
    this.token = token;
    this.modelFactories = models;
    this.user = makeUser(info.name, info.role);
    for (const name of docsFor(info.role, info.mode === "notebook" ? "notebook" : "code")) {
      this.open(name, sockets?.(name));
    }
  }

  private open(name: DocName, webSocket?: typeof WebSocket): DocLink {
    const model = this.modelFactories[name]?.();
    const link = new DocLink({
      session: this.info.id,
      token: this.token,
      name,
      disableBc: !sharesTabsOverBroadcast(this.info.role),
      doc: model?.ydoc,
      webSocket,
    });
    if (model) this.models.set(link, model);
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
    this.disposeModel(stale);
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

  /** The shared model over a doc's current copy (see `DocModel`), if the doc has one. */
  model<M extends DocModel>(name: DocName): M | undefined {
    const link = this.links.get(name);
    return link ? (this.models.get(link) as M | undefined) : undefined;
  }

  private disposeModel(link: DocLink): void {
    this.models.get(link)?.dispose();
    this.models.delete(link);
  }

  destroy(): void {
    for (const l of this.links.values()) {
      l.destroy();
      this.disposeModel(l);
    }
    this.links.clear();
  }
}
