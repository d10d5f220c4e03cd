import { describe, expect, it, vi } from 'vitest'
import { badgeChangedBy, createBadgeRecount } from './badges.js'
import { Store, directKey, roomKey } from './store.js'
import { createSidebar } from './views/sidebar.js'

const me = { id: 2, name: 'Bob', nickname: 'bob' }
const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const carol = { id: 3, name: 'Carol', nickname: 'carol' }

const inRoom = (id, mentions, extra = {}) => ({ id, seq: id, content: 'x', date: '2026-11-27T10:00:00Z', author: alice, room_id: 7, mentions, ...extra })
const toMe = (id, mentions, extra = {}) => ({ ...inRoom(id, mentions, extra), room_id: null, recipient: me })
const deleted = (message) => ({ ...message, deleted: true, content: '', mentions: [], seq: message.seq + 10 })
const edited = (message, mentions) => ({ ...message, mentions, seq: message.seq + 10 })

/** Bob, with a room and a DM conversation, each counting `unread` messages, `mentions` of them mentioning him. */
function storeWith({ unread = 0, mentions = 0 } = {}) {
  const store = new Store()
  store.setSession(me)
  store.setRooms([{ id: 7, name: 'launch', members: [alice, me], unread, mentions_unread: mentions, created_at: '2026-11-27T10:00:00Z' }])
  store.setPeople([{ ...alice, unread, mentions_unread: mentions }])
  return store
}

describe('which changes may move a badge', () => {
  it('a deleted unread mention of me, held or not, in a room or a DM', () => {
    const store = storeWith({ unread: 2, mentions: 1 })
    const held = inRoom(10, [2])
    store.addMessages([held])
    expect(badgeChangedBy(store, deleted(held))).toBe(roomKey(7))
    // Counted by the server before this tab held it: it may have been a mention.
    expect(badgeChangedBy(store, deleted(inRoom(4, [])))).toBe(roomKey(7))
    expect(badgeChangedBy(store, deleted(toMe(5, [])))).toBe(directKey(1))
  })

  it('an edit that takes my mention out, or puts it in while something is unread', () => {
    const store = storeWith({ unread: 2, mentions: 1 })
    const mention = inRoom(10, [2])
    const plain = inRoom(11, [])
    store.addMessages([mention, plain])
    expect(badgeChangedBy(store, edited(mention, []))).toBe(roomKey(7))
    expect(badgeChangedBy(store, edited(plain, [2, 3]))).toBe(roomKey(7))
  })

  it('a deleted message of any kind while something is unread: it may have been one of those counted', () => {
    const store = storeWith({ unread: 3, mentions: 0 })
    const plain = inRoom(11, [3])
    store.addMessages([plain])
    expect(badgeChangedBy(store, deleted(plain))).toBe(roomKey(7))
    expect(badgeChangedBy(store, deleted(toMe(5, [])))).toBe(directKey(1))
    const read = storeWith()
    read.addMessages([plain])
    expect(badgeChangedBy(read, deleted(plain))).toBeNull()
  })

  it('not when the badge cannot move, or the message never counted', () => {
    const store = storeWith({ unread: 3, mentions: 0 })
    const mention = inRoom(10, [2])
    const plain = inRoom(11, [3])
    const mine = { ...inRoom(12, [1]), author: me }
    store.addMessages([mention, plain, mine])
    // Still a mention of me, still not one, or an older version.
    expect(badgeChangedBy(store, edited(inRoom(10, [2]), [2, 3]))).toBeNull()
    expect(badgeChangedBy(store, edited(plain, [3, 1]))).toBeNull()
    expect(badgeChangedBy(store, { ...mention, mentions: [], seq: 5 })).toBeNull()
    // Deleted already: its second deletion changes nothing.
    const gone = deleted(plain)
    store.addMessages([gone])
    expect(badgeChangedBy(store, { ...gone, seq: gone.seq + 1 })).toBeNull()
    // My own messages are never unread; replies count in their threads.
    expect(badgeChangedBy(store, edited(mine, [2]))).toBeNull()
    expect(badgeChangedBy(store, deleted(inRoom(20, [2], { thread_id: 10 })))).toBeNull()
    // Nothing unread: a mention put in is of a message already read.
    const quiet = storeWith()
    quiet.addMessages([plain])
    expect(badgeChangedBy(quiet, edited(plain, [2]))).toBeNull()
  })
})

describe('reading the counts again', () => {
  const room = (unread, mentions) => ({ id: 7, name: 'launch', members: [alice, me], unread, mentions_unread: mentions, created_at: '2026-11-27T10:00:00Z' })

  it('takes the server’s counts for that room only, and the sidebar shows them', async () => {
    const store = storeWith({ unread: 2, mentions: 1 })
    store.upsertRoom(room(2, 1))
    store.upsertRoom({ ...room(4, 4), id: 8, name: 'ops' })
    const sidebar = createSidebar({ store, onLogOut() {} })
    const row = sidebar.element.querySelector('a.item[href="#/rooms/7"]')
    expect(row.querySelector('.mention-badge').textContent).toBe('@1')
    const api = { rooms: vi.fn(async () => [room(1, 0), { ...room(0, 0), id: 8, name: 'ops' }]), conversationPeople: vi.fn() }
    await createBadgeRecount({ api, store }).recount(roomKey(7))
    expect(api.conversationPeople).not.toHaveBeenCalled()
    expect([store.rooms.get(7).unread, store.rooms.get(7).mentions_unread]).toEqual([1, 0])
    expect(row.querySelector('.mention-badge')).toBeNull()
    expect(row.querySelector('.badge').textContent).toBe('1')
    // The other room keeps what this tab counted.
    expect(store.rooms.get(8).mentions_unread).toBe(4)
    expect(store.unreadTotal).toBe(1 + 2 + 4)
    sidebar.destroy()
  })

  it('asks for my DM conversations, one request at a time, one more for those asked about meanwhile', async () => {
    const store = storeWith({ unread: 2, mentions: 2 })
    store.addPerson({ ...carol, unread: 1, mentions_unread: 1 })
    const answers = []
    const api = { rooms: vi.fn(), conversationPeople: vi.fn(() => new Promise((resolve) => answers.push(resolve))) }
    const badges = createBadgeRecount({ api, store })
    const first = badges.recount(directKey(1))
    badges.recount(directKey(3))
    badges.recount(directKey(1))
    expect(api.conversationPeople).toHaveBeenCalledTimes(1)
    answers.shift()([{ ...alice, unread: 1, mentions_unread: 1 }, { ...carol, unread: 1, mentions_unread: 1 }])
    await vi.waitFor(() => expect(api.conversationPeople).toHaveBeenCalledTimes(2))
    answers.shift()([{ ...alice, unread: 1, mentions_unread: 0 }, { ...carol, unread: 0, mentions_unread: 0 }])
    await first
    expect(api.conversationPeople).toHaveBeenCalledTimes(2)
    expect(api.rooms).not.toHaveBeenCalled()
    expect([store.people.get(1).unread, store.people.get(1).mentions_unread]).toEqual([1, 0])
    expect([store.people.get(3).unread, store.people.get(3).mentions_unread]).toEqual([0, 0])
  })

  it('leaves the open conversation at zero, and the badge as it was when the server cannot say', async () => {
    const store = storeWith({ unread: 2, mentions: 1 })
    store.setActive(roomKey(7))
    const api = { rooms: vi.fn(async () => [room(2, 1)]) }
    await createBadgeRecount({ api, store }).recount(roomKey(7))
    expect([store.rooms.get(7).unread, store.rooms.get(7).mentions_unread]).toEqual([0, 0])

    const other = storeWith({ unread: 2, mentions: 1 })
    const failing = { rooms: vi.fn(async () => Promise.reject(new Error('offline'))) }
    await createBadgeRecount({ api: failing, store: other }).recount(roomKey(7))
    expect(other.rooms.get(7).mentions_unread).toBe(1)
  })
})
