// The sidebar: who I am, my rooms (unread, last message) and the people I have conversations with (online, unread).

import { directKey, roomKey } from '../store.js'
import { avatar, h, setChildren } from './h.js'

function unreadBadge(count) {
  if (!count) return null
  return h('span', { class: 'badge', title: `${count} unread` }, count > 99 ? '99+' : String(count))
}

function accessibleName(title, { unread, online } = {}) {
  const parts = [title]
  if (online != null) parts.push(online ? 'online' : 'offline')
  if (unread) parts.push(`${unread} unread`)
  return parts.join(', ')
}

/** "alice: see you soon" for a room's newest message, or who is in it when nothing was said yet. */
export function roomPreview(room, myId) {
  const message = room.last_message
  if (!message) return room.members?.length ? `${room.members.length} members, no messages yet` : 'No messages yet'
  const who = message.author.id === myId ? 'You' : message.author.name
  return `${who}: ${message.content.replace(/\s+/g, ' ')}`
}

function roomItem(room, store) {
  const key = roomKey(room.id)
  return h(
    'li',
    {},
    h(
      'a',
      {
        class: `item${room.unread ? ' has-unread' : ''}`,
        href: `#/rooms/${room.id}`,
        'aria-current': store.active === key ? 'page' : null,
        'aria-label': accessibleName(room.name, { unread: room.unread }),
        dataset: { key },
      },
      h('span', { class: 'room-mark', 'aria-hidden': 'true' }, '#'),
      h(
        'span',
        { class: 'item-text' },
        h('span', { class: 'item-title' }, room.name),
        h('span', { class: 'item-subtitle' }, roomPreview(room, store.me?.id)),
      ),
      unreadBadge(room.unread),
    ),
  )
}

function personItem(person, store) {
  const key = directKey(person.id)
  return h(
    'li',
    {},
    h(
      'a',
      {
        class: `item${person.unread ? ' has-unread' : ''}`,
        href: `#/people/${person.id}`,
        'aria-current': store.active === key ? 'page' : null,
        'aria-label': accessibleName(person.name, { unread: person.unread, online: person.online }),
        dataset: { key },
      },
      h(
        'span',
        { class: 'avatar-wrap' },
        avatar(person),
        h('span', { class: `presence ${person.online ? 'online' : 'offline'}`, 'aria-hidden': 'true' }),
      ),
      h(
        'span',
        { class: 'item-text' },
        h('span', { class: 'item-title' }, person.name),
        h('span', { class: 'item-subtitle' }, `@${person.nickname}`),
      ),
      unreadBadge(person.unread),
    ),
  )
}

/** Build the sidebar; it follows the store by itself. Returns `{element, destroy}`. */
export function createSidebar({ store, onLogOut }) {
  const me = h('div', { class: 'me' })
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
    h(
      'nav',
      { class: 'sidebar-lists', 'aria-label': 'Conversations' },
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

  /** Re-render a list, keeping keyboard focus on the same conversation if it was inside. */
  function refill(list, items, emptyText) {
    const focusedKey = list.contains(document.activeElement) ? document.activeElement.dataset.key : null
    setChildren(list, items.length ? items : h('li', { class: 'empty-item' }, emptyText))
    if (focusedKey) list.querySelector(`[data-key="${focusedKey}"]`)?.focus()
  }

  const renderMe = () => {
    if (!store.me) return
    setChildren(
      me,
      avatar(store.me),
      h(
        'span',
        { class: 'item-text' },
        h('span', { class: 'item-title' }, store.me.name),
        h('span', { class: 'item-subtitle' }, `@${store.me.nickname}`),
      ),
    )
  }
  const renderRooms = () =>
    refill(roomList, store.roomsByActivity().map((room) => roomItem(room, store)), 'No rooms yet. Create one to talk with several people.')
  const renderPeople = () =>
    refill(peopleList, store.peopleByConversation().map((person) => personItem(person, store)), 'No conversations yet. Start one with “New message”.')
  const renderLists = () => {
    renderRooms()
    renderPeople()
  }

  const listeners = { session: renderMe, rooms: renderRooms, people: renderPeople, active: renderLists }
  for (const [type, listener] of Object.entries(listeners)) store.addEventListener(type, listener)
  renderMe()
  renderLists()

  return {
    element,
    destroy() {
      for (const [type, listener] of Object.entries(listeners)) store.removeEventListener(type, listener)
    },
  }
}
