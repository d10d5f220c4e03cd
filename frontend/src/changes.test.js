// Changing messages in the conversation view: edit in place (Up arrow, Enter, Escape), delete with a
// confirmation, "edited" and "Message deleted", reactions with who reacted, the picker, all patched in place.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Store, directKey, roomKey } from './store.js'
import { createConversationView } from './views/conversation.js'
import { COMMON_EMOJI, pickerEmoji, reactorNames } from './views/message.js'
import { roomPreview } from './views/sidebar.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const carol = { id: 3, name: 'Carol', nickname: 'carol' }
const ATTACK = '<img src=x onerror=alert(1)>'

function dm(id, author, extra = {}) {
  const date = new Date(Date.parse('2026-11-20T10:00:00Z') + id * 1000).toISOString()
  return { id, seq: id, content: `message ${id}`, date, author, recipient: author.id === 1 ? bob : alice, room_id: null, client_id: null, edited_at: null, deleted: false, reactions: [], ...extra }
}

const roomMessage = (id, author, extra = {}) => ({ ...dm(id, author, extra), recipient: null, room_id: 7 })

function signedIn({ owner = alice } = {}) {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }])
  store.setRooms([{ id: 7, name: 'team', owner, members: [alice, bob, carol], created_at: '2026-11-19T09:00:00Z', last_message: null, unread: 0 }])
  return store
}

function actionsFor(store, key) {
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
    edit: vi.fn(async (id, content) => {
      const known = store.conversation(key).byId.get(id)
      store.upsertMessage({ ...known, content, edited_at: '2026-11-20T11:00:00Z', seq: known.seq + 100 })
    }),
    remove: vi.fn(async (id) => store.markDeleted(id, key)),
    react: vi.fn(async () => {}),
  }
}

function open(store, key, actions = actionsFor(store, key)) {
  const view = createConversationView({ store, key, actions })
  document.body.append(view.element)
  return { view, actions, composer: view.element.querySelector('#composer-input') }
}

const nodeOf = (view, id) => view.element.querySelector(`.message[data-id="${id}"]`)
const press = (element, key, extra = {}) => element.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...extra }))
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

afterEach(() => {
  document.body.replaceChildren()
})

describe('editing', () => {
  it('Up in an empty composer edits my last message; Enter saves it, and it reads "edited"', async () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, alice), dm(2, alice, { content: 'teh plan' }), dm(3, bob)])
    const { view, actions, composer } = open(store, directKey(2))
    composer.focus()
    press(composer, 'ArrowUp')
    const input = nodeOf(view, 2).querySelector('.edit-input')
    expect(input.value).toBe('teh plan')
    expect(document.activeElement).toBe(input)
    expect(nodeOf(view, 2).querySelector('label').textContent).toBe('Edit your message')
    input.value = 'the plan'
    input.dispatchEvent(new Event('input'))
    press(input, 'Enter')
    await settle()
    expect(actions.edit).toHaveBeenCalledWith(2, 'the plan')
    expect(nodeOf(view, 2).querySelector('.edit-input')).toBeNull()
    expect(nodeOf(view, 2).querySelector('.content').textContent).toBe('the plan')
    expect(nodeOf(view, 2).querySelector('.edited').textContent).toContain('edited')
    expect(nodeOf(view, 1).querySelector('.edited')).toBeNull()
    expect(document.activeElement).toBe(composer)
  })

  it('does nothing on Up when the composer has text, and Escape cancels an edit without saving', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, alice)])
    const { view, actions, composer } = open(store, directKey(2))
    composer.value = 'draft'
    press(composer, 'ArrowUp')
    expect(view.element.querySelector('.edit-input')).toBeNull()
    composer.value = ''
    press(composer, 'ArrowUp')
    const input = nodeOf(view, 1).querySelector('.edit-input')
    input.value = 'changed my mind'
    press(input, 'Escape')
    expect(view.element.querySelector('.edit-input')).toBeNull()
    expect(nodeOf(view, 1).querySelector('.content').textContent).toBe('message 1')
    expect(actions.edit).not.toHaveBeenCalled()
  })

  it('offers Edit on my messages only, and refuses an empty edit in words', async () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, alice), dm(2, bob)])
    const { view, actions } = open(store, directKey(2))
    expect(nodeOf(view, 2).querySelector('.action-edit')).toBeNull()
    nodeOf(view, 1).querySelector('.action-edit').click()
    const input = nodeOf(view, 1).querySelector('.edit-input')
    input.value = '   '
    press(input, 'Enter')
    await settle()
    expect(actions.edit).not.toHaveBeenCalled()
    expect(nodeOf(view, 1).querySelector('[role="alert"]').textContent).toBe('Write something, or delete the message instead.')
  })

  it('shows the server refusal and keeps the editor open', async () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, alice)])
    const actions = actionsFor(store, directKey(2))
    actions.edit = vi.fn(async () => Promise.reject(Object.assign(new Error('x'), { detail: 'this message was deleted' })))
    const { view } = open(store, directKey(2), actions)
    nodeOf(view, 1).querySelector('.action-edit').click()
    const input = nodeOf(view, 1).querySelector('.edit-input')
    input.value = 'new text'
    press(input, 'Enter')
    await settle()
    expect(nodeOf(view, 1).querySelector('.edit-input').value).toBe('new text')
    expect(nodeOf(view, 1).querySelector('[role="alert"]').textContent).toBe('Not saved: this message was deleted')
  })

  it('keeps the editor, its text and its focus when a reaction arrives meanwhile', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, alice)])
    const { view } = open(store, directKey(2))
    nodeOf(view, 1).querySelector('.action-edit').click()
    const input = nodeOf(view, 1).querySelector('.edit-input')
    input.value = 'half written'
    input.dispatchEvent(new Event('input'))
    store.upsertMessage(dm(1, alice, { seq: 50, reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }))
    expect(nodeOf(view, 1).querySelector('.edit-input')).toBe(input)
    expect(input.value).toBe('half written')
    expect(document.activeElement).toBe(input)
    expect(nodeOf(view, 1).querySelector('.reaction').textContent).toBe('👍1')
  })

  it('shows edited content made of HTML as text', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob)])
    const { view } = open(store, directKey(2))
    store.upsertMessage(dm(1, bob, { content: ATTACK, edited_at: '2026-11-20T11:00:00Z', seq: 9 }))
    expect(nodeOf(view, 1).querySelector('.content').textContent).toBe(ATTACK)
    expect(view.element.querySelector('img')).toBeNull()
  })
})

describe('deleting', () => {
  it('asks first; Cancel keeps the message, Delete turns it into "Message deleted" for good', async () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, alice, { reactions: [{ emoji: '🎉', count: 1, user_ids: [2] }] }), dm(2, alice)])
    const { view, actions, composer } = open(store, directKey(2))
    nodeOf(view, 1).querySelector('.action-delete').click()
    expect(nodeOf(view, 1).querySelector('.confirm-text').textContent).toBe('Delete this message for everyone?')
    expect(document.activeElement.textContent).toBe('Cancel')
    press(document.activeElement, 'Escape')
    expect(nodeOf(view, 1).querySelector('.confirm-delete')).toBeNull()
    expect(document.activeElement).toBe(nodeOf(view, 1).querySelector('.action-delete'))
    nodeOf(view, 1).querySelector('.action-delete').click()
    const second = nodeOf(view, 2)
    ;[...nodeOf(view, 1).querySelectorAll('.confirm-delete button')].find((button) => button.textContent === 'Delete').click()
    await settle()
    expect(actions.remove).toHaveBeenCalledWith(1)
    const tombstone = nodeOf(view, 1)
    expect(tombstone.querySelector('.content').textContent).toBe('Message deleted')
    expect(tombstone.querySelector('.reactions, .message-actions')).toBeNull()
    expect(nodeOf(view, 2)).toBe(second)
    expect(document.activeElement).toBe(composer)
    // The server's own version (a higher seq) replaces the stand-in; Up now skips the deleted message.
    store.upsertMessage(dm(1, alice, { deleted: true, content: '', reactions: [], seq: 40 }))
    expect(store.seq).toBe(40)
    press(composer, 'ArrowUp')
    expect(nodeOf(view, 2).querySelector('.edit-input')).not.toBeNull()
  })

  it('lets a room owner delete anyone’s message, and a member only their own', () => {
    const owned = signedIn({ owner: alice })
    owned.addHistoryPage(roomKey(7), [roomMessage(1, bob), roomMessage(2, alice)])
    const { view } = open(owned, roomKey(7))
    expect(nodeOf(view, 1).querySelector('.action-delete')).not.toBeNull()
    expect(nodeOf(view, 1).querySelector('.action-edit')).toBeNull()
    view.destroy()
    document.body.replaceChildren()
    const member = signedIn({ owner: bob })
    member.addHistoryPage(roomKey(7), [roomMessage(1, bob), roomMessage(2, alice)])
    const other = open(member, roomKey(7)).view
    expect(nodeOf(other, 1).querySelector('.action-delete')).toBeNull()
    expect(nodeOf(other, 2).querySelector('.action-delete')).not.toBeNull()
  })

  it('offers Delete on others’ messages once I become the room’s owner', () => {
    const store = signedIn({ owner: bob })
    store.addHistoryPage(roomKey(7), [roomMessage(1, carol)])
    const { view } = open(store, roomKey(7))
    expect(nodeOf(view, 1).querySelector('.action-delete')).toBeNull()
    store.upsertRoom({ ...store.rooms.get(7), owner: alice, members: [alice, carol] })
    expect(nodeOf(view, 1).querySelector('.action-delete')).not.toBeNull()
  })

  it('shows a deletion made elsewhere, and says so in the room preview', () => {
    const store = signedIn()
    store.addMessages([roomMessage(5, bob)])
    const { view } = open(store, roomKey(7))
    store.upsertMessage(roomMessage(5, bob, { deleted: true, content: '', seq: 60 }))
    expect(nodeOf(view, 5).classList.contains('deleted')).toBe(true)
    expect(roomPreview(store.rooms.get(7), alice.id)).toBe('Bob: message deleted')
  })
})

describe('reactions', () => {
  it('shows counts, marks mine, names who reacted, and toggles mine with a click', async () => {
    const store = signedIn()
    store.addHistoryPage(roomKey(7), [roomMessage(1, bob, { reactions: [{ emoji: '👍', count: 2, user_ids: [3, 1] }, { emoji: '🦄', count: 1, user_ids: [2] }] })])
    const { view, actions } = open(store, roomKey(7))
    const [thumbs, unicorn] = nodeOf(view, 1).querySelectorAll('.reaction')
    expect(thumbs.textContent).toBe('👍2')
    expect(thumbs.getAttribute('aria-pressed')).toBe('true')
    expect(unicorn.getAttribute('aria-pressed')).toBe('false')
    const who = document.getElementById(thumbs.getAttribute('aria-describedby'))
    expect(who.textContent).toBe('You and Carol reacted with 👍')
    thumbs.click()
    unicorn.click()
    await settle()
    expect(actions.react.mock.calls).toEqual([
      [1, '👍', { remove: true }],
      [1, '🦄', { remove: false }],
    ])
  })

  it('opens a picker with the common emoji plus those on the message; Escape closes it back on its button', async () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob, { reactions: [{ emoji: '🦄', count: 1, user_ids: [1] }] })])
    const { view, actions } = open(store, directKey(2))
    const reactButton = nodeOf(view, 1).querySelector('.action-react')
    expect(reactButton.getAttribute('aria-expanded')).toBe('false')
    reactButton.click()
    const picker = nodeOf(view, 1).querySelector('.reaction-picker')
    expect(picker.getAttribute('aria-label')).toBe('Pick a reaction')
    expect([...picker.querySelectorAll('button')].map((button) => button.textContent)).toEqual([...COMMON_EMOJI, '🦄'])
    expect(picker.querySelector('button').getAttribute('aria-label')).toBe('React with 👍')
    expect(picker.querySelector('button:last-child').getAttribute('aria-label')).toBe('Remove your 🦄')
    expect(document.activeElement).toBe(picker.querySelector('button'))
    press(document.activeElement, 'Escape')
    expect(nodeOf(view, 1).querySelector('.reaction-picker')).toBeNull()
    expect(document.activeElement).toBe(nodeOf(view, 1).querySelector('.action-react'))
    nodeOf(view, 1).querySelector('.action-react').click()
    nodeOf(view, 1).querySelector('.reaction-picker button').click()
    await settle()
    expect(actions.react).toHaveBeenCalledWith(1, '👍', { remove: false })
    expect(nodeOf(view, 1).querySelector('.reaction-picker')).toBeNull()
  })

  it('patches only the reacted message when its reactions change live', () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob), dm(2, bob), dm(3, bob)])
    const { view } = open(store, directKey(2))
    const [first, third] = [nodeOf(view, 1), nodeOf(view, 3)]
    store.upsertMessage(dm(2, bob, { seq: 70, reactions: [{ emoji: '❤️', count: 1, user_ids: [2] }] }))
    expect(nodeOf(view, 2).querySelector('.reaction').textContent).toBe('❤️1')
    expect(nodeOf(view, 1)).toBe(first)
    expect(nodeOf(view, 3)).toBe(third)
  })

  it('says the reaction failed in words', async () => {
    const store = signedIn()
    store.addHistoryPage(directKey(2), [dm(1, bob)])
    const actions = actionsFor(store, directKey(2))
    actions.react = vi.fn(async () => Promise.reject(Object.assign(new Error('x'), { detail: 'too many different reactions' })))
    const { view } = open(store, directKey(2), actions)
    nodeOf(view, 1).querySelector('.action-react').click()
    nodeOf(view, 1).querySelector('.reaction-picker button').click()
    await settle()
    expect(nodeOf(view, 1).querySelector('[role="alert"]').textContent).toBe('The reaction was not saved: too many different reactions')
  })

  it('lists reactors with me first as "You", and offers each emoji once', () => {
    const nameOf = (id) => ({ 2: 'Bob', 3: 'Carol', 4: 'Dan' })[id]
    expect(reactorNames({ user_ids: [2, 3, 1, 4] }, { myId: 1, nameOf })).toBe('You, Bob, Carol and Dan')
    expect(reactorNames({ user_ids: [2] }, { myId: 1, nameOf })).toBe('Bob')
    expect(pickerEmoji({ reactions: [{ emoji: '👍' }, { emoji: '🦄' }] })).toEqual([...COMMON_EMOJI, '🦄'])
  })
})
