// The client's state in one place, as an EventTarget: views listen, the API and socket modules feed it.
//
// Events (CustomEvent, `detail` in brackets), each saying exactly what changed so a view patches only that:
// `session`, `connection`, `active`, `typing` {key}, `incoming` {messages}: new messages from other people, live;
// `people` {ids?} and `rooms` {ids?, removed?, removedRooms?}: the rows that changed (no `ids`: the whole
// list was replaced), and the rooms I am no longer in;
// `conversation` {key, added, updated, pending, status}: messages new to it, messages replaced by a newer
// version (a higher `seq`), client ids of pending bubbles added, changed or gone, whether its loading
// state (loaded, hasOlder, hasNewer) changed, and `reset` when its held messages were dropped (a jump far
// back in history, or back from there to the newest);
// `changed` {message}: a newer version of any message may have arrived (an edit, a deletion, a reaction),
// whether or not a conversation holds it (search results follow it).
//
// A conversation holds one contiguous run of its messages. Usually it ends at the newest; after a jump to an
// old message ("around") it may end before it (`hasNewer`): newer pages come with `after=`, and messages
// arriving meanwhile wait in `arrivals` until the run reaches them, so the run never has a hole.
// Threads (replies, the threads I follow) are the `threads` part, threads.js, with its own events.

import { ResumePoint } from './resumePoint.js'
import { ThreadState } from './threads.js'

export const PAGE_SIZE = 50
export const TYPING_VISIBLE_MS = 4000

/** The conversation key of a direct conversation with one person. */
export const directKey = (peerId) => `user:${peerId}`
/** The conversation key of a room. */
export const roomKey = (roomId) => `room:${roomId}`

/** Split a conversation key into its kind (`user` or `room`) and numeric id; null when it is not one. */
export function parseKey(key) {
  const match = /^(user|room):(\d+)$/.exec(key ?? '')
  return match ? { kind: match[1], id: Number(match[2]) } : null
}

/** The other party of a DM: the recipient of my own messages, the author of anyone else's. */
export function peerOf(message, myId) {
  return message.author.id === myId ? message.recipient : message.author
}

/** The conversation a message belongs to, seen by the user `myId`. */
export function keyOf(message, myId) {
  if (message.room_id != null) return roomKey(message.room_id)
  return directKey(peerOf(message, myId)?.id ?? myId)
}

/** A client id for an outgoing message, so a retried send is stored once (8..64 of [A-Za-z0-9_-]). */
export function newClientId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // randomUUID needs a secure context; a self-hosted site on plain http still has getRandomValues.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** A message's version: a later `message_updated` carries a higher `seq`; a message without one is version 0. */
export const seqOf = (message) => message.seq ?? 0

/** Where a message with `id` sits (or would go) in a conversation's list, which is kept in id order. */
export function insertionIndex(messages, id) {
  let low = 0
  let high = messages.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (messages[middle].id < id) low = middle + 1
    else high = middle
  }
  return low
}

export class Store extends EventTarget {
  constructor() {
    super()
    this.clear()
  }

  /** Forget everything (logging out). */
  clear() {
    this.me = null
    this.connection = 'idle'
    this.people = new Map()
    this.rooms = new Map()
    this.conversations = new Map()
    this.active = null
    this.lastId = 0
    // The `seq`s received from the server and when: a reconnecting socket resumes from its `since`.
    this.resumePoint = new ResumePoint()
    // The sum of every badge, kept as badges change, so the tab title needs no walk over all conversations.
    this.unreadTotal = 0
    for (const timers of this.typing?.values() ?? []) for (const timer of timers.values()) clearTimeout(timer)
    this.typing = new Map()
    this.threads = new ThreadState(this)
  }

  announce(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  setSession(me) {
    this.me = me
    this.announce('session')
  }

  /** `idle` (not started), `connecting`, `online` or `offline` (was connected or tried, and is not). */
  setConnection(state) {
    if (this.connection === state) return
    this.connection = state
    this.announce('connection')
  }

  /** The highest message id seen: where a reconnecting socket asks the server to resume from. */
  noteSeen(id) {
    if (id > this.lastId) this.lastId = id
  }

  /** The highest `seq` received from the server. */
  get seq() {
    return this.resumePoint.highest
  }

  /**
   * A `seq` received: pushed (or replayed) over the socket, or `read` from the database (see `resumePoint.js`).
   * A local stand-in (a fractional `seq`, see `markDeleted`) is not the server's.
   */
  noteSeq(seq, { read = false } = {}) {
    if (!Number.isInteger(seq)) return
    if (read) this.resumePoint.noteRead(seq)
    else this.resumePoint.noteArrival(seq)
  }

  /** Replace the people list with the server's (it knows presence and unread counts best). */
  setPeople(list) {
    // The server lists my conversations most recently active first: that order is their `activity` until
    // a new message gives one a message id (higher than any of these ranks).
    this.people = new Map(
      list
        .filter((person) => person.id !== this.me?.id)
        .map((person, index) => [person.id, { online: false, unread: 0, ...person, activity: -1 - index }]),
    )
    this.recountUnread()
    this.clearUnread(this.active)
    this.announce('people')
  }

  /**
   * Add the people not known yet (someone signed up), leaving the known ones as they are: their unread
   * counts here are newer than the server's while a read report is still on its way.
   */
  addPeople(list) {
    const added = list.filter((person) => person.id !== this.me?.id && !this.people.has(person.id))
    for (const person of added) {
      this.people.set(person.id, { online: false, unread: 0, ...person, activity: this.lastId + 0.5 })
      this.unreadTotal += person.unread ?? 0
    }
    if (added.length) this.announce('people', { ids: added.map((person) => person.id) })
  }

  /**
   * Someone's profile changed (`user_updated`, or my own answer): me, their sidebar row, the rooms they are
   * in and the messages held with them as author or recipient take the new profile. Rare, so it may look at
   * every held message; each conversation touched announces exactly the messages it replaced.
   */
  applyProfile(profile) {
    const { id } = profile
    if (this.me?.id === id) {
      this.me = { ...this.me, ...profile }
      this.announce('session')
    }
    const person = this.people.get(id)
    if (person) {
      this.people.set(id, { ...person, ...profile })
      this.announce('people', { ids: [id] })
    }
    const withProfile = (someone) => (someone?.id === id ? { ...someone, ...profile } : someone)
    const roomIds = []
    for (const room of this.rooms.values()) {
      const involved = room.owner?.id === id || room.members?.some((member) => member.id === id) || room.last_message?.author.id === id
      if (!involved) continue
      const lastMessage = room.last_message && { ...room.last_message, author: withProfile(room.last_message.author) }
      this.rooms.set(room.id, { ...room, owner: withProfile(room.owner), members: room.members?.map(withProfile), last_message: lastMessage })
      roomIds.push(room.id)
    }
    if (roomIds.length) this.announce('rooms', { ids: roomIds })
    for (const [key, conversation] of this.conversations) {
      const updated = []
      for (const message of conversation.messages) {
        if (message.author.id !== id && message.recipient?.id !== id) continue
        const changed = { ...message, author: withProfile(message.author), recipient: withProfile(message.recipient) }
        this.replaceMessage(conversation, changed)
        updated.push(changed)
      }
      if (updated.length) this.announce('conversation', { key, added: [], updated, pending: [], status: false })
    }
  }

  setPresence(userId, online) {
    const person = this.people.get(userId)
    if (!person || person.online === online) return
    person.online = online
    this.announce('people', { ids: [userId] })
  }

  setRooms(list) {
    this.rooms = new Map(list.map((room) => [room.id, { last_message: null, unread: 0, ...room }]))
    this.recountUnread()
    this.clearUnread(this.active)
    this.announce('rooms')
  }

  /** A room was created, or I was added to one, or its members changed: keep its preview and unread count. */
  upsertRoom(room) {
    const known = this.rooms.get(room.id)
    const merged = { last_message: null, unread: 0, ...known, ...room }
    this.unreadTotal += merged.unread - (known?.unread ?? 0)
    this.rooms.set(room.id, merged)
    this.announce('rooms', { ids: [room.id] })
  }

  /** My notification level for a room (set here, or pushed from another tab); an unknown room is left alone. */
  setNotificationLevel(roomId, level) {
    const room = this.rooms.get(roomId)
    if (room && room.notification_level !== level) this.upsertRoom({ ...room, notification_level: level })
  }

  /** I left a room or was removed from it; the event carries the room as it was, for its name. */
  removeRoom(roomId) {
    const room = this.rooms.get(roomId)
    if (!room) return
    this.unreadTotal -= room.unread ?? 0
    this.rooms.delete(roomId)
    this.conversations.delete(roomKey(roomId))
    this.threads.forgetRoom(roomId)
    this.announce('rooms', { ids: [], removed: [roomId], removedRooms: [room] })
  }

  /** Rooms, most recently active first. */
  roomsByActivity() {
    return [...this.rooms.values()].sort(compareRooms)
  }

  /**
   * Someone picked in the directory: known from now on, so their conversation can open before a message.
   * It counts as the most recent conversation until a message moves another above it.
   */
  addPerson(person) {
    if (person.id === this.me?.id || this.people.has(person.id)) return
    this.people.set(person.id, { online: false, unread: 0, ...person, activity: this.lastId + 0.5 })
    this.announce('people', { ids: [person.id] })
  }

  /** The sidebar's people: those with unread messages first, then the most recently active. */
  peopleByConversation() {
    return [...this.people.values()].sort(comparePeople)
  }

  /** People, alphabetically by name. */
  peopleByName() {
    return [...this.people.values()].sort(compareNames)
  }

  /**
   * The server's unread counts for the conversations `ids` (`kind`: `room` or `user`), from its list of them;
   * the others keep theirs, and so does the open one (read here, the server perhaps not told yet).
   */
  applyUnreadCounts(kind, list, ids) {
    const holders = kind === 'room' ? this.rooms : this.people
    const keyOfEntry = kind === 'room' ? roomKey : directKey
    const changed = []
    for (const entry of list) {
      const holder = holders.get(entry.id)
      if (!ids.includes(entry.id) || !holder || this.active === keyOfEntry(entry.id)) continue
      const unread = entry.unread ?? 0
      const mentionsUnread = entry.mentions_unread ?? 0
      if (holder.unread === unread && holder.mentions_unread === mentionsUnread) continue
      this.unreadTotal += unread - (holder.unread ?? 0)
      holder.unread = unread
      holder.mentions_unread = mentionsUnread
      changed.push(entry.id)
    }
    if (changed.length) this.announce(kind === 'room' ? 'rooms' : 'people', { ids: changed })
  }

  recountUnread() {
    this.unreadTotal = 0
    for (const holder of [...this.people.values(), ...this.rooms.values()]) this.unreadTotal += holder.unread ?? 0
  }

  /** The conversation a message belongs to, for me. */
  keyOf(message) {
    return keyOf(message, this.me?.id)
  }

  conversation(key) {
    let conversation = this.conversations.get(key)
    if (!conversation) {
      conversation = {
        key,
        messages: [],
        byId: new Map(),
        pending: new Map(),
        loaded: false,
        hasOlder: false,
        hasNewer: false,
        arrivals: new Map(),
        unreadAtOpen: 0,
      }
      this.conversations.set(key, conversation)
    }
    return conversation
  }

  /** The conversation's subject: `{kind, id, title, person?, room?}`, or null when it is unknown. */
  describe(key) {
    const parsed = parseKey(key)
    if (!parsed) return null
    if (parsed.kind === 'room') {
      const room = this.rooms.get(parsed.id)
      return room ? { ...parsed, title: room.name, room } : null
    }
    const person = this.people.get(parsed.id)
    return person ? { ...parsed, title: person.name, person } : null
  }

  clearUnread(key) {
    const parsed = parseKey(key)
    const holder = parsed && (parsed.kind === 'room' ? this.rooms : this.people).get(parsed.id)
    if (holder?.unread || holder?.mentions_unread) {
      this.unreadTotal -= holder.unread ?? 0
      holder.unread = 0
      holder.mentions_unread = 0
      return true
    }
    return false
  }

  /** Open a conversation; how many messages were unread in it is kept, so its view can mark where they start. */
  setActive(key) {
    const previous = this.active
    this.active = key
    const parsed = parseKey(key)
    if (key) {
      const holder = (parsed.kind === 'room' ? this.rooms : this.people).get(parsed.id)
      this.conversation(key).unreadAtOpen = holder?.unread ?? 0
    }
    if (this.clearUnread(key)) this.announce(parsed.kind === 'room' ? 'rooms' : 'people', { ids: [parsed.id] })
    this.announce('active', { previous })
  }

  /**
   * Add messages from any source (history page, socket event, send acknowledgement, catch-up).
   * Each id is kept once; a known id is replaced only by a version with a higher `seq` (an edit, a
   * deletion, a reaction). A message carrying the client id of a pending bubble replaces the bubble.
   * `live` messages (arriving now, or my own just sent) move their DM to the top of the sidebar, and those
   * from other people count as unread outside the open conversation.
   * A message newer than a run that stops short of the newest (`hasNewer`) waits in `arrivals`, unless it
   * comes with a `history` page, which extends the run.
   * Returns the messages that were new. Costs O(log n) per message: nothing here walks a conversation.
   */
  addMessages(messages, { live = false, history = false } = {}) {
    const added = []
    const changes = new Map()
    const changeOf = (key) => {
      if (!changes.has(key)) changes.set(key, { key, added: [], updated: [], pending: [], status: false })
      return changes.get(key)
    }
    const peopleChanged = new Set()
    const roomsChanged = new Set()
    for (const message of messages) {
      this.noteSeen(message.id)
      this.noteSeq(message.seq)
      // A reply belongs to its thread, not the conversation's main list (as in the server's histories); the
      // root's summary comes with the root's own `message_updated`.
      if (message.thread_id != null) {
        this.threads.addReply(message, { live, history, changeOf })
        continue
      }
      const key = keyOf(message, this.me?.id)
      const conversation = this.conversation(key)
      if (message.client_id && conversation.pending.delete(message.client_id)) changeOf(key).pending.push(message.client_id)
      const known = conversation.byId.get(message.id)
      if (known) {
        if (seqOf(message) > seqOf(known)) {
          this.replaceMessage(conversation, message)
          changeOf(key).updated.push(message)
        }
        continue
      }
      const list = conversation.messages
      const beyondRun = !history && conversation.hasNewer && list.length > 0 && message.id > list.at(-1).id
      if (beyondRun) {
        const waiting = conversation.arrivals.get(message.id)
        if (!waiting || seqOf(message) > seqOf(waiting)) conversation.arrivals.set(message.id, message)
        if (waiting) continue
      } else {
        conversation.byId.set(message.id, message)
        if (!list.length || list.at(-1).id < message.id) list.push(message)
        else list.splice(insertionIndex(list, message.id), 0, message)
        changeOf(key).added.push(message)
      }
      added.push(message)
      this.stopTyping(key, message.author.id)

      const fromSomeoneElse = message.author.id !== this.me?.id
      if (message.room_id != null) {
        const room = this.rooms.get(message.room_id)
        if (room) {
          if (!room.last_message || room.last_message.id < message.id) room.last_message = message
          if (live && fromSomeoneElse && key !== this.active) {
            room.unread = (room.unread ?? 0) + 1
            this.unreadTotal += 1
            if (message.mentions?.includes(this.me?.id)) room.mentions_unread = (room.mentions_unread ?? 0) + 1
          }
          roomsChanged.add(room.id)
        }
      } else {
        const peer = peerOf(message, this.me?.id)
        if (peer && peer.id !== this.me?.id) {
          if (!this.people.has(peer.id)) {
            this.people.set(peer.id, { ...peer, online: false, unread: 0, activity: -Infinity })
            peopleChanged.add(peer.id)
          }
          const person = this.people.get(peer.id)
          if (live && message.id > person.activity) {
            person.activity = message.id
            peopleChanged.add(peer.id)
          }
          if (live && fromSomeoneElse && key !== this.active) {
            person.unread = (person.unread ?? 0) + 1
            this.unreadTotal += 1
            if (message.mentions?.includes(this.me?.id)) person.mentions_unread = (person.mentions_unread ?? 0) + 1
            peopleChanged.add(peer.id)
          }
        }
      }
    }
    if (peopleChanged.size) this.announce('people', { ids: [...peopleChanged] })
    if (roomsChanged.size) this.announce('rooms', { ids: [...roomsChanged] })
    for (const change of changes.values()) this.announce('conversation', change)
    const incoming = added.filter((message) => message.author.id !== this.me?.id)
    if (live && incoming.length) this.announce('incoming', { messages: incoming })
    return added
  }

  /**
   * One message changed (a `message_updated` event): keep the version with the higher `seq`.
   * An unknown message is added only when it is newer than the oldest one held: one older than that
   * comes with its history page, and adding it alone would leave a hole that paging skips over.
   * Returns true when the stored message was replaced or added.
   */
  upsertMessage(message, { newerThan = Infinity } = {}) {
    this.noteSeq(message.seq)
    this.announce('changed', { message })
    if (message.thread_id != null) return this.threads.upsertReply(message, { newerThan })
    this.threads.noteRoot(message)
    const conversation = this.conversation(keyOf(message, this.me?.id))
    const known = conversation.byId.get(message.id)
    if (known && seqOf(message) <= seqOf(known)) return false
    const held = conversation.messages.length && message.id > conversation.messages[0].id
    if (!known && !held && message.id <= newerThan) return false
    this.addMessages([message])
    return true
  }

  /**
   * A page of `GET /api/changes`: new and changed messages alike, each in its latest state. A message
   * I have is replaced when the page's `seq` is higher; one created after `newerThan` (the highest id
   * held before the connection dropped) is new and added; an older one I do not hold is left to history.
   */
  applyChanges(messages, { newerThan }) {
    for (const message of messages) this.upsertMessage(message, { newerThan })
  }

  /**
   * Show my deletion at once (the server answers 204 without the message): a tombstone whose `seq` is a
   * half step above mine, so the server's own `message_updated` (a whole step at least) still replaces it.
   */
  markDeleted(messageId, key) {
    const known = this.conversation(key).byId.get(messageId)
    if (!known || known.deleted) return
    this.upsertMessage({ ...known, deleted: true, content: '', reactions: [], seq: seqOf(known) + 0.5 })
  }

  /**
   * The same message read again for its freshly signed file links (same `seq`, new `url`s): it replaces the
   * stored one unless that is newer. Returns true when it did.
   */
  refreshLinks(message) {
    const key = keyOf(message, this.me?.id)
    const conversation = this.conversation(key)
    const known = conversation.byId.get(message.id)
    if (!known || seqOf(message) < seqOf(known)) return false
    this.replaceMessage(conversation, message)
    this.announce('conversation', { key, added: [], updated: [message], pending: [], status: false })
    return true
  }

  /** Put a newer version of a known message in its place (and in the room preview when it is the newest). */
  replaceMessage(conversation, message) {
    conversation.byId.set(message.id, message)
    conversation.messages[insertionIndex(conversation.messages, message.id)] = message
    const room = message.room_id != null ? this.rooms.get(message.room_id) : null
    if (room?.last_message?.id === message.id) {
      room.last_message = message
      this.announce('rooms', { ids: [room.id] })
    }
  }

  /** Record a backwards page of history (the newest page, or an older one below `before`). */
  addHistoryPage(key, messages, { limit = PAGE_SIZE } = {}) {
    const conversation = this.conversation(key)
    conversation.loaded = true
    conversation.hasOlder = messages.length >= limit
    this.addMessages(messages, { history: true })
    this.announce('conversation', { key, added: [], updated: [], pending: [], status: true })
  }

  /** Record the newest page; a run that stopped short of it (after a jump) is dropped for it. */
  addNewestPage(key, messages, { limit = PAGE_SIZE } = {}) {
    const conversation = this.conversation(key)
    if (conversation.hasNewer) {
      this.dropRun(conversation)
      conversation.hasNewer = false
    }
    this.addHistoryPage(key, messages, { limit })
    this.joinArrivals(conversation)
  }

  /** Record a forwards page (`after=` the newest message held); a short page reached the newest. */
  addNewerPage(key, messages, { limit = PAGE_SIZE } = {}) {
    const conversation = this.conversation(key)
    conversation.hasNewer = messages.length >= limit
    this.addMessages(messages, { history: true })
    this.joinArrivals(conversation)
    this.announce('conversation', { key, added: [], updated: [], pending: [], status: true })
  }

  /**
   * Record a page centred on message `around` (`around=`, up to `(limit - 1) / 2 + 1` messages from it on,
   * older ones before). It joins the run held when the two overlap; otherwise it replaces it (announced as
   * `reset`), and the run ends short of the newest unless the page reached it.
   */
  addAroundPage(key, messages, { around, limit = PAGE_SIZE } = {}) {
    const conversation = this.conversation(key)
    // The server fills the page with older messages when fewer newer ones exist: a full page has more before it.
    const moreNewer = messages.filter((message) => message.id >= around).length >= Math.floor((limit - 1) / 2) + 1
    const moreOlder = messages.length >= limit
    const held = conversation.messages
    const first = messages[0]?.id ?? around
    const last = messages.at(-1)?.id ?? around
    if (held.length > 0 && first <= held.at(-1).id && last >= held[0].id) {
      if (first < held[0].id) conversation.hasOlder = moreOlder
      if (last > held.at(-1).id) conversation.hasNewer = moreNewer
    } else {
      const heldNewer = held.length > 0 && held.at(-1).id > last
      if (held.length) this.dropRun(conversation)
      conversation.hasOlder = moreOlder
      conversation.hasNewer = moreNewer || heldNewer || conversation.arrivals.size > 0
    }
    conversation.loaded = true
    this.addMessages(messages, { history: true })
    this.joinArrivals(conversation)
    this.announce('conversation', { key, added: [], updated: [], pending: [], status: true })
  }

  /** Forget a conversation's run of messages (its pending bubbles and waiting arrivals stay). */
  dropRun(conversation) {
    conversation.messages = []
    conversation.byId = new Map()
    conversation.hasOlder = false
    this.announce('conversation', { key: conversation.key, added: [], updated: [], pending: [], status: true, reset: true })
  }

  /** Once a run reaches the newest, the messages that arrived meanwhile join it, and it follows live again. */
  joinArrivals(conversation) {
    if (conversation.hasNewer) return
    // Those the pages brought too are kept in the newer of the two versions.
    const first = conversation.messages[0]?.id ?? 0
    const waiting = [...conversation.arrivals.values()].filter((message) => message.id > first)
    conversation.arrivals.clear()
    if (waiting.length) this.addMessages(waiting, { history: true })
  }

  /** Show an outgoing message right away, as pending, with a fresh client id (and the uploaded `files` it carries). */
  addPending(key, content, files = []) {
    const pending = { client_id: newClientId(), content, files, date: new Date().toISOString(), status: 'sending', error: null }
    this.conversation(key).pending.set(pending.client_id, pending)
    this.announcePending(key, pending.client_id)
    return pending
  }

  /** Mark a pending message as failed (with the reason in words) or back to sending. */
  setPendingStatus(key, clientId, status, error = null) {
    const pending = this.conversation(key).pending.get(clientId)
    if (!pending) return
    pending.status = status
    pending.error = error
    this.announcePending(key, clientId)
  }

  discardPending(key, clientId) {
    if (this.conversation(key).pending.delete(clientId)) this.announcePending(key, clientId)
  }

  announcePending(key, clientId) {
    this.announce('conversation', { key, added: [], updated: [], pending: [clientId], status: false })
  }

  /** Somebody is typing in a conversation; it fades after a few seconds without news. */
  setTyping(key, userId) {
    if (!this.typing.has(key)) this.typing.set(key, new Map())
    const timers = this.typing.get(key)
    clearTimeout(timers.get(userId))
    timers.set(
      userId,
      setTimeout(() => this.stopTyping(key, userId), TYPING_VISIBLE_MS),
    )
    this.announce('typing', { key })
  }

  stopTyping(key, userId) {
    const timers = this.typing.get(key)
    if (!timers?.has(userId)) return
    clearTimeout(timers.get(userId))
    timers.delete(userId)
    this.announce('typing', { key })
  }

  /** The ids of the people typing in a conversation right now. */
  typingIn(key) {
    return [...(this.typing.get(key)?.keys() ?? [])]
  }
}

const activityOf = (room) => room.last_message?.date ?? room.created_at ?? ''

/** The sidebar's room order: most recently active first. */
export function compareRooms(a, b) {
  return activityOf(b).localeCompare(activityOf(a)) || b.id - a.id
}

/** Alphabetical order of people: by name, case-insensitively. */
export function compareNames(a, b) {
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id - b.id
}

/**
 * The sidebar's people order: conversations with unread messages first, then the most recently active
 * (`activity`: the id of the newest live message, or the server's rank, below any message id).
 */
export function comparePeople(a, b) {
  const unread = Number(Boolean(b.unread)) - Number(Boolean(a.unread))
  if (unread) return unread
  const activityA = a.activity ?? -Infinity
  const activityB = b.activity ?? -Infinity
  return activityA === activityB ? a.id - b.id : activityB > activityA ? 1 : -1
}
