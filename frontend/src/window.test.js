// The conversation's message window: keyed updates (nodes keep their identity), a bounded DOM, day
// separators and author runs right at the window's edges, the new-messages button and the unread divider.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Store, directKey, roomKey } from './store.js'
import { PAGE_STEP, WINDOW_SIZE, WINDOW_SLACK, createConversationView } from './views/conversation.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const carol = { id: 3, name: 'Carol', nickname: 'carol' }
const DAY_ONE = Date.parse('2026-11-20T10:00:00Z')
const DAY_TWO = Date.parse('2026-11-21T10:00:00Z')

function dm(id, author, extra = {}) {
  const date = new Date(DAY_ONE + id * 1000).toISOString()
  return { id, content: `message ${id}`, date, author, recipient: author.id === 1 ? bob : alice, room_id: null, client_id: null, ...extra }
}

function roomMessage(id, author, extra = {}) {
  return { ...dm(id, author, extra), recipient: null, room_id: 7 }
}

function actions(overrides = {}) {
  return {
    loadNewest: vi.fn(async () => {}),
    loadOlder: vi.fn(async () => {}),
    send: vi.fn(),
    retry: vi.fn(),
    discard: vi.fn(),
    typing: vi.fn(),
    seen: vi.fn(),
    addMember: vi.fn(async () => {}),
    leave: vi.fn(async () => {}),
    ...overrides,
  }
}

function signedIn() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }, { ...carol, online: false, unread: 0 }])
  store.setRooms([{ id: 7, name: 'team', owner: alice, members: [alice, bob, carol], created_at: '2026-11-19T09:00:00Z', last_message: null, unread: 0 }])
  return store
}

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
    scroller,
    scrollTo(value) {
      scroller.scrollTop = value
      scroller.dispatchEvent(new Event('scroll'))
    },
  }
}

const shownIds = (view) => [...view.element.querySelectorAll('.messages .message:not(.pending)')].map((node) => Number(node.dataset.id))
const nodeOf = (view, id) => view.element.querySelector(`.message[data-id="${id}"]`)

function open(store, key, handlers = actions()) {
  const view = createConversationView({ store, key, actions: handlers })
  document.body.append(view.element)
  return view
}

afterEach(() => {
  document.body.replaceChildren()
  vi.useRealTimers()
})

describe('keyed updates', () => {
  it('appends an arriving message as one node; every node already there stays the same node', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob), dm(2, alice), dm(3, bob)])
    const view = open(store, directKey(2))
    const before = [1, 2, 3].map((id) => nodeOf(view, id))
    const list = view.element.querySelector('.messages')
    const added = []
    const removed = []
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        added.push(...record.addedNodes)
        removed.push(...record.removedNodes)
      }
    })
    observer.observe(list, { childList: true })
    store.addMessages([dm(4, bob)], { live: true })
    observer.takeRecords().forEach((record) => added.push(...record.addedNodes))
    observer.disconnect()
    expect(shownIds(view)).toEqual([1, 2, 3, 4])
    expect([1, 2, 3].map((id) => nodeOf(view, id))).toEqual(before)
    expect(added).toEqual([nodeOf(view, 4)])
    expect(removed).toEqual([])
  })

  it('replaces exactly one node for a newer version of a message (a higher seq), and ignores an older one', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob), dm(2, bob, { seq: 1 }), dm(3, bob)])
    const view = open(store, directKey(2))
    const [first, second, third] = [1, 2, 3].map((id) => nodeOf(view, id))
    expect(store.upsertMessage(dm(2, bob, { content: 'edited', seq: 2 }))).toBe(true)
    expect(nodeOf(view, 2)).not.toBe(second)
    expect(nodeOf(view, 2).querySelector('.content').textContent).toBe('edited')
    expect(nodeOf(view, 1)).toBe(first)
    expect(nodeOf(view, 3)).toBe(third)
    const edited = nodeOf(view, 2)
    expect(store.upsertMessage(dm(2, bob, { content: 'stale', seq: 1 }))).toBe(false)
    expect(store.upsertMessage(dm(2, bob, { content: 'same version', seq: 2 }))).toBe(false)
    expect(nodeOf(view, 2)).toBe(edited)
    expect(edited.querySelector('.content').textContent).toBe('edited')
    expect(store.conversation(directKey(2)).messages.map((message) => message.content)).toEqual(['message 1', 'edited', 'message 3'])
  })

  it('turns a pending bubble into the stored message by patching that bubble only', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob)])
    const view = open(store, directKey(2))
    const first = nodeOf(view, 1)
    const pending = store.addPending(directKey(2), 'on its way')
    expect(view.element.querySelectorAll('.pending')).toHaveLength(1)
    store.addMessages([dm(2, alice, { content: 'on its way', client_id: pending.client_id })])
    expect(view.element.querySelectorAll('.pending')).toHaveLength(0)
    expect(shownIds(view)).toEqual([1, 2])
    expect(nodeOf(view, 1)).toBe(first)
  })

  it('keeps pending bubbles below messages that arrive meanwhile', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob)])
    const view = open(store, directKey(2))
    store.addPending(directKey(2), 'still sending')
    store.addMessages([dm(2, bob)], { live: true })
    const items = [...view.element.querySelectorAll('.messages > li.message')]
    expect(items.at(-1).classList.contains('pending')).toBe(true)
    expect(Number(items.at(-2).dataset.id)).toBe(2)
  })
})

describe('the window', () => {
  it('keeps at most WINDOW_SIZE + WINDOW_SLACK messages in the DOM however many arrive, the newest last', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [])
    const view = open(store, directKey(2))
    fakeLayout(view)
    for (let id = 1; id <= 1200; id += 1) store.addMessages([dm(id, id % 2 ? bob : alice)], { live: true })
    const ids = shownIds(view)
    expect(ids.length).toBeLessThanOrEqual(WINDOW_SIZE + WINDOW_SLACK)
    expect(ids.length).toBeGreaterThanOrEqual(WINDOW_SIZE)
    expect(ids.at(-1)).toBe(1200)
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => 1201 - ids.length + index))
    expect(store.conversation(directKey(2)).messages).toHaveLength(1200)
  }, 30000)

  it('shows the author and the day right at the window edge, as the whole conversation would', () => {
    const store = signedIn()
    // Runs of three messages per author; message 101 is the middle of a run on day one, 251 starts day two.
    const messages = Array.from({ length: 400 }, (_, index) => {
      const id = index + 1
      const date = new Date((id <= 250 ? DAY_ONE : DAY_TWO) + id * 1000).toISOString()
      return roomMessage(id, Math.floor(index / 3) % 2 ? carol : bob, { date })
    })
    store.addHistoryPage(roomKey(7), messages, { limit: 1000 })
    const view = open(store, roomKey(7))
    const ids = shownIds(view)
    expect(ids[0]).toBe(101)
    expect(ids.at(-1)).toBe(400)
    // 101 continues Carol's run 100..102 on the same day: no name, no separator above it.
    expect(nodeOf(view, 101).querySelector('.author')).toBeNull()
    expect(nodeOf(view, 101).previousElementSibling).toBeNull()
    expect(nodeOf(view, 103).querySelector('.author').textContent).toBe('Bob')
    // The day changes at 251: its separator is there, and a new day starts a new run with the name.
    expect(nodeOf(view, 251).previousElementSibling.classList.contains('day')).toBe(true)
    expect(nodeOf(view, 251).querySelector('.author')).not.toBeNull()
    expect(view.element.querySelectorAll('.messages .day')).toHaveLength(1)
  })

  it('starts with a day separator when the first message shown is the first of its day', () => {
    const store = signedIn()
    const messages = Array.from({ length: 350 }, (_, index) => {
      const id = index + 1
      return dm(id, bob, { date: new Date((id <= 50 ? DAY_ONE : DAY_TWO) + id * 1000).toISOString() })
    })
    store.addHistoryPage(directKey(2), messages, { limit: 1000 })
    const view = open(store, directKey(2))
    expect(shownIds(view)[0]).toBe(51)
    expect(view.element.querySelector('.messages').firstElementChild.classList.contains('day')).toBe(true)
    expect(view.element.querySelectorAll('.messages .day')).toHaveLength(1)
  })

  it('shows the messages it left out when the reader scrolls up, without redrawing those on screen', () => {
    const store = signedIn()
    const messages = Array.from({ length: 500 }, (_, index) => dm(index + 1, index % 7 ? bob : alice))
    store.addHistoryPage(directKey(2), messages, { limit: 1000 })
    const view = open(store, directKey(2))
    const layout = fakeLayout(view)
    const edge = nodeOf(view, 201)
    expect(shownIds(view)[0]).toBe(201)
    layout.scrollTo(0)
    expect(shownIds(view)[0]).toBe(201 - PAGE_STEP)
    expect(nodeOf(view, 201)).toBe(edge)
    // Scrolled to the top, the reader keeps seeing what they saw: the position moved by what came in above.
    expect(layout.scroller.scrollTop).toBeGreaterThan(0)
    // The day separator moved up with the window: only the oldest message shown may carry it.
    expect(view.element.querySelectorAll('.messages .day')).toHaveLength(0)
    for (let step = 0; step < 5; step += 1) layout.scrollTo(0)
    expect(shownIds(view)[0]).toBe(1)
    expect(view.element.querySelectorAll('.messages .day')).toHaveLength(1)
    expect(shownIds(view).length).toBeLessThanOrEqual(WINDOW_SIZE + WINDOW_SLACK)
    expect(shownIds(view).at(-1)).toBeLessThan(500)
  })

  it('asks the server for an older page once the window reached the oldest message held', async () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(101, bob), dm(102, bob)], { limit: 2 })
    const handlers = actions({
      loadOlder: vi.fn(async () => store.addHistoryPage(directKey(2), [dm(99, bob), dm(100, alice)], { limit: 2 })),
    })
    const view = open(store, directKey(2), handlers)
    const layout = fakeLayout(view)
    layout.scrollTo(0)
    await vi.waitFor(() => expect(shownIds(view)).toEqual([99, 100, 101, 102]))
    expect(handlers.loadOlder).toHaveBeenCalledTimes(1)
  })
})

describe('when the reader is not at the bottom', () => {
  function scrolledUp() {
    const store = signedIn()
    store.addHistoryPage(directKey(2), Array.from({ length: 40 }, (_, index) => dm(index + 1, bob)))
    const view = open(store, directKey(2))
    const layout = fakeLayout(view)
    layout.scrollTo(layout.scroller.scrollHeight)
    layout.scrollTo(200)
    return { store, view, layout }
  }

  it('stays put and offers a button with the count of new messages, which jumps to the newest', () => {
    const { store, view, layout } = scrolledUp()
    const button = view.element.querySelector('.new-messages')
    expect(button.hidden).toBe(true)
    store.addMessages([dm(41, bob)], { live: true })
    expect(layout.scroller.scrollTop).toBe(200)
    expect(button.hidden).toBe(false)
    expect(button.textContent).toBe('1 new message')
    store.addMessages([dm(42, bob), dm(43, bob)], { live: true })
    expect(button.textContent).toBe('3 new messages')
    expect(layout.scroller.scrollTop).toBe(200)
    button.click()
    expect(button.hidden).toBe(true)
    expect(shownIds(view).at(-1)).toBe(43)
    expect(layout.scroller.scrollTop).toBe(layout.scroller.scrollHeight - layout.scroller.clientHeight)
    expect(document.activeElement).toBe(view.element.querySelector('textarea'))
  })

  it('clears the count when the reader scrolls down to the newest by hand', () => {
    const { store, view, layout } = scrolledUp()
    store.addMessages([dm(41, bob)], { live: true })
    layout.scrollTo(layout.scroller.scrollHeight)
    expect(view.element.querySelector('.new-messages').hidden).toBe(true)
  })

  it('follows the newest while the reader is at the bottom, with no button', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob)])
    const view = open(store, directKey(2))
    const layout = fakeLayout(view)
    layout.scrollTo(layout.scroller.scrollHeight)
    store.addMessages([dm(2, bob)], { live: true })
    expect(layout.scroller.scrollTop).toBe(layout.scroller.scrollHeight - layout.scroller.clientHeight)
    expect(view.element.querySelector('.new-messages').hidden).toBe(true)
  })

  it('stops growing the DOM while the reader reads far above: the newest wait for the button', () => {
    const { store, view, layout } = scrolledUp()
    for (let id = 41; id <= 1000; id += 1) store.addMessages([dm(id, bob)], { live: true })
    expect(shownIds(view).length).toBeLessThanOrEqual(WINDOW_SIZE + WINDOW_SLACK)
    expect(shownIds(view)[0]).toBe(1)
    expect(view.element.querySelector('.new-messages').textContent).toBe('960 new messages')
    expect(layout.scroller.scrollTop).toBe(200)
    view.element.querySelector('.new-messages').click()
    expect(shownIds(view).at(-1)).toBe(1000)
    expect(shownIds(view)).toHaveLength(WINDOW_SIZE)
  }, 30000)
})

describe('the unread divider', () => {
  it('marks where the unread messages start when a conversation opens', () => {
    const store = signedIn()
    store.setPeople([{ ...bob, online: true, unread: 2 }])
    store.addHistoryPage(directKey(2), [dm(1, bob), dm(2, alice), dm(3, bob), dm(4, alice), dm(5, bob)])
    store.setActive(directKey(2))
    const view = open(store, directKey(2))
    const divider = view.element.querySelector('.unread-divider')
    expect(divider.textContent).toBe('New messages')
    expect(divider.nextElementSibling).toBe(nodeOf(view, 3))
    expect(view.element.querySelectorAll('.unread-divider')).toHaveLength(1)
  })

  it('is placed once the history arrives when the conversation was not loaded yet', async () => {
    const store = signedIn()
    store.setPeople([{ ...bob, online: true, unread: 1 }])
    store.setActive(directKey(2))
    const handlers = actions({ loadNewest: vi.fn(async () => store.addHistoryPage(directKey(2), [dm(1, alice), dm(2, bob)])) })
    const view = open(store, directKey(2), handlers)
    await vi.waitFor(() => expect(view.element.querySelector('.unread-divider')?.nextElementSibling).toBe(nodeOf(view, 2)))
  })

  it('moves above the first message that arrives while the tab is hidden', () => {
    const store = signedIn()
    store.setPeople([{ ...bob, online: true, unread: 1 }])
    store.addHistoryPage(directKey(2), [dm(1, alice), dm(2, bob)])
    store.setActive(directKey(2))
    const view = open(store, directKey(2))
    expect(view.element.querySelector('.unread-divider').nextElementSibling).toBe(nodeOf(view, 2))
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
    document.dispatchEvent(new Event('visibilitychange'))
    store.addMessages([dm(3, bob)], { live: true })
    store.addMessages([dm(4, bob)], { live: true })
    delete document.visibilityState
    document.dispatchEvent(new Event('visibilitychange'))
    expect(view.element.querySelectorAll('.unread-divider')).toHaveLength(1)
    expect(view.element.querySelector('.unread-divider').nextElementSibling).toBe(nodeOf(view, 3))
    view.destroy()
  })

  it('has none when nothing was unread', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob)])
    store.setActive(directKey(2))
    const view = open(store, directKey(2))
    expect(view.element.querySelector('.unread-divider')).toBeNull()
  })
})

describe('a failed send', () => {
  it('offers Retry and Discard, and keeps keyboard focus in the conversation when the bubble changes', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [])
    const handlers = actions()
    const view = open(store, directKey(2), handlers)
    const pending = store.addPending(directKey(2), 'hello')
    store.setPendingStatus(directKey(2), pending.client_id, 'failed', 'the server has not confirmed it yet.')
    const [retry, discard] = view.element.querySelectorAll('.failed button')
    expect([retry.textContent, discard.textContent]).toEqual(['Retry', 'Discard'])
    discard.click()
    expect(handlers.discard).toHaveBeenCalledWith(pending.client_id)
    retry.focus()
    retry.click()
    expect(handlers.retry).toHaveBeenCalledWith(pending.client_id)
    store.setPendingStatus(directKey(2), pending.client_id, 'sending')
    expect(view.element.contains(document.activeElement)).toBe(true)
  })
})

describe('read reports', () => {
  it('tells the server at once, then at most once a second, and sends a waiting report when the view closes', () => {
    vi.useFakeTimers()
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob)])
    const handlers = actions()
    const view = open(store, directKey(2), handlers)
    expect(handlers.seen).toHaveBeenLastCalledWith(1)
    store.addMessages([dm(2, bob)], { live: true })
    store.addMessages([dm(3, bob)], { live: true })
    expect(handlers.seen).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1000)
    expect(handlers.seen).toHaveBeenCalledTimes(2)
    expect(handlers.seen).toHaveBeenLastCalledWith(3)
    store.addMessages([dm(4, bob)], { live: true })
    view.destroy()
    expect(handlers.seen).toHaveBeenLastCalledWith(4)
  })
})
