import { describe, expect, it, vi } from 'vitest'
import { Store, directKey, keyOf, newClientId, parseKey, roomKey } from './store.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const carol = { id: 3, name: 'Carol', nickname: 'carol' }

let nextDate = Date.parse('2026-11-25T10:00:00Z')
function dm(id, author, recipient, extra = {}) {
  nextDate += 1000
  return { id, content: `message ${id}`, date: new Date(nextDate).toISOString(), author, recipient, room_id: null, client_id: null, ...extra }
}
function roomMessage(id, author, roomId, extra = {}) {
  return { ...dm(id, author, null), room_id: roomId, ...extra }
}

function signedInStore() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([
    { ...alice, online: true, unread: 0 },
    { ...bob, online: false, unread: 2 },
  ])
  store.setRooms([{ id: 7, name: 'general', owner: alice, members: [alice, bob], created_at: '2026-11-25T09:00:00Z', last_message: null, unread: 0 }])
  return store
}

function recordEvents(store, ...types) {
  const seen = []
  for (const type of types) store.addEventListener(type, (event) => seen.push([type, event.detail]))
  return seen
}

describe('conversation keys', () => {
  it('files a DM under the other person, from either side', () => {
    expect(keyOf(dm(1, alice, bob), alice.id)).toBe('user:2')
    expect(keyOf(dm(2, bob, alice), alice.id)).toBe('user:2')
    expect(keyOf(roomMessage(3, bob, 7), alice.id)).toBe('room:7')
  })

  it('parses keys and refuses anything else', () => {
    expect(parseKey(roomKey(7))).toEqual({ kind: 'room', id: 7 })
    expect(parseKey(directKey(2))).toEqual({ kind: 'user', id: 2 })
    expect(parseKey('user:x')).toBeNull()
    expect(parseKey(null)).toBeNull()
  })

  it('makes client ids the server accepts', () => {
    const id = newClientId()
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
    expect(newClientId()).not.toBe(id)
  })
})

describe('Store', () => {
  it('orders my conversations: unread first, then the server order, and a new message moves one up', () => {
    const store = signedInStore()
    const dave = { id: 4, name: 'Dave', nickname: 'dave' }
    store.setPeople([carol, { ...bob, unread: 0 }, { ...dave, unread: 1 }])
    const order = () => store.peopleByConversation().map((person) => person.nickname)
    expect(order()).toEqual(['dave', 'carol', 'bob'])
    // History (not live) does not reorder; a live message, received or my own just sent, does.
    store.addMessages([dm(50, bob, alice)])
    expect(order()).toEqual(['dave', 'carol', 'bob'])
    store.addMessages([dm(51, alice, bob)], { live: true })
    expect(order()).toEqual(['dave', 'bob', 'carol'])
    store.setActive(directKey(4))
    expect(order()).toEqual(['bob', 'carol', 'dave'])
    store.addMessages([dm(52, carol, alice)], { live: true })
    expect(order()).toEqual(['carol', 'bob', 'dave'])
  })

  it('leaves me out of the people list and sorts people by name', () => {
    const store = signedInStore()
    store.setPeople([carol, bob, alice])
    expect(store.peopleByName().map((person) => person.nickname)).toEqual(['bob', 'carol'])
  })

  it('keeps each message once, in id order, whatever order and source it comes from', () => {
    const store = signedInStore()
    const events = recordEvents(store, 'conversation')
    store.addMessages([dm(5, bob, alice), dm(3, alice, bob)])
    store.addMessages([dm(5, bob, alice), dm(4, bob, alice), dm(3, alice, bob)])
    const conversation = store.conversation(directKey(2))
    expect(conversation.messages.map((message) => message.id)).toEqual([3, 4, 5])
    expect(store.lastId).toBe(5)
    expect(events.every(([, detail]) => detail.key === 'user:2')).toBe(true)
    // Each call that changed the conversation announced it once, so an open view redraws.
    expect(events.map(([, detail]) => detail.key)).toEqual(['user:2', 'user:2'])
  })

  it('replaces the pending bubble with the stored message carrying its client id', () => {
    const store = signedInStore()
    const pending = store.addPending(directKey(2), 'hello')
    expect(pending.status).toBe('sending')
    expect(store.conversation(directKey(2)).pending.size).toBe(1)
    const stored = dm(10, alice, bob, { content: 'hello', client_id: pending.client_id })
    store.addMessages([stored], { live: true })
    store.addMessages([stored])
    const conversation = store.conversation(directKey(2))
    expect(conversation.pending.size).toBe(0)
    expect(conversation.messages).toHaveLength(1)
  })

  it('counts live messages from others as unread, except in the open conversation or my own', () => {
    const store = signedInStore()
    store.addMessages([dm(11, bob, alice)], { live: true })
    expect(store.people.get(2).unread).toBe(3)
    store.addMessages([roomMessage(12, bob, 7), roomMessage(13, alice, 7)], { live: true })
    expect(store.rooms.get(7).unread).toBe(1)
    store.setActive(roomKey(7))
    expect(store.rooms.get(7).unread).toBe(0)
    store.addMessages([roomMessage(14, bob, 7)], { live: true })
    expect(store.rooms.get(7).unread).toBe(0)
    store.addMessages([dm(15, bob, alice)])
    expect(store.people.get(2).unread).toBe(3)
  })

  it('announces incoming messages from others, once', () => {
    const store = signedInStore()
    const events = recordEvents(store, 'incoming')
    store.addMessages([dm(20, bob, alice), dm(21, alice, bob)], { live: true })
    store.addMessages([dm(20, bob, alice)], { live: true })
    expect(events).toHaveLength(1)
    expect(events[0][1].messages.map((message) => message.id)).toEqual([20])
  })

  it('updates a room preview only with a newer message', () => {
    const store = signedInStore()
    store.addMessages([roomMessage(30, bob, 7)])
    store.addMessages([roomMessage(25, alice, 7)])
    expect(store.rooms.get(7).last_message.id).toBe(30)
  })

  it('sorts rooms by their latest activity', () => {
    const store = signedInStore()
    store.upsertRoom({ id: 8, name: 'later', owner: alice, members: [alice], created_at: '2026-11-25T09:30:00Z' })
    expect(store.roomsByActivity().map((room) => room.id)).toEqual([8, 7])
    store.addMessages([roomMessage(40, bob, 7)])
    expect(store.roomsByActivity().map((room) => room.id)).toEqual([7, 8])
  })

  it('keeps preview and unread count when a room membership changes', () => {
    const store = signedInStore()
    store.addMessages([roomMessage(41, bob, 7)], { live: true })
    store.upsertRoom({ id: 7, name: 'general', owner: alice, members: [alice, bob, carol], created_at: '2026-11-25T09:00:00Z' })
    const room = store.rooms.get(7)
    expect(room.members).toHaveLength(3)
    expect(room.unread).toBe(1)
    expect(room.last_message.id).toBe(41)
  })

  it('forgets a room I left, with its conversation', () => {
    const store = signedInStore()
    store.addMessages([roomMessage(42, bob, 7)])
    store.removeRoom(7)
    expect(store.rooms.has(7)).toBe(false)
    expect(store.conversations.has(roomKey(7))).toBe(false)
  })

  it('adds a stranger who writes to me to the people list', () => {
    const store = signedInStore()
    store.addMessages([dm(50, carol, alice)], { live: true })
    expect(store.people.get(3)).toMatchObject({ nickname: 'carol', unread: 1 })
  })

  it('knows whether there are older pages from the size of the last one', () => {
    const store = signedInStore()
    store.addHistoryPage(directKey(2), [dm(60, bob, alice), dm(61, alice, bob)], { limit: 2 })
    expect(store.conversation(directKey(2))).toMatchObject({ loaded: true, hasOlder: true })
    store.addHistoryPage(directKey(2), [dm(59, bob, alice)], { limit: 2 })
    expect(store.conversation(directKey(2)).hasOlder).toBe(false)
    expect(store.conversation(directKey(2)).messages.map((message) => message.id)).toEqual([59, 60, 61])
  })

  it('shows typing for a while, and stops it when that person’s message arrives', () => {
    vi.useFakeTimers()
    try {
      const store = signedInStore()
      store.setTyping(directKey(2), 2)
      expect(store.typingIn(directKey(2))).toEqual([2])
      vi.advanceTimersByTime(5000)
      expect(store.typingIn(directKey(2))).toEqual([])
      store.setTyping(directKey(2), 2)
      store.addMessages([dm(70, bob, alice)], { live: true })
      expect(store.typingIn(directKey(2))).toEqual([])
    } finally {
      vi.useRealTimers()
    }
  })

  it('marks a failed send with its reason, and forgets everything on clear', () => {
    const store = signedInStore()
    const pending = store.addPending(roomKey(7), 'hi')
    store.setPendingStatus(roomKey(7), pending.client_id, 'failed', 'You are not a member of this room')
    expect(store.conversation(roomKey(7)).pending.get(pending.client_id)).toMatchObject({ status: 'failed', error: 'You are not a member of this room' })
    store.clear()
    expect(store.me).toBeNull()
    expect(store.conversations.size).toBe(0)
    expect(store.lastId).toBe(0)
  })

  it('replaces a known message only with a higher seq (a missing seq is 0), and says which one changed', () => {
    const store = signedInStore()
    store.addMessages([dm(1, bob, alice), dm(2, bob, alice)])
    const events = recordEvents(store, 'conversation')
    expect(store.upsertMessage({ ...dm(2, bob, alice), content: 'unchanged version' })).toBe(false)
    expect(store.upsertMessage({ ...dm(2, bob, alice), content: 'edited', seq: 3 })).toBe(true)
    expect(store.upsertMessage({ ...dm(2, bob, alice), content: 'older edit', seq: 2 })).toBe(false)
    const conversation = store.conversation(directKey(2))
    expect(conversation.messages.map((message) => message.content)).toEqual(['message 1', 'edited'])
    expect(conversation.byId.get(2).content).toBe('edited')
    expect(events).toHaveLength(1)
    expect(events[0][1]).toMatchObject({ key: 'user:2', added: [], updated: [{ id: 2, content: 'edited', seq: 3 }] })
    // Not known yet: newer than the oldest held, it is added in id order; older, it waits for its page.
    expect(store.upsertMessage({ ...dm(4, bob, alice), seq: 1 })).toBe(true)
    expect(store.upsertMessage({ ...dm(0, bob, alice), seq: 1 })).toBe(false)
    expect(conversation.messages.map((message) => message.id)).toEqual([1, 2, 4])
    expect(store.upsertMessage({ ...dm(1, alice, carol), seq: 1 })).toBe(false)
  })

  it('takes a message read again for fresh file links at the same seq, but never an older version', () => {
    const store = signedInStore()
    store.addMessages([dm(5, bob, alice, { seq: 4, files: [{ id: 1, url: '/api/files/1/content?expires=1' }] })])
    const events = recordEvents(store, 'conversation')
    const fresh = dm(5, bob, alice, { seq: 4, files: [{ id: 1, url: '/api/files/1/content?expires=2' }] })
    expect(store.refreshLinks(fresh)).toBe(true)
    expect(store.conversation(directKey(2)).byId.get(5).files[0].url).toContain('expires=2')
    expect(events[0][1]).toMatchObject({ key: 'user:2', added: [], updated: [fresh] })
    expect(store.refreshLinks(dm(5, bob, alice, { seq: 3, files: [] }))).toBe(false)
    expect(store.refreshLinks(dm(6, bob, alice, { seq: 9 }))).toBe(false)
    expect(store.conversation(directKey(2)).messages.map((message) => message.id)).toEqual([5])
  })

  it('keeps the unread total as badges change, for the tab title', () => {
    const store = signedInStore()
    expect(store.unreadTotal).toBe(2)
    store.addMessages([roomMessage(30, bob, 7)], { live: true })
    expect(store.unreadTotal).toBe(3)
    store.setActive(roomKey(7))
    expect(store.conversation(roomKey(7)).unreadAtOpen).toBe(1)
    expect(store.unreadTotal).toBe(2)
    store.upsertRoom({ id: 7, name: 'general', unread: 4 })
    expect(store.unreadTotal).toBe(6)
    const events = recordEvents(store, 'rooms')
    store.removeRoom(7)
    expect(store.unreadTotal).toBe(2)
    expect(events[0][1]).toMatchObject({ ids: [], removed: [7], removedRooms: [{ id: 7, name: 'general' }] })
    store.removeRoom(7)
    expect(events).toHaveLength(1)
  })

  it('adds people who signed up since, without touching the unread counts of those known', () => {
    const store = signedInStore()
    store.people.get(bob.id).unread = 0
    store.recountUnread()
    store.addPeople([{ ...bob, unread: 5 }, { ...carol, unread: 1 }, alice])
    expect(store.people.get(bob.id).unread).toBe(0)
    expect(store.people.get(carol.id).unread).toBe(1)
    expect(store.people.has(alice.id)).toBe(false)
    expect(store.unreadTotal).toBe(1)
  })
})

describe('replies in threads', () => {
  it('keeps a reply out of the conversation list and its counts; the root takes its new summary by seq', () => {
    const store = signedInStore()
    store.addMessages([roomMessage(43, bob, 7, { seq: 43 })])
    store.addMessages([roomMessage(50, bob, 7, { seq: 52, thread_id: 43 })], { live: true })
    const key = roomKey(7)
    expect(store.conversation(key).messages.map((message) => message.id)).toEqual([43])
    expect(store.rooms.get(7).unread).toBe(0)
    expect(store.rooms.get(7).last_message.id).toBe(43)
    const thread = { reply_count: 1, last_reply_at: '2026-11-25T10:06:00Z', participant_ids: [bob.id] }
    store.addMessages([roomMessage(43, bob, 7, { seq: 53, thread })], { live: true })
    expect(store.conversation(key).messages).toEqual([expect.objectContaining({ id: 43, thread })])
  })
})
