// @vitest-environment jsdom
// index.html's inline script and room/early.ts together: the script starts a room link's
// requests, the room's real y-websocket provider takes the early socket over and is synced from
// what the server had already sent, without asking for the whole doc a second time.
import indexHtml from "../../index.html?raw";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import { WebsocketProvider } from "y-websocket";
import { discardEarlySockets, earlyWebSocket, EMPTY_STEP1, takeEarlySessionInfo, takeEarlySocket } from "./early";

class FakeSocket {
  static made: FakeSocket[] = [];
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  binaryType = "blob";
  sent: number[][] = [];
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: Uint8Array | ArrayBuffer) {
    this.sent.push([...new Uint8Array(data instanceof ArrayBuffer ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))]);
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.(new CloseEvent("close", { code: 1000 }));
  }
  serverOpens() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  serverSends(bytes: Uint8Array) {
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    this.onmessage?.(new MessageEvent("message", { data }));
  }
}

const inlineScript = (() => {
  const m = /<script>([\s\S]*?)<\/script>/.exec(indexHtml);
  if (!m) throw new Error("index.html has no inline script");
  return m[1];
})();

let fetched: { url: string; auth: string }[] = [];

function runInlineScriptAt(path: string) {
  window.history.replaceState(null, "", path);
  new Function(inlineScript)();
}

function serverFrames(text: string) {
  const doc = new Y.Doc();
  doc.getText("source").insert(0, text);
  const step1 = encoding.createEncoder();
  encoding.writeVarUint(step1, 0);
  syncProtocol.writeSyncStep1(step1, doc);
  const step2 = encoding.createEncoder();
  encoding.writeVarUint(step2, 0);
  syncProtocol.writeSyncStep2(step2, doc, new Uint8Array([0]));
  return { step1: encoding.toUint8Array(step1), step2: encoding.toUint8Array(step2) };
}

const nextTask = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  FakeSocket.made = [];
  fetched = [];
  delete window.__pairboardEarly;
  Object.assign(globalThis, { WebSocket: FakeSocket });
  globalThis.fetch = ((url: string, init: { headers: Record<string, string> }) => {
    fetched.push({ url, auth: init.headers.Authorization });
    return Promise.resolve(new Response(JSON.stringify({ id: "s 1", role: "candidate" }), { status: 200 }));
  }) as unknown as typeof fetch;
});

afterEach(() => discardEarlySockets());

describe("index.html's early start", () => {
  test("a room link starts the link check and the code and console sockets, each sending step 1 of an empty doc once open", () => {
    runInlineScriptAt("/s/s%201?token=t%2Bk");
    expect(fetched).toEqual([{ url: "/api/sessions/s%201", auth: "Bearer t+k" }]);
    expect(FakeSocket.made.map((s) => s.url)).toEqual([
      `ws://${location.host}/ws/s%201/code?token=t%2Bk`,
      `ws://${location.host}/ws/s%201/console?token=t%2Bk`,
    ]);
    expect(FakeSocket.made.map((s) => s.binaryType)).toEqual(["arraybuffer", "arraybuffer"]);
    FakeSocket.made[0].serverOpens();
    expect(FakeSocket.made[0].sent).toEqual([[...EMPTY_STEP1]]);
    expect(window.__pairboardEarly?.sockets.code?.sentStep1).toBe(true);
    expect(window.__pairboardEarly?.sockets.console?.sentStep1).toBe(false);
  });

  test("no other page starts anything", () => {
    for (const path of ["/", "/replay/s1?token=t", "/s/s1", "/s/s1/notes?token=t"]) runInlineScriptAt(path);
    expect(fetched).toEqual([]);
    expect(FakeSocket.made).toEqual([]);
    expect(window.__pairboardEarly).toBeUndefined();
  });
});

describe("taking over the early requests", () => {
  test("the provider is synced from the frames the server sent before the bundle ran, and does not ask for them again", async () => {
    runInlineScriptAt("/s/s1?token=t");
    const early = FakeSocket.made[0];
    early.serverOpens();
    const { step1, step2 } = serverFrames("print('hello')");
    early.serverSends(step1);
    early.serverSends(step2);

    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`ws://${location.host}/ws/s1`, "code", doc, {
      params: { token: "t" },
      disableBc: true,
      WebSocketPolyfill: earlyWebSocket("s1", "t", "code"),
    });
    const synced = new Promise<void>((r) => provider.once("sync", () => r()));
    await nextTask();
    await synced;
    expect(doc.getText("source").toString()).toBe("print('hello')");
    expect(provider.wsconnected).toBe(true);
    // One socket for the doc: the early one. On it, our empty step 1 went once (by the page), then
    // the provider's answer to the server's step 1 and its awareness; never a second step 1.
    expect(FakeSocket.made.length).toBe(2);
    const step1s = early.sent.filter((m) => m[0] === 0 && m[1] === 0);
    expect(step1s).toEqual([[...EMPTY_STEP1]]);
    expect(early.sent.length).toBe(3);
    // Later frames go straight to the provider.
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.getText("source").insert(0, "# ");
    const upd = encoding.createEncoder();
    encoding.writeVarUint(upd, 0);
    syncProtocol.writeUpdate(upd, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)));
    early.serverSends(encoding.toUint8Array(upd));
    expect(doc.getText("source").toString()).toBe("# print('hello')");
    provider.destroy();
  });

  test("a socket taken before it opened is an ordinary connection: the provider sends its own step 1", async () => {
    runInlineScriptAt("/s/s1?token=t");
    const early = FakeSocket.made[0];
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`ws://${location.host}/ws/s1`, "code", doc, {
      params: { token: "t" },
      disableBc: true,
      WebSocketPolyfill: earlyWebSocket("s1", "t", "code"),
    });
    await nextTask();
    early.serverOpens();
    expect(early.sent[0]).toEqual([...EMPTY_STEP1]);
    expect(provider.wsconnected).toBe(true);
    provider.destroy();
  });

  test("a closed early socket, another link's, or a second take get none: a fresh socket is made", () => {
    runInlineScriptAt("/s/s1?token=t");
    FakeSocket.made[1].close();
    expect(takeEarlySocket("s1", "t", "console")).toBeNull();
    expect(takeEarlySocket("s1", "other-token", "code")).toBeNull();
    expect(takeEarlySocket("s2", "t", "code")).toBeNull();
    expect(takeEarlySocket("s1", "t", "code")).not.toBeNull();
    expect(takeEarlySocket("s1", "t", "code")).toBeNull();
  });

  test("sockets the room does not take are closed", () => {
    runInlineScriptAt("/s/s1?token=t");
    discardEarlySockets();
    expect(FakeSocket.made.map((s) => s.readyState)).toEqual([3, 3]);
  });

  test("the early link check's answer is used once, read as the API client reads answers", async () => {
    runInlineScriptAt("/s/s1?token=t");
    expect(takeEarlySessionInfo("s1", "other")).toBeNull();
    await expect(takeEarlySessionInfo("s1", "t")).resolves.toEqual({ id: "s 1", role: "candidate" });
    expect(takeEarlySessionInfo("s1", "t")).toBeNull();
  });

  test("a refused early link check is the API's error, with its status", async () => {
    globalThis.fetch = (() =>
      Promise.resolve(new Response(JSON.stringify({ detail: "unknown token" }), { status: 403 }))) as unknown as typeof fetch;
    runInlineScriptAt("/s/s1?token=t");
    await expect(takeEarlySessionInfo("s1", "t")).rejects.toMatchObject({ status: 403, message: "unknown token" });
  });
});
