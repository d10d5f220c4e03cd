import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api.js'
import { setMediaBase } from '../media.js'
import { Store, directKey, roomKey } from '../store.js'
import { avatar } from './h.js'
import { createProfileDialog } from './profileDialog.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice', email: 'alice@example.com', status: '', avatar_url: null, deleted: false }
const bob = { id: 2, name: 'Bob', nickname: 'bob', status: '', avatar_url: null, deleted: false }
const carol = { id: 3, name: 'Carol', nickname: 'carol', status: '', avatar_url: null, deleted: false }

function message(id, author, { recipient = null, roomId = null } = {}) {
  return { id, content: `m${id}`, date: '2026-11-27T10:00:00Z', author, recipient, room_id: roomId, seq: id, reactions: [] }
}

function storeWithConversations() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }, { ...carol, online: false, unread: 0 }])
  store.setRooms([{ id: 7, name: 'general', owner: bob, members: [bob, alice], created_at: '2026-11-25T09:00:00Z', last_message: null, unread: 0 }])
  store.addMessages([message(10, bob, { recipient: alice }), message(11, alice, { recipient: bob }), message(12, bob, { roomId: 7 }), message(13, carol, { recipient: alice })])
  return store
}

describe('a profile change in the store', () => {
  it('reaches the person, the rooms they are in and the messages they wrote or received, and nothing else', () => {
    const store = storeWithConversations()
    const events = []
    for (const type of ['people', 'rooms', 'conversation', 'session']) store.addEventListener(type, (event) => events.push([type, event.detail]))
    const renamed = { ...bob, name: 'Bob Renamed', status: 'busy' }
    store.applyProfile(renamed)

    expect(store.people.get(2)).toMatchObject({ name: 'Bob Renamed', status: 'busy', online: true })
    expect(store.people.get(3).name).toBe('Carol')
    const room = store.rooms.get(7)
    expect([room.owner.name, room.members[0].name, room.last_message.author.name]).toEqual(['Bob Renamed', 'Bob Renamed', 'Bob Renamed'])
    const direct = store.conversation(directKey(2)).messages
    expect(direct.map((m) => [m.author.name, m.recipient.name])).toEqual([
      ['Bob Renamed', 'Alice'],
      ['Alice', 'Bob Renamed'],
    ])
    expect(store.conversation(directKey(3)).messages[0].author.name).toBe('Carol')
    const conversations = events.filter(([type]) => type === 'conversation').map(([, detail]) => [detail.key, detail.updated.map((m) => m.id)])
    expect(conversations).toEqual([
      [directKey(2), [10, 11]],
      [roomKey(7), [12]],
    ])
    expect(events.some(([type]) => type === 'session')).toBe(false)
  })

  it('updates me when it is mine', () => {
    const store = storeWithConversations()
    const onSession = vi.fn()
    store.addEventListener('session', onSession)
    store.applyProfile({ ...alice, name: 'Alice Again', email: undefined })
    expect(store.me.name).toBe('Alice Again')
    expect(onSession).toHaveBeenCalledTimes(1)
  })
})

describe('an avatar', () => {
  it('shows the picture from the API origin only for the API’s own file links', () => {
    setMediaBase('https://api.example.com/')
    const link = '/api/files/7/thumbnail?expires=1&signature=ab'
    expect(avatar({ ...bob, avatar_url: link }).querySelector('img').src).toBe(`https://api.example.com${link}`)
    for (const hostile of ['javascript:alert(1)', 'https://evil.example/x.png', '//evil.example/x.png', '/api/files/7/../../x']) {
      expect(avatar({ ...bob, avatar_url: hostile }).querySelector('img')).toBeNull()
    }
    expect(avatar(bob).textContent).toBe('B')
    setMediaBase('')
  })
})

function dialog(actions = {}, store = storeWithConversations()) {
  const onClosed = vi.fn()
  const view = createProfileDialog({
    store,
    actions: {
      updateProfile: vi.fn(async (changes) => ({ ...store.me, ...changes })),
      uploadFile: vi.fn(),
      setAvatar: vi.fn(),
      removeAvatar: vi.fn(),
      closeAccount: vi.fn(async () => {}),
      ...actions,
    },
    onClosed,
  })
  document.body.replaceChildren(view.element)
  return { view, store, onClosed, get: (selector) => view.element.querySelector(selector) }
}

const submit = (form) => form.dispatchEvent(new Event('submit', { cancelable: true }))
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('the profile dialog', () => {
  it('saves name and status, and shows hostile text as text', async () => {
    const updateProfile = vi.fn(async (changes) => ({ ...alice, ...changes }))
    const { get, store } = dialog({ updateProfile })
    get('#profile-name').value = '<img src=x onerror=alert(1)>'
    get('#profile-status').value = 'out to lunch'
    submit(get('form'))
    await settle()
    expect(updateProfile).toHaveBeenCalledWith({ name: '<img src=x onerror=alert(1)>', status: 'out to lunch' })
    expect(store.me.name).toBe('<img src=x onerror=alert(1)>')
    expect(document.querySelector('img[src="x"]')).toBeNull()
  })

  it('asks for the current password only when the email changes, and puts a wrong one under it', async () => {
    const updateProfile = vi.fn(async () => {
      throw new ApiError(403, 'the current password is wrong')
    })
    const { get } = dialog({ updateProfile })
    const passwordField = get('#profile-password').closest('.field')
    expect(passwordField.hidden).toBe(true)
    get('#profile-email').value = 'new@example.com'
    get('#profile-email').dispatchEvent(new Event('input'))
    expect(passwordField.hidden).toBe(false)
    get('#profile-password').value = 'guess'
    submit(get('form'))
    await settle()
    expect(updateProfile).toHaveBeenCalledWith({ name: 'Alice', status: '', email: 'new@example.com', current_password: 'guess' })
    expect(get('#profile-password-error').textContent).toBe('The current password is wrong')
    expect(get('.form-error').hidden).toBe(true)
    expect(get('#profile-password').getAttribute('aria-invalid')).toBe('true')
  })

  it('refuses an empty name without asking the server', async () => {
    const updateProfile = vi.fn()
    const { get } = dialog({ updateProfile })
    get('#profile-name').value = '   '
    submit(get('form'))
    await settle()
    expect(updateProfile).not.toHaveBeenCalled()
    expect(get('#profile-name-error').hidden).toBe(false)
  })

  it('closes the account only with the password, then hands over', async () => {
    const closeAccount = vi.fn(async (password) => {
      if (password !== 'right') throw new ApiError(403, 'the password is wrong')
    })
    const { view, get, onClosed } = dialog({ closeAccount })
    const start = [...view.element.querySelectorAll('button')].find((button) => button.textContent === 'Close my account…')
    const closeForm = get('#close-password').closest('form')
    expect(closeForm.hidden).toBe(true)
    start.click()
    expect(closeForm.hidden).toBe(false)
    submit(closeForm)
    await settle()
    expect(closeAccount).not.toHaveBeenCalled()
    get('#close-password').value = 'wrong'
    submit(closeForm)
    await settle()
    expect(get('#close-password-error').textContent).toBe('the password is wrong')
    expect(onClosed).not.toHaveBeenCalled()
    get('#close-password').value = 'right'
    submit(closeForm)
    await settle()
    expect(onClosed).toHaveBeenCalledTimes(1)
  })
})
