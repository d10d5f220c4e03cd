import { describe, expect, it, vi } from 'vitest'
import { ApiError, createApi } from './api.js'

function memoryStorage() {
  const values = new Map()
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => values.set(key, String(value)),
    removeItem: (key) => values.delete(key),
  }
}

function jsonResponse(status, body) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

function client(responses, options = {}) {
  const calls = []
  const fetchImpl = vi.fn(async (url, init) => {
    calls.push({ url, ...init, headers: init.headers })
    const next = responses.shift()
    if (next instanceof Error) throw next
    return next
  })
  const storage = memoryStorage()
  const api = createApi({ baseUrl: 'http://api.test/', fetchImpl, storage, ...options })
  return { api, calls, storage }
}

describe('api client', () => {
  it('keeps the login token and sends it as a bearer token', async () => {
    const { api, calls } = client([
      jsonResponse(200, { access_token: 'token-1', token_type: 'bearer', user: { id: 1 }, expires_in: 60 }),
      jsonResponse(200, { id: 1, name: 'Alice', nickname: 'alice', email: 'a@example.com' }),
    ])
    await api.logIn({ nickname: 'alice', password: 'wonderland' })
    expect(api.token()).toBe('token-1')
    expect(calls[0].headers.Authorization).toBeUndefined()
    await api.me()
    expect(calls[1].url).toBe('http://api.test/api/me')
    expect(calls[1].headers.Authorization).toBe('Bearer token-1')
  })

  it('builds history queries from the cursors that are set', async () => {
    const { api, calls } = client([jsonResponse(200, []), jsonResponse(200, [])])
    await api.directMessages({ peerId: 2, before: 120, limit: 50 })
    await api.roomMessages(7, { after: 9 })
    expect(calls[0].url).toBe('http://api.test/api/messages?with=2&before=120&limit=50')
    expect(calls[1].url).toBe('http://api.test/api/rooms/7/messages?after=9')
  })

  it('edits, deletes, reacts with a URL-encoded emoji, and pages changes since a seq', async () => {
    const { api, calls } = client([
      jsonResponse(200, { id: 4 }),
      new Response(null, { status: 204 }),
      jsonResponse(200, { id: 4 }),
      jsonResponse(200, { id: 4 }),
      jsonResponse(200, []),
    ])
    await api.editMessage(4, 'fixed')
    expect(await api.deleteMessage(4)).toBeNull()
    await api.react(4, '👍')
    await api.react(4, '👍', { remove: true })
    await api.changes({ since: 44, limit: 200 })
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'PATCH http://api.test/api/messages/4',
      'DELETE http://api.test/api/messages/4',
      'PUT http://api.test/api/messages/4/reactions/%F0%9F%91%8D',
      'DELETE http://api.test/api/messages/4/reactions/%F0%9F%91%8D',
      'GET http://api.test/api/changes?since=44&limit=200',
    ])
    expect(JSON.parse(calls[0].body)).toEqual({ content: 'fixed' })
  })

  it('turns a 409 into an ApiError with the server’s words', async () => {
    const { api } = client([jsonResponse(409, { status_code: 409, detail: "nickname 'alice' is already taken" })])
    const error = await api.signUp({ name: 'A', email: 'a@example.com', nickname: 'alice', password: 'password1' }).catch((caught) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 409, detail: "nickname 'alice' is already taken", field: null })
  })

  it('names the field of a validation error from extra[].key', async () => {
    const { api } = client([
      jsonResponse(400, {
        status_code: 400,
        detail: "nickname: must be 2 to 32 letters, digits, '_', '.' or '-'",
        extra: [{ key: 'nickname', message: "must be 2 to 32 letters, digits, '_', '.' or '-'", source: 'body' }],
      }),
    ])
    const error = await api.signUp({}).catch((caught) => caught)
    expect(error.field).toBe('nickname')
    expect(error.problems).toEqual([{ field: 'nickname', message: "must be 2 to 32 letters, digits, '_', '.' or '-'" }])
  })

  it('forgets the token and calls back on a 401 with a token', async () => {
    const onUnauthorized = vi.fn()
    const { api, storage } = client([jsonResponse(401, { status_code: 401, detail: 'token expired' })], { onUnauthorized })
    storage.setItem('confab.token', 'stale')
    const error = await api.conversationPeople().catch((caught) => caught)
    expect(error.status).toBe(401)
    expect(api.token()).toBeNull()
    expect(onUnauthorized).toHaveBeenCalledOnce()
  })

  it('does not treat a failed login as a lost session', async () => {
    const onUnauthorized = vi.fn()
    const { api } = client([jsonResponse(401, { status_code: 401, detail: 'wrong nickname or password' })], { onUnauthorized })
    const error = await api.logIn({ nickname: 'alice', password: 'nope' }).catch((caught) => caught)
    expect(error.detail).toBe('wrong nickname or password')
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('explains a body that is not JSON, and an unreachable server, in words', async () => {
    const { api } = client([new Response('Bad gateway', { status: 502 }), new TypeError('Failed to fetch')])
    const gateway = await api.conversationPeople().catch((caught) => caught)
    expect(gateway).toMatchObject({ status: 502, detail: 'The server had a problem; try again in a moment.' })
    const offline = await api.conversationPeople().catch((caught) => caught)
    expect(offline.status).toBe(0)
    expect(offline.detail).toMatch(/cannot be reached/)
  })

  it('returns null for 204 and sends JSON bodies', async () => {
    const { api, calls } = client([new Response(null, { status: 204 })])
    expect(await api.markRoomRead(7, 42)).toBeNull()
    expect(calls[0].method).toBe('PUT')
    expect(JSON.parse(calls[0].body)).toEqual({ last_read_id: 42 })
    expect(calls[0].headers['Content-Type']).toBe('application/json')
  })

  it('revokes the token on log out, and forgets it even when the server cannot be reached', async () => {
    const { api, calls, storage } = client([new Response(null, { status: 204 }), new TypeError('Failed to fetch')])
    storage.setItem('confab.token', 'token-1')
    await api.logOut()
    expect(calls[0]).toMatchObject({ url: 'http://api.test/api/auth/logout', method: 'POST' })
    expect(calls[0].headers.Authorization).toBe('Bearer token-1')
    expect(api.token()).toBeNull()
    storage.setItem('confab.token', 'token-2')
    await expect(api.logOut()).rejects.toMatchObject({ status: 0 })
    expect(api.token()).toBeNull()
  })
})

describe('answers that arrive after the session ended', () => {
  it('are not delivered, so nothing of one account reaches the next one', async () => {
    let answer
    const onUnauthorized = vi.fn()
    const storage = memoryStorage()
    const fetchImpl = vi.fn(() => new Promise((resolve) => (answer = resolve)))
    const api = createApi({ baseUrl: 'http://api.test', fetchImpl, storage, onUnauthorized })
    storage.setItem('confab.token', 'alice-token')
    const history = api.directMessages({ peerId: 2 })
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'))
    api.forgetToken()
    storage.setItem('confab.token', 'bob-token')
    answer(jsonResponse(200, [{ id: 1, content: "alice's private words" }]))
    await expect(history).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('are delivered while the same session goes on', async () => {
    const { api, storage } = client([jsonResponse(200, [{ id: 1 }])])
    storage.setItem('confab.token', 'alice-token')
    await expect(api.directMessages()).resolves.toEqual([{ id: 1 }])
  })
})

/** Stands in for XMLHttpRequest: the test plays the network (upload progress, the answer, a failure). */
class FakeRequest {
  constructor() {
    this.headers = {}
    this.listeners = new Map()
    this.upload = { addEventListener: (type, listener) => this.on(`upload:${type}`, listener) }
    this.aborted = false
  }

  on(type, listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  addEventListener(type, listener) {
    this.on(type, listener)
  }

  fire(type, event = {}) {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }

  open(method, url) {
    Object.assign(this, { method, url })
  }

  setRequestHeader(name, value) {
    this.headers[name] = value
  }

  send(body) {
    this.body = body
  }

  abort() {
    this.aborted = true
    this.fire('abort')
  }

  answer(status, body) {
    this.status = status
    this.responseText = body === undefined ? '' : JSON.stringify(body)
    this.fire('load')
  }
}

function uploader(options = {}) {
  const requests = []
  const storage = memoryStorage()
  storage.setItem('confab.token', 'token-1')
  const api = createApi({
    baseUrl: 'http://api.test/',
    storage,
    createRequest: () => {
      const request = new FakeRequest()
      requests.push(request)
      return request
    },
    ...options,
  })
  return { api, requests, storage }
}

const photo = () => new File([new Uint8Array([137, 80, 78, 71])], 'photo.png', { type: 'image/png' })

describe('uploads', () => {
  it('posts the file as the multipart field `file` with the token, reports progress, and resolves with the File', async () => {
    const { api, requests } = uploader()
    const progress = []
    const uploading = api.uploadFile(photo(), { onProgress: (loaded, total) => progress.push([loaded, total]) })
    const [request] = requests
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://api.test/api/files')
    expect(request.headers.Authorization).toBe('Bearer token-1')
    expect(request.body.get('file').name).toBe('photo.png')
    request.fire('upload:progress', { loaded: 2, total: 4, lengthComputable: true })
    request.fire('upload:progress', { loaded: 4, total: 4, lengthComputable: true })
    request.answer(201, { id: 7, name: 'photo.png' })
    await expect(uploading).resolves.toEqual({ id: 7, name: 'photo.png' })
    expect(progress).toEqual([
      [2, 4],
      [4, 4],
    ])
  })

  it('turns a refusal into an ApiError with the server’s words, and a lost connection into status 0', async () => {
    const { api, requests } = uploader()
    const tooLarge = api.uploadFile(photo())
    requests[0].answer(413, { status_code: 413, detail: 'the file is larger than the limit of 26214400 bytes' })
    await expect(tooLarge).rejects.toMatchObject({ name: 'ApiError', status: 413, detail: 'the file is larger than the limit of 26214400 bytes' })
    const offline = api.uploadFile(photo())
    requests[1].fire('error')
    await expect(offline).rejects.toMatchObject({ status: 0 })
    const proxy = api.uploadFile(photo())
    requests[2].answer(502)
    await expect(proxy).rejects.toMatchObject({ status: 502, detail: 'The server had a problem; try again in a moment.' })
  })

  it('aborts the request when cancelled', async () => {
    const { api, requests } = uploader()
    const controller = new AbortController()
    const uploading = api.uploadFile(photo(), { signal: controller.signal })
    controller.abort(new DOMException('cancelled', 'AbortError'))
    expect(requests[0].aborted).toBe(true)
    await expect(uploading).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('ends the session on a 401, like every other request', async () => {
    const onUnauthorized = vi.fn()
    const { api, requests } = uploader({ onUnauthorized })
    const uploading = api.uploadFile(photo())
    requests[0].answer(401, { detail: 'token expired' })
    await expect(uploading).rejects.toMatchObject({ status: 401 })
    expect(api.token()).toBeNull()
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('resolves only the server’s signed file links, against the API’s base', () => {
    const { api } = uploader()
    const link = `/api/files/7/thumbnail?expires=1900000000&signature=${'a'.repeat(64)}`
    expect(api.fileUrl(link)).toBe(`http://api.test${link}`)
    expect(api.fileUrl('javascript:alert(1)')).toBeNull()
    expect(api.fileUrl('//evil.example/api/files/7/content?x=1')).toBeNull()
    expect(api.fileUrl('/api/files/7/content?a="><img')).toBeNull()
    expect(api.fileUrl(null)).toBeNull()
  })

  it('asks for a history page centred on one message', async () => {
    const { api, calls } = client([jsonResponse(200, []), jsonResponse(200, [])])
    await api.roomMessages(3, { around: 40, limit: 1 })
    await api.directMessages({ peerId: 2, around: 41, limit: 1 })
    expect(calls.map((call) => call.url)).toEqual(['http://api.test/api/rooms/3/messages?around=40&limit=1', 'http://api.test/api/messages?with=2&around=41&limit=1'])
  })
})
