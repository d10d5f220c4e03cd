// The live channel: socket.io-client with the bearer token, reconnection with catch-up (`since`), sends
// with retries.

import { io as defaultIo } from 'socket.io-client'
import { ApiError } from './api.js'
import { badgeChangedBy, createBadgeRecount } from './badges.js'
import { directKey, parseKey, peerOf, roomKey } from './store.js'
import { parseThreadKey } from './threads.js'

export const ACK_TIMEOUT_MS = 8000
export const SEND_ATTEMPTS = 4
export const TYPING_THROTTLE_MS = 2000
export const CATCH_UP_PAGE = 200
export const CATCH_UP_RETRY_MS = 2000

/** The `send`/`typing` payload that addresses a conversation (a thread: its conversation and `thread_id`). */
export function addressOf(key) {
  const thread = parseThreadKey(key)
  if (thread) return { ...addressOf(thread.conversationKey), thread_id: thread.rootId }
  const target = parseKey(key)
  return target.kind === 'room' ? { room_id: target.id } : { recipient_id: target.id }
}

/**
 * Fetch, through REST, every change after `since` (a `seq`) that the socket replay left out
 * (`synced.complete` false): `GET /api/changes`, page by page in `seq` order, until a short page.
 * `newerThan` is the highest message id held before the gap: messages above it are new.
 */
export async function catchUpChanges(api, store, since, { newerThan, pageSize = CATCH_UP_PAGE } = {}) {
  let cursor = since
  for (;;) {
    const page = await api.changes({ since: cursor, limit: pageSize })
    store.applyChanges(page, { newerThan })
    // Every change I may see up to the page's last `seq` is in this page or an earlier one.
    if (page.length) store.noteSeq(page.at(-1).seq, { read: true })
    if (page.length < pageSize) return
    cursor = page.at(-1).seq
  }
}

/**
 * Create the connection (not yet opened: call `start()`, then `load()` the lists).
 * `refresh()` reloads people and rooms through REST; it runs after every catch-up, since presence,
 * unread counts and memberships may have changed while the socket was away.
 * The session's first lists are read once the first handshake has joined the socket to its channels
 * (`firstHandshake()`, then `load()`): everything after that read arrives live, so that handshake needs no
 * catch-up and no second read of the lists. A handshake made while they load waits for them and catches up
 * from them; one that joined after the load began, without a catch-up, is made again once they are in.
 */
export function createConnection({ url, api, store, refresh, onUnauthorized, onNotify = () => {}, io = defaultIo }) {
  const socket = io(url || undefined, {
    autoConnect: false,
    // WebSocket first: it needs no sticky sessions, so it works behind several workers on one port;
    // long-polling remains the fallback where a proxy blocks WebSockets.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    // A function, so every handshake sends the current token and where to resume from: the highest `seq`
    // safe to resume from when the connection was lost (`resumePoint.js`; changes to messages already shown
    // come back too, not only new messages). One made before the lists are asked for has nothing to resume
    // from: they are read after it joins.
    auth: (callback) => {
      const handshake = ++handshakes
      handshakeCatchesUp = lists != null
      if (!handshakeCatchesUp) {
        callback({ token: api.token() })
        return
      }
      lists
        .catch(() => {})
        .then(() => {
          // Stopped meanwhile, or the transport opened again and a newer handshake took this one's place.
          if (stopped || handshake !== handshakes) return
          handshakeLastId = store.lastId
          callback({ token: api.token(), since: resumeFrom ?? store.resumePoint.since(lostAt ?? Date.now()) })
        })
    },
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  })
  const lastTypingSent = new Map()
  const badges = createBadgeRecount({ api, store })
  let peopleRefresh = null
  // While a REST catch-up runs, changes above the gap arrive first: resume from the gap if the socket drops.
  let resumeFrom = null
  // When events may have begun to be lost (the connection dropped, or the server's `resync` says since when),
  // until a handshake has caught up.
  let lostAt = null
  // The highest message id held when the last handshake began: caught-up messages above it are new.
  let handshakeLastId = 0
  // Each handshake's `synced` gets a number: only the latest may declare the gap closed.
  let syncs = 0
  let stopped = false
  // The session's first read of the lists (`load()`), null until it starts; every handshake after it catches up.
  let lists = null
  let handshakes = 0
  let handshakeCatchesUp = false
  // Settles once the first handshake is answered (joined or refused, or the transport closed first).
  let answerFirstHandshake
  const firstAnswer = new Promise((resolve) => {
    answerFirstHandshake = resolve
  })

  /** A fresh handshake, which catches up from the highest `seq` held. */
  function reconnect() {
    socket.disconnect()
    socket.connect()
  }

  function refreshPeopleSoon() {
    peopleRefresh ??= api
      .conversationPeople()
      .then((people) => store.setPeople(people))
      .catch(() => {})
      .finally(() => {
        peopleRefresh = null
      })
  }

  socket.on('connect', () => {
    store.setConnection('online')
    answerFirstHandshake()
    // Joined without a catch-up after the lists were read: what happened in between is in neither.
    if (!handshakeCatchesUp && lists) lists.catch(() => {}).then(() => stopped || reconnect())
  })
  socket.on('disconnect', (reason) => {
    answerFirstHandshake()
    lostAt ??= Date.now()
    // Closing it ourselves (logging out) is not a lost connection.
    store.setConnection(reason === 'io client disconnect' ? 'idle' : 'offline')
    // The client only reconnects by itself after a transport failure, not when the server hung up.
    if (reason === 'io server disconnect') socket.connect()
  })
  socket.on('connect_error', (error) => {
    answerFirstHandshake()
    if (String(error?.message ?? '').startsWith('unauthorized')) {
      socket.disconnect()
      onUnauthorized(new ApiError(401, 'Your session has ended.'))
      return
    }
    store.setConnection('offline')
  })
  // The token was revoked (logged out elsewhere with it, or the password changed): the server hangs up next.
  socket.on('session_ended', (event) => {
    socket.disconnect()
    onUnauthorized(new ApiError(401, event?.reason ? `Your session has ended (${event.reason}).` : 'Your session has ended.'))
  })
  socket.on('message', (message) => {
    const peer = message.room_id == null && peerOf(message, store.me?.id)
    const unknownPeer = peer && peer.id !== store.me?.id && !store.people.has(peer.id)
    store.addMessages([message], { live: true })
    if (unknownPeer) refreshPeopleSoon()
  })
  // An edit, a deletion or a reaction: the same message with a higher `seq`; an older version is ignored.
  // One that no longer mentions me, or now does, may change a badge only the server can count.
  socket.on('message_updated', (message) => {
    const badgeKey = badgeChangedBy(store, message)
    store.upsertMessage(message)
    if (badgeKey) badges.recount(badgeKey)
  })
  // A message that should alert me under my notification levels (`{message, reason}`).
  socket.on('notify', (event) => onNotify(event))
  socket.on('presence', ({ user_id: userId, online }) => {
    // Someone I have no conversation with is not in the sidebar: their presence changes nothing shown.
    if (store.people.has(userId)) store.setPresence(userId, online)
  })
  socket.on('typing', (event) => {
    if (event.user_id === store.me?.id) return
    store.setTyping(event.room_id != null ? roomKey(event.room_id) : directKey(event.user_id), event.user_id)
  })
  socket.on('room', (room) => store.upsertRoom(room))
  socket.on('user_updated', (profile) => store.applyProfile(profile))
  socket.on('room_removed', ({ room_id: roomId }) => store.removeRoom(roomId))
  // My notification level for a room changed, here or in another tab or device.
  socket.on('notification_level', ({ room_id: roomId, level }) => store.setNotificationLevel(roomId, level))
  // The server's link to the other workers lost events for up to `lost_for` seconds (README, "resync"): catch
  // up as after a reconnect, with a fresh handshake that replays everything after where I stood then.
  socket.on('resync', (event) => {
    if (stopped) return
    const since = Date.now() - 1000 * (Number(event?.lost_for) || 0)
    lostAt = Math.min(lostAt ?? since, since)
    reconnect()
  })
  socket.on('synced', async ({ seq, complete }) => {
    const sync = ++syncs
    const newerThan = handshakeLastId
    // Set before anything is awaited: live changes arriving meanwhile must not move the resume point
    // past the gap. A complete replay closed every earlier gap.
    resumeFrom = complete ? null : seq
    lostAt = null
    store.noteSeq(seq, { read: true })
    try {
      await refresh()
      if (!complete) {
        await catchUpChanges(api, store, seq, { newerThan })
        if (sync === syncs) resumeFrom = null
      }
    } catch (error) {
      if (error?.status === 401 || stopped) return
      // Start over in a moment: a fresh handshake replays from where the gap began.
      socket.disconnect()
      store.setConnection('offline')
      setTimeout(() => stopped || socket.connect(), CATCH_UP_RETRY_MS)
    }
  })

  /** Resolves once connected; rejects when `signal` aborts first (a discarded or retried send). */
  function connected(signal) {
    if (socket.connected) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        socket.off('connect', onConnect)
        reject(signal.reason)
      }
      const onConnect = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      socket.once('connect', onConnect)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  return {
    start() {
      stopped = false
      socket.connect()
    },

    /** Resolves once the first handshake is answered (joined or refused), or after `withinMs` without an answer. */
    firstHandshake(withinMs) {
      return Promise.race([firstAnswer, new Promise((resolve) => setTimeout(resolve, withinMs))])
    },

    /**
     * Read the lists for the first time (`read()`: people, rooms, threads, and the newest messages for the
     * `seq` to resume from); handshakes from now on catch up from what it loaded. Answers `read()`'s promise.
     */
    load(read) {
      lists = read()
      return lists
    },
    stop() {
      stopped = true
      socket.disconnect()
    },

    /**
     * Send a message with its client id; on an acknowledgement timeout send it again with the same id
     * (the server stores it once). `fileIds`: uploaded files it carries (then `content` may be empty and is
     * left out). Resolves with the stored message, rejects with an ApiError, or with `signal`'s reason once it
     * aborts (nothing more is sent for it then).
     */
    async send(key, content, clientId, { signal, fileIds = [] } = {}) {
      const payload = { ...addressOf(key), content, client_id: clientId }
      if (fileIds.length) {
        payload.file_ids = fileIds
        if (!content) delete payload.content
      }
      // The other side stops showing "typing" when the message lands, so the next keystroke must tell again.
      lastTypingSent.delete(key)
      for (let attempt = 1; ; attempt += 1) {
        signal?.throwIfAborted()
        await connected(signal)
        signal?.throwIfAborted()
        let ack
        try {
          ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('send', payload)
        } catch {
          if (attempt < SEND_ATTEMPTS) continue
          throw new ApiError(0, 'The server did not confirm this message. Try again.')
        }
        if (ack?.ok) {
          // Live: my own new message moves its conversation to the top of the sidebar.
          store.addMessages([ack.message], { live: true })
          return ack.message
        }
        const error = new ApiError(ack?.status ?? 0, ack?.detail || 'The message was refused.')
        if (error.status === 401) onUnauthorized(error)
        throw error
      }
    },

    /** Tell the other side I am typing, at most once every two seconds per conversation. */
    typing(key) {
      const now = Date.now()
      if (!socket.connected || now - (lastTypingSent.get(key) ?? -Infinity) < TYPING_THROTTLE_MS) return
      lastTypingSent.set(key, now)
      socket.emit('typing', addressOf(key))
    },
  }
}
