// Taking over the requests index.html's inline script started for a room link while the bundle
// was still downloading: the link check's answer and the sockets of the `code` and `console` docs.
//
// A socket is handed to y-websocket's provider (as its WebSocket) with what the server already
// sent replayed in order, so the provider sees an ordinary connection that happened to be fast:
// its sync step 1 for an empty doc, identical to the one the early socket already sent, is not
// sent twice (the server would answer with the whole doc again); everything else is passed on.
// A socket the room does not take (ended session, name prompt, error, another link) is closed,
// so it holds none of the session's connection slots.
import { ApiError, readResponse, type SessionInfo } from "../api";

/** What index.html's script keeps for one doc's socket. */
export interface EarlySocket {
  ws: WebSocket;
  got: ArrayBuffer[];
  sentStep1: boolean;
  closed: boolean;
}

/** What index.html's script leaves on `window.__pairboardEarly`. */
export interface EarlyStart {
  session: string;
  token: string;
  info: Promise<Response>;
  sockets: Record<string, EarlySocket | undefined>;
}

declare global {
  interface Window {
    __pairboardEarly?: EarlyStart;
  }
}

/** y-websocket's sync step 1 of an empty doc: message sync (0), step 1 (0), state vector [0]. */
export const EMPTY_STEP1 = [0, 0, 1, 0] as const;

function isEmptyStep1(data: unknown): boolean {
  const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  return bytes !== null && bytes.length === EMPTY_STEP1.length && EMPTY_STEP1.every((b, i) => bytes[i] === b);
}

type Handler<E> = ((ev: E) => void) | null;

/**
 * The early socket as the provider uses a WebSocket: the handler properties, send, close,
 * readyState. Events that arrived before the take-over are replayed on the next task, after the
 * provider has set its handlers (it sets them right after constructing the socket).
 */
export class AdoptedSocket {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  onopen: Handler<Event> = null;
  onmessage: Handler<MessageEvent> = null;
  onclose: Handler<CloseEvent> = null;
  onerror: Handler<Event> = null;
  private skipStep1: boolean;
  private replaying = true;
  private closeEvent: CloseEvent | null = null;
  private readonly early: EarlySocket;

  constructor(early: EarlySocket) {
    this.early = early;
    this.skipStep1 = early.sentStep1;
    const { ws } = early;
    ws.onopen = (ev) => {
      if (!this.replaying) this.onopen?.(ev);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.replaying) early.got.push(ev.data as ArrayBuffer);
      else this.onmessage?.(ev);
    };
    ws.onclose = (ev) => {
      early.closed = true;
      if (this.replaying) this.closeEvent = ev;
      else this.onclose?.(ev);
    };
    ws.onerror = (ev) => {
      if (!this.replaying) this.onerror?.(ev);
    };
    setTimeout(() => this.replay(), 0);
  }

  /** Open (if it is by now), what arrived so far, the close if it came: as they happened. */
  private replay(): void {
    this.replaying = false;
    const { ws } = this.early;
    if (ws.readyState !== ws.CONNECTING) this.onopen?.(new Event("open"));
    const got = this.early.got.splice(0);
    for (const data of got) this.onmessage?.(new MessageEvent("message", { data }));
    if (this.closeEvent) this.onclose?.(this.closeEvent);
  }

  get readyState(): number {
    return this.early.ws.readyState;
  }

  get binaryType(): BinaryType {
    return this.early.ws.binaryType;
  }

  set binaryType(t: BinaryType) {
    this.early.ws.binaryType = t;
  }

  send(data: ArrayBufferLike | ArrayBufferView | Blob | string): void {
    if (this.skipStep1 && isEmptyStep1(data)) {
      this.skipStep1 = false; // the server has it already; its answer is in `got`
      return;
    }
    this.early.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.early.ws.close(code, reason);
  }
}

function matches(early: EarlyStart | undefined, session: string, token: string): early is EarlyStart {
  return early !== undefined && early.session === session && early.token === token;
}

/** The early socket of `doc` for this link, taken once; null if there is none that is usable. */
export function takeEarlySocket(session: string, token: string, doc: string): AdoptedSocket | null {
  const early = window.__pairboardEarly;
  if (!matches(early, session, token)) return null;
  const socket = early.sockets[doc];
  early.sockets[doc] = undefined;
  if (!socket) return null;
  if (socket.closed || socket.ws.readyState >= socket.ws.CLOSING) return null; // a fresh one says why
  return new AdoptedSocket(socket);
}

/** A WebSocket class for one doc's provider: its first connection is the early socket, if any. */
export function earlyWebSocket(session: string, token: string, doc: string): typeof WebSocket {
  function EarlyOrNew(url: string | URL, protocols?: string | string[]): WebSocket {
    const adopted = takeEarlySocket(session, token, doc);
    return adopted ? (adopted as unknown as WebSocket) : new WebSocket(url, protocols);
  }
  return EarlyOrNew as unknown as typeof WebSocket;
}

/** Closes every early socket not taken (the room opens no docs, or not yet). */
export function discardEarlySockets(): void {
  const early = window.__pairboardEarly;
  if (!early) return;
  for (const [doc, socket] of Object.entries(early.sockets)) {
    early.sockets[doc] = undefined;
    socket?.ws.close();
  }
}

/** The early link check's answer for this link (once), or null if the page did not start one. */
export function takeEarlySessionInfo(session: string, token: string): Promise<SessionInfo> | null {
  const early = window.__pairboardEarly;
  if (!matches(early, session, token) || !early.info) return null;
  const { info } = early;
  early.info = undefined as unknown as Promise<Response>;
  return info.then(
    (res) => readResponse<SessionInfo>(res),
    (e: unknown) => {
      throw new ApiError(0, `server unreachable: ${String(e)}`);
    },
  );
}
