// Jumping to a message (a search result): the store's run of messages around it, newer pages back to the
// newest, arrivals waiting meanwhile, and the conversation view positioned on the message; a reply opened in
// its thread beside the conversation opened on the root.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PAGE_SIZE, Store, roomKey } from './store.js'
import { createThreadController } from './threadController.js'
import { threadKey } from './threads.js'
import { JUMP_HIGHLIGHT_MS, createConversationView } from './views/conversation.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const KEY = roomKey(7)
const START = Date.parse('2026-11-20T10:00:00Z')

function roomMessage(id, extra = {}) {
  const date = new Date(START + id * 1000).toISOString()
  return { id, content: `message ${id}`, date, author: id % 3 ? bob : alice, recipient: null, room_id: 7, client_id: null, seq: id, ...extra }
}

/**
 * The server's history of room 7, answering pages as `GET /api/rooms/7/messages` does; with `thread_id` (and the
 * ids from `first` on), the replies of that thread, as `GET /api/messages/<root>/thread` does.
 */
function history(count, { first = 1, ...extra } = {}) {
  const all = Array.from({ length: count }, (_, index) => roomMessage(first + index, extra))
  return {
    all,
    newest: (limit = PAGE_SIZE) => all.slice(-limit),
    before: (id, limit = PAGE_SIZE) => all.filter((message) => message.id < id).slice(-limit),
    after: (id, limit = PAGE_SIZE) => all.filter((message) => message.id > id).slice(0, limit),
    around(id, limit = PAGE_SIZE) {
      const newer = all.filter((message) => message.id >= id).slice(0, Math.floor((limit - 1) / 2) + 1)
      const older = all.filter((message) => message.id < id).slice(-(limit - newer.length))
      return [...older, ...newer]
    },
    append(message) {
      all.push(message)
      return message
    },
  }
}

function signedIn() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }])
  store.setRooms([{ id: 7, name: 'team', owner: alice, members: [alice, bob], created_at: '2026-11-19T09:00:00Z', last_message: null, unread: 0 }])
  return store
}

const ids = (messages) => messages.map((message) => message.id)
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, index) => from + index)

describe('the store around a message', () => {
  it('holds the page centred on the message, with more on both sides', () => {
    const server = history(1000)
    const store = signedIn()
    store.addAroundPage(KEY, server.around(300), { around: 300 })
    const conversation = store.conversation(KEY)
    expect(ids(conversation.messages)).toEqual(range(275, 324))
    expect(conversation).toMatchObject({ loaded: true, hasOlder: true, hasNewer: true })
  })

  it('knows a page near either end reached it', () => {
    const server = history(1000)
    const store = signedIn()
    store.addAroundPage(KEY, server.around(990), { around: 990 })
    expect(store.conversation(KEY)).toMatchObject({ hasOlder: true, hasNewer: false })
    const other = signedIn()
    other.addAroundPage(KEY, server.around(3), { around: 3 })
    expect(other.conversation(KEY)).toMatchObject({ hasOlder: false, hasNewer: true })
    // The server does not make up for the missing older ones with more newer ones.
    expect(ids(other.conversation(KEY).messages)).toEqual(range(1, 27))
  })

  it('joins a page that overlaps the run it holds, without dropping it', () => {
    const server = history(1000)
    const store = signedIn()
    store.addNewestPage(KEY, server.newest())
    const reset = vi.fn()
    store.addEventListener('conversation', (event) => event.detail.reset && reset())
    store.addAroundPage(KEY, server.around(955), { around: 955 })
    expect(ids(store.conversation(KEY).messages)).toEqual(range(930, 1000))
    expect(store.conversation(KEY)).toMatchObject({ hasOlder: true, hasNewer: false })
    expect(reset).not.toHaveBeenCalled()
  })

  it('replaces a run it does not touch (announced as a reset), and keeps live messages waiting until the run reaches them', () => {
    const server = history(1000)
    const store = signedIn()
    store.addNewestPage(KEY, server.newest())
    const resets = []
    store.addEventListener('conversation', (event) => event.detail.reset && resets.push(event.detail.key))
    store.addAroundPage(KEY, server.around(100), { around: 100 })
    expect(resets).toEqual([KEY])
    const conversation = store.conversation(KEY)
    expect(ids(conversation.messages)).toEqual(range(75, 124))
    expect(conversation.hasNewer).toBe(true)

    // Live while back in history: the sidebar hears of it, the run does not grow a hole.
    const live = server.append(roomMessage(1001))
    expect(store.addMessages([live], { live: true })).toEqual([live])
    expect(ids(conversation.messages).at(-1)).toBe(124)
    expect(store.rooms.get(7).last_message.id).toBe(1001)
    expect(store.rooms.get(7).unread).toBe(1)
    // The same message again (a catch-up) counts once; a newer version of it replaces the waiting one.
    store.addMessages([live], { live: true })
    expect(store.rooms.get(7).unread).toBe(1)
    store.upsertMessage({ ...live, content: 'edited', seq: 2000 })
    expect(conversation.arrivals.get(1001).content).toBe('edited')

    let pages = 0
    while (conversation.hasNewer) {
      store.addNewerPage(KEY, server.after(conversation.messages.at(-1).id))
      pages += 1
    }
    expect(pages).toBe(18)
    expect(ids(conversation.messages)).toEqual(range(75, 1001))
    expect(conversation.byId.get(1001).content).toBe('edited')
    expect(conversation.arrivals.size).toBe(0)
    // Live again: the next message joins the run at once.
    store.addMessages([server.append(roomMessage(1002))], { live: true })
    expect(ids(conversation.messages).at(-1)).toBe(1002)
  })

  it('drops an older run for the newest page, and keeps what arrived after that page was answered', () => {
    const server = history(1000)
    const store = signedIn()
    store.addAroundPage(KEY, server.around(100), { around: 100 })
    const newest = server.newest()
    // Sent after the newest page was answered, received before the answer came back.
    store.addMessages([server.append(roomMessage(1001))], { live: true })
    store.addNewestPage(KEY, newest)
    const conversation = store.conversation(KEY)
    expect(ids(conversation.messages)).toEqual(range(951, 1001))
    expect(conversation).toMatchObject({ hasNewer: false, hasOlder: true })
  })

  it('announces every newer version of a message, held or not, for search results to follow', () => {
    const store = signedIn()
    const changed = vi.fn()
    store.addEventListener('changed', (event) => changed(event.detail.message.id))
    store.upsertMessage(roomMessage(5, { deleted: true, seq: 50 }))
    expect(changed).toHaveBeenCalledWith(5)
  })
})

/** jsdom does no layout: give the scroller a height and a scroll position the view can read and set. */
function fakeLayout(view, { clientHeight = 500, heightPerNode = 40 } = {}) {
  const scroller = view.element.querySelector('.scroller')
  let scrollTop = 0
  Object.defineProperty(scroller, 'clientHeight', { configurable: true, get: () => clientHeight })
  const list = scroller.querySelector('.messages')
  Object.defineProperty(scroller, 'scrollHeight', { configurable: true, get: () => list.childElementCount * heightPerNode + clientHeight })
  Object.defineProperty(scroller, 'scrollTop', {
    configurable: true,
    get: () => scrollTop,
    set: (value) => {
      scrollTop = Math.max(0, Math.min(value, scroller.scrollHeight - clientHeight))
    },
  })
  return {
    toTop() {
      scroller.scrollTop = 0
      scroller.dispatchEvent(new Event('scroll'))
    },
    toBottom() {
      scroller.scrollTop = scroller.scrollHeight
      scroller.dispatchEvent(new Event('scroll'))
    },
  }
}

const shownIds = (view) => [...view.element.querySelectorAll('.messages .message:not(.pending)')].map((node) => Number(node.dataset.id))
const nodeOf = (view, id) => view.element.querySelector(`.message[data-id="${id}"]`)

/** The conversation actions main.js gives a view, against the fake server. */
function serverActions(store, server, overrides = {}) {
  const conversation = () => store.conversation(KEY)
  return {
    loadNewest: vi.fn(async () => store.addNewestPage(KEY, server.newest())),
    loadOlder: vi.fn(async () => store.addHistoryPage(KEY, server.before(conversation().messages[0].id))),
    loadNewer: vi.fn(async () => store.addNewerPage(KEY, server.after(conversation().messages.at(-1).id))),
    loadAround: vi.fn(async (id) => store.addAroundPage(KEY, server.around(id), { around: id })),
    send: vi.fn(),
    retry: vi.fn(),
    discard: vi.fn(),
    typing: vi.fn(),
    seen: vi.fn(),
    ...overrides,
  }
}

let views = []
function open(store, actions, focusId = null) {
  const view = createConversationView({ store, key: KEY, actions, focusId })
  views.push(view)
  document.body.append(view.element)
  return view
}

afterEach(() => {
  for (const view of views) view.destroy()
  views = []
  document.body.replaceChildren()
  vi.useRealTimers()
})

const visible = (view, selector) => !view.element.querySelector(selector).hidden

describe('the conversation opened on a message', () => {
  it('shows a message the store holds, highlighted for a moment and focused, without asking the server', async () => {
    vi.useFakeTimers()
    const server = history(120)
    const store = signedIn()
    store.addNewestPage(KEY, server.newest())
    const actions = serverActions(store, server)
    const view = open(store, actions, 80)
    await Promise.resolve()
    expect(actions.loadAround).not.toHaveBeenCalled()
    expect(actions.loadNewest).not.toHaveBeenCalled()
    expect(shownIds(view)).toContain(80)
    expect(nodeOf(view, 80).classList.contains('jumped')).toBe(true)
    expect(document.activeElement).toBe(nodeOf(view, 80))
    vi.advanceTimersByTime(JUMP_HIGHLIGHT_MS)
    expect(nodeOf(view, 80).classList.contains('jumped')).toBe(false)
  })

  it('loads the page around a message far back, then older and newer pages from there, and is live again at the bottom', async () => {
    const server = history(400)
    const store = signedIn()
    store.addNewestPage(KEY, server.newest())
    const actions = serverActions(store, server)
    const view = open(store, actions, 100)
    const layout = fakeLayout(view)
    await vi.waitFor(() => expect(shownIds(view)).toContain(100))
    expect(actions.loadAround).toHaveBeenCalledWith(100)
    expect(shownIds(view)).toEqual(range(75, 124))
    expect(nodeOf(view, 100).classList.contains('jumped')).toBe(true)
    expect(view.element.querySelector('.new-messages').textContent).toBe('Jump to newest messages')
    expect(visible(view, '.new-messages')).toBe(true)
    expect(visible(view, '.load-newer')).toBe(true)

    layout.toTop()
    await vi.waitFor(() => expect(shownIds(view)[0]).toBe(25))
    expect(actions.loadOlder).toHaveBeenCalledTimes(1)

    for (let page = 0; page < 10 && store.conversation(KEY).hasNewer; page += 1) {
      const before = actions.loadNewer.mock.calls.length
      layout.toBottom()
      await vi.waitFor(() => expect(actions.loadNewer.mock.calls.length).toBe(before + 1))
      await vi.waitFor(() => expect(view.element.querySelector('.load-newer').disabled).toBe(false))
    }
    expect(store.conversation(KEY).hasNewer).toBe(false)
    // Down to the newest: each page revealed on the way, the window bounded, and the server told it was read.
    for (let step = 0; step < 10 && shownIds(view).at(-1) !== 400; step += 1) layout.toBottom()
    layout.toBottom()
    expect(shownIds(view).at(-1)).toBe(400)
    expect(shownIds(view)).toEqual(range(shownIds(view)[0], 400))
    expect(visible(view, '.new-messages')).toBe(false)
    expect(visible(view, '.load-newer')).toBe(false)
    expect(actions.seen).toHaveBeenCalledWith(400)
    // And a live message is appended as usual.
    store.addMessages([server.append(roomMessage(401))], { live: true })
    expect(shownIds(view).at(-1)).toBe(401)
  }, 30000)

  it('keeps a live message out of an old window, and "Jump to newest messages" brings it with the newest page', async () => {
    const server = history(400)
    const store = signedIn()
    const actions = serverActions(store, server)
    const view = open(store, actions, 100)
    fakeLayout(view)
    await vi.waitFor(() => expect(shownIds(view)).toContain(100))
    store.addMessages([server.append(roomMessage(401))], { live: true })
    expect(nodeOf(view, 401)).toBeNull()
    expect(actions.seen).not.toHaveBeenCalled()
    view.element.querySelector('.new-messages').click()
    await vi.waitFor(() => expect(shownIds(view).at(-1)).toBe(401))
    expect(shownIds(view)).toEqual(range(352, 401))
    expect(visible(view, '.new-messages')).toBe(false)
  })

  it('takes in what arrived meanwhile once reading down reaches the newest, not counted as new messages', async () => {
    const server = history(150)
    const store = signedIn()
    const actions = serverActions(store, server)
    const view = open(store, actions, 30)
    const layout = fakeLayout(view)
    await vi.waitFor(() => expect(shownIds(view)).toContain(30))
    store.addMessages([server.append(roomMessage(151))], { live: true })
    for (let step = 0; step < 20 && shownIds(view).at(-1) !== 151; step += 1) {
      layout.toBottom()
      await vi.waitFor(() => expect(view.element.querySelector('.load-newer').disabled).toBe(false))
    }
    expect(shownIds(view).at(-1)).toBe(151)
    expect(shownIds(view)).toEqual(range(shownIds(view)[0], 151))
    layout.toBottom()
    expect(visible(view, '.new-messages')).toBe(false)
    expect(actions.seen).toHaveBeenCalledWith(151)
  }, 30000)

  it('goes back to the newest when I send from an old window', async () => {
    const server = history(400)
    const store = signedIn()
    const actions = serverActions(store, server)
    const view = open(store, actions, 100)
    await vi.waitFor(() => expect(shownIds(view)).toContain(100))
    view.element.querySelector('#composer-input').value = 'hello'
    view.element.querySelector('.composer').dispatchEvent(new Event('submit', { cancelable: true }))
    expect(actions.send).toHaveBeenCalledWith('hello')
    await vi.waitFor(() => expect(shownIds(view).at(-1)).toBe(400))
    expect(actions.loadNewest).toHaveBeenCalledTimes(1)
  })

  it('opened normally after a jump left it back in history, shows the newest, never the old run', async () => {
    const server = history(400)
    const store = signedIn()
    store.addAroundPage(KEY, server.around(100), { around: 100 })
    const actions = serverActions(store, server)
    const view = open(store, actions)
    expect(shownIds(view)).toEqual([])
    expect(view.element.querySelector('.history-status').textContent).toBe('Loading messages…')
    await vi.waitFor(() => expect(shownIds(view)).toEqual(range(351, 400)))
    expect(actions.loadNewest).toHaveBeenCalledTimes(1)
  })

  it('says when the message cannot be loaded, and tries again', async () => {
    const server = history(400)
    const store = signedIn()
    const failing = vi.fn(async () => {
      throw Object.assign(new Error('gone'), { detail: 'The server had a problem; try again in a moment.' })
    })
    const actions = serverActions(store, server, { loadAround: failing })
    const view = open(store, actions, 100)
    await vi.waitFor(() => expect(view.element.querySelector('.history-status').textContent).toMatch(/This message could not be loaded/))
    actions.loadAround = vi.fn(async (id) => store.addAroundPage(KEY, server.around(id), { around: id }))
    view.element.querySelector('.history-status button').click()
    await vi.waitFor(() => expect(shownIds(view)).toContain(100))
  })
})

describe('a reply opened in its thread', () => {
  const ROOT = 10
  const THREAD = threadKey(KEY, ROOT)

  /** The thread controller main.js makes, on a fake server whose thread has 300 replies after the root. */
  function threadsOn(store) {
    const replies = history(300, { first: ROOT + 1, thread_id: ROOT })
    const api = {
      threadReplies: vi.fn(async (_rootId, { after, before, around, limit }) => {
        if (around != null) return replies.around(around, limit)
        if (before != null) return replies.before(before, limit)
        if (after != null) return replies.after(after, limit)
        return replies.newest(limit)
      }),
      followedThreads: vi.fn(async () => []),
      markThreadRead: vi.fn(async () => {}),
    }
    const threads = createThreadController({ store, api, outbox: () => null, navigate: vi.fn(), host: document.body })
    store.addNewestPage(KEY, [roomMessage(ROOT, { thread: { reply_count: 300, last_reply_at: null, participant_ids: [2] } })])
    return { threads, api, replies }
  }
  const panelIds = (panel) => [...panel.element.querySelectorAll('.thread-messages .message:not(.pending)')].map((node) => Number(node.dataset.id))

  let controllers = []
  afterEach(() => {
    for (const threads of controllers) threads.destroy()
    controllers = []
  })

  it('opens the thread on the reply, far back, highlighted and focused, with its neighbours and the way to the newest', async () => {
    const store = signedIn()
    const { threads, api, replies } = threadsOn(store)
    controllers.push(threads)
    const panel = threads.show(KEY, ROOT, { focusId: 60 })
    await vi.waitFor(() => expect(panelIds(panel)).toContain(60))
    expect(api.threadReplies).toHaveBeenCalledTimes(1)
    expect(api.threadReplies).toHaveBeenCalledWith(ROOT, expect.objectContaining({ around: 60 }))
    expect(panelIds(panel)).toEqual(range(35, 84))
    const target = panel.element.querySelector('.message[data-id="60"]')
    expect(target.classList.contains('jumped')).toBe(true)
    expect(document.activeElement).toBe(target)
    expect(panel.element.querySelector('.new-messages').hidden).toBe(false)

    // A reply arriving meanwhile waits until the thread is read down to it: no hole in the run.
    const live = replies.append(roomMessage(311, { thread_id: ROOT }))
    store.addMessages([live], { live: true })
    expect(panelIds(panel)).not.toContain(311)
    panel.element.querySelector('.new-messages').click()
    await vi.waitFor(() => expect(panelIds(panel).at(-1)).toBe(311))
    expect(store.conversation(THREAD).hasNewer).toBe(false)
    expect(panelIds(panel)).toEqual(range(panelIds(panel)[0], 311))
  })

  it('opens it anew on another reply when the thread is already open, as a second search result does', async () => {
    const store = signedIn()
    const { threads } = threadsOn(store)
    controllers.push(threads)
    const first = threads.show(KEY, ROOT)
    await vi.waitFor(() => expect(panelIds(first).at(-1)).toBe(310))
    expect(threads.show(KEY, ROOT)).toBe(first)
    const second = threads.show(KEY, ROOT, { focusId: 200 })
    expect(second).not.toBe(first)
    expect(first.element.isConnected).toBe(false)
    await vi.waitFor(() => expect(document.activeElement).toBe(second.element.querySelector('.message[data-id="200"]')))
  })

  it('leaves the keyboard focus to the thread: the conversation beside it shows the root highlighted, unfocused', async () => {
    const store = signedIn()
    const server = history(120)
    store.addNewestPage(KEY, server.newest())
    const view = createConversationView({ store, key: KEY, actions: serverActions(store, server), focusId: 80, takeFocus: false })
    views.push(view)
    document.body.append(view.element)
    await vi.waitFor(() => expect(nodeOf(view, 80).classList.contains('jumped')).toBe(true))
    expect(document.activeElement).not.toBe(nodeOf(view, 80))
  })
})
