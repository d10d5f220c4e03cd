// Message search in the sidebar: the search box (`/` focuses it), tips on the query language, and the results
// (newest first, matched words in <mark>, "Load more"), each a link that opens its conversation on it.
//
// Results follow the messages they show: a deleted one leaves the list; an edited one keeps its place with
// its new text, its earlier matched words highlighted wherever they still appear (the query is not run again,
// so a result edited until it no longer matches stays, unhighlighted, until the next search).

import { QUERY_HELP, carryHighlights, excerpt, highlightSegments, messageRoute } from '../search.js'
import { peerOf, seqOf } from '../store.js'
import { sentence } from './errors.js'
import { h, setChildren, showText } from './h.js'

/** Results asked for at a time. */
export const RESULTS_PAGE = 20

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** `content` as text nodes, with the `spans` (code point offsets) in <mark> elements. */
export function highlighted(content, spans) {
  return highlightSegments(content, spans).map(({ text, marked }) => (marked ? h('mark', {}, text) : document.createTextNode(text)))
}

/** Whether a keystroke there is someone typing (so `/` is a character, not the shortcut). */
export function isTypingTarget(element) {
  if (!element || element === document.body) return false
  if (element.isContentEditable) return true
  const tag = element.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  return tag === 'INPUT' && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(element.type)
}

/**
 * Build the search box and its results. `search(query, {limit, before})` answers one page
 * (`{results, next}`); `onOpen(message, route)` opens a result (`route`: its `#/...` link). Returns
 * `{element, focus, close, destroy}`; `/` anywhere outside a text field focuses the box.
 */
export function createSearchPanel({ store, search, onOpen, pageSize = RESULTS_PAGE }) {
  const input = h('input', {
    type: 'search',
    id: 'message-search',
    name: 'q',
    placeholder: 'Search messages',
    autocomplete: 'off',
    enterkeyhint: 'search',
    'aria-describedby': 'message-search-hint',
    'aria-keyshortcuts': '/',
  })
  const form = h(
    'form',
    { class: 'search-form', role: 'search' },
    h('label', { for: 'message-search', class: 'visually-hidden' }, 'Search messages'),
    input,
    h('p', { class: 'visually-hidden', id: 'message-search-hint' }, 'Enter searches, Escape closes the results, / comes back here.'),
  )
  const help = h(
    'details',
    { class: 'search-help' },
    h('summary', {}, 'Search tips'),
    h(
      'dl',
      {},
      QUERY_HELP.map(({ example, meaning }) => [h('dt', {}, h('code', {}, example)), h('dd', {}, meaning)]),
    ),
  )
  const status = h('p', { class: 'search-status', role: 'status' })
  const error = h('p', { class: 'field-error search-error', role: 'alert', hidden: true })
  const list = h('ol', { class: 'search-list', 'aria-label': 'Search results' })
  const moreButton = h('button', { type: 'button', class: 'button ghost small search-more', hidden: true }, 'Load more')
  const closeButton = h('button', { type: 'button', class: 'button ghost small', 'aria-label': 'Close search results' }, 'Close')
  const panel = h(
    'section',
    { class: 'search-results', 'aria-label': 'Message search results', hidden: true },
    h('div', { class: 'search-results-header' }, status, closeButton),
    error,
    list,
    moreButton,
  )
  const element = h('div', { class: 'search' }, form, help, panel)

  // The query shown and its results by message id: {message, highlights, node}, in the list's order.
  let query = ''
  let next = null
  const results = new Map()
  // Each search or page gets a number: an answer to one replaced since is dropped.
  let request = 0
  let loadingMore = false

  function conversationName(message) {
    if (message.room_id != null) return `# ${store.rooms.get(message.room_id)?.name ?? 'a room'}`
    // `@nickname` for a DM, like `# room` for a room: the author's name beside it is often the same person.
    const peer = peerOf(message, store.me?.id)
    return `@${store.people.get(peer?.id)?.nickname ?? peer?.nickname ?? 'someone'}`
  }

  function resultNode(message, highlights) {
    const shown = excerpt(message.content, highlights)
    const date = new Date(message.date)
    const files = message.files?.length ? h('span', { class: 'search-files' }, `Files: ${message.files.map((file) => file.name).join(', ')}`) : null
    const link = h(
      'a',
      { class: 'search-result', href: messageRoute(message, store.me?.id), dataset: { id: message.id }, onclick: (event) => follow(event, message) },
      h(
        'span',
        { class: 'search-result-meta' },
        h('span', { class: 'search-conversation' }, conversationName(message)),
        h('span', { class: 'search-author' }, message.author.id === store.me?.id ? 'You' : message.author.name),
        h('time', { datetime: message.date }, dateFormat.format(date)),
        message.thread_id != null ? h('span', { class: 'tag' }, 'in a thread') : null,
        message.edited_at ? h('span', { class: 'search-edited' }, 'edited') : null,
      ),
      h('span', { class: 'search-content' }, shown.before ? '…' : null, highlighted(shown.text, shown.spans), shown.after ? '…' : null),
      files,
    )
    return h('li', {}, link)
  }

  /** A plain click opens the result here (again, too: the same link twice must still jump); others are the browser's. */
  function follow(event, message) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    onOpen(message, messageRoute(message, store.me?.id))
  }

  function renderStatus() {
    if (!results.size) setChildren(status, `No messages match “${query}”.`)
    else setChildren(status, `${results.size} ${results.size === 1 ? 'result' : 'results'}${next != null ? ' so far' : ''} for “${query}”`)
    moreButton.hidden = next == null
  }

  function addResults(page) {
    for (const { message, highlights } of page.results) {
      if (results.has(message.id) || message.deleted) continue
      const node = resultNode(message, highlights)
      results.set(message.id, { message, highlights, node })
      list.append(node)
    }
    next = page.next ?? null
  }

  function clearResults() {
    results.clear()
    list.replaceChildren()
    next = null
  }

  async function run(text) {
    const wanted = text.trim()
    const ticket = ++request
    loadingMore = false
    clearResults()
    panel.hidden = false
    moreButton.hidden = true
    if (!wanted) {
      showText(error, 'Type what to look for: words, a "phrase", or an operator such as from:nickname.')
      setChildren(status, '')
      return
    }
    query = wanted
    showText(error, null)
    setChildren(status, 'Searching…')
    try {
      const page = await search(wanted, { limit: pageSize })
      if (ticket !== request) return
      addResults(page)
      renderStatus()
    } catch (failure) {
      if (ticket !== request) return
      setChildren(status, '')
      // A 400 names the part of the query the server could not take (an unknown operator, a bad date).
      showText(error, failure.status === 400 ? `This search cannot run: ${sentence(failure.detail)}` : `Search failed: ${failure.detail}`)
      if (failure.status === 400) help.open = true
    }
  }

  async function loadMore() {
    if (loadingMore || next == null) return
    const ticket = request
    loadingMore = true
    moreButton.disabled = true
    showText(error, null)
    try {
      const page = await search(query, { limit: pageSize, before: next })
      if (ticket !== request) return
      addResults(page)
      renderStatus()
    } catch (failure) {
      if (ticket === request) showText(error, `More results could not be loaded: ${failure.detail}`)
    } finally {
      if (ticket === request) {
        loadingMore = false
        moreButton.disabled = false
      }
    }
  }

  function close() {
    if (panel.hidden) return
    const hadFocus = panel.contains(document.activeElement)
    request += 1
    panel.hidden = true
    clearResults()
    showText(error, null)
    if (hadFocus) input.focus()
  }

  function removeResult(messageId) {
    const result = results.get(messageId)
    if (!result) return
    const hadFocus = result.node.contains(document.activeElement)
    const neighbour = result.node.nextElementSibling ?? result.node.previousElementSibling
    result.node.remove()
    results.delete(messageId)
    if (hadFocus) (neighbour?.querySelector('a') ?? input).focus()
    renderStatus()
  }

  /** A newer version of a message: a result showing it follows (deleted: gone; edited: new text). */
  const onChanged = (event) => {
    const message = event.detail.message
    const result = results.get(message.id)
    if (!result || seqOf(message) <= seqOf(result.message)) return
    if (message.deleted) {
      removeResult(message.id)
      return
    }
    const highlights = carryHighlights(result.message.content, result.highlights, message.content)
    const node = resultNode(message, highlights)
    const hadFocus = result.node.contains(document.activeElement)
    result.node.replaceWith(node)
    Object.assign(result, { message, highlights, node })
    if (hadFocus) node.querySelector('a').focus()
  }
  /** A room I left or was removed from (or missing from a reloaded list): its messages are no longer mine to find. */
  const onRooms = (event) => {
    const { ids, removed = [] } = event.detail ?? {}
    if (ids && !removed.length) return
    for (const [messageId, result] of [...results]) {
      if (result.message.room_id != null && !store.rooms.has(result.message.room_id)) removeResult(messageId)
    }
  }
  const onKeydown = (event) => {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return
    if (isTypingTarget(event.target) || isTypingTarget(document.activeElement)) return
    event.preventDefault()
    input.focus()
    input.select()
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    run(input.value)
  })
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) {
      event.preventDefault()
      close()
    }
  })
  moreButton.addEventListener('click', loadMore)
  closeButton.addEventListener('click', close)
  store.addEventListener('changed', onChanged)
  store.addEventListener('rooms', onRooms)
  document.addEventListener('keydown', onKeydown)

  return {
    element,
    focus: () => input.focus(),
    close,
    destroy() {
      request += 1
      store.removeEventListener('changed', onChanged)
      store.removeEventListener('rooms', onRooms)
      document.removeEventListener('keydown', onKeydown)
    },
  }
}
