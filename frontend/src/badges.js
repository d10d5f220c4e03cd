// Unread badges that only the server can correct: a message deleted (it may have been counted unread), or one
// edited to take my mention out or put it in. The client keeps no read markers, so it cannot tell whether
// that message was still unread; it reads the counts of that conversation again from the list they come in.

import { parseKey, seqOf } from './store.js'

const mentionsMe = (message, myId) => !message.deleted && Boolean(message.mentions?.includes(myId))

/**
 * The conversation whose badges a newer version of a message may change, or null. Call it before the store
 * takes that version: it compares with the one held. A message not held may have mentioned me before.
 * Thread replies are counted in their threads, and my own messages are never unread.
 */
export function badgeChangedBy(store, message) {
  if (message.thread_id != null || message.author.id === store.me?.id) return null
  const key = store.keyOf(message)
  const counts = store.describe(key)
  if (!counts) return null
  const held = store.conversations.get(key)
  const known = held?.byId.get(message.id) ?? held?.arrivals.get(message.id)
  if (known && seqOf(message) <= seqOf(known)) return null
  const { unread = 0, mentions_unread: mentionsUnread = 0 } = counts.room ?? counts.person
  // A deleted message may have been one of those counted unread, mention or not.
  if (message.deleted && !known?.deleted) return unread > 0 ? key : null
  const mentionsNow = mentionsMe(message, store.me?.id)
  if (known && mentionsMe(known, store.me?.id) === mentionsNow) return null
  // A mention put in counts only if the message is unread; one taken out only if a mention is counted.
  return (mentionsNow ? unread : mentionsUnread) > 0 ? key : null
}

/**
 * Reads the counts of the conversations asked about again: `GET /api/rooms` for rooms, my DM conversations
 * (`GET /api/users?conversations=true`, never the directory) for people. One request per list at a time;
 * conversations asked about meanwhile go in one more.
 */
export function createBadgeRecount({ api, store }) {
  const lists = {
    room: { read: () => api.rooms(), wanted: new Set(), running: null },
    user: { read: () => api.conversationPeople(), wanted: new Set(), running: null },
  }

  async function readWhileWanted(kind) {
    const list = lists[kind]
    while (list.wanted.size) {
      const ids = [...list.wanted]
      list.wanted.clear()
      try {
        store.applyUnreadCounts(kind, await list.read(), ids)
      } catch {
        // The badge stays as it was until the next refresh (coming back to the tab, a reconnect).
      }
    }
  }

  return {
    /** Read the counts of the conversation `key` again, soon. */
    recount(key) {
      const { kind, id } = parseKey(key)
      const list = lists[kind]
      list.wanted.add(id)
      list.running ??= readWhileWanted(kind).finally(() => {
        list.running = null
      })
      return list.running
    },
  }
}
