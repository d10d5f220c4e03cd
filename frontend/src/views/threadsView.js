// The threads I follow: the "Threads" link in the sidebar (with how many replies wait unread), and the
// Threads view in the main pane, unread threads first, each opening its thread beside its conversation.

import { compareThreads } from '../threads.js'
import { parseKey } from '../store.js'
import { h, setChildren } from './h.js'

const timeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })

/** The route that opens a thread beside its conversation: `#/rooms/7/thread/43`, `#/people/2/thread/43`. */
export function threadHref(thread) {
  const { kind, id } = parseKey(thread.key)
  return `#/${kind === 'room' ? 'rooms' : 'people'}/${id}/thread/${thread.root.id}`
}

/** "#team" or a person's name: where a thread's conversation is, as the sidebar names it. */
export function conversationName(store, key) {
  const subject = store.describe(key)
  if (!subject) return parseKey(key)?.kind === 'room' ? 'a room' : 'a conversation'
  return subject.kind === 'room' ? `#${subject.title}` : subject.title
}

/** "Bob: shall we meet at noon?" (one line), or what became of a deleted root. */
export function rootExcerpt(root, myId) {
  const who = root.author.id === myId ? 'You' : root.author.name
  if (root.deleted) return `${who}: message deleted`
  const text = root.content.replace(/\s+/g, ' ').trim()
  return `${who}: ${text || (root.files?.length ? 'sent files' : '')}`
}

/** "3 replies · last Nov 27, 10:06" or "No replies yet". */
export function replyLine(thread) {
  if (!thread.reply_count) return 'No replies yet'
  const count = `${thread.reply_count} ${thread.reply_count === 1 ? 'reply' : 'replies'}`
  return thread.last_reply_at ? `${count} · last ${timeFormat.format(new Date(thread.last_reply_at))}` : count
}

/** The sidebar's "Threads" link: the total of unread replies as its badge, current while the view is open. */
export function createThreadsLink({ store }) {
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: true })
  const status = h('span', { class: 'visually-hidden' })
  const link = h(
    'a',
    { class: 'item threads-link', href: '#/threads' },
    h('span', { class: 'room-mark', 'aria-hidden': 'true' }, '⋯'),
    h('span', { class: 'item-text' }, h('span', { class: 'item-title' }, 'Threads')),
    status,
    badge,
  )
  const render = () => {
    const unread = store.threads.unreadTotal
    badge.hidden = !unread
    badge.textContent = unread > 99 ? '99+' : String(unread)
    status.textContent = unread ? `, ${unread} unread` : ''
    link.classList.toggle('has-unread', Boolean(unread))
    if (location.hash === '#/threads') link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  const listeners = [
    ['threads', render],
    ['active', render],
  ]
  for (const [type, listener] of listeners) store.addEventListener(type, listener)
  window.addEventListener('hashchange', render)
  render()
  return {
    element: h('div', { class: 'threads-entry' }, link),
    destroy() {
      for (const [type, listener] of listeners) store.removeEventListener(type, listener)
      window.removeEventListener('hashchange', render)
    },
  }
}

/** One followed thread's row: built once, patched when its root, counts or unread change. */
function threadRow(thread, store) {
  const where = h('span', { class: 'thread-where' })
  const excerpt = h('span', { class: 'item-title' })
  const replies = h('span', { class: 'item-subtitle' })
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true' })
  const status = h('span', { class: 'visually-hidden' })
  const link = h('a', { class: 'item thread-item' }, h('span', { class: 'item-text' }, where, excerpt, replies), status, badge)
  const row = { element: h('li', { dataset: { rootId: String(thread.root.id) } }, link), link }
  row.update = (current) => {
    row.thread = current
    link.setAttribute('href', threadHref(current))
    where.textContent = conversationName(store, current.key)
    excerpt.textContent = rootExcerpt(current.root, store.me?.id)
    replies.textContent = replyLine(current)
    badge.hidden = !current.unread
    badge.textContent = current.unread > 99 ? '99+' : String(current.unread)
    status.textContent = current.unread ? `, ${current.unread} unread` : ''
    link.classList.toggle('has-unread', Boolean(current.unread))
  }
  row.update(thread)
  return row
}

/**
 * The Threads view: the threads I follow (`store.threads`), unread first, then the most recently active.
 * `reload()` asks the server for the list again (on opening the view). Returns `{element, destroy}`.
 */
export function createThreadsView({ store, reload }) {
  const list = h('ul', { class: 'list thread-list', 'aria-labelledby': 'threads-title' })
  const status = h('p', { class: 'history-status', role: 'status' })
  const heading = h('h1', { id: 'threads-title', class: 'conversation-title', tabindex: '-1' }, 'Threads')
  const element = h(
    'section',
    { class: 'conversation threads-view', 'aria-labelledby': 'threads-title' },
    h(
      'header',
      { class: 'conversation-header' },
      h('a', { class: 'back', href: '#/', 'aria-label': 'All conversations' }, '‹'),
      h('div', { class: 'heading' }, heading, h('p', { class: 'conversation-subtitle' }, 'Threads you follow: you started them, replied in them, or chose to follow.')),
    ),
    h('div', { class: 'panel-body' }, status, list),
  )
  const rows = new Map()

  /** Patch the rows of these threads (all of them without `ids`), then put the rows in order. */
  function render(ids = null) {
    for (const rootId of ids ?? [...new Set([...rows.keys(), ...store.threads.followed.keys()])]) {
      const thread = store.threads.followed.get(rootId)
      const row = rows.get(rootId)
      if (!thread) {
        row?.element.remove()
        rows.delete(rootId)
      } else if (row) row.update(thread)
      else rows.set(rootId, threadRow(thread, store))
    }
    // Reorder by moving only the rows out of place (the focused one keeps its focus).
    let cursor = list.firstElementChild
    for (const row of [...rows.values()].sort((a, b) => compareThreads(a.thread, b.thread))) {
      if (cursor === row.element) cursor = cursor.nextElementSibling
      else {
        const hadFocus = row.element.contains(document.activeElement)
        list.insertBefore(row.element, cursor)
        if (hadFocus) row.link.focus()
      }
    }
    if (!store.threads.loaded) setChildren(status, 'Loading your threads…')
    else setChildren(status, rows.size ? '' : 'No threads yet. Reply to a message, or follow a thread, to see it here.')
  }

  const onThreads = (event) => render(event.detail?.ids ?? null)
  // A room renamed, or one left: the rows naming it (every row when the whole list of rooms changed).
  const onNames = (event) => {
    const ids = event.detail?.ids && new Set([...event.detail.ids, ...(event.detail.removed ?? [])].map((roomId) => `room:${roomId}`))
    for (const row of rows.values()) if (!ids || ids.has(row.thread.key)) row.update(row.thread)
  }
  const listeners = [
    ['threads', onThreads],
    ['rooms', onNames],
  ]
  for (const [type, listener] of listeners) store.addEventListener(type, listener)
  render()
  reload?.().catch((error) => setChildren(status, `Your threads could not be loaded: ${error.detail}`))

  return {
    element,
    focus: () => heading.focus(),
    destroy() {
      for (const [type, listener] of listeners) store.removeEventListener(type, listener)
    },
  }
}
