// The JSON API client: fetch with the bearer token, and every error turned into an ApiError with words for people.

const TOKEN_KEY = 'confab.token'

/**
 * An API failure: `status` (0 when the server could not be reached), `detail` for people, `field` when
 * the server named one, and `problems`: every `{field, message}` the server listed.
 */
export class ApiError extends Error {
  constructor(status, detail, problems = []) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.problems = problems
    this.field = problems[0]?.field ?? null
  }
}

/** The fields an error body names in `extra[]`, as `{field, message}`, without a `body.` prefix. */
export function problemsOf(body) {
  if (!Array.isArray(body?.extra)) return []
  return body.extra
    .filter((item) => item?.key)
    .map((item) => ({ field: String(item.key).replace(/^body\./, ''), message: String(item.message ?? '') }))
}

/** Turn a failed response into an ApiError, whatever its body looks like. */
export async function errorFrom(response) {
  let body = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  return errorOf(response.status, body)
}

/** The ApiError for a failed answer's status and parsed body (null when it was not JSON). */
export function errorOf(status, body) {
  const detail = typeof body?.detail === 'string' && body.detail ? body.detail : describeStatus(status)
  return new ApiError(status, detail, problemsOf(body))
}

/** Where the server's signed file links point: `/api/files/{id}/content` or `.../thumbnail`, with their query. */
const FILE_LINK = /^\/api\/files\/\d+\/(content|thumbnail)\?[\w=&%-]*$/

function describeStatus(status) {
  if (status === 401) return 'Please log in again.'
  if (status === 403) return 'You are not allowed to do that.'
  if (status === 404) return 'That does not exist (any more).'
  if (status === 413) return 'That is too large to send.'
  if (status === 429) return 'Too many requests; wait a moment and try again.'
  if (status >= 500) return 'The server had a problem; try again in a moment.'
  return `The request failed (HTTP ${status}).`
}

function query(parameters) {
  const entries = Object.entries(parameters ?? {}).filter(([, value]) => value != null)
  return entries.length ? `?${new URLSearchParams(entries.map(([key, value]) => [key, String(value)]))}` : ''
}

/**
 * Create the client. `onUnauthorized` runs when a request that carried a token gets a 401,
 * after the token is forgotten; the request still rejects with the ApiError.
 */
export function createApi({
  baseUrl = '',
  fetchImpl = (...args) => globalThis.fetch(...args),
  createRequest = () => new XMLHttpRequest(),
  storage = globalThis.sessionStorage,
  onUnauthorized = () => {},
} = {}) {
  const root = baseUrl.replace(/\/+$/, '')

  const token = () => storage.getItem(TOKEN_KEY)
  const setToken = (value) => storage.setItem(TOKEN_KEY, value)
  const forgetToken = () => storage.removeItem(TOKEN_KEY)

  /** `paged`: answer `{items, nextCursor}`, the list and the `X-Next-Cursor` header of a directory page. */
  async function request(method, path, { body, params, authenticated = true, paged = false } = {}) {
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const bearer = authenticated ? token() : null
    if (bearer) headers.Authorization = `Bearer ${bearer}`
    let response
    try {
      response = await fetchImpl(`${root}${path}${query(params)}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch {
      throw new ApiError(0, 'The server cannot be reached; check your connection and try again.')
    }
    // An answer to a session that has ended since (logged out, or another account logged in) is not
    // delivered: whatever it carries would land in the next session's state.
    const sessionEnded = () => bearer && token() !== bearer
    if (sessionEnded()) throw new ApiError(401, 'Your session has ended.')
    if (!response.ok) {
      const error = await errorFrom(response)
      if (response.status === 401 && bearer) {
        forgetToken()
        onUnauthorized(error)
      }
      throw error
    }
    if (response.status === 204) return null
    const answer = await response.json()
    if (sessionEnded()) throw new ApiError(401, 'Your session has ended.')
    return paged ? { items: answer, nextCursor: response.headers.get('X-Next-Cursor') } : answer
  }

  /**
   * Upload one file (`POST /api/files`, multipart field `file`): resolves with the stored `File`. Through
   * XMLHttpRequest, since fetch reports no upload progress: `onProgress(loaded, total)` follows the bytes
   * sent. Aborting `signal` stops the upload and rejects with its reason.
   */
  function uploadFile(file, { onProgress = () => {}, signal } = {}) {
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted()
      const bearer = token()
      const xhr = createRequest()
      const sessionEnded = () => bearer && token() !== bearer
      const onAbort = () => xhr.abort()
      const settle = () => signal?.removeEventListener('abort', onAbort)
      xhr.open('POST', `${root}/api/files`)
      xhr.setRequestHeader('Accept', 'application/json')
      if (bearer) xhr.setRequestHeader('Authorization', `Bearer ${bearer}`)
      xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size))
      xhr.addEventListener('abort', () => {
        settle()
        reject(signal?.reason ?? new DOMException('The upload was cancelled.', 'AbortError'))
      })
      xhr.addEventListener('error', () => {
        settle()
        reject(new ApiError(0, 'The server cannot be reached; check your connection and try again.'))
      })
      xhr.addEventListener('load', () => {
        settle()
        let body = null
        try {
          body = JSON.parse(xhr.responseText)
        } catch {
          body = null
        }
        if (sessionEnded()) return reject(new ApiError(401, 'Your session has ended.'))
        if (xhr.status >= 200 && xhr.status < 300 && body) return resolve(body)
        const error = errorOf(xhr.status, body)
        if (xhr.status === 401 && bearer) {
          forgetToken()
          onUnauthorized(error)
        }
        reject(error)
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      const form = new FormData()
      form.append('file', file, file.name)
      xhr.send(form)
    })
  }

  return {
    token,
    forgetToken,
    uploadFile,
    /** A signed file link from a `File` as an absolute-or-root URL on the API, or null when it is not one. */
    fileUrl: (link) => (typeof link === 'string' && FILE_LINK.test(link) ? `${root}${link}` : null),

    signUp: (form) => request('POST', '/api/users', { body: form, authenticated: false }),
    async logIn(credentials) {
      const answer = await request('POST', '/api/auth/token', { body: credentials, authenticated: false })
      setToken(answer.access_token)
      return answer
    },
    /** Revoke the token on the server (its sockets are disconnected too), then forget it here. */
    async logOut() {
      try {
        if (token()) await request('POST', '/api/auth/logout')
      } finally {
        forgetToken()
      }
    },
    me: () => request('GET', '/api/me'),
    /** The people I have DMs with, most recently active first (the sidebar's list). */
    conversationPeople: () => request('GET', '/api/users', { params: { conversations: true, limit: 200 } }),
    person: (userId) => request('GET', `/api/users/${userId}`),
    /** One page of a directory search, best matches first: `{people, nextCursor}`. */
    async searchPeople(text, { limit, cursor } = {}) {
      const page = await request('GET', '/api/users', { params: { q: text, limit, cursor }, paged: true })
      return { people: page.items, nextCursor: page.nextCursor }
    },

    /** My direct messages, optionally with one peer; `after`/`before`/`limit` page them, `around` centres a page on one. */
    directMessages: ({ peerId, after, before, around, limit } = {}) =>
      request('GET', '/api/messages', { params: { with: peerId, after, before, around, limit } }),
    markDirectRead: (peerId, lastReadId) =>
      request('PUT', `/api/users/${peerId}/read`, { body: { last_read_id: lastReadId } }),

    rooms: () => request('GET', '/api/rooms'),
    createRoom: (name, memberIds = []) => request('POST', '/api/rooms', { body: { name, member_ids: memberIds } }),
    addMember: (roomId, userId) => request('POST', `/api/rooms/${roomId}/members`, { body: { user_id: userId } }),
    removeMember: (roomId, userId) => request('DELETE', `/api/rooms/${roomId}/members/${userId}`),
    roomMessages: (roomId, { after, before, around, limit } = {}) =>
      request('GET', `/api/rooms/${roomId}/messages`, { params: { after, before, around, limit } }),
    markRoomRead: (roomId, lastReadId) =>
      request('PUT', `/api/rooms/${roomId}/read`, { body: { last_read_id: lastReadId } }),
    /** My notification level for a room: 'all', 'mentions' or 'none'. */
    setNotificationLevel: (roomId, level) => request('PUT', `/api/rooms/${roomId}/notifications`, { body: { level } }),

    /** Change my message's text: the message with `edited_at` set and a new `seq`. */
    editMessage: (messageId, content) => request('PATCH', `/api/messages/${messageId}`, { body: { content } }),
    /** Delete a message (mine, or any in a room I own): it stays as a tombstone; answers nothing. */
    deleteMessage: (messageId) => request('DELETE', `/api/messages/${messageId}`),
    /** Add (or with `remove`, take back) my reaction with one emoji: the message with its new reactions. */
    react: (messageId, emoji, { remove = false } = {}) =>
      request(remove ? 'DELETE' : 'PUT', `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`),
    /** Messages I may read matching `query`, newest first: `{results: [{message, highlights}], next}`. */
    searchMessages: (query, { limit, before } = {}) => request('GET', '/api/search', { params: { q: query, limit, before } }),
    /** The replies in a message's thread (the root's or any reply's id), with the cursors of every history. */
    threadReplies: (messageId, { after, before, limit, around } = {}) =>
      request('GET', `/api/messages/${messageId}/thread`, { params: { after, before, limit, around } }),
    /** One message of a room (`roomId`) or of my DMs with `peerId`, from its history; null when it is not there. */
    async historyMessage({ roomId, peerId }, messageId) {
      const path = roomId != null ? `/api/rooms/${roomId}/messages` : '/api/messages'
      const page = await request('GET', path, { params: { with: roomId != null ? null : peerId, around: messageId, limit: 1 } })
      return page.find((message) => message.id === messageId) ?? null
    },
    /** The threads I follow, most recently active first, each with its root and unread count. */
    followedThreads: ({ limit = 200 } = {}) => request('GET', '/api/threads', { params: { limit } }),
    followThread: (messageId) => request('PUT', `/api/messages/${messageId}/follow`),
    unfollowThread: (messageId) => request('DELETE', `/api/messages/${messageId}/follow`),
    markThreadRead: (messageId, lastReadId) =>
      request('PUT', `/api/messages/${messageId}/thread/read`, { body: { last_read_id: lastReadId } }),
    /** Messages I may see that were created or changed after `since` (a `seq`), ascending by `seq`. */
    changes: ({ since, limit }) => request('GET', '/api/changes', { params: { since, limit } }),

    /** Change my name, status or (with `current_password`) email: my account as it is now. */
    updateProfile: (changes) => request('PATCH', '/api/me', { body: changes }),
    /** Make an image I uploaded (and have not sent) my avatar: my account, with its `avatar_url`. */
    setAvatar: (fileId) => request('PUT', '/api/me/avatar', { body: { file_id: fileId } }),
    removeAvatar: () => request('DELETE', '/api/me/avatar'),
    /** Close my account for good; the server ends every session, so the token is forgotten here too. */
    async closeAccount(password) {
      await request('DELETE', '/api/me', { body: { password } })
      forgetToken()
    },
  }
}
