// The web client under a busy conversation: the built site against a real backend in Chromium, messages sent
// over REST at a steady rate, and the time from each send to its text being in the reader's page.
// Prints one JSON line. `node e2e/bench.js --help` lists the knobs; README "Frontend" explains the figures.

import { parseArgs } from 'node:util'
import { loggedInPage, startStack } from './harness.js'

const HELP = `usage: node e2e/bench.js [--messages 1000] [--rate 20] [--members 50] [--heap-small 500] [--heap-large 5000] [--skip-heap]
  --messages    messages sent into each measured conversation (a DM, then a room)
  --rate        messages per second while measuring latency
  --members     people in the room scenario
  --heap-small  arrived messages before the first heap reading
  --heap-large  arrived messages before the second heap reading (sent as fast as the server takes them)
  --skip-heap   leave the heap-growth scenario out`

const { values: options } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20' },
    members: { type: 'string', default: '50' },
    'heap-small': { type: 'string', default: '500' },
    'heap-large': { type: 'string', default: '5000' },
    'skip-heap': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (options.help) {
  console.log(HELP)
  process.exit(0)
}
const MESSAGES = Number(options.messages)
const RATE = Number(options.rate)
const MEMBERS = Number(options.members)
const HEAP_SMALL = Number(options['heap-small'])
const HEAP_LARGE = Number(options['heap-large'])

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function call(stack, method, path, { token, body } = {}) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch(`${stack.backend.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`)
  return response.status === 204 ? null : response.json()
}

/** Sign a person up and log them in; returns `{id, nickname, name, password, token}`. */
async function person(stack, nickname) {
  const details = { name: `Bench ${nickname}`, email: `${nickname}@example.com`, nickname, password: `${nickname}-password` }
  const user = await call(stack, 'POST', '/api/users', { body: details })
  const { access_token: token } = await call(stack, 'POST', '/api/auth/token', { body: { nickname, password: details.password } })
  return { ...details, id: user.id, token }
}

/** The reader's page, logged in, with a recorder of when each bench message's text first appears. */
async function openReader(stack, reader, hash) {
  const { context, page } = await loggedInPage(stack, reader)
  await page.evaluate((target) => {
    location.hash = target
  }, hash)
  await page.locator('.composer').waitFor()
  await page.evaluate(() => {
    // Seen once per text: a view that rebuilds its list re-adds old nodes, which are not new arrivals.
    window.benchSeen = new Map()
    new MutationObserver((records) => {
      const now = Date.now()
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeType !== 1) continue
          const contents = node.matches('.content') ? [node] : node.querySelectorAll('.content')
          for (const content of contents) {
            const text = content.textContent
            if (text.startsWith('bench ') && !window.benchSeen.has(text)) window.benchSeen.set(text, now)
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true })
  })
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  return { context, page, cdp }
}

async function heapBytes(cdp) {
  await cdp.send('HeapProfiler.collectGarbage')
  return (await cdp.send('Runtime.getHeapUsage')).usedSize
}

/** The page's main-thread time so far, in seconds: all of it, and its script, style and layout parts. */
async function mainThreadSeconds(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics')
  const value = (name) => metrics.find((metric) => metric.name === name).value
  return { task: value('TaskDuration'), script: value('ScriptDuration'), style: value('RecalcStyleDuration'), layout: value('LayoutDuration') }
}

/** Wait until the page has seen every one of `texts`, or give up after `timeoutMs`. */
async function waitForAll(page, count, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if ((await page.evaluate(() => window.benchSeen.size)) >= count) return true
    await sleep(250)
  }
  return false
}

function percentile(sorted, fraction) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]
}

function summary(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b)
  return { p50_ms: percentile(sorted, 0.5), p99_ms: percentile(sorted, 0.99) }
}

/** Send `MESSAGES` at `RATE` per second into the open conversation; measure send-to-screen for each. */
async function measureLatency(stack, reader, sender, hash, path, address) {
  const { context, page, cdp } = await openReader(stack, reader, hash)
  const sentAt = new Map()
  // How long the server took to answer each send (stored, then pushed): the part of the delay that is not the page's.
  const answeredIn = new Map()
  const interval = 1000 / RATE
  const start = Date.now()
  const cpuBefore = await mainThreadSeconds(cdp)
  const sends = []
  for (let index = 0; index < MESSAGES; index += 1) {
    const due = start + index * interval
    if (due > Date.now()) await sleep(due - Date.now())
    const text = `bench ${index}`
    const sent = Date.now()
    sentAt.set(text, sent)
    // Caught at once: a refused send must fail the run through `finally`, not crash past it.
    sends.push(
      call(stack, 'POST', path, { token: sender.token, body: { ...address, content: text } }).then(
        () => answeredIn.set(text, Date.now() - sent),
        (error) => error,
      ),
    )
  }
  const failed = (await Promise.all(sends)).find((outcome) => outcome instanceof Error)
  if (failed) throw failed
  const complete = await waitForAll(page, MESSAGES, 120000)
  const cpuAfter = await mainThreadSeconds(cdp)
  const perMessage = (part) => Number((((cpuAfter[part] - cpuBefore[part]) * 1000) / MESSAGES).toFixed(2))
  const seen = await page.evaluate(() => [...window.benchSeen])
  const arrival = new Map(seen)
  const latencies = [...sentAt.keys()].map((text) => (arrival.has(text) ? arrival.get(text) - sentAt.get(text) : null))
  const tenth = Math.max(1, Math.floor(MESSAGES / 10))
  const first = latencies.slice(0, tenth).filter((value) => value != null)
  const last = latencies.slice(-tenth).filter((value) => value != null)
  const answers = [...sentAt.keys()].map((text) => answeredIn.get(text))
  const result = {
    arrived: arrival.size,
    complete,
    first_10pct: summary(first),
    last_10pct: summary(last),
    server_answer_first_10pct: summary(answers.slice(0, tenth)),
    server_answer_last_10pct: summary(answers.slice(-tenth)),
    heap_mb: Number(((await heapBytes(cdp)) / 2 ** 20).toFixed(1)),
    dom_nodes: await page.evaluate(() => document.getElementsByTagName('*').length),
    page_cpu_ms_per_message: perMessage('task'),
    script_style_layout_ms_per_message: [perMessage('script'), perMessage('style'), perMessage('layout')],
  }
  result.last_p50_over_first_p50 = result.first_10pct.p50_ms ? Number((result.last_10pct.p50_ms / result.first_10pct.p50_ms).toFixed(2)) : null
  await context.close()
  return result
}

/** Heap after `HEAP_SMALL` then after `HEAP_LARGE` arrived messages in one open conversation. */
async function measureHeap(stack, reader, sender) {
  const { context, page, cdp } = await openReader(stack, reader, `#/people/${sender.id}`)
  const readings = {}
  let sent = 0
  for (const target of [HEAP_SMALL, HEAP_LARGE]) {
    while (sent < target) {
      const batch = []
      for (let index = 0; index < 20 && sent < target; index += 1, sent += 1) {
        batch.push(call(stack, 'POST', '/api/messages', { token: sender.token, body: { recipient_id: reader.id, content: `bench ${sent}` } }))
      }
      await Promise.all(batch)
    }
    await waitForAll(page, target, 300000)
    readings[target] = await heapBytes(cdp)
  }
  await context.close()
  const small = readings[HEAP_SMALL]
  const large = readings[HEAP_LARGE]
  return {
    [`heap_mb_after_${HEAP_SMALL}`]: Number((small / 2 ** 20).toFixed(1)),
    [`heap_mb_after_${HEAP_LARGE}`]: Number((large / 2 ** 20).toFixed(1)),
    ratio: Number((large / small).toFixed(2)),
  }
}

const stack = await startStack()
try {
  const reader = await person(stack, 'reader')
  const writer = await person(stack, 'writer')
  const direct = await measureLatency(stack, reader, writer, `#/people/${writer.id}`, '/api/messages', { recipient_id: reader.id })

  const others = [writer]
  for (let index = others.length + 1; index < MEMBERS; index += 1) others.push(await person(stack, `member${index}`))
  const room = await call(stack, 'POST', '/api/rooms', { token: reader.token, body: { name: 'Busy room', member_ids: others.map((member) => member.id) } })
  const roomResult = await measureLatency(stack, reader, writer, `#/rooms/${room.id}`, `/api/rooms/${room.id}/messages`, {})
  roomResult.members = room.members.length

  const heap = options['skip-heap'] ? null : await measureHeap(stack, reader, await person(stack, 'chatterbox'))
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      messages: MESSAGES,
      rate_per_s: RATE,
      direct,
      room: roomResult,
      heap_growth: heap,
      targets: { last_p99_ms_max: 100, last_p50_over_first_p50_max: 1.5, heap_ratio_max: 2 },
    }),
  )
} finally {
  await stack.close()
}
