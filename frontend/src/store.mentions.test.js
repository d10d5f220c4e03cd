import { describe, expect, it } from 'vitest'
import { Store, roomKey } from './store.js'
import { createSidebar } from './views/sidebar.js'

const me = { id: 2, name: 'Bob', nickname: 'bob' }
const alice = { id: 1, name: 'Alice', nickname: 'alice' }

describe('unread mentions', () => {
  it('count live mentions of me outside the open conversation, show as a badge, and clear when opened', () => {
    const store = new Store()
    store.setSession(me)
    store.setRooms([{ id: 7, name: 'launch', members: [alice, me], unread: 0, mentions_unread: 0, created_at: '2026-11-27T10:00:00Z' }])
    const sidebar = createSidebar({ store, onLogOut() {} })
    const message = (id, mentions) => ({ id, seq: id, content: 'x', date: '2026-11-27T10:00:00Z', author: alice, room_id: 7, mentions })
    store.addMessages([message(10, [2]), message(11, []), message(12, [1, 2])], { live: true })
    expect([store.rooms.get(7).unread, store.rooms.get(7).mentions_unread]).toEqual([3, 2])
    const row = sidebar.element.querySelector('a.item[href="#/rooms/7"]')
    expect(row.querySelector('.mention-badge').textContent).toBe('@2')
    expect(row.textContent).toContain('2 mentions')
    store.setActive(roomKey(7))
    expect(store.rooms.get(7).mentions_unread).toBe(0)
    expect(row.querySelector('.mention-badge')).toBeNull()
    sidebar.destroy()
  })
})
