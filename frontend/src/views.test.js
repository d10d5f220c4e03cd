import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from './api.js'
import { Store, directKey, roomKey } from './store.js'
import { renderAuth } from './views/auth.js'
import { expectComposerToGrowAndShrink } from './views/composerGrowth.testing.js'
import { createConversationView, typingSentence } from './views/conversation.js'
import { placeError } from './views/errors.js'
import { h } from './views/h.js'
import { renderNewRoom } from './views/newRoom.js'
import { createSidebar } from './views/sidebar.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const attack = '<img src=x onerror=alert(1)>'

function message(id, author, extra = {}) {
  return { id, content: `message ${id}`, date: '2026-11-25T10:00:00Z', author, recipient: author.id === 1 ? bob : alice, room_id: null, client_id: null, ...extra }
}

function storeWithBob() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }])
  return store
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

afterEach(() => document.body.replaceChildren())

describe('h', () => {
  it('puts strings in as text, never as markup', () => {
    const element = h('p', { class: 'x', title: attack }, attack, null, false, ['a', 1])
    expect(element.textContent).toBe(`${attack}a1`)
    expect(element.querySelector('img')).toBeNull()
    expect(element.getAttribute('title')).toBe(attack)
  })

  it('refuses an event attribute that is not a function and a link with a scheme', () => {
    expect(() => h('button', { onclick: 'alert(1)' })).toThrow(TypeError)
    expect(() => h('a', { href: 'javascript:alert(1)' })).toThrow(TypeError)
    expect(() => h('a', { href: 'https://elsewhere.example' })).toThrow(TypeError)
    expect(() => h('a', { href: '//elsewhere.example' })).toThrow(TypeError)
    expect(h('a', { href: '#/rooms/3' }).getAttribute('href')).toBe('#/rooms/3')
    expect(h('a', { href: '/' }).getAttribute('href')).toBe('/')
  })
})

describe('conversation view', () => {
  it('shows a message that looks like HTML as text', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [message(1, bob, { content: attack })])
    const view = createConversationView({ store, key: directKey(2), actions: actions() })
    document.body.append(view.element)
    const contents = [...view.element.querySelectorAll('.message .content')].map((node) => node.textContent)
    expect(contents).toEqual([attack])
    expect(view.element.querySelector('img')).toBeNull()
  })

  it('is a labelled list with a live region, and a labelled composer', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [message(1, bob)])
    const view = createConversationView({ store, key: directKey(2), actions: actions() })
    document.body.append(view.element)
    expect(view.element.querySelector('ol.messages').getAttribute('aria-labelledby')).toBe('conversation-title')
    expect(view.element.querySelector('#conversation-title').textContent).toBe('Bob')
    const textarea = view.element.querySelector('textarea')
    expect(view.element.querySelector(`label[for="${textarea.id}"]`).textContent).toBe('Message Bob')
    store.addMessages([message(2, bob, { content: 'new here' })], { live: true })
    expect(view.element.querySelector('[aria-live="polite"]').textContent).toBe('Bob: new here')
  })

  it('sends with Enter, keeps Shift+Enter for new lines, and refuses a blank message in words', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const handlers = actions()
    const view = createConversationView({ store, key: directKey(2), actions: handlers })
    document.body.append(view.element)
    const textarea = view.element.querySelector('textarea')
    textarea.value = '   '
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    expect(handlers.send).not.toHaveBeenCalled()
    expect(view.element.querySelector('#composer-error').textContent).toBe('Write something first.')
    textarea.value = 'line one'
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }))
    expect(handlers.send).not.toHaveBeenCalled()
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    expect(handlers.send).toHaveBeenCalledWith('line one')
    expect(textarea.value).toBe('')
    textarea.value = '😀'.repeat(4001)
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    expect(view.element.querySelector('#composer-error').textContent).toBe('A message can be at most 4000 characters; this one has 4001.')
    expect(handlers.send).toHaveBeenCalledTimes(1)
    textarea.value = '😀'.repeat(4000)
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    expect(handlers.send).toHaveBeenCalledTimes(2)
  })

  it('grows the composer with its text up to a cap, and shrinks it back after sending', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const handlers = actions()
    const view = createConversationView({ store, key: directKey(2), actions: handlers })
    document.body.append(view.element)
    expectComposerToGrowAndShrink(view.element.querySelector('#composer-input'), handlers.send)
  })

  it('shows a pending bubble, then its failure in words with a retry', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const handlers = actions()
    const view = createConversationView({ store, key: directKey(2), actions: handlers })
    document.body.append(view.element)
    const pending = store.addPending(directKey(2), attack)
    expect(view.element.querySelector('.pending .status').textContent).toBe('Sending…')
    expect(view.element.querySelector('.pending .content').textContent).toBe(attack)
    store.setPendingStatus(directKey(2), pending.client_id, 'failed', 'content: must not be blank')
    expect(view.element.querySelector('.failed .status').textContent).toBe('Not sent: content: must not be blank')
    view.element.querySelector('.failed button').click()
    expect(handlers.retry).toHaveBeenCalledWith(pending.client_id)
  })

  it('says who is typing', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const view = createConversationView({ store, key: directKey(2), actions: actions() })
    store.setTyping(directKey(2), 2)
    expect(view.element.querySelector('.typing').textContent).toBe('Bob is typing…')
    expect(typingSentence(['A', 'B', 'C'])).toBe('3 people are typing…')
  })

  it('shows a notification level changed in another tab in the open room’s menu', () => {
    const store = storeWithBob()
    store.setRooms([{ id: 3, name: 'team', owner: alice, members: [alice, bob], created_at: '2026-11-25T09:00:00Z', last_message: null, unread: 0, notification_level: 'all' }])
    store.addHistoryPage(roomKey(3), [])
    const view = createConversationView({ store, key: roomKey(3), actions: actions() })
    document.body.append(view.element)
    const menu = view.element.querySelector('#notification-level')
    expect(menu.value).toBe('all')
    store.setNotificationLevel(3, 'none')
    expect(menu.value).toBe('none')
    view.destroy()
  })

  it('adds a member found through the directory search, not only people I know, and shows a refusal in words', async () => {
    const store = storeWithBob()
    store.setRooms([{ id: 3, name: 'team', owner: alice, members: [alice], created_at: '2026-11-25T09:00:00Z', last_message: null, unread: 0 }])
    store.addHistoryPage(roomKey(3), [])
    const stranger = { id: 9, name: 'Zed Stranger', nickname: 'zed', online: true, unread: 0 }
    const searchPeople = vi.fn(async () => ({ people: [alice, stranger, { ...bob, online: false }], nextCursor: null }))
    let refuse = true
    const addMember = vi.fn(async (userId) => {
      if (refuse) throw new ApiError(403, 'only members can add people')
      store.upsertRoom({ ...store.rooms.get(3), members: [alice, userId === 9 ? stranger : bob] })
    })
    const view = createConversationView({ store, key: roomKey(3), actions: actions({ searchPeople, addMember }) })
    document.body.append(view.element)
    const input = view.element.querySelector('#add-member-input')
    expect(input.labels[0].textContent).toBe('Add a person')
    expect(input.getAttribute('role')).toBe('combobox')
    input.value = 'z'
    input.dispatchEvent(new Event('input'))
    const options = () => [...view.element.querySelectorAll('#add-member-results [role="option"]')]
    await vi.waitFor(() => expect(options()).toHaveLength(2))
    expect(searchPeople).toHaveBeenCalledWith('z')
    // Alice is a member already: not offered. Presence is part of each option's name.
    expect(options().map((option) => option.getAttribute('aria-label'))).toEqual(['Zed Stranger (@zed), online', 'Bob (@bob), offline'])
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }))
    await vi.waitFor(() => expect(view.element.querySelector('#add-member-error').textContent).toBe('only members can add people'))
    expect(addMember).toHaveBeenCalledWith(9)
    refuse = false
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }))
    await vi.waitFor(() => expect(view.element.querySelector('.member-list').textContent).toContain('Zed Stranger'))
    expect(view.element.querySelector('#add-member-error').hidden).toBe(true)
    expect(view.element.querySelector('#add-member-status').textContent).toBe('Zed Stranger added.')
    expect(input.value).toBe('')
    expect(options()).toHaveLength(0)
    view.destroy()
  })
})

describe('new room form', () => {
  const carol = { id: 3, name: 'Carol', nickname: 'carol', online: false, unread: 0 }
  const search = vi.fn(async () => ({ people: [alice, { ...bob, online: true }, carol], nextCursor: null }))

  async function find(view, text) {
    const input = view.element.querySelector('#invite-search-input')
    input.value = text
    input.dispatchEvent(new Event('input'))
    await vi.waitFor(() => expect(view.element.querySelectorAll('#invite-search-results [role="option"]').length).toBeGreaterThan(0))
    return input
  }

  it('asks for a name, invites people found by searching, and shows the server’s refusal next to the name', async () => {
    const store = storeWithBob()
    const onCreate = vi.fn(async () =>
      Promise.reject(new ApiError(400, 'name: must not be blank or contain control characters', [{ field: 'name', message: 'must not be blank or contain control characters' }])),
    )
    const view = renderNewRoom({ store, onCreate, search, delay: 10 })
    document.body.append(view.element)
    const form = view.element.querySelector('form')
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    expect(view.element.querySelector('#room-name-error').textContent).toBe('Give the room a name.')
    expect(onCreate).not.toHaveBeenCalled()
    view.element.querySelector('#room-name').value = 'team\u0007'

    const input = await find(view, 'c')
    expect(input.labels[0].textContent).toBe('Find people')
    // I am never offered; the arrow keys move through the others; Enter invites without submitting.
    const labels = () => [...view.element.querySelectorAll('#invite-search-results [role="option"]')].map((option) => option.getAttribute('aria-label'))
    expect(labels()).toEqual(['Bob (@bob), online', 'Carol (@carol), offline'])
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', cancelable: true }))
    const enter = new KeyboardEvent('keydown', { key: 'Enter', cancelable: true })
    input.dispatchEvent(enter)
    expect(enter.defaultPrevented).toBe(true)
    expect(onCreate).not.toHaveBeenCalled()
    expect(view.element.querySelector('.invite-list').textContent).toContain('Carol @carol · offline')
    expect(input.value).toBe('')
    await find(view, 'b')
    expect(labels()).toEqual(['Bob (@bob), online'])
    view.element.querySelector('#invite-search-results [role="option"]').click()
    expect([...view.element.querySelectorAll('.invite-list li')].map((item) => item.dataset.id)).toEqual(['3', '2'])

    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await vi.waitFor(() =>
      expect(view.element.querySelector('#room-name-error').textContent).toBe('Name must not be blank or contain control characters'),
    )
    expect(onCreate).toHaveBeenCalledWith('team\u0007', [3, 2])
    view.destroy()
  })

  it('removes an invited person before the room is made', async () => {
    const onCreate = vi.fn(async () => {})
    const view = renderNewRoom({ store: storeWithBob(), onCreate, search, delay: 10 })
    document.body.append(view.element)
    view.element.querySelector('#room-name').value = 'team'
    const input = await find(view, 'b')
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }))
    view.element.querySelector('button[aria-label="Remove Bob"]').click()
    expect(document.activeElement).toBe(input)
    expect(view.element.querySelectorAll('.invite-list li')).toHaveLength(0)
    view.element.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }))
    expect(onCreate).toHaveBeenCalledWith('team', [])
    view.destroy()
  })
})

describe('sidebar', () => {
  it('shows unread badges, presence and a room preview as text', () => {
    const store = storeWithBob()
    store.setPeople([{ ...bob, online: true, unread: 3 }])
    store.setRooms([
      {
        id: 3,
        name: 'team',
        owner: alice,
        members: [alice, bob],
        created_at: '2026-11-25T09:00:00Z',
        last_message: { ...message(9, bob, { content: attack }), recipient: null, room_id: 3 },
        unread: 1,
      },
    ])
    const sidebar = createSidebar({ store, onLogOut: () => {} })
    const person = sidebar.element.querySelector('a[href="#/people/2"]')
    expect(person.textContent).toBe('BBob@bob, online, 3 unread3')
    expect(person.querySelector('.visually-hidden').textContent).toBe(', online, 3 unread')
    expect(person.querySelector('.presence.online')).not.toBeNull()
    const room = sidebar.element.querySelector('a[href="#/rooms/3"]')
    expect(room.querySelector('.item-subtitle').textContent).toBe(`Bob: ${attack}`)
    expect(room.querySelector('.badge').textContent).toBe('1')
    expect(sidebar.element.querySelector('img')).toBeNull()
    store.setActive(directKey(2))
    expect(sidebar.element.querySelector('a[href="#/people/2"]').getAttribute('aria-current')).toBe('page')
    expect(sidebar.element.querySelector('a[href="#/people/2"] .badge')).toBeNull()
    sidebar.destroy()
  })
})

describe('sidebar rows', () => {
  function roomsStore() {
    const store = storeWithBob()
    store.setRooms([
      { id: 3, name: 'alpha', owner: alice, members: [alice, bob], created_at: '2026-11-25T09:00:00Z', last_message: null, unread: 0 },
      { id: 4, name: 'beta', owner: alice, members: [alice, bob], created_at: '2026-11-24T09:00:00Z', last_message: null, unread: 0 },
      { id: 5, name: 'gamma', owner: alice, members: [alice, bob], created_at: '2026-11-23T09:00:00Z', last_message: null, unread: 0 },
    ])
    return store
  }
  const roomNames = (sidebar) => [...sidebar.element.querySelectorAll('a[href^="#/rooms/"] .item-title')].map((node) => node.textContent)
  const roomMessage = (id, roomId, date) => ({ ...message(id, bob), recipient: null, room_id: roomId, date })

  it('patches the one row a message touched, and moves it only when its place changes', () => {
    const store = roomsStore()
    const sidebar = createSidebar({ store, onLogOut: () => {} })
    document.body.append(sidebar.element)
    const rows = Object.fromEntries([3, 4, 5].map((id) => [id, sidebar.element.querySelector(`a[href="#/rooms/${id}"]`).parentElement]))
    expect(roomNames(sidebar)).toEqual(['alpha', 'beta', 'gamma'])
    const observer = new MutationObserver(() => {})
    observer.observe(sidebar.element, { childList: true, subtree: true, attributes: true, characterData: true })

    store.addMessages([roomMessage(20, 5, '2026-11-26T10:00:00Z')], { live: true })
    const touched = new Set(observer.takeRecords().map((record) => record.target.closest?.('li') ?? record.target.parentElement?.closest('li') ?? record.target))
    expect(roomNames(sidebar)).toEqual(['gamma', 'alpha', 'beta'])
    expect(rows[5].querySelector('.badge').textContent).toBe('1')
    expect(rows[5].querySelector('.item-subtitle').textContent).toBe('Bob: message 20')
    // Nothing inside the other rows changed; they are the same elements, only gamma moved past them.
    expect([...touched].filter((node) => node === rows[3] || node === rows[4])).toEqual([])
    for (const id of [3, 4, 5]) expect(sidebar.element.querySelector(`a[href="#/rooms/${id}"]`).parentElement).toBe(rows[id])

    // Already first: another message changes its preview and badge but moves nothing.
    store.addMessages([roomMessage(21, 5, '2026-11-26T10:01:00Z')], { live: true })
    const moved = observer.takeRecords().filter((record) => record.target === rows[5].parentElement)
    expect(moved).toEqual([])
    expect(rows[5].querySelector('.badge').textContent).toBe('2')
    observer.disconnect()
    sidebar.destroy()
  })

  it('patches a presence dot and the open conversation mark in place, and removes a room’s row alone', () => {
    const store = roomsStore()
    const sidebar = createSidebar({ store, onLogOut: () => {} })
    const bobRow = sidebar.element.querySelector('a[href="#/people/2"]')
    store.setPresence(2, false)
    expect(sidebar.element.querySelector('a[href="#/people/2"]')).toBe(bobRow)
    expect(bobRow.querySelector('.presence').className).toBe('presence offline')
    expect(bobRow.querySelector('.visually-hidden').textContent).toBe(', offline')
    store.setActive(roomKey(4))
    expect(sidebar.element.querySelector('a[href="#/rooms/4"]').getAttribute('aria-current')).toBe('page')
    store.setActive(directKey(2))
    expect(sidebar.element.querySelector('a[href="#/rooms/4"]').hasAttribute('aria-current')).toBe(false)
    expect(bobRow.getAttribute('aria-current')).toBe('page')
    const alphaRow = sidebar.element.querySelector('a[href="#/rooms/3"]')
    store.removeRoom(4)
    expect(roomNames(sidebar)).toEqual(['alpha', 'gamma'])
    expect(sidebar.element.querySelector('a[href="#/rooms/3"]')).toBe(alphaRow)
    store.removeRoom(3)
    store.removeRoom(5)
    expect(sidebar.element.textContent).toContain('No rooms yet.')
    sidebar.destroy()
  })
})

describe('auth view', () => {
  it('puts a taken nickname next to the nickname field', async () => {
    const onSubmit = vi.fn(async () => Promise.reject(new ApiError(409, "nickname 'alice' is already taken")))
    const view = renderAuth({ mode: 'signup', onSubmit })
    document.body.append(view)
    for (const [name, value] of Object.entries({ name: 'Alice', email: 'a@example.com', nickname: 'alice', password: 'wonderland' })) {
      view.querySelector(`input[name="${name}"]`).value = value
    }
    view.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }))
    await vi.waitFor(() => expect(view.querySelector('#signup-nickname-error').textContent).toBe("Nickname 'alice' is already taken"))
    expect(view.querySelector('#signup-nickname').getAttribute('aria-invalid')).toBe('true')
    for (const input of view.querySelectorAll('input')) expect(view.querySelector(`label[for="${input.id}"]`)).not.toBeNull()
  })

  it('says what is missing or too short before asking the server', () => {
    const onSubmit = vi.fn()
    const view = renderAuth({ mode: 'signup', onSubmit })
    document.body.append(view)
    view.querySelector('input[name="name"]').value = 'Alice'
    view.querySelector('input[name="password"]').value = 'short'
    view.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }))
    expect(onSubmit).not.toHaveBeenCalled()
    expect(view.querySelector('#signup-email-error').textContent).toBe('Email is required.')
    expect(view.querySelector('#signup-nickname-error').textContent).toBe('Nickname is required.')
    expect(view.querySelector('#signup-password-error').textContent).toBe('Password must be at least 8 characters.')
    expect(view.querySelector('#signup-name-error').hidden).toBe(true)
    expect(document.activeElement).toBe(view.querySelector('#signup-email'))
  })

  it('places field problems, and keeps a failed login about the whole form', () => {
    const fields = ['name', 'email', 'nickname', 'password']
    const invalid = new ApiError(400, 'password: Expected `str` of length >= 8', [{ field: 'password', message: 'Expected `str` of length >= 8' }])
    expect(placeError(invalid, fields)).toEqual({ password: 'Password Expected `str` of length >= 8' })
    expect(placeError(new ApiError(409, 'that email address is already registered'), fields)).toEqual({ email: 'That email address is already registered' })
    expect(placeError(new ApiError(401, 'wrong nickname or password'), ['nickname', 'password'])).toEqual({ form: 'Wrong nickname or password' })
  })
})

describe('empty states', () => {
  function aloneStore() {
    const store = new Store()
    store.setSession(alice)
    store.setPeople([])
    store.setRooms([])
    return store
  }

  it('says so when there are no rooms and nobody else yet', () => {
    const sidebar = createSidebar({ store: aloneStore(), onLogOut: () => {} })
    document.body.append(sidebar.element)
    expect(sidebar.element.textContent).toContain('No rooms yet. Create one to talk with several people.')
    expect(sidebar.element.textContent).toContain('No conversations yet. Start one with “New message”.')
    sidebar.destroy()
  })

  it('invites the first message of an empty conversation, and of an empty room', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const direct = createConversationView({ store, key: directKey(2), actions: actions() })
    document.body.append(direct.element)
    expect(direct.element.textContent).toContain('No messages yet. Say hello!')
    direct.destroy()

    store.setRooms([{ id: 3, name: 'team', owner: alice, members: [alice, bob], created_at: '2026-11-25T09:00:00Z', last_message: null, unread: 0 }])
    store.addHistoryPage(roomKey(3), [])
    const room = createConversationView({ store, key: roomKey(3), actions: actions() })
    document.body.append(room.element)
    expect(room.element.textContent).toContain('No messages in this room yet. Say hello!')
    room.destroy()
  })

  it('says nobody is invited yet to a new room, and lists nobody before a search', () => {
    const search = vi.fn()
    const view = renderNewRoom({ store: aloneStore(), onCreate: vi.fn(), search })
    document.body.append(view.element)
    expect(view.element.textContent).toContain('Nobody invited yet: search above, or add people later.')
    expect(view.element.querySelectorAll('[role="option"], .invite-list li')).toHaveLength(0)
    expect(search).not.toHaveBeenCalled()
    view.destroy()
  })
})
