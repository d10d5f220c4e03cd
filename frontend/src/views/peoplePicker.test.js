import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApi } from '../api.js'
import { Store } from '../store.js'
import { createPeoplePicker } from './peoplePicker.js'
import { createSidebar } from './sidebar.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice', online: true, unread: 0 }
const bob = { id: 2, name: 'Bob', nickname: 'bob', online: true, unread: 0 }
const jose = { id: 3, name: 'José Díaz', nickname: 'jose', online: false, unread: 0 }
const josephine = { id: 4, name: 'Joséphine', nickname: 'jojo', online: true, unread: 0 }
const attack = { id: 5, name: '<img src=x onerror=alert(1)>', nickname: 'mallory', online: false, unread: 0 }

function mount(options = {}) {
  const onPick = vi.fn()
  const search = options.search ?? vi.fn(async () => ({ people: [jose, josephine], nextCursor: null }))
  const picker = createPeoplePicker({ search, onPick, excludeId: alice.id, delay: 100, ...options })
  document.body.append(picker.element)
  picker.focus()
  const input = picker.element.querySelector('[role="combobox"]')
  const type = async (text) => {
    input.value = text
    input.dispatchEvent(new Event('input'))
    await vi.advanceTimersByTimeAsync(100)
  }
  const press = (key) => {
    const event = new KeyboardEvent('keydown', { key, cancelable: true })
    input.dispatchEvent(event)
    return event
  }
  const options_ = () => [...picker.element.querySelectorAll('[role="option"]')]
  const status = () => picker.element.querySelector('[role="status"]').textContent
  return { picker, input, type, press, options: options_, status, onPick, search }
}

afterEach(() => {
  vi.useRealTimers()
  document.body.replaceChildren()
})

describe('people picker', () => {
  it('is a labelled combobox that owns a listbox, focused when it opens', () => {
    const { input, picker } = mount()
    expect(document.activeElement).toBe(input)
    expect(input.getAttribute('aria-controls')).toBe(picker.element.querySelector('[role="listbox"]').id)
    expect(input.labels[0].textContent).toBe('To')
    expect(input.getAttribute('aria-expanded')).toBe('false')
  })

  it('searches once typing pauses, and shows who was found with their presence', async () => {
    vi.useFakeTimers()
    const { type, input, options, search, status } = mount()
    input.value = 'j'
    input.dispatchEvent(new Event('input'))
    input.value = 'jo'
    input.dispatchEvent(new Event('input'))
    await vi.advanceTimersByTimeAsync(99)
    expect(search).not.toHaveBeenCalled()
    expect(status()).toBe('Searching…')
    await type('jos')
    expect(search).toHaveBeenCalledTimes(1)
    expect(search).toHaveBeenCalledWith('jos')
    expect(options().map((option) => option.textContent)).toEqual(['JDJosé Díaz@jose', 'JJoséphine@jojo'])
    expect(options()[0].getAttribute('aria-label')).toBe('José Díaz (@jose), offline')
    expect(options()[1].getAttribute('aria-label')).toBe('Joséphine (@jojo), online')
    expect(input.getAttribute('aria-expanded')).toBe('true')
    expect(status()).toBe('2 people found.')
  })

  it('moves through the results with the arrow keys and picks with Enter', async () => {
    vi.useFakeTimers()
    const { type, press, input, options, onPick } = mount()
    await type('jo')
    expect(input.getAttribute('aria-activedescendant')).toBe(options()[0].id)
    expect(press('ArrowDown').defaultPrevented).toBe(true)
    expect(input.getAttribute('aria-activedescendant')).toBe(options()[1].id)
    expect(options()[1].getAttribute('aria-selected')).toBe('true')
    expect(options()[0].getAttribute('aria-selected')).toBe('false')
    press('ArrowDown') // stays on the last one
    expect(input.getAttribute('aria-activedescendant')).toBe(options()[1].id)
    press('ArrowUp')
    press('ArrowUp')
    expect(input.getAttribute('aria-activedescendant')).toBe(options()[0].id)
    press('ArrowDown')
    press('Enter')
    expect(onPick).toHaveBeenCalledWith(josephine)
  })

  it('picks with a click too', async () => {
    vi.useFakeTimers()
    const { type, options, onPick } = mount()
    await type('jo')
    options()[0].click()
    expect(onPick).toHaveBeenCalledWith(jose)
  })

  it('never offers me, and says when nobody matches', async () => {
    vi.useFakeTimers()
    const search = vi.fn(async (text) => ({ people: text === 'al' ? [alice] : [], nextCursor: null }))
    const { type, options, status, input, press, onPick } = mount({ search })
    await type('al')
    expect(options()).toEqual([])
    expect(status()).toBe('Nobody found for “al”.')
    expect(input.getAttribute('aria-expanded')).toBe('false')
    press('Enter')
    expect(onPick).not.toHaveBeenCalled()
  })

  it('says when more people match than are shown', async () => {
    vi.useFakeTimers()
    const search = vi.fn(async () => ({ people: [jose], nextCursor: 'next' }))
    const { type, status } = mount({ search })
    await type('j')
    expect(status()).toBe('1 person shown; more match: keep typing to narrow it down.')
  })

  it('ignores an answer to an older query that arrives after a newer one', async () => {
    vi.useFakeTimers()
    const answers = {}
    const search = vi.fn((text) => new Promise((resolve) => (answers[text] = resolve)))
    const { type, options } = mount({ search })
    await type('j')
    await type('jos')
    answers.jos({ people: [jose], nextCursor: null })
    await vi.advanceTimersByTimeAsync(0)
    answers.j({ people: [bob, josephine], nextCursor: null })
    await vi.advanceTimersByTimeAsync(0)
    expect(options().map((option) => option.dataset.id)).toEqual(['3'])
  })

  it('shows the server refusal, and Escape clears the field', async () => {
    vi.useFakeTimers()
    const search = vi.fn(async () => {
      throw Object.assign(new Error('q: must contain a letter or a digit'), { detail: 'q: must contain a letter or a digit' })
    })
    const { type, status, press, input } = mount({ search })
    await type('--')
    expect(status()).toBe('q: must contain a letter or a digit')
    press('Escape')
    expect(input.value).toBe('')
    expect(status()).toBe('Type a name or a nickname.')
  })

  it('renders names as text, never as markup', async () => {
    vi.useFakeTimers()
    const { type, picker } = mount({ search: async () => ({ people: [attack], nextCursor: null }) })
    await type('mal')
    expect(picker.element.querySelector('img')).toBeNull()
    expect(picker.element.textContent).toContain('<img src=x onerror=alert(1)>')
  })

  it('stops searching once destroyed', async () => {
    vi.useFakeTimers()
    const { input, picker, search } = mount()
    input.value = 'jo'
    input.dispatchEvent(new Event('input'))
    picker.destroy()
    await vi.advanceTimersByTimeAsync(500)
    expect(search).not.toHaveBeenCalled()
  })
})

describe('sidebar people', () => {
  it('lists my conversations with unread ones first, and offers a new message', () => {
    const store = new Store()
    store.setSession(alice)
    store.setPeople([bob, { ...jose, unread: 2 }, josephine])
    const sidebar = createSidebar({ store, onLogOut: () => {} })
    const people = [...sidebar.element.querySelectorAll('[aria-labelledby="people-heading"] .item-title')]
    expect(people.map((title) => title.textContent)).toEqual(['José Díaz', 'Bob', 'Joséphine'])
    const newMessage = [...sidebar.element.querySelectorAll('a')].find((link) => link.textContent === '+ New message')
    expect(newMessage.getAttribute('href')).toBe('#/people/new')
    // Someone picked in the directory is the newest conversation: first after the unread ones.
    store.addPerson(attack)
    store.addPerson(alice) // me: never listed
    const after = [...sidebar.element.querySelectorAll('[aria-labelledby="people-heading"] .item-title')]
    expect(after.map((title) => title.textContent)).toEqual(['José Díaz', attack.name, 'Bob', 'Joséphine'])
    sidebar.destroy()
  })
})

describe('sidebar people, live', () => {
  it('moves a conversation with a new message to the top, keeping every row node', () => {
    const store = new Store()
    store.setSession(alice)
    store.setPeople([bob, jose, josephine])
    const sidebar = createSidebar({ store, onLogOut: () => {} })
    const rows = () => [...sidebar.element.querySelectorAll('[aria-labelledby="people-heading"] li')]
    const before = rows()
    expect(before.map((row) => row.querySelector('.item-title').textContent)).toEqual(['Bob', 'José Díaz', 'Joséphine'])
    const message = (id, author, recipient) => ({ id, content: 'hi', date: '2026-11-27T10:00:00Z', author, recipient, room_id: null })
    // My own message to Joséphine: she becomes the most recent conversation, read.
    store.addMessages([message(10, alice, josephine)], { live: true })
    expect(rows().map((row) => row.querySelector('.item-title').textContent)).toEqual(['Joséphine', 'Bob', 'José Díaz'])
    // José writes: unread, so first, with his badge.
    store.addMessages([message(11, jose, alice)], { live: true })
    const after = rows()
    expect(after.map((row) => row.querySelector('.item-title').textContent)).toEqual(['José Díaz', 'Joséphine', 'Bob'])
    expect(after[0].querySelector('.badge').textContent).toBe('1')
    expect(new Set(after)).toEqual(new Set(before))
    sidebar.destroy()
  })
})

describe('directory requests', () => {
  it('searches with q and limit, and returns the next-page cursor from X-Next-Cursor', async () => {
    const calls = []
    const fetchImpl = vi.fn(async (url) => {
      calls.push(url)
      return new Response(JSON.stringify([jose]), {
        status: 200,
        headers: { 'Content-Type': 'application/json', 'X-Next-Cursor': 'abc' },
      })
    })
    const storage = new Map([['confab.token', 't']])
    const api = createApi({
      baseUrl: 'http://api.test',
      fetchImpl,
      storage: { getItem: (key) => storage.get(key) ?? null, setItem: () => {}, removeItem: () => {} },
    })
    expect(await api.searchPeople('José D', { limit: 20 })).toEqual({ people: [jose], nextCursor: 'abc' })
    expect(calls[0]).toBe('http://api.test/api/users?q=Jos%C3%A9+D&limit=20')
    await api.conversationPeople()
    expect(calls[1]).toBe('http://api.test/api/users?conversations=true&limit=200')
  })
})
