// Wiring: the API client, the store and the socket, the hash routes, and which view fills the page.

import './styles.css'
import { createApi } from './api.js'
import { createLinkRefresher } from './fileLinks.js'
import { createOutbox } from './outbox.js'
import { createNotifier } from './notifications.js'
import { createConnection } from './socket.js'
import { PAGE_SIZE, Store, directKey, parseKey, peerOf, roomKey } from './store.js'
import { renderAuth } from './views/auth.js'
import { createConversationView } from './views/conversation.js'
import { h, setChildren } from './views/h.js'
import { renderNewRoom } from './views/newRoom.js'
import { RESULTS_LIMIT, createPeoplePicker } from './views/peoplePicker.js'
import { createSearchPanel } from './views/searchPanel.js'
import { createSidebar } from './views/sidebar.js'
import { createUnreadTitle } from './title.js'
import { conversationRoute, createThreadController } from './threadController.js'
import { createThreadsLink, createThreadsView } from './views/threadsView.js'
import { createUploadTray } from './uploads.js'
import { setMediaBase } from './media.js'
import { createProfileDialog } from './views/profileDialog.js'

const baseUrl = (import.meta.env.VITE_API_URL ?? '').replace(/\/+$/, '')
const root = document.getElementById('app')
const store = new Store()
const SESSION_ENDED = 'Your session has ended. Please log in again.'
// How long the first load waits for the socket to join before reading the lists without it.
const LISTS_WAIT_FOR_SOCKET_MS = 2000
const api = createApi({ baseUrl, onUnauthorized: () => endSession(SESSION_ENDED) })
setMediaBase(baseUrl)

let session = null
let starting = null
let currentView = null
const readMarkers = new Map()

function navigate(hash) {
  if (location.hash === hash) route()
  else location.hash = hash
}

function route() {
  const path = location.hash.replace(/^#/, '') || '/'
  if (!api.token()) {
    showAuth(path === '/signup' ? 'signup' : 'login')
    return
  }
  if (!session) {
    starting ??= startSession().finally(() => {
      starting = null
    })
    return
  }
  showMain(path)
}

function showAuth(mode, notice = null) {
  document.title = mode === 'signup' ? 'Sign up · confab' : 'Log in · confab'
  const onSubmit = async (values) => {
    if (mode === 'signup') await api.signUp(values)
    await api.logIn({ nickname: values.nickname, password: values.password })
    navigate('#/')
  }
  setChildren(root, renderAuth({ mode, onSubmit, notice }))
  root.querySelector('input')?.focus()
}

/** Forget the token and everything loaded with it, and show the login form (with a reason). */
function endSession(notice) {
  session?.connection.stop()
  session?.outbox.stopAll()
  session?.title.destroy()
  session?.sidebar.destroy()
  session?.search.destroy()
  session?.threadsLink.destroy()
  session?.threads.destroy()
  for (const tray of session?.trays.values() ?? []) tray.clear()
  for (const [type, listener] of session?.listeners ?? []) store.removeEventListener(type, listener)
  window.removeEventListener('focus', refreshQuietly)
  currentView?.destroy?.()
  currentView = null
  session = null
  api.forgetToken()
  store.clear()
  readMarkers.clear()
  history.replaceState(null, '', '#/login')
  showAuth('login', notice)
}

/** Stop listening first (the server disconnects this token's sockets), revoke the token, show the login. */
async function logOut() {
  session?.connection.stop()
  try {
    await api.logOut()
  } catch {
    // The token is forgotten here either way; an unreachable server cannot keep the session alive.
  }
  endSession('You are logged out.')
}

async function refresh() {
  // The followed threads too: their unread counts after a gap are the server's (a failure there only leaves them).
  const [people, rooms, followed] = await Promise.all([api.conversationPeople(), api.rooms(), api.followedThreads().catch(() => null)])
  store.setPeople(people)
  store.setRooms(rooms)
  if (followed) store.threads.setFollowed(followed)
}

function refreshQuietly() {
  refresh().catch(() => {})
}

/** The lists, and the newest messages: where the next handshake resumes from (`since`). */
async function loadLists() {
  const [newestDirect] = await Promise.all([api.directMessages({ limit: 1 }), refresh()])
  for (const message of [...newestDirect, ...[...store.rooms.values()].map((room) => room.last_message)]) {
    if (!message) continue
    store.noteSeen(message.id)
    store.noteSeq(message.seq, { read: true })
  }
}

async function startSession() {
  setChildren(root, h('div', { class: 'splash', role: 'status' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Loading your conversations…'))
  let connection = null
  try {
    store.setSession(await api.me())
    connection = createConnection({
      url: baseUrl,
      api,
      store,
      refresh,
      onUnauthorized: (error) => endSession(`${error.detail} Please log in again.`),
      onNotify: (event) => session?.notifier.notify(event),
    })
    store.setConnection('connecting')
    connection.start()
    // Read once the socket has joined its channels, the lists miss nothing and need no second read; a socket
    // slower than that must not hold the page back, and catches up from them when it joins.
    await connection.firstHandshake(LISTS_WAIT_FOR_SOCKET_MS)
    // The socket's handshake was refused meanwhile: the login form is showing.
    if (!api.token()) {
      connection.stop()
      return
    }
    await connection.load(loadLists)
  } catch (error) {
    connection?.stop()
    if (error.status === 401) return
    setChildren(
      root,
      h(
        'div',
        { class: 'splash', role: 'alert' },
        h('p', {}, `confab could not load: ${error.detail}`),
        h('button', { type: 'button', class: 'button primary', onclick: () => route() }, 'Try again'),
      ),
    )
    return
  }

  const notifier = createNotifier({
    roomName: (roomId) => store.rooms.get(roomId)?.name,
    open: (message) => navigate(message.room_id != null ? `#/rooms/${message.room_id}` : `#/people/${message.author.id}`),
  })
  const search = createSearchPanel({
    store,
    search: (query, page) => api.searchMessages(query, page),
    onOpen(message, route) {
      // A DM with someone outside my recent conversations: known from now on, so its route can open.
      const peer = message.room_id == null ? peerOf(message, store.me?.id) : null
      if (peer) store.addPerson(peer)
      navigate(route)
    },
  })
  const threadsLink = createThreadsLink({ store })
  const sidebar = createSidebar({ store, onLogOut: logOut, top: threadsLink.element, search: search.element })
  const banner = h('div', { class: 'banner', role: 'status', hidden: true })
  const main = h('main', { class: 'main', id: 'main' })
  const columns = h('div', { class: 'columns' }, sidebar.element, main)
  const shell = h('div', { class: 'app', dataset: { pane: 'list' } }, banner, notifier.element, columns)
  const threads = createThreadController({
    store,
    api,
    outbox: () => session.outbox,
    navigate,
    host: columns,
    onOpen: (open) => {
      shell.dataset.thread = open ? 'open' : 'closed'
    },
  })

  const showConnection = () => {
    const lost = store.connection === 'offline'
    shell.dataset.connection = store.connection
    banner.hidden = !lost
    setChildren(banner, lost ? 'Connection lost. Reconnecting… Messages you send will go out once it is back.' : '')
  }
  // Removed from the room on screen (by its owner, or by leaving in another tab): say so, leave its route.
  const leaveRemovedRoom = (event) => {
    const active = parseKey(store.active)
    const room = active?.kind === 'room' && event.detail?.removedRooms?.find((removed) => removed.id === active.id)
    if (!room) return
    history.replaceState(null, '', '#/')
    showPlaceholder(`You are no longer a member of ${room.name}.`, { notice: true })
  }
  const listeners = [
    ['connection', showConnection],
    ['rooms', leaveRemovedRoom],
  ]
  for (const [type, listener] of listeners) store.addEventListener(type, listener)
  const outbox = createOutbox({ store, send: connection.send })
  const title = createUnreadTitle({ store })
  // Files attached to a conversation's next message stay with it while another conversation is open.
  const trays = new Map()
  const links = createLinkRefresher({ refetch: refetchMessage })
  session = { connection, outbox, title, sidebar, search, threadsLink, threads, main, shell, listeners, trays, links, notifier }
  // Nobody is told when someone signs up: coming back to the tab is a good moment to look.
  window.addEventListener('focus', refreshQuietly)

  setChildren(root, shell)
  showConnection()
  route()
}

function replaceView(view, pane) {
  if (!view.key) session.threads.show(null)
  currentView?.destroy?.()
  currentView = view
  session.shell.dataset.pane = pane
  setChildren(session.main, view.element)
}

/** The main pane with nothing open; a `notice` (why the conversation closed) takes the keyboard focus. */
function showPlaceholder(text, { notice = false } = {}) {
  store.setActive(null)
  const heading = h('h1', { tabindex: '-1' }, text)
  replaceView(
    {
      element: h(
        'div',
        { class: 'placeholder', role: notice ? 'status' : null },
        h('span', { class: 'brand-mark large', 'aria-hidden': 'true' }),
        heading,
        h('p', {}, 'Pick a person or a room on the left, or start a new room.'),
      ),
    },
    notice ? 'main' : 'list',
  )
  if (notice) heading.focus()
}

function showMain(path) {
  // `#/rooms/7` opens a conversation at its newest message, `#/rooms/7/thread/43` with thread 43 open beside it,
  // `#/rooms/7/messages/42` opens it on message 42, `#/rooms/7/thread/43/messages/57` on the root 43 with the
  // thread beside it open on its reply 57.
  const match = /^\/(people|rooms)\/(\d+)(?:\/thread\/(\d+)(?:\/messages\/(\d+))?|\/messages\/(\d+))?$/.exec(path)
  if (path === '/profile') {
    store.setActive(null)
    showProfile()
  } else if (path === '/threads') {
    store.setActive(null)
    showThreads()
  } else if (path === '/rooms/new') {
    store.setActive(null)
    showNewRoom()
  } else if (path === '/people/new') {
    store.setActive(null)
    showNewMessage()
  } else if (match) {
    const key = match[1] === 'rooms' ? roomKey(Number(match[2])) : directKey(Number(match[2]))
    if (!store.describe(key)) {
      if (match[1] === 'people') openPersonFromDirectory(Number(match[2]), `#${path}`)
      else showPlaceholder('That room does not exist, or you are not in it.')
      return
    }
    const rootId = match[3] == null ? null : Number(match[3])
    const replyId = match[4] == null ? null : Number(match[4])
    // A reply is opened on in its thread; the conversation opens on the thread's root.
    const focusId = replyId != null ? rootId : match[5] == null ? null : Number(match[5])
    // Opening or closing a thread beside the conversation on screen keeps that conversation as it is; a
    // message to open on (a search result) always opens it anew there.
    if (currentView?.key !== key || focusId != null) {
      store.setActive(key)
      // The keyboard focus goes to the reply in the thread, not to its root here.
      const view = createConversationView({ store, key, actions: conversationActions(key), focusId, takeFocus: replyId == null })
      view.key = key
      replaceView(view, 'main')
    }
    const panel = session.threads.show(key, rootId, { focusId: replyId })
    // Opened on a message, the view (or the thread) focuses that message itself.
    if (panel && replyId == null) panel.focus()
    else if (!panel && focusId == null) currentView.focusComposer()
  } else {
    showPlaceholder('Welcome to confab')
  }
}

/** The threads I follow; one opens beside its conversation. */
function showThreads() {
  const view = createThreadsView({ store, reload: () => session.threads.reload() })
  replaceView(view, 'main')
  view.focus()
}

/** A link to someone I have no conversation with yet: ask the directory who they are, then open it. */
async function openPersonFromDirectory(userId, hash) {
  let person = null
  try {
    person = await api.person(userId)
  } catch {
    // Unknown, or the server cannot say: both end on the placeholder below.
  }
  // Still on their conversation (or a thread or a message in it, opened from the Threads view or a search)?
  if (!session || location.hash !== hash) return
  if (person && person.id !== store.me?.id) {
    store.addPerson(person)
    route()
  } else {
    showPlaceholder('That person is not here.')
  }
}

/** One page of the directory search, as every people picker asks for it. */
const searchDirectory = (text) => api.searchPeople(text, { limit: RESULTS_LIMIT })

/** The directory search; picking someone opens (or starts) the conversation with them. */
function showNewMessage() {
  const view = createPeoplePicker({
    search: searchDirectory,
    excludeId: store.me?.id,
    onPick(person) {
      store.addPerson(person)
      navigate(`#/people/${person.id}`)
    },
  })
  replaceView(view, 'main')
  view.focus()
}

/** My profile: saved changes reach the store at once (and everyone else through `user_updated`). */
function showProfile() {
  const view = createProfileDialog({
    store,
    actions: {
      updateProfile: (changes) => api.updateProfile(changes),
      uploadFile: (file) => api.uploadFile(file),
      setAvatar: (fileId) => api.setAvatar(fileId),
      removeAvatar: () => api.removeAvatar(),
      closeAccount: (password) => api.closeAccount(password),
    },
    onClosed: () => endSession('Your account is closed. Thank you for having been here.'),
  })
  replaceView(view, 'main')
  view.focus()
}

/** The new-room form, inviting through the directory search (the server may hold thousands of accounts). */
function showNewRoom() {
  const view = renderNewRoom({
    store,
    search: searchDirectory,
    async onCreate(name, memberIds) {
      const room = await api.createRoom(name, memberIds)
      store.upsertRoom(room)
      navigate(`#/rooms/${room.id}`)
    },
  })
  replaceView(view, 'main')
  view.focus()
}

function fetchHistory(key, parameters) {
  const { kind, id } = parseKey(key)
  return kind === 'room' ? api.roomMessages(id, parameters) : api.directMessages({ peerId: id, ...parameters })
}

/**
 * Read one message again (a history page of one, centred on it) for freshly signed file links; the copy
 * held is replaced unless it is newer.
 */
async function refetchMessage(message) {
  const [fresh] = await fetchHistory(store.keyOf(message), { around: message.id, limit: 1 })
  if (fresh?.id === message.id) store.refreshLinks(fresh)
}

function trayOf(key) {
  if (!session.trays.has(key)) session.trays.set(key, createUploadTray({ upload: api.uploadFile }))
  return session.trays.get(key)
}

/** Tell the server how far I have read, once per new message (markers never move backwards). */
function markRead(key, lastId) {
  if ((readMarkers.get(key) ?? 0) >= lastId) return
  readMarkers.set(key, lastId)
  const { kind, id } = parseKey(key)
  const request = kind === 'room' ? api.markRoomRead(id, lastId) : api.markDirectRead(id, lastId)
  // A missed read marker only leaves a stale badge for next time; it is not worth interrupting anyone.
  request.catch(() => readMarkers.delete(key))
}

// Each conversation view gets its own actions: a page answered after its view was replaced is not stored, since
// the next view may have moved the conversation's run of messages (a jump) and the page would leave a hole.
let viewsOpened = 0

function conversationActions(key) {
  const { id } = parseKey(key)
  const opened = ++viewsOpened
  const fetchPage = async (parameters) => {
    const page = await fetchHistory(key, parameters)
    return opened === viewsOpened ? page : null
  }
  return {
    async loadNewest() {
      const page = await fetchPage({ limit: PAGE_SIZE })
      if (page) store.addNewestPage(key, page)
    },
    async loadNewer() {
      const after = store.conversation(key).messages.at(-1)?.id
      const page = await fetchPage({ after, limit: PAGE_SIZE })
      if (page) store.addNewerPage(key, page)
    },
    async loadAround(messageId) {
      const page = await fetchPage({ around: messageId, limit: PAGE_SIZE })
      if (page) store.addAroundPage(key, page, { around: messageId })
    },
    async loadOlder() {
      const before = store.conversation(key).messages[0]?.id
      const page = await fetchPage({ before, limit: PAGE_SIZE })
      if (page) store.addHistoryPage(key, page)
    },
    send: (content, files) => session.outbox.send(key, content, files),
    attachments: trayOf(key),
    fileUrl: api.fileUrl,
    refreshLinks: (message) => session.links.refresh(message),
    async renewFileUrl(message, fileId) {
      await session.links.refresh(message)
      const held = store.conversation(key).byId.get(message.id) ?? message
      return api.fileUrl(held.files?.find((file) => file.id === fileId)?.url)
    },
    retry: (clientId) => session.outbox.retry(key, clientId),
    discard: (clientId) => session.outbox.discard(key, clientId),
    typing: () => session?.connection.typing(key),
    seen: (lastId) => markRead(key, lastId),
    async edit(messageId, content) {
      store.upsertMessage(await api.editMessage(messageId, content))
    },
    async remove(messageId) {
      await api.deleteMessage(messageId)
      store.markDeleted(messageId, key)
    },
    async react(messageId, emoji, { remove = false } = {}) {
      store.upsertMessage(await api.react(messageId, emoji, { remove }))
    },
    openThread: (message) => navigate(conversationRoute(key, message.id)),
    searchPeople: searchDirectory,
    async setNotificationLevel(level) {
      await api.setNotificationLevel(id, level)
      store.setNotificationLevel(id, level)
    },
    async addMember(userId) {
      store.upsertRoom(await api.addMember(id, userId))
    },
    async leave() {
      await api.removeMember(id, store.me.id)
      store.removeRoom(id)
      navigate('#/')
    },
  }
}

window.addEventListener('hashchange', route)
route()
