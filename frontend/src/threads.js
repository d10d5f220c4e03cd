// Threads in the client's state (the store's `threads` part).
//
// A thread's replies are a conversation of their own in the store, keyed `<conversation key>/thread/<root id>`,
// so the message list, the outbox and the pending bubbles work on a thread as on any conversation. Its
// replies are kept once the thread was opened (its first page loaded); before that, a reply only counts.
// The threads I follow (`GET /api/threads`) are kept with their unread counts, and follow the live replies.
//
// Events on the store: `conversation` {key: a thread key, root: true} when a thread's root changed, and
// `threads` {ids?, stale?}: the followed threads that changed (no `ids`: the whole list was replaced);
// `stale`: a thread I now follow may be missing from the list, which should be loaded again.

import { insertionIndex, keyOf, seqOf } from './store.js'

/** The key of the thread under the message `rootId` of the conversation `conversationKey`. */
export const threadKey = (conversationKey, rootId) => `${conversationKey}/thread/${rootId}`

/** Split a thread key into its conversation key and root id; null when it is not a thread key. */
export function parseThreadKey(key) {
  const match = /^((?:user|room):\d+)\/thread\/(\d+)$/.exec(key ?? '')
  return match ? { conversationKey: match[1], rootId: Number(match[2]) } : null
}

/** The thread a reply belongs to, seen by the user `myId`. */
export const threadKeyOf = (reply, myId) => threadKey(keyOf(reply, myId), reply.thread_id)

/** The Threads view's order: threads with unread replies first, then the most recently active. */
export function compareThreads(a, b) {
  const unread = Number(Boolean(b.unread)) - Number(Boolean(a.unread))
  if (unread) return unread
  const activity = (b.last_reply_at ?? b.root.date).localeCompare(a.last_reply_at ?? a.root.date)
  return activity || b.root.id - a.root.id
}

export class ThreadState {
  constructor(store) {
    this.store = store
    // Root id -> {root, reply_count, last_reply_at, unread, key}: the threads I follow.
    this.followed = new Map()
    this.loaded = false
    // The sum of the followed threads' unread counts (the sidebar's badge).
    this.unreadTotal = 0
    // Root id -> the highest reply id I told the server I read (read markers only move forward).
    this.readUpTo = new Map()
    // Replies counted as unread since the list was loaded: a replayed copy is not counted twice.
    this.counted = new Set()
  }

  get myId() {
    return this.store.me?.id
  }

  /** Replace the followed threads with the server's list (`GET /api/threads`). */
  setFollowed(list) {
    this.followed = new Map(list.map((thread) => [thread.root.id, { ...thread, key: keyOf(thread.root, this.myId) }]))
    this.counted.clear()
    this.loaded = true
    // The server may not have my newest read report yet: a thread read here up to its newest reply is read.
    for (const thread of this.followed.values()) {
      const held = this.store.conversations.get(threadKey(thread.key, thread.root.id))
      const newest = held?.loaded ? held.messages.at(-1)?.id : undefined
      if (thread.unread && newest != null && newest <= (this.readUpTo.get(thread.root.id) ?? 0)) thread.unread = 0
    }
    this.recount()
    this.store.announce('threads')
  }

  recount() {
    this.unreadTotal = 0
    for (const thread of this.followed.values()) this.unreadTotal += thread.unread
  }

  /** The followed threads, unread ones first, then the most recently active. */
  byActivity() {
    return [...this.followed.values()].sort(compareThreads)
  }

  isFollowing(rootId) {
    return this.followed.has(rootId)
  }

  /** I follow the thread under `root` now (the server said yes); nothing in it is unread yet. */
  follow(root) {
    if (this.followed.has(root.id)) return
    this.followed.set(root.id, {
      root,
      reply_count: root.thread?.reply_count ?? 0,
      last_reply_at: root.thread?.last_reply_at ?? null,
      unread: 0,
      key: keyOf(root, this.myId),
    })
    this.store.announce('threads', { ids: [root.id] })
  }

  unfollow(rootId) {
    const thread = this.followed.get(rootId)
    if (!thread) return
    this.unreadTotal -= thread.unread
    this.followed.delete(rootId)
    this.store.announce('threads', { ids: [rootId] })
  }

  /** Open the thread under `root`: its conversation in the store, with the root to show on top. */
  open(root) {
    const key = threadKey(keyOf(root, this.myId), root.id)
    const thread = this.store.conversation(key)
    if (!thread.root || seqOf(root) > seqOf(thread.root)) {
      thread.root = root
      this.store.announce('conversation', { key, added: [], updated: [], pending: [], status: false, root: true })
    }
    return thread
  }

  /**
   * I read the thread up to the reply `lastId` (its newest shown). Returns true when that is further than
   * I said before, so the caller tells the server; the thread's unread count is cleared either way.
   */
  markRead(rootId, lastId) {
    const thread = this.followed.get(rootId)
    if (thread?.unread) {
      this.unreadTotal -= thread.unread
      thread.unread = 0
      this.store.announce('threads', { ids: [rootId] })
    }
    if ((this.readUpTo.get(rootId) ?? 0) >= lastId) return false
    this.readUpTo.set(rootId, lastId)
    return true
  }

  /** A read report that failed: the next one is sent again. */
  forgetRead(rootId) {
    this.readUpTo.delete(rootId)
  }

  /**
   * A reply, from the store's `addMessages`: it ends its pending bubble and takes its place in an opened
   * thread; a `live` one (arriving now, or new in a catch-up) from someone else counts as unread. As in a
   * conversation, a reply newer than a run that stops short of the newest (opened on a search result) waits in
   * `arrivals` unless a `history` page brings it.
   */
  addReply(message, { live, history, changeOf }) {
    if (live) this.countUnread(message)
    const key = threadKeyOf(message, this.myId)
    const thread = this.store.conversations.get(key)
    if (!thread) return
    if (message.client_id && thread.pending.delete(message.client_id)) changeOf(key).pending.push(message.client_id)
    if (!thread.loaded) return
    const known = thread.byId.get(message.id)
    if (known) {
      if (seqOf(message) > seqOf(known)) {
        this.store.replaceMessage(thread, message)
        changeOf(key).updated.push(message)
      }
      return
    }
    const list = thread.messages
    if (!history && thread.hasNewer && list.length > 0 && message.id > list.at(-1).id) {
      const waiting = thread.arrivals.get(message.id)
      if (!waiting || seqOf(message) > seqOf(waiting)) thread.arrivals.set(message.id, message)
      return
    }
    thread.byId.set(message.id, message)
    if (!list.length || list.at(-1).id < message.id) list.push(message)
    else list.splice(insertionIndex(list, message.id), 0, message)
    changeOf(key).added.push(message)
  }

  /**
   * A reply from `message_updated` or a catch-up page: a newer version of a reply held replaces it; one
   * created after `newerThan` is new; an older one not held comes with its thread's page. True when kept.
   */
  upsertReply(message, { newerThan = Infinity } = {}) {
    if (message.deleted) this.uncount(message)
    const thread = this.store.conversations.get(threadKeyOf(message, this.myId))
    const known = thread?.byId.get(message.id)
    if (known && seqOf(message) <= seqOf(known)) return false
    const held = thread?.messages.length && message.id > thread.messages[0].id
    const fresh = !known && message.id > newerThan
    if (!known && !held && !fresh) return false
    this.store.addMessages([message], { live: fresh })
    return true
  }

  /** A reply from someone else to a thread I follow, not counted yet: one more unread there. */
  countUnread(message) {
    const rootId = message.thread_id
    const thread = this.followed.get(rootId)
    if (!thread) {
      // Replying follows a thread, and so does someone replying to my message: the list may be missing one.
      const root = this.store.conversations.get(keyOf(message, this.myId))?.byId.get(rootId)
      if (this.loaded && (message.author.id === this.myId || root?.author.id === this.myId)) this.store.announce('threads', { stale: true })
      return
    }
    // The list counted every reply older than the root's version in it (a reply gives its root a higher `seq`).
    if (message.author.id === this.myId || message.deleted || seqOf(message) <= seqOf(thread.root)) return
    if (this.counted.has(message.id) || message.id <= (this.readUpTo.get(rootId) ?? 0)) return
    this.counted.add(message.id)
    thread.unread += 1
    this.unreadTotal += 1
    this.store.announce('threads', { ids: [rootId] })
  }

  /**
   * A reply deleted in a followed thread with unread replies: one counted here is taken off at once; one the
   * server's list may have counted (after my read marker) makes the list stale, and the server recounts.
   */
  uncount(message) {
    const thread = this.followed.get(message.thread_id)
    if (!thread?.unread || message.author.id === this.myId) return
    if (this.counted.delete(message.id)) {
      thread.unread -= 1
      this.unreadTotal -= 1
      this.store.announce('threads', { ids: [thread.root.id] })
    } else if (message.id > (this.readUpTo.get(thread.root.id) ?? 0)) {
      this.store.announce('threads', { stale: true })
    }
  }

  /** A message that is not a reply changed: as a followed thread's root, or an opened thread's, it is kept. */
  noteRoot(message) {
    const followed = this.followed.get(message.id)
    if (followed && seqOf(message) > seqOf(followed.root)) {
      followed.root = message
      followed.reply_count = message.thread?.reply_count ?? 0
      followed.last_reply_at = message.thread?.last_reply_at ?? null
      this.store.announce('threads', { ids: [message.id] })
    }
    const key = threadKey(keyOf(message, this.myId), message.id)
    const thread = this.store.conversations.get(key)
    if (thread && (!thread.root || seqOf(message) > seqOf(thread.root))) {
      thread.root = message
      this.store.announce('conversation', { key, added: [], updated: [], pending: [], status: false, root: true })
    }
  }

  /** I am no longer in the room: its threads go, from the list and from the store. */
  forgetRoom(roomId) {
    const prefix = `room:${roomId}/thread/`
    for (const key of [...this.store.conversations.keys()]) if (key.startsWith(prefix)) this.store.conversations.delete(key)
    const gone = [...this.followed.values()].filter((thread) => thread.root.room_id === roomId).map((thread) => thread.root.id)
    for (const rootId of gone) this.unfollow(rootId)
  }
}
