// One stock yjs + y-websocket client, driven by JSON commands on stdin (one per line).
//
// Why a command loop and not a fixed script: the Python test interleaves its own edits with this
// client's (including while this client is disconnected), so each step must run when the test says.
// Every command gets exactly one JSON reply line on stdout, `{"id", "ok", "text", ...}`, carrying the
// client's text *after* the step: the exchange is observable and the test asserts exact texts.
//
// Commands (`id` is echoed back):
//   {"op": "open", "ws": "ws://host:port", "session": s, "token": t}  create the provider, wait for sync
//   {"op": "insert", "index": n, "text": s} / {"op": "delete", "index": n, "length": n}
//   {"op": "disconnect"}            provider.disconnect(), reply once the socket is gone
//   {"op": "connect"}               provider.connect(), reply once synced again
//   {"op": "text"}                  just report the current text
//   {"op": "wait_text", "text": s, "timeout_ms": n}  reply when the text equals s (ok=false on timeout)
//   {"op": "awareness", "state": {...}}  set the local awareness state
//   {"op": "wait_awareness", "key": k, "value": v, "timeout_ms": n}  some remote state has state[k] == v
//   {"op": "probe", "ws": ..., "session": s, "token": t, "ms": n}  count connection attempts of a
//       provider with this token during `ms` (used with a refused token: is there a reconnect storm?)
//   {"op": "exit"}
import * as readline from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const DOC = 'code'
const doc = new Y.Doc()
const text = doc.getText('source')
let provider = null

const reply = (cmd, fields) => {
  process.stdout.write(JSON.stringify({ id: cmd.id, op: cmd.op, text: text.toString(), ...fields }) + '\n')
}

const waitFor = (predicate, timeoutMs, subscribe, unsubscribe) =>
  new Promise((resolve) => {
    if (predicate()) return resolve(true)
    const check = () => {
      if (predicate()) {
        clearTimeout(timer)
        unsubscribe(check)
        resolve(true)
      }
    }
    const timer = setTimeout(() => {
      unsubscribe(check)
      resolve(predicate())
    }, timeoutMs)
    subscribe(check)
  })

const onProvider = (event) => [
  (fn) => provider.on(event, fn),
  (fn) => provider.off(event, fn)
]

const waitSynced = (timeoutMs) =>
  waitFor(() => provider.synced, timeoutMs, ...onProvider('sync'))

const remoteStates = () =>
  [...provider.awareness.getStates().entries()]
    .filter(([clientId]) => clientId !== doc.clientID)
    .map(([, state]) => state)

async function probe (cmd) {
  // A WebSocket class that counts how often the provider opens a socket and what became of it.
  const attempts = []
  class CountingWebSocket extends WebSocket {
    constructor (...args) {
      super(...args)
      const attempt = { at_ms: Date.now() - started, error: null, opened: false }
      attempts.push(attempt)
      this.on('error', (err) => { attempt.error = String(err.message) })
      this.on('open', () => { attempt.opened = true })
    }
  }
  const started = Date.now()
  const probeDoc = new Y.Doc()
  const p = new WebsocketProvider(`${cmd.ws}/ws/${cmd.session}`, DOC, probeDoc, {
    params: { token: cmd.token },
    WebSocketPolyfill: CountingWebSocket,
    disableBc: true
  })
  let synced = false
  p.on('sync', (state) => { synced = synced || state })
  await new Promise((resolve) => setTimeout(resolve, cmd.ms))
  // No new attempt after the window; let the one in flight (if any) finish before reporting.
  p.shouldConnect = false
  const settleBy = Date.now() + 5000
  while (attempts.some((a) => a.error === null && !a.opened) && Date.now() < settleBy) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  p.destroy()
  return { attempts, synced }
}

async function handle (cmd) {
  const timeoutMs = cmd.timeout_ms ?? 10000
  switch (cmd.op) {
    case 'open':
      provider = new WebsocketProvider(`${cmd.ws}/ws/${cmd.session}`, DOC, doc, {
        params: { token: cmd.token },
        WebSocketPolyfill: WebSocket,
        disableBc: true
      })
      return reply(cmd, { ok: await waitSynced(timeoutMs) })
    case 'insert':
      text.insert(cmd.index, cmd.text)
      return reply(cmd, { ok: true })
    case 'delete':
      text.delete(cmd.index, cmd.length)
      return reply(cmd, { ok: true })
    case 'disconnect':
      provider.disconnect()
      return reply(cmd, { ok: provider.ws === null && !provider.wsconnected })
    case 'connect':
      provider.connect()
      return reply(cmd, { ok: await waitSynced(timeoutMs) })
    case 'text':
      return reply(cmd, { ok: true })
    case 'wait_text': {
      const ok = await waitFor(
        () => text.toString() === cmd.text, timeoutMs,
        (fn) => text.observe(fn), (fn) => text.unobserve(fn))
      return reply(cmd, { ok })
    }
    case 'awareness':
      provider.awareness.setLocalState(cmd.state)
      return reply(cmd, { ok: true })
    case 'wait_awareness': {
      const ok = await waitFor(
        () => remoteStates().some((s) => s && JSON.stringify(s[cmd.key]) === JSON.stringify(cmd.value)),
        timeoutMs, (fn) => provider.awareness.on('change', fn), (fn) => provider.awareness.off('change', fn))
      return reply(cmd, { ok, states: remoteStates() })
    }
    case 'probe':
      return reply(cmd, { ok: true, ...(await probe(cmd)) })
    case 'exit':
      if (provider) provider.destroy()
      reply(cmd, { ok: true })
      process.exit(0)
      break
    default:
      return reply(cmd, { ok: false, error: `unknown op ${cmd.op}` })
  }
}

// Commands run strictly one after another, in arrival order.
let chain = Promise.resolve()
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return
  const cmd = JSON.parse(line)
  chain = chain.then(() => handle(cmd)).catch((err) => reply(cmd, { ok: false, error: String(err) }))
}).on('close', () => {
  chain.then(() => {
    if (provider) provider.destroy()
    process.exit(0)
  })
})
