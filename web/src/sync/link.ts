// One Yjs document of a session, synced over the stock y-websocket provider.
//
// Why this wrapper exists: the stock provider retries a refused handshake forever with a fixed
// exponential schedule. Here every retry's cap gets jitter (so a restarted server is not hit by
// every client at the same instant), and after a few handshakes that never opened we ask the
// REST API whether the token is still valid: if it is refused, we stop retrying and say so,
// otherwise (server down) we keep retrying and local edits stay in the doc until it is back.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { ApiError, getSession } from "../api";
import { RECONNECT_MAX_BACKOFF_MS, REFUSAL_PROBE_AFTER } from "../config";

export type DocName = "code" | "board" | "console" | "notes";
export type LinkState = "connecting" | "live" | "reconnecting" | "refused";

export interface LinkOptions {
  session: string;
  token: string;
  name: DocName;
  /** Viewers disable BroadcastChannel so a second tab cannot bypass the server's permissions. */
  viewer: boolean;
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
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  state: LinkState = "connecting";
  error: string | null = null;
  private everSynced = false;
  private failedHandshakes = 0;
  private probing = false;
  private listeners = new Set<() => void>();
  private readonly opts: LinkOptions;

  constructor(opts: LinkOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.provider = new WebsocketProvider(wsBase(opts.session), opts.name, this.doc, {
      params: { token: opts.token },
      disableBc: opts.viewer,
      maxBackoffTime: jitteredCap(RECONNECT_MAX_BACKOFF_MS),
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
    if (this.probing) return;
    this.probing = true;
    this.failedHandshakes = 0;
    try {
      await getSession(this.opts.session, this.opts.token);
    } catch (e) {
      if (e instanceof ApiError && e.refused) this.refuse(e.message);
    } finally {
      this.probing = false;
    }
  }

  private refuse(reason: string): void {
    this.provider.disconnect();
    this.error = `access refused: ${reason}`;
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

  destroy(): void {
    this.listeners.clear();
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
