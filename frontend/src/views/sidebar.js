// The sidebar: who I am, my rooms (unread, last message) and the people I have conversations with (online, unread).

import { compareRooms, comparePeople, directKey, parseKey, roomKey } from '../store.js'
import { filesSummary } from './attachments.js'
import { avatar, h, setChildren } from './h.js'

function unreadBadge(count) {
  if (!count) return null
  return h('span', { class: 'badge', 'aria-hidden': 'true' }, count > 99 ? '99+' : String(count))
}

/**
 * What the row says beyond its visible text, for screen readers: ", online, 3 unread". Added as hidden
 * text rather than an aria-label, so the link's name still starts with what is written on it.
 */
function statusWords({ unread, online, mentions } = {}) {
  const parts = []
  if (online != null) parts.push(online ? 'online' : 'offline')
  if (unread) parts.push(`${unread} unread`)
  if (mentions) parts.push(`${mentions} ${mentions === 1 ? 'mention' : 'mentions'}`)
  return parts.length ? `, ${parts.join(', ')}` : ''
}

/** "alice: see you soon" for a room's newest message, or who is in it when nothing was said yet. */
export function roomPreview(room, myId) {
  const message = room.last_message
  if (!message) return room.members?.length ? `${room.members.length} members, no messages yet` : 'No messages yet'
  const who = message.author.id === myId ? 'You' : message.author.name
  if (message.deleted) return `${who}: message deleted`
  if (!message.content && message.files?.length) return `${who}: ${filesSummary(message.files)}`
  return `${who}: ${message.content.replace(/\s+/g, ' ')}`
}

/** A room's row: built once, then patched (`update`) when its preview, unread count or name changes. */
function roomRow(room, store) {
  const key = roomKey(room.id)
  const title = h('span', { class: 'item-title' })
  const subtitle = h('span', { class: 'item-subtitle' })
  const status = h('span', { class: 'visually-hidden' })
  const link = h(
    'a',
    { class: 'item', href: `#/rooms/${room.id}`, dataset: { key } },
    h('span', { class: 'room-mark', 'aria-hidden': 'true' }, '#'),
    h('span', { class: 'item-text' }, title, subtitle),
    status,
  )
  const row = { key, element: h('li', {}, link), link, item: room, shown: {} }
  row.update = (current) => {
    row.item = current
    patch(row, {
      title: [title, current.name],
      subtitle: [subtitle, roomPreview(current, store.me?.id)],
      status: [status, statusWords({ unread: current.unread, mentions: current.mentions_unread })],
      unread: [link, current.unread],
      mentions: [link, current.mentions_unread],
      current: [link, store.active === key],
    })
  }
  row.update(room)
  return row
}

/** A person's row: built once, then patched when presence, unread count or name changes. */
function personRow(person, store) {
  const key = directKey(person.id)
  const title = h('span', { class: 'item-title' })
  const subtitle = h('span', { class: 'item-subtitle' })
  const status = h('span', { class: 'visually-hidden' })
  const initialsHolder = h('span', { class: 'avatar-holder' })
  const presence = h('span', { class: 'presence', 'aria-hidden': 'true' })
  const link = h(
    'a',
    { class: 'item', href: `#/people/${person.id}`, dataset: { key } },
    h('span', { class: 'avatar-wrap' }, initialsHolder, presence),
    h('span', { class: 'item-text' }, title, subtitle),
    status,
  )
  const row = { key, element: h('li', {}, link), link, item: person, shown: {} }
  row.update = (current) => {
    row.item = current
    patch(row, {
      // The picture's file, not its link: links are signed afresh in every payload.
      avatar: [initialsHolder, `${current.name}\n${current.avatar_url?.split('?')[0] ?? ''}`],
      title: [title, current.name],
      subtitle: [subtitle, `@${current.nickname}`],
      presence: [presence, current.online],
      status: [status, statusWords({ unread: current.unread, online: current.online, mentions: current.mentions_unread })],
      unread: [link, current.unread],
      mentions: [link, current.mentions_unread],
      current: [link, store.active === key],
    })
  }
  row.update(person)
  return row
}

/** Write only the parts of a row whose value changed since the last patch. */
function patch(row, parts) {
  for (const [part, [node, value]] of Object.entries(parts)) {
    if (row.shown[part] === value) continue
    row.shown[part] = value
    if (part === 'title' || part === 'subtitle' || part === 'status') node.textContent = value
    else if (part === 'avatar') setChildren(node, avatar(row.item))
    else if (part === 'presence') node.className = `presence ${value ? 'online' : 'offline'}`
    else if (part === 'current') {
      if (value) node.setAttribute('aria-current', 'page')
      else node.removeAttribute('aria-current')
    } else if (part === 'unread') {
      node.classList.toggle('has-unread', Boolean(value))
      node.querySelector('.badge:not(.mention-badge)')?.remove()
      const badge = unreadBadge(value)
      const mentionBadge = node.querySelector('.mention-badge')
      if (badge && mentionBadge) mentionBadge.before(badge)
      else if (badge) node.append(badge)
    } else if (part === 'mentions') {
      node.querySelector('.mention-badge')?.remove()
      if (value) node.append(h('span', { class: 'badge mention-badge', 'aria-hidden': 'true' }, `@${value > 99 ? '99+' : value}`))
    }
  }
}

/**
 * A list of rows kept in `compare` order: a change patches its own row and moves it only when it is
 * out of order with its neighbours; only a whole new list (`sync`) looks at every row.
 */
function keyedList({ list, compare, buildRow, emptyText }) {
  const rows = new Map()
  const rowOfElement = new Map()
  const emptyItem = h('li', { class: 'empty-item' }, emptyText)

  function showEmpty() {
    if (!rows.size && !emptyItem.isConnected) list.append(emptyItem)
    else if (rows.size) emptyItem.remove()
  }

  /** Move a row up or down until its neighbours are in order, keeping keyboard focus on it. */
  function place(row) {
    const hadFocus = row.element.contains(document.activeElement)
    let before = row.element.nextElementSibling
    let after = row.element.previousElementSibling
    let target = null
    while (after && rowOfElement.has(after) && compare(row.item, rowOfElement.get(after).item) < 0) {
      target = after
      after = after.previousElementSibling
    }
    if (target) list.insertBefore(row.element, target)
    else {
      while (before && rowOfElement.has(before) && compare(row.item, rowOfElement.get(before).item) > 0) {
        target = before
        before = before.nextElementSibling
      }
      if (target) list.insertBefore(row.element, target.nextElementSibling)
    }
    if (target && hadFocus) row.link.focus()
  }

  function remove(id) {
    const row = rows.get(id)
    if (!row) return
    row.element.remove()
    rows.delete(id)
    rowOfElement.delete(row.element)
  }

  return {
    rows,
    /** Patch (or add, or remove) the rows of these ids only. */
    update(ids, lookup) {
      for (const id of ids) {
        const item = lookup(id)
        if (!item) {
          remove(id)
          continue
        }
        let row = rows.get(id)
        if (row) row.update(item)
        else {
          row = buildRow(item)
          rows.set(id, row)
          rowOfElement.set(row.element, row)
          list.append(row.element)
        }
        place(row)
      }
      showEmpty()
    },
    /** The whole list was replaced: patch every row, add and remove rows, and fix the order. */
    sync(items) {
      const wanted = new Set(items.map((item) => item.id))
      for (const id of [...rows.keys()]) if (!wanted.has(id)) remove(id)
      let cursor = list.firstElementChild
      for (const item of items) {
        let row = rows.get(item.id)
        if (row) row.update(item)
        else {
          row = buildRow(item)
          rows.set(item.id, row)
          rowOfElement.set(row.element, row)
        }
        if (cursor === row.element) cursor = cursor.nextElementSibling
        else {
          const hadFocus = row.element.contains(document.activeElement)
          list.insertBefore(row.element, cursor)
          if (hadFocus) row.link.focus()
        }
      }
      showEmpty()
    },
  }
}

/**
 * Build the sidebar (`top`: an entry above the lists; `search`: the message search box under who I am); it
 * follows the store by itself. Returns `{element, destroy}`.
 */
export function createSidebar({ store, onLogOut, top = null, search = null }) {
  // Who I am, and the way to my profile (name, status, picture, closing the account).
  const me = h('a', { class: 'me', href: '#/profile', title: 'Your profile' })
  const roomList = h('ul', { class: 'list', 'aria-labelledby': 'rooms-heading' })
  const peopleList = h('ul', { class: 'list', 'aria-labelledby': 'people-heading' })

  const element = h(
    'aside',
    { class: 'sidebar' },
    h(
      'header',
      { class: 'sidebar-header' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'confab'),
      h('button', { type: 'button', class: 'button ghost small', onclick: () => onLogOut() }, 'Log out'),
    ),
    me,
    search,
    h(
      'nav',
      { class: 'sidebar-lists', 'aria-label': 'Conversations' },
      top,
      h(
        'section',
        { class: 'list-section' },
        h(
          'div',
          { class: 'section-heading' },
          h('h2', { id: 'rooms-heading' }, 'Rooms'),
          h('a', { class: 'button ghost small', href: '#/rooms/new' }, '+ New room'),
        ),
        roomList,
      ),
      h(
        'section',
        { class: 'list-section' },
        h(
          'div',
          { class: 'section-heading' },
          h('h2', { id: 'people-heading' }, 'People'),
          h('a', { class: 'button ghost small', href: '#/people/new' }, '+ New message'),
        ),
        peopleList,
      ),
    ),
  )

  const renderMe = () => {
    if (!store.me) return
    setChildren(
      me,
      avatar(store.me),
      h(
        'span',
        { class: 'item-text' },
        h('span', { class: 'item-title' }, store.me.name),
        h('span', { class: 'item-subtitle' }, store.me.status ? store.me.status : `@${store.me.nickname}`),
      ),
    )
  }
  const rooms = keyedList({
    list: roomList,
    compare: compareRooms,
    buildRow: (room) => roomRow(room, store),
    emptyText: 'No rooms yet. Create one to talk with several people.',
  })
  const people = keyedList({
    list: peopleList,
    compare: comparePeople,
    buildRow: (person) => personRow(person, store),
    emptyText: 'No conversations yet. Start one with “New message”.',
  })
  const onRooms = (event) => {
    const { ids, removed = [] } = event.detail ?? {}
    if (ids) rooms.update([...ids, ...removed], (roomId) => store.rooms.get(roomId))
    else rooms.sync(store.roomsByActivity())
  }
  const onPeople = (event) => {
    const { ids } = event.detail ?? {}
    if (ids) people.update(ids, (personId) => store.people.get(personId))
    else people.sync(store.peopleByConversation())
  }
  /** Only the rows that were and are now the open conversation change. */
  const onActive = (event) => {
    for (const key of [event.detail?.previous, store.active]) {
      const parsed = parseKey(key)
      if (!parsed) continue
      const row = (parsed.kind === 'room' ? rooms : people).rows.get(parsed.id)
      row?.update(row.item)
    }
  }

  const listeners = { session: renderMe, rooms: onRooms, people: onPeople, active: onActive }
  for (const [type, listener] of Object.entries(listeners)) store.addEventListener(type, listener)
  renderMe()
  rooms.sync(store.roomsByActivity())
  people.sync(store.peopleByConversation())

  return {
    element,
    destroy() {
      for (const [type, listener] of Object.entries(listeners)) store.removeEventListener(type, listener)
    },
  }
}
