import { describe, expect, it, vi } from 'vitest'
import { ApiError } from './api.js'
import { RESUME_MARGIN_MS } from './resumePoint.js'
import { catchUpChanges, createConnection } from './socket.js'
import { Store, directKey, roomKey } from './store.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }

function dm(id, author = bob, recipient = alice, extra = {}) {
  return { id, content: `message ${id}`, date: '2026-11-25T10:00:00Z', author, recipient, room_id: null, client_id: null, ...extra }
}

/** Stands in for a socket.io-client socket: the test plays the server. */
class FakeSocket {
  constructor(url, options) {
    this.url = url
    this.options = options
    this.handlers = new Map()
    this.connected = false
    this.emitted = []
    this.answers = []
    this.connectCalls = 0
  }

  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, [])
    this.handlers.get(type).push(handler)
  }

  once(type, handler) {
    const wrapper = (...args) => {
      this.handlers.set(type, this.handlers.get(type).filter((known) => known !== wrapper))
      handler(...args)
    }
    this.on(type, wrapper)
  }

  off(type, handler) {
    this.handlers.set(type, (this.handlers.get(type) ?? []).filter((known) => known !== handler))
  }

  fire(type, ...args) {
    return Promise.all([...(this.handlers.get(type) ?? [])].map((handler) => handler(...args)))
  }

  connect() {
    this.connectCalls += 1
  }

  disconnect() {
    this.connected = false
  }

  emit(type, payload) {
    this.emitted.push([type, payload])
  }

  timeout() {
    return {
      emitWithAck: async (type, payload) => {
        this.emitted.push([type, payload])
        const answer = this.answers.shift()
        return answer(payload)
      },
    }
  }

  /** The handshake succeeded: the client sent its auth (socket.io-client asks for it first), the server let it in. */
  async up() {
    this.handshake = await new Promise((resolve) => this.options.auth(resolve))
    this.connected = true
    return this.fire('connect')
  }
}

/** A connection with a test server; `loaded`: the session's lists were read already, as in a running session. */
function setUp({ api = {}, refresh = vi.fn(async () => {}), loaded = true } = {}) {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: false, unread: 0 }])
  let socket
  const io = (url, options) => {
    socket = new FakeSocket(url, options)
    return socket
  }
  const fullApi = {
    token: () => 'token-1',
    people: vi.fn(async () => [{ ...bob, online: true, unread: 0 }]),
    conversationPeople: vi.fn(async () => [{ ...bob, online: true, unread: 0 }]),
    directMessages: vi.fn(async () => []),
    roomMessages: vi.fn(async () => []),
    changes: vi.fn(async () => []),
    ...api,
  }
  const onUnauthorized = vi.fn()
  const connection = createConnection({ url: 'http://api.test', api: fullApi, store, refresh, onUnauthorized, io })
  if (loaded) connection.load(async () => {})
  return { store, socket, connection, api: fullApi, refresh, onUnauthorized }
}

describe('connection', () => {
  const auth = (socket) => new Promise((resolve) => socket.options.auth(resolve))

  it('sends the token and where to resume on every handshake: the highest seq received a margin before', async () => {
    vi.useFakeTimers()
    try {
      const { store, socket } = setUp()
      expect(await auth(socket)).toEqual({ token: 'token-1', since: 0 })
      store.addMessages([dm(41, bob, alice, { seq: 70 })])
      store.upsertMessage(dm(41, bob, alice, { content: 'edited', seq: 75 }))
      // A lower seq pushed by another worker may still be on its way: neither is safe to resume from yet.
      expect(await auth(socket)).toEqual({ token: 'token-1', since: 0 })
      await vi.advanceTimersByTimeAsync(RESUME_MARGIN_MS)
      expect(await auth(socket)).toEqual({ token: 'token-1', since: 75 })
    } finally {
      vi.useRealTimers()
    }
  })

  it('resumes from what it held a margin before the connection dropped, however long it stayed down', async () => {
    vi.useFakeTimers()
    try {
      const { socket } = setUp()
      await socket.up()
      await socket.fire('message', dm(11, bob, alice, { seq: 20 }))
      await vi.advanceTimersByTimeAsync(RESUME_MARGIN_MS)
      await socket.fire('message', dm(13, bob, alice, { seq: 31 }))
      // Seq 30, committed before 31 on another worker, had not arrived yet when the connection dropped.
      await socket.fire('disconnect', 'transport close')
      await vi.advanceTimersByTimeAsync(60_000)
      expect((await auth(socket)).since).toBe(20)
    } finally {
      vi.useRealTimers()
    }
  })

  it('goes offline on disconnect, and reconnects itself when the server hung up', async () => {
    const { store, socket } = setUp()
    await socket.up()
    expect(store.connection).toBe('online')
    await socket.fire('disconnect', 'transport close')
    expect(store.connection).toBe('offline')
    expect(socket.connectCalls).toBe(0)
    await socket.fire('disconnect', 'io server disconnect')
    expect(socket.connectCalls).toBe(1)
    await socket.fire('disconnect', 'io client disconnect')
    expect(store.connection).toBe('idle')
  })

  it('sends the person back to the login when the token is refused', async () => {
    const { socket, onUnauthorized } = setUp()
    await socket.fire('connect_error', new Error('unauthorized: token expired'))
    expect(onUnauthorized).toHaveBeenCalledOnce()
    expect(onUnauthorized.mock.calls[0][0]).toBeInstanceOf(ApiError)
  })

  it('ends the session, with the server’s reason, when the token is revoked', async () => {
    const { socket, onUnauthorized } = setUp()
    await socket.up()
    await socket.fire('session_ended', { reason: 'password changed' })
    expect(socket.connected).toBe(false)
    expect(onUnauthorized.mock.calls[0][0].detail).toBe('Your session has ended (password changed).')
  })

  it('shows a message once, however many times it arrives', async () => {
    const { store, socket } = setUp()
    await socket.up()
    await socket.fire('message', dm(5))
    await socket.fire('message', dm(5))
    const messages = store.conversation(directKey(2)).messages
    expect(messages.map((message) => message.id)).toEqual([5])
    expect(store.people.get(2).unread).toBe(1)
  })

  it('asks for my conversations again when a stranger writes, never for everybody', async () => {
    const { socket, api } = setUp()
    await socket.up()
    await socket.fire('message', dm(6, { id: 9, name: 'Zed', nickname: 'zed' }))
    expect(api.conversationPeople).toHaveBeenCalledOnce()
    expect(api.people).not.toHaveBeenCalled()
  })

  it('leaves the sidebar alone when someone I have no conversation with comes online', async () => {
    const { store, socket, api } = setUp()
    await socket.up()
    await socket.fire('presence', { user_id: 9, online: true })
    expect(store.people.has(9)).toBe(false)
    expect(api.conversationPeople).not.toHaveBeenCalled()
  })

  it('retries a send that timed out with the same client id, and keeps one message', async () => {
    const { store, socket, connection } = setUp()
    await socket.up()
    const pending = store.addPending(directKey(2), 'hello')
    const stored = dm(7, alice, bob, { content: 'hello', client_id: pending.client_id })
    socket.answers.push(
      () => Promise.reject(new Error('operation has timed out')),
      () => Promise.resolve({ ok: true, message: stored }),
    )
    // The server's push of the same message may arrive before the acknowledgement.
    await socket.fire('message', stored)
    const message = await connection.send(directKey(2), 'hello', pending.client_id)
    expect(message.id).toBe(7)
    const sends = socket.emitted.filter(([type]) => type === 'send')
    expect(sends).toHaveLength(2)
    expect(sends[0][1]).toEqual({ recipient_id: 2, content: 'hello', client_id: pending.client_id })
    expect(sends[1][1]).toEqual(sends[0][1])
    const conversation = store.conversation(directKey(2))
    expect(conversation.messages).toHaveLength(1)
    expect(conversation.pending.size).toBe(0)
  })

  it('sends file ids, leaving out the text of a files-only message', async () => {
    const { store, socket, connection } = setUp()
    await socket.up()
    const stored = (payload) => ({ ok: true, message: dm(9, alice, bob, { content: payload.content ?? '', client_id: payload.client_id }) })
    socket.answers.push(stored, stored)
    const filesOnly = store.addPending(directKey(2), '', [{ id: 7 }])
    await connection.send(directKey(2), '', filesOnly.client_id, { fileIds: [7] })
    await connection.send(directKey(2), 'caption', 'client-id-2', { fileIds: [8, 9] })
    const sends = socket.emitted.filter(([type]) => type === 'send').map(([, payload]) => payload)
    expect(sends).toEqual([
      { recipient_id: 2, client_id: filesOnly.client_id, file_ids: [7] },
      { recipient_id: 2, content: 'caption', client_id: 'client-id-2', file_ids: [8, 9] },
    ])
  })

  it('waits for the connection before sending', async () => {
    const { store, socket, connection } = setUp()
    socket.answers.push((payload) => ({ ok: true, message: { ...dm(8, alice, null), room_id: 3, client_id: payload.client_id } }))
    const sent = connection.send(roomKey(3), 'hi room', 'client-id-0001')
    await Promise.resolve()
    expect(socket.emitted).toHaveLength(0)
    await socket.up()
    await expect(sent).resolves.toMatchObject({ id: 8, room_id: 3 })
    expect(socket.emitted[0][1]).toEqual({ room_id: 3, content: 'hi room', client_id: 'client-id-0001' })
    expect(store.conversation(roomKey(3)).messages).toHaveLength(1)
  })

  it('sends nothing for a message discarded while waiting for the connection', async () => {
    const { socket, connection } = setUp()
    const controller = new AbortController()
    const sent = connection.send(directKey(2), 'never mind', 'client-id-0004', { signal: controller.signal })
    controller.abort(new Error('discarded'))
    await expect(sent).rejects.toThrow('discarded')
    await socket.up()
    expect(socket.emitted.filter(([type]) => type === 'send')).toEqual([])
  })

  it('replaces a message with the newer version a message_updated event carries', async () => {
    const { store, socket } = setUp()
    await socket.up()
    await socket.fire('message', dm(5))
    await socket.fire('message_updated', dm(5, bob, alice, { content: 'edited', seq: 1 }))
    await socket.fire('message_updated', dm(5, bob, alice, { content: 'late and older', seq: 0 }))
    expect(store.conversation(directKey(2)).messages.map((message) => message.content)).toEqual(['edited'])
    // An update is not a new message: no unread count for it.
    expect(store.people.get(2).unread).toBe(1)
  })

  it('lowers the mention and unread badges at once when an unread message is deleted', async () => {
    const launch = { id: 3, name: 'launch', owner: bob, members: [alice, bob], created_at: '2026-11-25T09:00:00Z' }
    const counts = [[1, 0], [0, 0]]
    const rooms = vi.fn(async () => {
      const [unread, mentionsUnread] = counts.shift()
      return [{ ...launch, unread, mentions_unread: mentionsUnread }]
    })
    const { store, socket, api } = setUp({ api: { rooms } })
    store.setRooms([{ ...launch, unread: 0, mentions_unread: 0 }])
    await socket.up()
    const mention = { ...dm(20, bob, null, { seq: 40, mentions: [alice.id] }), room_id: 3 }
    await socket.fire('message', mention)
    await socket.fire('message', { ...dm(21, bob, null, { seq: 41, mentions: [] }), room_id: 3 })
    expect([store.rooms.get(3).unread, store.rooms.get(3).mentions_unread]).toEqual([2, 1])
    // The server's deletion: a tombstone that mentions nobody, so only the copy held says it was a mention.
    await socket.fire('message_updated', { ...mention, deleted: true, content: '', mentions: [], seq: 42 })
    expect(api.rooms).toHaveBeenCalledOnce()
    await vi.waitFor(() => expect([store.rooms.get(3).unread, store.rooms.get(3).mentions_unread]).toEqual([1, 0]))
    // Deleting the other unread message, which mentioned nobody, lowers the unread badge the same way.
    await socket.fire('message_updated', { ...dm(21, bob, null, { seq: 43, mentions: [] }), room_id: 3, deleted: true })
    expect(api.rooms).toHaveBeenCalledTimes(2)
    await vi.waitFor(() => expect([store.rooms.get(3).unread, store.rooms.get(3).mentions_unread]).toEqual([0, 0]))
    // Nothing unread is left: a deletion now asks nothing.
    await socket.fire('message_updated', { ...dm(22, bob, null, { seq: 44, mentions: [] }), room_id: 3, deleted: true })
    expect(api.rooms).toHaveBeenCalledTimes(2)
  })

  it('rejects a refused send with the server’s words', async () => {
    const { socket, connection } = setUp()
    await socket.up()
    socket.answers.push(() => ({ ok: false, status: 403, detail: 'you are not a member of this room' }))
    await expect(connection.send(roomKey(3), 'hi', 'client-id-0002')).rejects.toMatchObject({
      status: 403,
      detail: 'you are not a member of this room',
    })
  })

  it('gives up after a few silent attempts', async () => {
    const { socket, connection } = setUp()
    await socket.up()
    for (let attempt = 0; attempt < 4; attempt += 1) socket.answers.push(() => Promise.reject(new Error('timeout')))
    await expect(connection.send(directKey(2), 'hi', 'client-id-0003')).rejects.toMatchObject({ status: 0 })
    expect(socket.emitted.filter(([type]) => type === 'send')).toHaveLength(4)
  })

  it('files typing under the conversation and throttles my own', async () => {
    const { store, socket, connection } = setUp()
    await socket.up()
    await socket.fire('typing', { user_id: 2, recipient_id: 1 })
    await socket.fire('typing', { user_id: 2, room_id: 3 })
    expect(store.typingIn(directKey(2))).toEqual([2])
    expect(store.typingIn(roomKey(3))).toEqual([2])
    connection.typing(directKey(2))
    connection.typing(directKey(2))
    connection.typing(roomKey(3))
    expect(socket.emitted).toEqual([
      ['typing', { recipient_id: 2 }],
      ['typing', { room_id: 3 }],
    ])
  })

  it('follows presence and room membership', async () => {
    const { store, socket } = setUp()
    await socket.up()
    await socket.fire('presence', { user_id: 2, online: true })
    expect(store.people.get(2).online).toBe(true)
    await socket.fire('room', { id: 3, name: 'team', owner: bob, members: [alice, bob], created_at: '2026-11-25T09:00:00Z' })
    expect(store.rooms.get(3).name).toBe('team')
    await socket.fire('room_removed', { room_id: 3 })
    expect(store.rooms.has(3)).toBe(false)
  })

  it('shows a notification level set in another tab', async () => {
    const { store, socket } = setUp()
    await socket.up()
    await socket.fire('room', { id: 3, name: 'team', owner: bob, members: [alice, bob], created_at: '2026-11-25T09:00:00Z' })
    const announced = vi.fn()
    store.addEventListener('rooms', announced)
    await socket.fire('notification_level', { room_id: 3, level: 'mentions' })
    expect(store.rooms.get(3).notification_level).toBe('mentions')
    expect(announced).toHaveBeenCalledTimes(1)
    await socket.fire('notification_level', { room_id: 3, level: 'mentions' })
    await socket.fire('notification_level', { room_id: 99, level: 'none' })
    expect(announced).toHaveBeenCalledTimes(1)
    expect(store.rooms.has(99)).toBe(false)
  })
})

describe('the first load', () => {
  const auth = (socket) => new Promise((resolve) => socket.options.auth(resolve))

  it('reads the lists once, after a first handshake that has nothing to catch up from', async () => {
    const { store, socket, connection, refresh } = setUp({ loaded: false })
    await socket.up()
    expect(socket.handshake).toEqual({ token: 'token-1' })
    await connection.load(async () => store.noteSeq(70, { read: true }))
    // No catch-up was asked for, so no `synced` comes and nothing is read a second time.
    expect(refresh).not.toHaveBeenCalled()
    expect(socket.connectCalls).toBe(0)
    expect(await auth(socket)).toEqual({ token: 'token-1', since: 70 })
  })

  it('holds a handshake made while the lists load until they are in, then resumes from them', async () => {
    const { store, connection, socket } = setUp({ loaded: false })
    let finishLoading
    const loading = connection.load(() => new Promise((resolve) => (finishLoading = resolve)))
    let sent = null
    const handshake = auth(socket).then((payload) => (sent = payload))
    await Promise.resolve()
    expect(sent).toBeNull()
    store.noteSeq(70, { read: true })
    finishLoading()
    await loading
    await handshake
    expect(sent).toEqual({ token: 'token-1', since: 70 })
  })

  it('makes a socket that joined without a catch-up after the lists were read join again, catching up', async () => {
    const { store, connection, socket } = setUp({ loaded: false })
    expect(await auth(socket)).toEqual({ token: 'token-1' })
    await connection.load(async () => store.noteSeq(70, { read: true }))
    socket.connected = true
    await socket.fire('connect')
    await vi.waitFor(() => expect(socket.connectCalls).toBe(1))
    expect(socket.connected).toBe(false)
    expect(await auth(socket)).toEqual({ token: 'token-1', since: 70 })
  })

  it('waits for the first handshake to be answered, or for so long', async () => {
    vi.useFakeTimers()
    try {
      const joined = setUp({ loaded: false })
      let answered = false
      joined.connection.firstHandshake(2000).then(() => (answered = true))
      await vi.advanceTimersByTimeAsync(100)
      expect(answered).toBe(false)
      await joined.socket.up()
      await vi.advanceTimersByTimeAsync(0)
      expect(answered).toBe(true)

      const refused = setUp({ loaded: false })
      answered = false
      refused.connection.firstHandshake(2000).then(() => (answered = true))
      await refused.socket.fire('connect_error', new Error('server error: try again'))
      await vi.advanceTimersByTimeAsync(0)
      expect(answered).toBe(true)

      const silent = setUp({ loaded: false })
      answered = false
      silent.connection.firstHandshake(2000).then(() => (answered = true))
      await vi.advanceTimersByTimeAsync(1999)
      expect(answered).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(answered).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('catch-up', () => {
  const auth = (socket) => new Promise((resolve) => socket.options.auth(resolve))

  it('after a complete replay only refreshes people and rooms, and resumes from synced.seq', async () => {
    const { store, socket, api, refresh } = setUp()
    await socket.up()
    await socket.fire('message', dm(11, bob, alice, { seq: 20 }))
    await socket.fire('message', dm(12, bob, alice, { seq: 21 }))
    await socket.fire('synced', { last_id: 12, seq: 30, complete: true })
    expect(refresh).toHaveBeenCalledOnce()
    expect(api.changes).not.toHaveBeenCalled()
    expect(store.conversation(directKey(2)).messages.map((message) => message.id)).toEqual([11, 12])
    expect((await auth(socket)).since).toBe(30)
  })

  it('pages GET /api/changes after an incomplete replay: edits replace, new messages add, no doubles', async () => {
    const pages = [
      [dm(12, bob, alice, { content: 'edited', seq: 41 }), dm(14, bob, alice, { seq: 42 })],
      [{ ...dm(16, bob, null), room_id: 3, seq: 43 }],
    ]
    const { store, socket, api } = setUp({ api: { changes: vi.fn(async () => pages.shift() ?? []) } })
    store.setRooms([{ id: 3, name: 'team', owner: bob, members: [alice, bob], created_at: '2026-11-25T09:00:00Z', last_message: null, unread: 0 }])
    store.addMessages([dm(12, bob, alice, { seq: 30 }), dm(13, bob, alice, { seq: 31 })])
    await catchUpChanges(api, store, 40, { newerThan: 13, pageSize: 2 })
    expect(api.changes.mock.calls.map(([query]) => query)).toEqual([
      { since: 40, limit: 2 },
      { since: 42, limit: 2 },
    ])
    expect(store.conversation(directKey(2)).messages.map((message) => [message.id, message.content])).toEqual([
      [12, 'edited'],
      [13, 'message 13'],
      [14, 'message 14'],
    ])
    expect(store.conversation(roomKey(3)).messages.map((message) => message.id)).toEqual([16])
    expect(store.seq).toBe(43)
  })

  it('leaves a change to an old message it never loaded to history', async () => {
    const { store, api } = setUp({ api: { changes: vi.fn(async () => [dm(5, bob, alice, { content: 'old, edited', seq: 50 })]) } })
    store.addMessages([dm(10, bob, alice, { seq: 30 })])
    await catchUpChanges(api, store, 40, { newerThan: 10 })
    expect(store.conversation(directKey(2)).messages.map((message) => message.id)).toEqual([10])
    expect(store.seq).toBe(50)
  })

  it('runs the REST catch-up from synced.seq when the server says the replay was cut short', async () => {
    const { socket, api, refresh } = setUp()
    await socket.up()
    await socket.fire('synced', { last_id: 500, seq: 800, complete: false })
    expect(refresh).toHaveBeenCalledOnce()
    expect(api.changes).toHaveBeenCalledWith({ since: 800, limit: 200 })
  })

  it('starts over with a fresh handshake from the gap when the REST catch-up fails', async () => {
    vi.useFakeTimers()
    try {
      const { store, socket } = setUp({
        api: { changes: vi.fn(async () => Promise.reject(new ApiError(503, 'database unavailable'))) },
      })
      await socket.up()
      await socket.fire('synced', { last_id: 500, seq: 800, complete: false })
      expect(socket.connected).toBe(false)
      expect(store.connection).toBe('offline')
      expect(socket.connectCalls).toBe(0)
      await vi.advanceTimersByTimeAsync(2000)
      expect(socket.connectCalls).toBe(1)
      expect((await auth(socket)).since).toBe(800)
    } finally {
      vi.useRealTimers()
    }
  })

  it('resumes from the gap, not from newer live changes, if the socket drops during a REST catch-up', async () => {
    let finishPage
    const { store, socket } = setUp({
      api: { changes: vi.fn(() => new Promise((resolve) => (finishPage = resolve))) },
    })
    await socket.up()
    const synced = socket.fire('synced', { last_id: 500, seq: 800, complete: false })
    await vi.waitFor(() => expect(finishPage).toBeTypeOf('function'))
    await socket.fire('message', dm(900, bob, alice, { seq: 950 }))
    expect(store.seq).toBe(950)
    expect((await auth(socket)).since).toBe(800)
    finishPage([dm(501, bob, alice, { seq: 801 })])
    await synced
    // The gap is closed up to the page read; the live 950 counts once its margin has passed.
    expect((await auth(socket)).since).toBe(801)
  })

  it('on resync, reconnects and replays from where it stood before the link between workers broke', async () => {
    vi.useFakeTimers()
    try {
      const { store, socket } = setUp()
      await socket.up()
      await socket.fire('message', dm(7, bob, alice, { seq: 90 }))
      await vi.advanceTimersByTimeAsync(60_000)
      // Its own worker's events kept coming while the other workers' were lost (seq 91 to 94, say).
      await socket.fire('message', dm(9, alice, bob, { seq: 95 }))
      await vi.advanceTimersByTimeAsync(20_000)
      await socket.fire('resync', { lost_for: 30 })
      expect(socket.connected).toBe(false)
      expect(socket.connectCalls).toBe(1)
      // A resync is not a lost connection: no "Connection lost" banner while it reconnects.
      await socket.fire('disconnect', 'io client disconnect')
      expect(store.connection).not.toBe('offline')
      expect((await auth(socket)).since).toBe(90)
      await socket.up()
      await socket.fire('message_updated', dm(7, bob, alice, { content: 'edited while the link was down', seq: 93 }))
      await socket.fire('message', dm(9, alice, bob, { seq: 95 }))
      await socket.fire('synced', { last_id: 9, seq: 95, complete: true })
      expect(store.conversation(directKey(2)).messages.map((message) => [message.id, message.content])).toEqual([
        [7, 'edited while the link was down'],
        [9, 'message 9'],
      ])
      expect((await auth(socket)).since).toBe(95)
    } finally {
      vi.useRealTimers()
    }
  })

  it('ignores a resync after the connection was stopped (logged out)', async () => {
    const { socket, connection } = setUp()
    await socket.up()
    connection.stop()
    await socket.fire('resync', {})
    expect(socket.connectCalls).toBe(0)
  })
})

describe('catch-up, when things fail halfway', () => {
  const auth = (socket) => new Promise((resolve) => socket.options.auth(resolve))

  it('resumes from the gap when the refresh before the REST catch-up fails', async () => {
    vi.useFakeTimers()
    try {
      let failRefresh
      const { socket } = setUp({ refresh: () => new Promise((_resolve, reject) => (failRefresh = reject)) })
      await socket.up()
      const synced = socket.fire('synced', { last_id: 500, seq: 800, complete: false })
      await socket.fire('message', dm(900, bob, alice, { seq: 950 }))
      failRefresh(new ApiError(503, 'database unavailable'))
      await synced
      expect((await auth(socket)).since).toBe(800)
    } finally {
      vi.useRealTimers()
    }
  })

  it('forgets an old gap once a later replay was complete', async () => {
    vi.useFakeTimers()
    try {
      let attempts = 0
      const { store, socket } = setUp({
        api: {
          changes: vi.fn(async () => {
            attempts += 1
            if (attempts === 1) throw new ApiError(503, 'database unavailable')
            return []
          }),
        },
      })
      await socket.up()
      await socket.fire('synced', { last_id: 500, seq: 800, complete: false })
      expect((await auth(socket)).since).toBe(800)
      await socket.fire('message', dm(950, bob, alice, { seq: 960 }))
      await socket.fire('synced', { last_id: 950, seq: 960, complete: true })
      await socket.fire('message', dm(2000, bob, alice, { seq: 2100 }))
      expect(store.seq).toBe(2100)
      await vi.advanceTimersByTimeAsync(RESUME_MARGIN_MS)
      expect((await auth(socket)).since).toBe(2100)
    } finally {
      vi.useRealTimers()
    }
  })
})
