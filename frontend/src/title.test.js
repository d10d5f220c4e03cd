import { afterEach, describe, expect, it } from 'vitest'
import { Store, directKey } from './store.js'
import { createUnreadTitle } from './title.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const carol = { id: 3, name: 'Carol', nickname: 'carol' }

function dm(id, author) {
  return { id, content: `message ${id}`, date: '2026-11-27T10:00:00Z', author, recipient: alice, room_id: null, client_id: null }
}

function setVisibility(state) {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
  document.dispatchEvent(new Event('visibilitychange'))
}

afterEach(() => {
  delete document.visibilityState
  document.title = ''
})

describe('tab title', () => {
  it('counts what arrives in the open conversation while the tab is hidden, and clears when the reader returns', () => {
    const store = new Store()
    store.setSession(alice)
    store.setPeople([{ ...bob, unread: 0 }, { ...carol, unread: 0 }])
    store.setRooms([])
    store.setActive(directKey(2))
    const title = createUnreadTitle({ store })
    expect(document.title).toBe('confab')
    store.addMessages([dm(1, bob)], { live: true })
    expect(document.title).toBe('confab')
    setVisibility('hidden')
    store.addMessages([dm(2, bob)], { live: true })
    store.addMessages([dm(3, bob), dm(4, bob)], { live: true })
    expect(document.title).toBe('(3) confab')
    setVisibility('visible')
    expect(document.title).toBe('confab')
    title.destroy()
  })

  it('counts the badges of other conversations too, which stay until they are read', () => {
    const store = new Store()
    store.setSession(alice)
    store.setPeople([{ ...bob, unread: 2 }, { ...carol, unread: 0 }])
    store.setRooms([{ id: 7, name: 'team', members: [alice], unread: 1 }])
    createUnreadTitle({ store })
    expect(document.title).toBe('(3) confab')
    store.addMessages([{ ...dm(5, carol) }], { live: true })
    expect(document.title).toBe('(4) confab')
    store.setActive(directKey(2))
    expect(document.title).toBe('(2) confab')
    store.removeRoom(7)
    expect(document.title).toBe('(1) confab')
    expect(store.unreadTotal).toBe(1)
  })
})
