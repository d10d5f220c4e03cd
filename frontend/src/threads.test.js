// The store's threads part: replies kept in their thread (not the conversation), pending replies, edits and
// catch-up reaching an opened thread, and the followed threads' unread counts kept live.
import { describe, expect, it, vi } from 'vitest'
import { addressOf, catchUpChanges } from './socket.js'
import { Store, roomKey } from './store.js'
import { compareThreads, parseThreadKey, threadKey } from './threads.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const ROOM = roomKey(7)
const THREAD = threadKey(ROOM, 10)

function roomMessage(id, author, extra = {}) {
  return { id, content: `message ${id}`, date: new Date(Date.UTC(2026, 10, 27, 10, 0, id)).toISOString(), author, recipient: null, room_id: 7, client_id: null, seq: id, ...extra }
}
const reply = (id, author, extra = {}) => roomMessage(id, author, { thread_id: 10, ...extra })
const summary = (count, at = '2026-11-27T10:05:00Z') => ({ reply_count: count, last_reply_at: at, participant_ids: [2] })

function signedIn() {
  const store = new Store()
  store.setSession(alice)
  store.setRooms([{ id: 7, name: 'team', owner: alice, members: [alice, bob], created_at: '2026-11-19T09:00:00Z', last_message: null, unread: 0 }])
  store.addHistoryPage(ROOM, [roomMessage(10, alice)])
  return store
}

/** The thread under message 10, opened: its root known and its first page of replies loaded. */
function opened(store, replies = []) {
  store.threads.open(store.conversation(ROOM).byId.get(10))
  store.addHistoryPage(THREAD, replies)
  return store.conversation(THREAD)
}

const ids = (conversation) => conversation.messages.map((message) => message.id)

function events(store, type) {
  const seen = []
  store.addEventListener(type, (event) => seen.push(event.detail))
  return seen
}

describe('thread keys', () => {
  it('name a thread by its conversation and root, and address a send to both', () => {
    expect(THREAD).toBe('room:7/thread/10')
    expect(parseThreadKey(THREAD)).toEqual({ conversationKey: ROOM, rootId: 10 })
    expect(parseThreadKey('room:7')).toBeNull()
    expect(addressOf(THREAD)).toEqual({ room_id: 7, thread_id: 10 })
    expect(addressOf(threadKey('user:2', 5))).toEqual({ recipient_id: 2, thread_id: 5 })
  })
})

describe('replies in the store', () => {
  it('keeps a reply out of the conversation and out of its unread count, and in its opened thread', () => {
    const store = signedIn()
    store.setActive(null)
    const thread = opened(store, [reply(11, bob)])
    const changes = events(store, 'conversation')
    store.addMessages([reply(12, bob)], { live: true })
    expect(ids(store.conversation(ROOM))).toEqual([10])
    expect(store.rooms.get(7).unread).toBe(0)
    expect(store.rooms.get(7).last_message.id).toBe(10)
    expect(ids(thread)).toEqual([11, 12])
    expect(changes).toEqual([{ key: THREAD, added: [reply(12, bob)], updated: [], pending: [], status: false }])
  })

  it('does not keep replies of a thread that was never opened (its page brings them, without a hole)', () => {
    const store = signedIn()
    store.addMessages([reply(12, bob)], { live: true })
    expect(store.conversations.has(THREAD)).toBe(false)
  })

  it('turns a pending reply into the stored one by its client id', () => {
    const store = signedIn()
    const thread = opened(store)
    const pending = store.addPending(THREAD, 'on it')
    expect(thread.pending.size).toBe(1)
    store.addMessages([reply(12, alice, { content: 'on it', client_id: pending.client_id })], { live: true })
    expect(thread.pending.size).toBe(0)
    expect(ids(thread)).toEqual([12])
  })

  it('replaces a reply with a newer version (an edit, a deletion), and ignores an older one', () => {
    const store = signedIn()
    const thread = opened(store, [reply(11, bob, { seq: 20 })])
    expect(store.upsertMessage(reply(11, bob, { content: 'edited', seq: 21 }))).toBe(true)
    expect(thread.byId.get(11).content).toBe('edited')
    expect(store.upsertMessage(reply(11, bob, { content: 'stale', seq: 19 }))).toBe(false)
    store.markDeleted(11, THREAD)
    expect(thread.byId.get(11).deleted).toBe(true)
    expect(ids(store.conversation(ROOM))).toEqual([10])
  })

  it('adds replies from a catch-up to an opened thread: new ones, not older ones it does not hold', () => {
    const store = signedIn()
    const thread = opened(store, [reply(15, bob)])
    store.applyChanges([reply(12, bob, { seq: 30 }), reply(16, bob, { seq: 31 })], { newerThan: 15 })
    expect(ids(thread)).toEqual([15, 16])
  })

  it('keeps the root of an opened thread up to date (its reply count comes with it)', () => {
    const store = signedIn()
    const thread = opened(store)
    const changes = events(store, 'conversation')
    store.upsertMessage(roomMessage(10, alice, { seq: 40, thread: summary(1) }))
    expect(thread.root.thread.reply_count).toBe(1)
    expect(changes.find((change) => change.key === THREAD)).toMatchObject({ root: true })
    expect(store.conversation(ROOM).byId.get(10).thread.reply_count).toBe(1)
  })

  it('forgets a room’s threads when I am no longer in it', () => {
    const store = signedIn()
    opened(store)
    store.threads.setFollowed([{ root: roomMessage(10, alice), reply_count: 0, last_reply_at: null, unread: 0 }])
    store.removeRoom(7)
    expect(store.conversations.has(THREAD)).toBe(false)
    expect(store.threads.followed.size).toBe(0)
  })
})

describe('followed threads', () => {
  function following(store, { unread = 0, seq = 10 } = {}) {
    store.threads.setFollowed([{ root: roomMessage(10, alice, { seq, thread: summary(2) }), reply_count: 2, last_reply_at: '2026-11-27T10:05:00Z', unread }])
  }

  it('counts a live reply from someone else once, and neither mine nor one the list already counted', () => {
    const store = signedIn()
    following(store, { unread: 1, seq: 20 })
    expect(store.threads.unreadTotal).toBe(1)
    const announced = events(store, 'threads')
    store.addMessages([reply(21, bob, { seq: 21 })], { live: true })
    store.addMessages([reply(21, bob, { seq: 21 })], { live: true })
    expect(store.threads.followed.get(10).unread).toBe(2)
    expect(announced).toEqual([{ ids: [10] }])
    store.addMessages([reply(22, alice, { seq: 22 })], { live: true })
    store.addMessages([reply(19, bob, { seq: 19 })], { live: true })
    expect(store.threads.unreadTotal).toBe(2)
    // A page of history is not news.
    store.addMessages([reply(23, bob, { seq: 23 })])
    expect(store.threads.unreadTotal).toBe(2)
  })

  it('takes a deleted unread reply off the count at once, and asks the server to recount one its list counted', () => {
    const store = signedIn()
    following(store, { unread: 1, seq: 20 })
    store.addMessages([reply(21, bob, { seq: 21 })], { live: true })
    expect(store.threads.unreadTotal).toBe(2)
    const announced = events(store, 'threads')
    store.upsertMessage(reply(21, bob, { seq: 22, deleted: true, content: '' }))
    expect(store.threads.followed.get(10).unread).toBe(1)
    expect(store.threads.unreadTotal).toBe(1)
    expect(announced).toEqual([{ ids: [10] }])
    // Reply 19 is older than the list's root version: the server's count of 1 may include it.
    store.upsertMessage(reply(19, bob, { seq: 23, deleted: true, content: '' }))
    expect(announced.at(-1)).toEqual({ stale: true })
    // My own deleted reply was never unread.
    announced.length = 0
    store.upsertMessage(reply(24, alice, { seq: 24, deleted: true, content: '' }))
    expect(announced).toEqual([])
  })

  it('counts a reply that arrives through a catch-up as new', () => {
    const store = signedIn()
    following(store, { seq: 20 })
    store.applyChanges([reply(25, bob, { seq: 26 })], { newerThan: 21 })
    expect(store.threads.followed.get(10).unread).toBe(1)
  })

  it('brings a reply and its root’s new summary from a REST catch-up into the open thread and the unread count', async () => {
    const store = signedIn()
    following(store, { seq: 20 })
    const thread = opened(store, [reply(15, bob, { seq: 15 })])
    const api = { changes: vi.fn(async () => [reply(25, bob, { seq: 26 }), roomMessage(10, alice, { seq: 27, thread: summary(3) })]) }
    await catchUpChanges(api, store, 21, { newerThan: 24 })
    expect(ids(thread)).toEqual([15, 25])
    expect(thread.root.thread.reply_count).toBe(3)
    expect(store.threads.followed.get(10)).toMatchObject({ unread: 1, reply_count: 3 })
    expect(ids(store.conversation(ROOM))).toEqual([10])
  })

  it('takes the reply count and last reply time from the root’s newer versions', () => {
    const store = signedIn()
    following(store)
    store.upsertMessage(roomMessage(10, alice, { seq: 50, thread: summary(3, '2026-11-27T11:00:00Z') }))
    expect(store.threads.followed.get(10)).toMatchObject({ reply_count: 3, last_reply_at: '2026-11-27T11:00:00Z' })
  })

  it('reads a thread forward only: a report for an older reply is not sent again', () => {
    const store = signedIn()
    following(store, { unread: 2 })
    expect(store.threads.markRead(10, 30)).toBe(true)
    expect(store.threads.followed.get(10).unread).toBe(0)
    expect(store.threads.unreadTotal).toBe(0)
    expect(store.threads.markRead(10, 29)).toBe(false)
    expect(store.threads.markRead(10, 30)).toBe(false)
    expect(store.threads.markRead(10, 31)).toBe(true)
    store.threads.forgetRead(10)
    expect(store.threads.markRead(10, 31)).toBe(true)
  })

  it('keeps a thread read here read when the server’s list has not heard of it yet', () => {
    const store = signedIn()
    opened(store, [reply(11, bob), reply(12, bob)])
    store.threads.markRead(10, 12)
    following(store, { unread: 2 })
    expect(store.threads.followed.get(10).unread).toBe(0)
    store.addMessages([reply(13, bob, { seq: 13 })], { live: true })
    following(store, { unread: 3 })
    expect(store.threads.followed.get(10).unread).toBe(3)
  })

  it('asks for the list again when a thread I now follow may be missing from it', () => {
    const store = signedIn()
    store.threads.setFollowed([])
    const announced = events(store, 'threads')
    store.addMessages([reply(11, bob)], { live: true })
    expect(announced).toEqual([{ stale: true }])
  })

  it('follows and unfollows locally', () => {
    const store = signedIn()
    store.threads.setFollowed([])
    store.threads.follow(roomMessage(10, alice, { thread: summary(2) }))
    expect(store.threads.isFollowing(10)).toBe(true)
    expect(store.threads.followed.get(10)).toMatchObject({ reply_count: 2, unread: 0, key: ROOM })
    store.threads.unfollow(10)
    expect(store.threads.isFollowing(10)).toBe(false)
  })

  it('orders unread threads first, then the most recently active', () => {
    const thread = (id, unread, at) => ({ root: { id, date: '2026-11-27T09:00:00Z' }, unread, last_reply_at: at })
    const list = [thread(1, 0, '2026-11-27T12:00:00Z'), thread(2, 3, '2026-11-27T10:00:00Z'), thread(3, 0, '2026-11-27T13:00:00Z'), thread(4, 1, null)]
    expect(list.sort(compareThreads).map((entry) => entry.root.id)).toEqual([2, 4, 3, 1])
  })
})

describe('store events', () => {
  it('announces nothing for the conversation when a reply arrives', () => {
    const store = signedIn()
    const listener = vi.fn()
    store.addEventListener('incoming', listener)
    store.addMessages([reply(11, bob)], { live: true })
    expect(listener).not.toHaveBeenCalled()
  })
})
