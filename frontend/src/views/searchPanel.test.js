// The search box and its results: <mark> built from text nodes, the server's 400 shown, "Load more", results
// following edits and deletions, and the keyboard (`/`, Enter, Escape).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api.js'
import { Store } from '../store.js'
import { createSearchPanel } from './searchPanel.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const ATTACK = '<img src=x onerror=alert(1)>'

function roomMessage(id, content, extra = {}) {
  return { id, content, date: '2026-11-20T10:00:00Z', author: bob, room_id: 7, recipient: null, seq: id, reactions: [], ...extra }
}

function signedIn() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }])
  store.setRooms([{ id: 7, name: 'team', owner: alice, members: [alice, bob], created_at: '2026-11-19T09:00:00Z', last_message: null, unread: 0 }])
  return store
}

function open({ store = signedIn(), search, onOpen = vi.fn() } = {}) {
  const panel = createSearchPanel({ store, search, onOpen, pageSize: 2 })
  document.body.append(panel.element)
  return { store, panel, onOpen, element: panel.element }
}

async function submit(element, text) {
  const input = element.querySelector('#message-search')
  input.value = text
  element.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }))
  await vi.waitFor(() => expect(element.querySelector('.search-status').textContent).not.toBe('Searching…'))
}

const resultTexts = (element) => [...element.querySelectorAll('.search-content')].map((node) => node.textContent)
const marks = (element) => [...element.querySelectorAll('.search-content mark')].map((node) => node.textContent)

let panels = []
afterEach(() => {
  for (const panel of panels) panel.destroy()
  panels = []
  document.body.replaceChildren()
})

function tracked(opened) {
  panels.push(opened.panel)
  return opened
}

describe('results', () => {
  it('shows each result with its conversation, author and time, and the matched words in <mark> text nodes', async () => {
    const search = vi.fn(async () => ({
      results: [{ message: roomMessage(5, `😀 ${ATTACK} deploy now`), highlights: [[2 + [...ATTACK].length + 1, 2 + [...ATTACK].length + 7]] }],
      next: null,
    }))
    const { element } = tracked(open({ search }))
    await submit(element, '  deploy ')
    expect(search).toHaveBeenCalledWith('deploy', { limit: 2 })
    expect(marks(element)).toEqual(['deploy'])
    expect(resultTexts(element)).toEqual([`😀 ${ATTACK} deploy now`])
    // The attack is text: no element was made of it, and the mark holds one text node.
    expect(element.querySelector('img')).toBeNull()
    const mark = element.querySelector('mark')
    expect([...mark.childNodes].map((node) => node.nodeType)).toEqual([Node.TEXT_NODE])
    const meta = element.querySelector('.search-result-meta')
    expect(meta.querySelector('.search-conversation').textContent).toBe('# team')
    expect(meta.querySelector('.search-author').textContent).toBe('Bob')
    expect(meta.querySelector('time').getAttribute('datetime')).toBe('2026-11-20T10:00:00Z')
    expect(element.querySelector('.search-result').getAttribute('href')).toBe('#/rooms/7/messages/5')
    expect(element.querySelector('.search-status').textContent).toBe('1 result for “deploy”')
  })

  it('names a DM by the other person\'s nickname, and says when nothing matches', async () => {
    const dm = { ...roomMessage(3, 'lunch?'), room_id: null, author: alice, recipient: bob }
    const search = vi.fn(async (query) => (query === 'lunch' ? { results: [{ message: dm, highlights: [[0, 5]] }], next: null } : { results: [], next: null }))
    const { element } = tracked(open({ search }))
    await submit(element, 'lunch')
    expect(element.querySelector('.search-conversation').textContent).toBe('@bob')
    expect(element.querySelector('.search-author').textContent).toBe('You')
    await submit(element, 'zebra')
    expect(resultTexts(element)).toEqual([])
    expect(element.querySelector('.search-status').textContent).toBe('No messages match “zebra”.')
  })

  it('names the files of a message found by its operators alone (no text, no highlight)', async () => {
    const files = [{ id: 1, name: 'plan.pdf' }, { id: 2, name: 'map.png' }]
    const search = vi.fn(async () => ({ results: [{ message: roomMessage(6, '', { files }), highlights: [] }], next: null }))
    const { element } = tracked(open({ search }))
    await submit(element, 'from:bob')
    expect(element.querySelector('.search-files').textContent).toBe('Files: plan.pdf, map.png')
    expect(marks(element)).toEqual([])
  })

  it("shows the server's 400 (an unknown operator) as a sentence, and opens the query help", async () => {
    const search = vi.fn(async () => {
      throw new ApiError(400, 'unknown operator form: (known: from:, with:, in:, before:, after:, has:)')
    })
    const { element } = tracked(open({ search }))
    expect(element.querySelector('.search-help').open).toBe(false)
    await submit(element, 'form:bob')
    const error = element.querySelector('.search-error')
    expect(error.hidden).toBe(false)
    expect(error.getAttribute('role')).toBe('alert')
    expect(error.textContent).toBe('This search cannot run: Unknown operator form: (known: from:, with:, in:, before:, after:, has:)')
    expect(element.querySelector('.search-help').open).toBe(true)
    expect(element.querySelector('.search-help').textContent).toContain('from:bob')
  })

  it('asks for something to look for instead of sending an empty query', async () => {
    const search = vi.fn()
    const { element } = tracked(open({ search }))
    await submit(element, '   ')
    expect(search).not.toHaveBeenCalled()
    expect(element.querySelector('.search-error').textContent).toMatch(/Type what to look for/)
  })

  it('loads more results below with `next` as `before`, until there is no next', async () => {
    const search = vi.fn(async (query, { before }) =>
      before == null
        ? { results: [{ message: roomMessage(9, 'deploy a'), highlights: [[0, 6]] }, { message: roomMessage(8, 'deploy b'), highlights: [[0, 6]] }], next: 8 }
        : { results: [{ message: roomMessage(4, 'deploy c'), highlights: [[0, 6]] }], next: null },
    )
    const { element } = tracked(open({ search }))
    await submit(element, 'deploy')
    const more = element.querySelector('.search-more')
    expect(more.hidden).toBe(false)
    expect(element.querySelector('.search-status').textContent).toBe('2 results so far for “deploy”')
    more.click()
    await vi.waitFor(() => expect(resultTexts(element)).toEqual(['deploy a', 'deploy b', 'deploy c']))
    expect(search).toHaveBeenLastCalledWith('deploy', { limit: 2, before: 8 })
    expect(more.hidden).toBe(true)
  })

  it('drops the answer to a search replaced by a newer one', async () => {
    let answerFirst
    const search = vi.fn((query) =>
      query === 'first'
        ? new Promise((resolve) => {
            answerFirst = resolve
          })
        : Promise.resolve({ results: [{ message: roomMessage(2, 'second'), highlights: [[0, 6]] }], next: null }),
    )
    const { element } = tracked(open({ search }))
    const input = element.querySelector('#message-search')
    input.value = 'first'
    element.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }))
    await submit(element, 'second')
    answerFirst({ results: [{ message: roomMessage(1, 'first'), highlights: [[0, 5]] }], next: null })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(resultTexts(element)).toEqual(['second'])
  })

  it('opens a result through onOpen with its route on a plain click', async () => {
    const search = vi.fn(async () => ({ results: [{ message: roomMessage(5, 'deploy', { thread_id: 3 }), highlights: [[0, 6]] }], next: null }))
    const { element, onOpen } = tracked(open({ search }))
    await submit(element, 'deploy')
    const link = element.querySelector('.search-result')
    expect(link.textContent).toContain('in a thread')
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 })
    link.dispatchEvent(click)
    expect(click.defaultPrevented).toBe(true)
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 5 }), '#/rooms/7/thread/3/messages/5')
    const newTab = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ctrlKey: true })
    link.dispatchEvent(newTab)
    expect(newTab.defaultPrevented).toBe(false)
    expect(onOpen).toHaveBeenCalledTimes(1)
  })
})

describe('live results', () => {
  async function withResults() {
    const search = vi.fn(async () => ({
      results: [
        { message: roomMessage(9, 'Deploy friday'), highlights: [[0, 6]] },
        { message: roomMessage(8, 'deploy monday'), highlights: [[0, 6]] },
      ],
      next: null,
    }))
    const opened = tracked(open({ search }))
    await submit(opened.element, 'deploy')
    return opened
  }

  it('takes a deleted message out of the results', async () => {
    const { store, element } = await withResults()
    store.upsertMessage(roomMessage(9, '', { deleted: true, seq: 20 }))
    expect(resultTexts(element)).toEqual(['deploy monday'])
    expect(element.querySelector('.search-status').textContent).toBe('1 result for “deploy”')
    store.upsertMessage(roomMessage(8, '', { deleted: true, seq: 21 }))
    expect(element.querySelector('.search-status').textContent).toBe('No messages match “deploy”.')
  })

  it('shows an edit in place, with the matched words still there highlighted and the others not', async () => {
    const { store, element } = await withResults()
    const node = element.querySelector('.search-result[data-id="8"]')
    store.upsertMessage(roomMessage(9, '😀 moved: we deploy on DEPLOY day', { seq: 20, edited_at: '2026-11-20T11:00:00Z' }))
    expect(resultTexts(element)).toEqual(['😀 moved: we deploy on DEPLOY day', 'deploy monday'])
    expect(marks(element)).toEqual(['deploy', 'DEPLOY', 'deploy'])
    expect(element.querySelector('.search-result[data-id="9"] .search-edited').textContent).toBe('edited')
    // The other result's node was not touched.
    expect(element.querySelector('.search-result[data-id="8"]')).toBe(node)
    store.upsertMessage(roomMessage(9, 'ship friday', { seq: 21 }))
    expect(resultTexts(element)[0]).toBe('ship friday')
    expect(marks(element)).toEqual(['deploy'])
  })

  it('ignores an older version of a result', async () => {
    const { store, element } = await withResults()
    store.upsertMessage(roomMessage(9, 'stale', { seq: 1 }))
    expect(resultTexts(element)[0]).toBe('Deploy friday')
  })

  it('drops the results of a room I am no longer in', async () => {
    const { store, element } = await withResults()
    store.removeRoom(7)
    expect(resultTexts(element)).toEqual([])
  })

  it('drops them too when the reloaded list of rooms no longer has it (removed while away)', async () => {
    const { store, element } = await withResults()
    store.upsertRoom({ ...store.rooms.get(7), name: 'renamed' })
    expect(resultTexts(element)).toHaveLength(2)
    store.setRooms([])
    expect(resultTexts(element)).toEqual([])
  })
})

describe('keyboard', () => {
  it('focuses the box on `/` outside text fields, and leaves `/` alone while typing', () => {
    const { element } = tracked(open({ search: vi.fn() }))
    const input = element.querySelector('#message-search')
    const slash = new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true })
    document.body.dispatchEvent(slash)
    expect(document.activeElement).toBe(input)
    expect(slash.defaultPrevented).toBe(true)

    const composer = document.createElement('textarea')
    document.body.append(composer)
    composer.focus()
    const typed = new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true })
    composer.dispatchEvent(typed)
    expect(typed.defaultPrevented).toBe(false)
    expect(document.activeElement).toBe(composer)
  })

  it('closes the results on Escape, bringing the focus back to the box', async () => {
    const search = vi.fn(async () => ({ results: [{ message: roomMessage(5, 'deploy'), highlights: [[0, 6]] }], next: null }))
    const { element } = tracked(open({ search }))
    await submit(element, 'deploy')
    const results = element.querySelector('.search-results')
    expect(results.hidden).toBe(false)
    element.querySelector('.search-result').focus()
    element.querySelector('.search-result').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
    expect(results.hidden).toBe(true)
    expect(document.activeElement).toBe(element.querySelector('#message-search'))
  })

  it('stops listening for `/` once destroyed', () => {
    const { panel, element } = open({ search: vi.fn() })
    panel.destroy()
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true }))
    expect(document.activeElement).not.toBe(element.querySelector('#message-search'))
  })
})
