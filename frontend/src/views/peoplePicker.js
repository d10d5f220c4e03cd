// Search the directory as you type and pick someone with the keyboard or the mouse: the "New message"
// picker, and the same search where a new room invites people and a room's panel adds a member.
//
// An ARIA 1.2 combobox: focus stays in the text field, the arrow keys move the highlighted option
// (announced through `aria-activedescendant`), Enter picks it, Escape clears the field. Searches wait
// for a pause in typing, and an answer to an older query never replaces a newer one.

import { avatar, h, setChildren, showText } from './h.js'

export const SEARCH_DELAY_MS = 150
export const RESULTS_LIMIT = 20

/**
 * The search field and its results. `search(text)` resolves to `{people, nextCursor}` (a page of
 * `GET /api/users?q=`) or rejects with an ApiError; `onPick(person)` acts on the one picked; people for whom
 * `exclude(person)` is true are never offered. `idPrefix` keeps the ids of two searches on a page apart.
 * Returns `{input, status, list, clear, focus, destroy}`.
 */
export function createPeopleSearch({ search, onPick, exclude = () => false, idPrefix, delay = SEARCH_DELAY_MS }) {
  const listId = `${idPrefix}-results`
  const statusId = `${idPrefix}-status`
  const input = h('input', {
    id: `${idPrefix}-input`,
    type: 'search',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: '100',
    placeholder: 'Name or nickname',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': statusId,
  })
  const list = h('ul', { id: listId, class: 'list picker-results', role: 'listbox', 'aria-label': 'People found' })
  const status = h('p', { id: statusId, class: 'muted', role: 'status' })

  let results = []
  let active = -1
  let timer = null
  let latest = 0
  let destroyed = false

  const optionId = (person) => `${idPrefix}-option-${person.id}`

  function highlight(index) {
    active = results.length ? Math.max(0, Math.min(index, results.length - 1)) : -1
    list.querySelectorAll('[role="option"]').forEach((option, position) => {
      option.setAttribute('aria-selected', position === active ? 'true' : 'false')
      option.classList.toggle('active', position === active)
    })
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', optionId(results[active]))
      list.children[active]?.scrollIntoView?.({ block: 'nearest' })
    } else {
      input.removeAttribute('aria-activedescendant')
    }
  }

  function option(person, index) {
    const presence = person.online ? 'online' : 'offline'
    return h(
      'li',
      {
        id: optionId(person),
        role: 'option',
        class: 'item picker-option',
        'aria-selected': 'false',
        'aria-label': `${person.name} (@${person.nickname}), ${presence}`,
        dataset: { id: String(person.id) },
        // Keep the focus in the field, so typing goes on after a click that is not a pick.
        onmousedown: (event) => event.preventDefault(),
        onclick: () => pick(index),
      },
      h('span', { class: 'avatar-wrap' }, avatar(person), h('span', { class: `presence ${presence}`, 'aria-hidden': 'true' })),
      h(
        'span',
        { class: 'item-text' },
        h('span', { class: 'item-title' }, person.name),
        h('span', { class: 'item-subtitle' }, `@${person.nickname}`),
      ),
    )
  }

  function show(people, sentence) {
    results = people
    setChildren(list, people.map(option))
    input.setAttribute('aria-expanded', people.length ? 'true' : 'false')
    highlight(people.length ? 0 : -1)
    showText(status, sentence)
  }

  function pick(index) {
    const person = results[index]
    if (person) onPick(person)
  }

  async function run(text, ticket) {
    try {
      const { people, nextCursor } = await search(text)
      if (destroyed || ticket !== latest) return
      const offered = people.filter((person) => !exclude(person))
      if (!offered.length) {
        show([], `Nobody found for “${text}”.`)
      } else {
        const count = offered.length === 1 ? '1 person' : `${offered.length} people`
        show(offered, nextCursor ? `${count} shown; more match: keep typing to narrow it down.` : `${count} found.`)
      }
    } catch (error) {
      if (destroyed || ticket !== latest) return
      show([], error?.detail ?? 'The search failed; try again.')
    }
  }

  function onInput() {
    clearTimeout(timer)
    const text = input.value.trim()
    latest += 1
    if (!text) {
      show([], 'Type a name or a nickname.')
      return
    }
    const ticket = latest
    showText(status, 'Searching…')
    timer = setTimeout(() => run(text, ticket), delay)
  }

  function onKeyDown(event) {
    if (event.key === 'ArrowDown') highlight(active + 1)
    else if (event.key === 'ArrowUp') highlight(active - 1)
    else if (event.key === 'Enter') pick(active)
    else if (event.key === 'Escape' && input.value) {
      input.value = ''
      onInput()
    } else return
    event.preventDefault()
  }

  input.addEventListener('input', onInput)
  input.addEventListener('keydown', onKeyDown)
  showText(status, 'Type a name or a nickname.')

  return {
    input,
    status,
    list,
    /** Empty the field and the results, ready for the next search. */
    clear() {
      input.value = ''
      onInput()
    },
    focus: () => input.focus(),
    destroy() {
      destroyed = true
      clearTimeout(timer)
    },
  }
}

/**
 * The "New message" view: `onPick(person)` opens the conversation; `excludeId` (me) is never offered.
 * Returns `{element, focus, destroy}`.
 */
export function createPeoplePicker({ search, onPick, excludeId = null, delay = SEARCH_DELAY_MS }) {
  const people = createPeopleSearch({ search, onPick, exclude: (person) => person.id === excludeId, idPrefix: 'people-picker', delay })
  const element = h(
    'section',
    { class: 'new-message', 'aria-labelledby': 'new-message-title' },
    h(
      'header',
      { class: 'conversation-header' },
      h('a', { class: 'back', href: '#/', 'aria-label': 'All conversations' }, '‹'),
      h(
        'div',
        { class: 'heading' },
        h('h1', { id: 'new-message-title', class: 'conversation-title' }, 'New message'),
        h('p', { class: 'conversation-subtitle' }, 'Find anyone on this server by name or nickname.'),
      ),
    ),
    h(
      'div',
      { class: 'panel-body' },
      h('div', { class: 'field' }, h('label', { for: people.input.id }, 'To'), people.input, people.status),
      people.list,
    ),
  )
  return { element, focus: people.focus, destroy: people.destroy }
}
