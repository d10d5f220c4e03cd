// Threads, wired: which thread panel is open beside the conversation, what it asks of the API and the
// outbox, read reports for threads, and keeping the list of followed threads fresh.

import { PAGE_SIZE, parseKey } from './store.js'
import { threadKey } from './threads.js'
import { createThreadPanel } from './views/threadPanel.js'
import { conversationName } from './views/threadsView.js'

/** The route of a conversation, and of a thread beside it. */
export function conversationRoute(conversationKey, rootId = null) {
  const { kind, id } = parseKey(conversationKey)
  const base = `#/${kind === 'room' ? 'rooms' : 'people'}/${id}`
  return rootId == null ? base : `${base}/thread/${rootId}`
}

/**
 * `outbox()`: the session's outbox; `navigate(hash)`; `onOpen(open)`: the panel opened (true) or closed.
 * Returns `{show(conversationKey, rootId, {focusId}), reload(), current(), destroy()}`.
 */
export function createThreadController({ store, api, outbox, navigate, host, onOpen = () => {} }) {
  let panel = null
  let reloadTimer = null

  /** The threads I follow, from the server (its unread counts are the truth after any gap). */
  async function reload() {
    store.threads.setFollowed(await api.followedThreads())
  }
  function reloadSoon() {
    clearTimeout(reloadTimer)
    reloadTimer = setTimeout(() => reload().catch(() => {}), 300)
  }
  const onThreads = (event) => {
    if (event.detail?.stale) reloadSoon()
  }
  store.addEventListener('threads', onThreads)

  /** Tell the server how far I read the thread, only forward; a failed report is sent again next time. */
  function markRead(rootId, lastId) {
    if (!store.threads.markRead(rootId, lastId)) return
    api.markThreadRead(rootId, lastId).catch(() => store.threads.forgetRead(rootId))
  }

  function nameOf(conversationKey, userId) {
    if (userId === store.me?.id) return store.me.name
    return store.people.get(userId)?.name ?? store.describe(conversationKey)?.room?.members?.find((member) => member.id === userId)?.name ?? 'Someone'
  }

  /** A mentioned person's nickname, for highlighting (as the conversation view finds it). */
  function nicknameOf(conversationKey, userId) {
    if (userId === store.me?.id) return store.me.nickname
    return (
      store.people.get(userId)?.nickname ??
      store.describe(conversationKey)?.room?.members?.find((member) => member.id === userId)?.nickname
    )
  }

  /** The people a reply can mention: the room's members, or the person of the DM (never me). */
  function mentionable(conversationKey) {
    const subject = store.describe(conversationKey)
    const people = subject?.room ? (subject.room.members ?? []) : subject?.person ? [subject.person] : []
    return people.filter((person) => person.id !== store.me?.id)
  }

  function actionsFor(conversationKey, rootId) {
    const key = threadKey(conversationKey, rootId)
    const replies = (parameters) => api.threadReplies(rootId, { limit: PAGE_SIZE, ...parameters })
    const thread = () => store.conversation(key)
    return {
      loadNewest: async () => store.addNewestPage(key, await replies({})),
      loadOlder: async () => store.addHistoryPage(key, await replies({ before: thread().messages[0]?.id })),
      loadNewer: async () => store.addNewerPage(key, await replies({ after: thread().messages.at(-1)?.id })),
      loadAround: async (replyId) => store.addAroundPage(key, await replies({ around: replyId }), { around: replyId }),
      send: (content) => outbox().send(key, content),
      retry: (clientId) => outbox().retry(key, clientId),
      discard: (clientId) => outbox().discard(key, clientId),
      seen: (lastId) => markRead(rootId, lastId),
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
      async follow(following) {
        if (following) {
          await api.followThread(rootId)
          const root = store.conversation(key).root
          if (root) store.threads.follow(root)
          else reloadSoon()
        } else {
          await api.unfollowThread(rootId)
          store.threads.unfollow(rootId)
        }
      },
      close: () => navigate(conversationRoute(conversationKey)),
    }
  }

  /** The root, when the conversation or the followed list do not hold it: asked from the history. */
  async function fetchRoot(conversationKey, rootId) {
    const { kind, id } = parseKey(conversationKey)
    let root = null
    try {
      root = await api.historyMessage(kind === 'room' ? { roomId: id } : { peerId: id }, rootId)
    } catch {
      // Not readable, or the server cannot say: the thread closes below.
    }
    if (panel?.key !== threadKey(conversationKey, rootId)) return
    if (root && root.thread_id == null) store.threads.open(root)
    else navigate(conversationRoute(conversationKey))
  }

  /**
   * Open the thread `rootId` of the conversation beside it (null: close the panel), on its reply `focusId` when
   * given (a search result: opened anew even when the thread is already open). Returns the panel.
   */
  function show(conversationKey, rootId = null, { focusId = null } = {}) {
    const key = conversationKey && rootId != null ? threadKey(conversationKey, rootId) : null
    if (panel?.key === key && focusId == null) return panel
    if (panel) {
      panel.destroy()
      panel.element.remove()
      panel = null
    }
    onOpen(Boolean(key))
    if (!key) return null
    const root = store.conversation(conversationKey).byId.get(rootId) ?? store.threads.followed.get(rootId)?.root
    if (root) store.threads.open(root)
    const isRoom = parseKey(conversationKey).kind === 'room'
    panel = createThreadPanel({
      store,
      key,
      actions: actionsFor(conversationKey, rootId),
      where: conversationName(store, conversationKey),
      canDelete: (message) => message.author.id === store.me?.id || (isRoom && store.describe(conversationKey)?.room?.owner?.id === store.me?.id),
      nameOf: (userId) => nameOf(conversationKey, userId),
      nicknameOf: (userId) => nicknameOf(conversationKey, userId),
      mentionable: () => mentionable(conversationKey),
      inRoom: isRoom,
      focusId,
    })
    host.append(panel.element)
    if (!store.conversation(key).root) fetchRoot(conversationKey, rootId)
    return panel
  }

  return {
    show,
    reload,
    current: () => panel,
    destroy() {
      clearTimeout(reloadTimer)
      store.removeEventListener('threads', onThreads)
      show(null)
    },
  }
}
