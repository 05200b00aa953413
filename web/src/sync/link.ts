// One Yjs document of a session, synced over the stock y-websocket provider.
//
// Why this wrapper exists: the stock provider retries a refused handshake forever with a fixed
// exponential schedule. Here every retry's cap gets jitter (so a restarted server is not hit by
// every client at the same instant), and after a few handshakes that never opened we ask the
// REST API whether the token is still valid: if it is refused, we stop retrying and say so,
// otherwise (server down) we keep retrying and local edits stay in the doc until it is back.
import * as Y from "yjs";
import { WebsocketProvider, messageAuth } from "y-websocket";
import * as authProtocol from "y-protocols/auth";
import type * as decoding from "lib0/decoding";
import { ApiError, getSession } from "../api";
import { RECONNECT_MAX_BACKOFF_MS, REFUSAL_PROBE_AFTER } from "../config";
import type { DocName } from "./schema";

export type LinkState = "connecting" | "live" | "reconnecting" | "refused";

export interface LinkOptions {
  session: string;
  token: string;
  name: DocName;
  /** Set for viewers (and candidates): see `useBroadcastChannel` in room.ts. */
  disableBc: boolean;
  /** The doc to sync; default a new one. A shared model that makes its own doc (@jupyter/ydoc's
   * YNotebook) hands its doc in here. */
  doc?: Y.Doc;
  /** The WebSocket class the provider connects with; default the browser's. The room hands in
   * one whose first socket is the page's early one (room/early.ts). */
  webSocket?: typeof WebSocket;
}

export function wsBase(session: string, loc: Location = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/ws/${encodeURIComponent(session)}`;
}

/** The backoff cap for the next retry: the configured cap scaled by a random factor in [0.5, 1.5). */
export function jitteredCap(base: number, random: () => number = Math.random): number {
  return Math.round(base * (0.5 + random()));
}

export class DocLink {
  readonly name: DocName;
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  state: LinkState = "connecting";
  error: string | null = null;
  private everSynced = false;
  private failedHandshakes = 0;
  private probing = false;
  private listeners = new Set<() => void>();
  private deniedListeners = new Set<(reason: string) => void>();
  /** True once this tab changed the doc itself (updates not coming from the provider). */
  hasLocalChanges = false;
  private readonly opts: LinkOptions;

  constructor(opts: LinkOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.doc = opts.doc ?? new Y.Doc();
    this.provider = new WebsocketProvider(wsBase(opts.session), opts.name, this.doc, {
      params: { token: opts.token },
      disableBc: opts.disableBc,
      ...(opts.webSocket ? { WebSocketPolyfill: opts.webSocket } : {}),
      maxBackoffTime: jitteredCap(RECONNECT_MAX_BACKOFF_MS),
    });
    // The server answers a refused write (e.g. a locked editor) with an auth "permission denied"
    // message; the stock provider only logs it. We surface it so the room can drop the refused
    // local edits and show the server's truth again.
    this.provider.messageHandlers[messageAuth] = (_enc, decoder: decoding.Decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => {
        // The server also answers the (empty) sync step 2 every client sends on connect; only a
        // doc that holds edits of ours can hold refused ones.
        console.info(`pairboard: ${this.name}: write refused by the server: ${reason}`);
        if (!this.hasLocalChanges) return;
        for (const fn of this.deniedListeners) fn(reason);
      });
    };
    this.doc.on("update", (_u: Uint8Array, origin: unknown) => {
      if (origin !== this.provider) this.hasLocalChanges = true;
    });
    this.provider.on("sync", (synced: boolean) => {
      if (synced) {
        this.everSynced = true;
        this.failedHandshakes = 0;
        this.set("live");
      }
    });
    this.provider.on("status", ({ status }: { status: string }) => {
      if (status === "disconnected") this.set("reconnecting");
      if (status === "connected") {
        // Peers keep our last awareness clock after we drop, and ignore a state with the same
        // clock: re-set the state (clock + 1) on every connect so they see us again at once
        // rather than at the next 15 s renewal.
        const awareness = this.provider.awareness;
        const state = awareness.getLocalState();
        if (state !== null) awareness.setLocalState({ ...state });
      }
    });
    this.provider.on("connection-close", () => {
      // Emitted before the provider resets `wsconnected`: it tells whether this socket had opened.
      if (this.provider.wsconnected) this.failedHandshakes = 0;
      else this.failedHandshakes += 1;
      this.provider.maxBackoffTime = jitteredCap(RECONNECT_MAX_BACKOFF_MS);
      if (this.state !== "refused") this.set(this.everSynced ? "reconnecting" : "connecting");
      if (this.failedHandshakes >= REFUSAL_PROBE_AFTER) void this.probe();
    });
    this.provider.on("closed", (ev: { code: number; reason: string }) => {
      this.refuse(ev.reason || `the server closed the connection (code ${ev.code})`);
    });
  }

  /** Asks the REST API whether the token is still accepted; stops retrying if it is not. */
  private async probe(): Promise<void> {
    // Asked after every further failure (one request at a time) until a handshake opens: the
    // server may be down for a while, then come back refusing us.
    if (this.probing) return;
    this.probing = true;
    try {
      const info = await getSession(this.opts.session, this.opts.token);
      // An interviewer's link still reads an ended session (for its replay) but opens no doc.
      if (info.state === "ended") this.refuse("session has ended");
    } catch (e) {
      if (e instanceof ApiError && e.refused) this.refuse(e.message);
    } finally {
      this.probing = false;
    }
  }

  private refuse(reason: string): void {
    this.provider.disconnect();
    this.error = reason;
    this.set("refused");
  }

  private set(state: LinkState): void {
    if (this.state === "refused" && state !== "refused") return;
    this.state = state;
    for (const fn of this.listeners) fn();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onDenied(fn: (reason: string) => void): () => void {
    this.deniedListeners.add(fn);
    return () => this.deniedListeners.delete(fn);
  }

  destroy(): void {
    this.listeners.clear();
    this.deniedListeners.clear();
    this.provider.destroy();
    this.doc.destroy();
  }
}

/** The state shown to the user for a set of links: the worst of them. */
export function overallState(states: LinkState[]): LinkState {
  if (states.includes("refused")) return "refused";
  if (states.includes("reconnecting")) return "reconnecting";
  if (states.includes("connecting")) return "connecting";
  return "live";
}
