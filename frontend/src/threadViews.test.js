// The thread views: "Reply in thread" and the reply count opening a thread, the thread panel (root, live
// replies, composer, follow toggle, Escape), the Threads view and the sidebar's Threads entry.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Store, roomKey } from './store.js'
import { threadKey } from './threads.js'
import { expectComposerToGrowAndShrink } from './views/composerGrowth.testing.js'
import { createConversationView } from './views/conversation.js'
import { createThreadPanel } from './views/threadPanel.js'
import { createThreadsLink, createThreadsView, replyLine, rootExcerpt, threadHref } from './views/threadsView.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const ROOM = roomKey(7)
const THREAD = threadKey(ROOM, 10)
const attack = '<img src=x onerror=alert(1)>'

function roomMessage(id, author, extra = {}) {
  return { id, content: `message ${id}`, date: new Date(Date.UTC(2026, 10, 27, 10, 0, id)).toISOString(), author, recipient: null, room_id: 7, client_id: null, seq: id, ...extra }
}
const reply = (id, author, extra = {}) => roomMessage(id, author, { thread_id: 10, ...extra })
const summary = (count) => ({ reply_count: count, last_reply_at: '2026-11-27T10:05:00Z', participant_ids: [2] })

function signedIn() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }])
  store.setRooms([{ id: 7, name: 'team', owner: alice, members: [alice, bob], created_at: '2026-11-19T09:00:00Z', last_message: null, unread: 0 }])
  store.addHistoryPage(ROOM, [roomMessage(10, alice, { content: 'Who reviews?', thread: summary(1) })])
  return store
}

function panelActions(overrides = {}) {
  return {
    loadNewest: vi.fn(async () => {}),
    loadOlder: vi.fn(async () => {}),
    send: vi.fn(),
    retry: vi.fn(),
    discard: vi.fn(),
    seen: vi.fn(),
    edit: vi.fn(async () => {}),
    remove: vi.fn(async () => {}),
    react: vi.fn(async () => {}),
    follow: vi.fn(async () => {}),
    close: vi.fn(),
    ...overrides,
  }
}

function openPanel(store, actions = panelActions()) {
  store.threads.open(store.conversation(ROOM).byId.get(10))
  const panel = createThreadPanel({ store, key: THREAD, actions, where: '#team', canDelete: () => false, nameOf: (id) => (id === 2 ? 'Bob' : 'Alice') })
  document.body.append(panel.element)
  return panel
}

const replyTexts = (panel) => [...panel.element.querySelectorAll('.thread-messages .message:not(.pending) .content')].map((node) => node.textContent)

afterEach(() => document.body.replaceChildren())

describe('opening a thread from the conversation', () => {
  function conversation(openThread) {
    const store = signedIn()
    const actions = { loadNewest: vi.fn(async () => {}), loadOlder: vi.fn(), send: vi.fn(), retry: vi.fn(), discard: vi.fn(), typing: vi.fn(), seen: vi.fn(), openThread }
    const view = createConversationView({ store, key: ROOM, actions })
    document.body.append(view.element)
    return { store, view }
  }

  it('offers "Reply in thread" among a message’s actions', () => {
    const openThread = vi.fn()
    const { view } = conversation(openThread)
    const node = view.element.querySelector('.message[data-id="10"]')
    node.dispatchEvent(new FocusEvent('focusin', { bubbles: true }))
    const button = [...node.querySelectorAll('.message-actions button')].find((candidate) => candidate.textContent === 'Reply in thread')
    button.click()
    expect(openThread).toHaveBeenCalledWith(expect.objectContaining({ id: 10 }))
  })

  it('makes the reply count under a root a button that opens its thread, updated live', () => {
    const openThread = vi.fn()
    const { store, view } = conversation(openThread)
    const summaryButton = () => view.element.querySelector('.message[data-id="10"] .thread-summary')
    expect(summaryButton().tagName).toBe('BUTTON')
    expect(summaryButton().textContent).toMatch(/^1 reply · last /)
    store.upsertMessage(roomMessage(10, alice, { content: 'Who reviews?', seq: 30, thread: summary(4) }))
    expect(summaryButton().textContent).toMatch(/^4 replies · last /)
    summaryButton().click()
    expect(openThread).toHaveBeenCalledTimes(1)
  })
})

describe('the thread panel', () => {
  it('shows the root on top and loads the replies once', () => {
    const store = signedIn()
    const actions = panelActions()
    const panel = openPanel(store, actions)
    expect(panel.element.querySelector('.thread-root .content').textContent).toBe('Who reviews?')
    expect(panel.element.querySelector('.thread-root .thread-summary').tagName).toBe('P')
    expect(actions.loadNewest).toHaveBeenCalledTimes(1)
    expect(panel.element.querySelector('#thread-title').textContent).toBe('Thread')
    expect(panel.element.textContent).toContain('in #team')
  })

  it('shows replies as text, appends a live one as one node, and patches an edited one in place', () => {
    const store = signedIn()
    const panel = openPanel(store)
    store.addHistoryPage(THREAD, [reply(11, bob, { content: attack })])
    expect(replyTexts(panel)).toEqual([attack])
    expect(panel.element.querySelector('img')).toBeNull()
    const first = panel.element.querySelector('.message[data-id="11"]')
    store.addMessages([reply(12, bob, { content: 'me too' })], { live: true })
    expect(replyTexts(panel)).toEqual([attack, 'me too'])
    expect(panel.element.querySelector('.message[data-id="11"]')).toBe(first)
    store.upsertMessage(reply(12, bob, { content: 'me three', seq: 40 }))
    expect(replyTexts(panel)).toEqual([attack, 'me three'])
    expect(panel.element.querySelector('.message[data-id="11"]')).toBe(first)
  })

  it('highlights mentions in the root and the replies, mine apart', () => {
    const store = signedIn()
    store.upsertMessage(roomMessage(10, alice, { content: 'Who reviews, @bob?', thread: summary(1), mentions: [2], seq: 30 }))
    store.threads.open(store.conversation(ROOM).byId.get(10))
    const nicknameOf = (id) => ({ 1: 'alice', 2: 'bob' })[id]
    const panel = createThreadPanel({ store, key: THREAD, actions: panelActions(), where: '#team', canDelete: () => false, nameOf: () => 'Bob', nicknameOf })
    document.body.append(panel.element)
    store.addHistoryPage(THREAD, [reply(11, bob, { content: 'on it, @alice', mentions: [1] })])
    const rootMention = panel.element.querySelector('.root-message .mention')
    expect(rootMention.textContent).toBe('@bob')
    expect(rootMention.classList.contains('mention-me')).toBe(false)
    expect(panel.element.querySelector('.message[data-id="11"] .mention-me').textContent).toBe('@alice')
  })

  it('completes @ names in its composer: Enter picks one instead of sending, Escape closes the list, not the thread', () => {
    const store = signedIn()
    store.threads.open(store.conversation(ROOM).byId.get(10))
    const actions = panelActions()
    const panel = createThreadPanel({ store, key: THREAD, actions, where: '#team', canDelete: () => false, nameOf: () => 'Bob', mentionable: () => [bob], inRoom: true })
    document.body.append(panel.element)
    const textarea = panel.element.querySelector('textarea')
    const key = (name) => textarea.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }))
    textarea.value = 'thanks @b'
    textarea.setSelectionRange(9, 9)
    textarea.dispatchEvent(new Event('input', { bubbles: true }))
    expect([...panel.element.querySelectorAll('[role=option]')].map((option) => option.textContent)).toEqual(['@bob Bob'])
    key('Escape')
    expect(actions.close).not.toHaveBeenCalled()
    textarea.dispatchEvent(new Event('input', { bubbles: true }))
    key('Enter')
    expect(textarea.value).toBe('thanks @bob ')
    expect(actions.send).not.toHaveBeenCalled()
    key('Escape')
    expect(actions.close).toHaveBeenCalled()
  })

  it('reports the newest reply read while the reader is at the bottom', () => {
    vi.useFakeTimers()
    const store = signedIn()
    const actions = panelActions()
    openPanel(store, actions)
    store.addHistoryPage(THREAD, [reply(11, bob)])
    vi.advanceTimersByTime(1000)
    expect(actions.seen).toHaveBeenLastCalledWith(11)
    store.addMessages([reply(12, bob)], { live: true })
    vi.advanceTimersByTime(1000)
    expect(actions.seen).toHaveBeenLastCalledWith(12)
    vi.useRealTimers()
  })

  it('sends from its own composer and shows the pending reply', () => {
    const store = signedIn()
    const actions = panelActions({ send: vi.fn((content) => store.addPending(THREAD, content)) })
    const panel = openPanel(store, actions)
    const textarea = panel.element.querySelector('#thread-composer-input')
    expect(panel.element.querySelector(`label[for="${textarea.id}"]`).textContent).toBe('Reply in the thread')
    textarea.value = 'count me in'
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    expect(actions.send).toHaveBeenCalledWith('count me in')
    expect(panel.element.querySelector('.thread-messages .pending .content').textContent).toBe('count me in')
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    expect(actions.send).toHaveBeenCalledTimes(1)
    expect(panel.element.querySelector('#thread-composer-error').textContent).toBe('Write something first.')
  })

  it('grows its composer with the reply and shrinks it back after sending', () => {
    const store = signedIn()
    const actions = panelActions()
    const panel = openPanel(store, actions)
    expectComposerToGrowAndShrink(panel.element.querySelector('#thread-composer-input'), actions.send)
  })

  it('edits my last reply on Up in its empty composer', () => {
    const store = signedIn()
    const panel = openPanel(store)
    store.addHistoryPage(THREAD, [reply(11, alice, { content: 'my reply' }), reply(12, bob)])
    const textarea = panel.element.querySelector('#thread-composer-input')
    textarea.focus()
    const up = new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true, cancelable: true })
    textarea.dispatchEvent(up)
    expect(up.defaultPrevented).toBe(true)
    const input = panel.element.querySelector('.message[data-id="11"] .edit-input')
    expect(input.value).toBe('my reply')
    expect(document.activeElement).toBe(input)
  })

  it('closes with Escape and with its close button, but not on an Escape an editor used', () => {
    const store = signedIn()
    const actions = panelActions()
    const panel = openPanel(store, actions)
    panel.element.querySelector('#thread-composer-input').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    expect(actions.close).toHaveBeenCalledTimes(1)
    const used = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true })
    used.preventDefault()
    panel.element.querySelector('#thread-composer-input').dispatchEvent(used)
    expect(actions.close).toHaveBeenCalledTimes(1)
    panel.element.querySelector('button[aria-label="Close thread"]').click()
    expect(actions.close).toHaveBeenCalledTimes(2)
  })

  it('takes no new replies under a deleted root, and keeps the thread readable', () => {
    const store = signedIn()
    const panel = openPanel(store)
    store.addHistoryPage(THREAD, [reply(11, bob)])
    store.upsertMessage(roomMessage(10, alice, { content: '', deleted: true, seq: 50, thread: summary(1) }))
    expect(panel.element.querySelector('.thread-root .content').textContent).toBe('Message deleted')
    expect(panel.element.querySelector('form.composer').hidden).toBe(true)
    expect(panel.element.querySelector('.thread-closed').hidden).toBe(false)
    expect(replyTexts(panel)).toEqual(['message 11'])
  })

  it('follows and unfollows with a toggle that says which it is', async () => {
    const store = signedIn()
    store.threads.setFollowed([])
    const actions = panelActions({
      follow: vi.fn(async (following) => (following ? store.threads.follow(store.conversation(THREAD).root) : store.threads.unfollow(10))),
    })
    const panel = openPanel(store, actions)
    const toggle = panel.element.querySelector('.thread-follow')
    expect([toggle.textContent, toggle.getAttribute('aria-pressed')]).toEqual(['Follow', 'false'])
    toggle.click()
    await vi.waitFor(() => expect(toggle.getAttribute('aria-pressed')).toBe('true'))
    expect(actions.follow).toHaveBeenLastCalledWith(true)
    expect(toggle.textContent).toBe('Following')
    toggle.click()
    await vi.waitFor(() => expect(toggle.getAttribute('aria-pressed')).toBe('false'))
    expect(actions.follow).toHaveBeenLastCalledWith(false)
  })

  it('says why following failed', async () => {
    const store = signedIn()
    store.threads.setFollowed([])
    const panel = openPanel(store, panelActions({ follow: vi.fn(async () => Promise.reject(Object.assign(new Error('x'), { detail: 'offline' }))) }))
    panel.element.querySelector('.thread-follow').click()
    await vi.waitFor(() => expect(panel.element.querySelector('.thread-panel > .field-error').textContent).toBe('Not changed: offline'))
  })

  it('stops following the store when destroyed', () => {
    const store = signedIn()
    const panel = openPanel(store)
    store.addHistoryPage(THREAD, [])
    panel.destroy()
    store.addMessages([reply(12, bob)], { live: true })
    expect(replyTexts(panel)).toEqual([])
  })
})

describe('the Threads view', () => {
  function followed(store) {
    store.threads.setFollowed([
      { root: roomMessage(20, alice, { content: 'Lunch?' }), reply_count: 1, last_reply_at: '2026-11-27T12:00:00Z', unread: 0 },
      { root: roomMessage(10, alice, { content: 'Who reviews?', seq: 15 }), reply_count: 2, last_reply_at: '2026-11-27T10:05:00Z', unread: 1 },
    ])
  }
  const rows = (view) => [...view.element.querySelectorAll('.thread-list li')]

  it('lists unread threads first, each with its conversation, excerpt, replies and unread count, as links', () => {
    const store = signedIn()
    followed(store)
    const view = createThreadsView({ store })
    document.body.append(view.element)
    expect(rows(view).map((row) => row.dataset.rootId)).toEqual(['10', '20'])
    const [first, second] = rows(view)
    expect(first.querySelector('.thread-where').textContent).toBe('#team')
    expect(first.querySelector('.item-title').textContent).toBe('You: Who reviews?')
    expect(first.querySelector('.item-subtitle').textContent).toMatch(/^2 replies · last /)
    expect(first.querySelector('.badge').textContent).toBe('1')
    expect(first.querySelector('a').getAttribute('href')).toBe('#/rooms/7/thread/10')
    expect(second.querySelector('.badge').hidden).toBe(true)
  })

  it('moves a thread up when a reply from someone else makes it unread, and back when it is read', () => {
    const store = signedIn()
    followed(store)
    const view = createThreadsView({ store })
    document.body.append(view.element)
    const lunchRow = rows(view)[1]
    store.addMessages([roomMessage(30, bob, { thread_id: 20, seq: 30 })], { live: true })
    expect(rows(view)[0]).toBe(lunchRow)
    expect(lunchRow.querySelector('.badge').textContent).toBe('1')
    store.threads.markRead(20, 30)
    store.threads.markRead(10, 12)
    expect(rows(view).map((row) => row.dataset.rootId)).toEqual(['20', '10'])
    expect(view.element.querySelectorAll('.badge:not([hidden])')).toHaveLength(0)
  })

  it('says when there is nothing to show yet, and when the list could not be loaded', async () => {
    const store = signedIn()
    const view = createThreadsView({ store, reload: () => Promise.reject(Object.assign(new Error('x'), { detail: 'offline' })) })
    document.body.append(view.element)
    await vi.waitFor(() => expect(view.element.querySelector('.history-status').textContent).toBe('Your threads could not be loaded: offline'))
    store.threads.setFollowed([])
    expect(view.element.querySelector('.history-status').textContent).toMatch(/^No threads yet/)
  })

  it('has a sidebar entry with the number of unread replies', () => {
    const store = signedIn()
    const link = createThreadsLink({ store })
    document.body.append(link.element)
    const badge = link.element.querySelector('.badge')
    expect(badge.hidden).toBe(true)
    followed(store)
    expect([badge.hidden, badge.textContent]).toEqual([false, '1'])
    store.addMessages([reply(31, bob, { seq: 31 })], { live: true })
    expect(badge.textContent).toBe('2')
    expect(link.element.textContent).toContain(', 2 unread')
    link.destroy()
  })

  it('words a row: excerpts, deleted roots, reply lines and links for DMs too', () => {
    expect(rootExcerpt({ author: bob, content: 'a\n  b', deleted: false }, 1)).toBe('Bob: a b')
    expect(rootExcerpt({ author: alice, content: '', deleted: true }, 1)).toBe('You: message deleted')
    expect(replyLine({ reply_count: 0 })).toBe('No replies yet')
    expect(threadHref({ key: 'user:2', root: { id: 5 } })).toBe('#/people/2/thread/5')
  })
})
