// Load generator for bench/sync: many stock yjs + y-websocket clients in one Node process.
//
// One process drives every provider so that the generator costs one core, pinned away from the
// server's (run.py uses taskset). Protocol with run.py, one JSON object per line:
//   stdin  line 1: {"rooms": [{"url", "name", "params": [{...}, {...}]}], "rate", "duration_s",
//                   (a room may give "urls": [first, second] to put its clients on two servers)
//                   "drain_s", "connect_concurrency", "connect_timeout_s", "open"}
//   stdout {"event": "ready", ...}   every client connected (or failed) and synced
//   stdin  "go"                      start typing (run.py snapshots the server's CPU first)
//   stdout {"event": "done"}         typing stopped and every edit was delivered, or drain_s passed
//   stdin  "report"                  (after run.py's second CPU snapshot)
//   stdout {"event": "result", ...}  latencies and counts
//
// Latency: each edit inserts one character, which advances its author's Yjs clock by exactly one.
// The author notes (clock after the edit, send time); the peer, on each remote update, reads the
// author's clock in its own state vector and retires every noted edit at or below it. Both clients
// live in this process, so one monotonic clock times both ends.
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import * as readline from 'node:readline'

// The pinned client lives in tests/js (installed by `make js-deps`); import its ESM entry points.
const modules = new URL('../../tests/js/node_modules/', import.meta.url)
const entry = async (name) => {
  const pkg = JSON.parse(readFileSync(new URL(`${name}/package.json`, modules)))
  return import(new URL(`${name}/${pkg.exports['.'].import}`, modules).href)
}
const Y = await entry('yjs')
const { WebsocketProvider } = await entry('y-websocket')
const WebSocket = (await entry('ws')).default

// Every provider adds a process 'exit' listener; thousands of them are expected here.
process.setMaxListeners(0)

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

class Client {
  constructor (room, params, url) {
    this.room = room
    this.params = params
    this.url = url
    this.doc = new Y.Doc()
    this.text = this.doc.getText('source')
    this.pending = [] // edits of the peer not yet seen here: [clockAfter, sentAt]
    this.cursor = 0
    this.sent = 0
  }

  open (timeoutMs) {
    this.provider = new WebsocketProvider(this.url, this.room.name, this.doc, {
      params: this.params,
      WebSocketPolyfill: WebSocket,
      disableBc: true
    })
    this.provider.on('connection-close', () => { closes++ })
    this.doc.on('update', (_update, origin) => {
      if (origin === this.provider) this.onRemote()
    })
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.provider.on('sync', (synced) => {
        if (synced) {
          clearTimeout(timer)
          resolve(true)
        }
      })
    })
  }

  onRemote () {
    if (this.pending.length === 0) return
    const seen = Y.getState(this.doc.store, this.peer.doc.clientID)
    const now = performance.now()
    let i = 0
    while (i < this.pending.length && this.pending[i][0] <= seen) {
      const latency = now - this.pending[i][1]
      latencies.push(latency)
      if (latency > SLOW_MS) {
        const second = Math.floor((this.pending[i][1] - typingStart) / 1000)
        slowBySecond[second] = (slowBySecond[second] ?? 0) + 1
      }
      i++
    }
    if (i > 0) this.pending.splice(0, i)
  }

  type () {
    // Each client types at its own cursor: the first at the top, the second at the end.
    const index = this.first ? Math.min(this.cursor++, this.text.length) : this.text.length
    const sentAt = performance.now()
    this.text.insert(index, String.fromCharCode(97 + (this.sent++ % 26)))
    this.peer.pending.push([Y.getState(this.doc.store, this.doc.clientID), sentAt])
  }
}

const latencies = []
// Deliveries slower than this are counted per second of the run, to tell a stall from a drift.
const SLOW_MS = 100
const slowBySecond = {}
let typingStart = 0
let closes = 0 // sockets closed under the clients (e.g. a server's slow-reader disconnect)
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const config = JSON.parse((await lines.next()).value)

const rooms = config.rooms.map((room) => {
  const [a, b] = room.params.map((params, i) => new Client(room, params, room.urls?.[i] ?? room.url))
  a.peer = b
  b.peer = a
  a.first = true
  return [a, b]
})

// By default every room's first client connects, then every second one: two clients opening a
// brand-new room at the same instant is a correctness question, not a load figure. With
// "together", both clients of a room open at once (pycrdt-websocket's trap: one may never sync).
const connectStart = performance.now()
let failed = 0
const openAll = async (queue) => {
  const workers = Array.from({ length: config.connect_concurrency }, async () => {
    while (queue.length > 0) {
      const clients = queue.shift()
      const synced = await Promise.all(clients.map((c) => c.open(config.connect_timeout_s * 1000)))
      failed += synced.filter((ok) => !ok).length
    }
  })
  await Promise.all(workers)
}
if (config.open === 'together') {
  await openAll(rooms.map((pair) => pair))
} else {
  for (const side of [0, 1]) await openAll(rooms.map((pair) => [pair[side]]))
}
emit({ event: 'ready', clients: rooms.length * 2, failed, connect_ms: performance.now() - connectStart })

await lines.next() // "go"
const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
const cpuStart = process.cpuUsage()
closes = 0
typingStart = performance.now()
const periodMs = 1000 / config.rate
const timers = []
for (const client of rooms.flat()) {
  // A random phase per client, so that the load is spread evenly over each period.
  timers.push(setTimeout(() => {
    client.type()
    timers.push(setInterval(() => client.type(), periodMs))
  }, Math.random() * periodMs))
}
await sleep(config.duration_s * 1000)
for (const timer of timers) {
  clearTimeout(timer)
  clearInterval(timer)
}
const typingMs = performance.now() - typingStart
const drainDeadline = performance.now() + config.drain_s * 1000
const undelivered = () => rooms.flat().reduce((n, c) => n + c.pending.length, 0)
while (undelivered() > 0 && performance.now() < drainDeadline) await sleep(20)
const cpu = process.cpuUsage(cpuStart)
const windowMs = performance.now() - typingStart
loopDelay.disable()
emit({ event: 'done' })

await lines.next() // "report"
const sent = rooms.flat().reduce((n, c) => n + c.sent, 0)
const converged = rooms.filter(([a, b]) => a.text.toString() === b.text.toString()).length
const sorted = Float64Array.from(latencies).sort()
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null)
emit({
  event: 'result',
  rooms: rooms.length,
  sent,
  delivered: latencies.length,
  lost: undelivered(),
  converged,
  closes,
  typing_ms: typingMs,
  p50_ms: pct(0.5),
  p99_ms: pct(0.99),
  max_ms: sorted.length ? sorted[sorted.length - 1] : null,
  generator_cpu: (cpu.user + cpu.system) / 1000 / windowMs,
  generator_loop_delay_p99_ms: loopDelay.percentile(99) / 1e6,
  generator_loop_delay_max_ms: loopDelay.max / 1e6,
  slow_by_second: slowBySecond
})
for (const client of rooms.flat()) client.provider.destroy()
process.exit(0)
