// A thread beside its conversation: the root on top, its replies in the shared windowed list (live, with
// the same message actions), its own composer (the conversation's, views/composer.js; it sends with
// `thread_id` through the outbox), a follow toggle, and a close button; Escape closes it too.

import { parseThreadKey } from '../threads.js'
import { createComposer } from './composer.js'
import { h, setChildren, showText } from './h.js'
import { createMessageList } from './messageList.js'
import { messageNode } from './message.js'

/**
 * Render the thread `key` (a thread key: its conversation and root id). `actions`: loadNewest(), loadOlder(),
 * loadNewer(), loadAround(replyId), send(content), retry(clientId), discard(clientId), seen(lastId),
 * edit(messageId, content), remove(messageId), react(messageId, emoji, {remove}), follow(following) and close().
 * With `focusId`, it opens on that reply (the page around it when it is not held), highlighted and focused.
 * `where`: the conversation's name.
 * `canDelete(message)`, `nameOf(userId)` and `nicknameOf(userId)` (mentions highlighted) as for the conversation;
 * with `mentionable()` (the people a reply can mention; `inRoom` adds `@room`) the composer completes `@` names. Returns `{element, key, focus, destroy}`.
 */
export function createThreadPanel({
  store,
  key,
  actions,
  where,
  canDelete,
  nameOf,
  nicknameOf = null,
  mentionable = null,
  inRoom = false,
  focusId = null,
}) {
  const { rootId } = parseThreadKey(key)
  const threadOf = () => store.conversation(key)

  const rootHolder = h('div', { class: 'thread-root' })
  const messageList = createMessageList({
    store,
    key,
    actions,
    showAuthors: true,
    canDelete,
    nameOf,
    nicknameOf,
    focusComposer: () => composer.focus(),
    // Opened on a reply, the reader is somewhere in the thread: no "new replies" divider there.
    unreadAtOpen: focusId == null ? store.threads.followed.get(rootId)?.unread || null : null,
    labelledBy: 'thread-title',
    regionLabel: 'Thread replies',
    olderLabel: 'Load older replies',
    emptyText: 'No replies yet.',
    listClass: 'messages thread-messages',
    top: rootHolder,
    focusId,
  })

  const heading = h('h2', { id: 'thread-title', class: 'thread-title', tabindex: '-1' }, 'Thread')
  const followButton = h('button', { type: 'button', class: 'button ghost small thread-follow' })
  const followError = h('p', { class: 'field-error', role: 'alert', hidden: true })
  const closeButton = h('button', { type: 'button', class: 'button ghost small thread-close', 'aria-label': 'Close thread' }, '✕')

  const composer = createComposer({
    idPrefix: 'thread-composer',
    formLabel: 'Reply in the thread',
    label: 'Reply in the thread',
    placeholder: 'Reply…',
    submitText: 'Reply',
    hint: 'Enter sends, Shift+Enter starts a new line, Escape closes the thread.',
    send: (content) => actions.send(content),
    afterSend: () => messageList.revealNewest(),
    editLast: () => messageList.editMyLast(),
    mentions: mentionable ? { people: mentionable, room: inRoom } : null,
  })

  // A deleted root keeps its thread readable, but takes no new replies (the server refuses them).
  const closedNote = h('p', { class: 'history-status thread-closed', hidden: true }, 'This message was deleted: its thread takes no new replies.')

  const element = h(
    'aside',
    { class: 'thread-panel', 'aria-labelledby': 'thread-title', dataset: { rootId: String(rootId) } },
    h(
      'header',
      { class: 'thread-header' },
      h('div', { class: 'heading' }, heading, h('p', { class: 'conversation-subtitle' }, where ? `in ${where}` : '')),
      followButton,
      closeButton,
    ),
    followError,
    messageList.element,
    closedNote,
    composer.element,
  )

  // The root: rebuilt when it changes (an edit, a reaction, the reply count), with its reactions to click.
  const rootUi = {
    myId: null,
    nameOf,
    canEdit: false,
    canDelete: false,
    showActions: false,
    async onToggleReaction(message, emoji, remove) {
      try {
        await actions.react(message.id, emoji, { remove })
      } catch (error) {
        showText(followError, `The reaction was not saved: ${error.detail}`)
      }
    },
  }
  function renderRoot() {
    const root = threadOf().root
    if (!root) {
      setChildren(rootHolder, h('p', { class: 'history-status' }, 'Loading the thread…'))
      return
    }
    const node = messageNode(root, { mine: root.author.id === store.me?.id, showAuthor: true }, { ...rootUi, myId: store.me?.id, nicknameOf })
    // The root is no list item here: it stands above the list of replies.
    const holder = h('div', { class: `${node.className} root-message`, dataset: { id: String(root.id) } }, ...node.childNodes)
    setChildren(rootHolder, holder)
    composer.element.hidden = Boolean(root.deleted)
    closedNote.hidden = !root.deleted
  }

  function renderFollow() {
    const following = store.threads.isFollowing(rootId)
    followButton.textContent = following ? 'Following' : 'Follow'
    followButton.setAttribute('aria-pressed', String(following))
    followButton.title = following ? 'Stop following: the thread leaves your Threads view' : 'Follow: the thread shows in your Threads view'
  }

  followButton.addEventListener('click', async () => {
    showText(followError, null)
    followButton.disabled = true
    try {
      await actions.follow(!store.threads.isFollowing(rootId))
    } catch (error) {
      showText(followError, `Not changed: ${error.detail}`)
    } finally {
      followButton.disabled = false
      renderFollow()
    }
  })
  closeButton.addEventListener('click', () => actions.close())
  // Escape closes the thread, unless something inside used it first (an editor, the reaction picker).
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return
    event.preventDefault()
    actions.close()
  })

  async function loadNewest() {
    // Left short of the newest reply by an earlier jump: the list swaps that run for the newest page itself.
    if (threadOf().hasNewer) return messageList.loadNewest()
    try {
      await actions.loadNewest()
      messageList.scrollToBottom()
    } catch (error) {
      setChildren(
        messageList.status,
        `Replies could not be loaded: ${error.detail} `,
        h('button', { type: 'button', class: 'button ghost small', onclick: loadNewest }, 'Try again'),
      )
    }
  }

  const onConversation = (event) => {
    if (event.detail.key !== key) return
    if (event.detail.root) renderRoot()
    messageList.applyChange(event.detail)
  }
  const onThreads = (event) => {
    if (!event.detail.ids || event.detail.ids.includes(rootId)) renderFollow()
  }
  const listeners = [
    ['conversation', onConversation],
    ['threads', onThreads],
  ]
  for (const [type, listener] of listeners) store.addEventListener(type, listener)

  renderRoot()
  renderFollow()
  if (focusId == null && (!threadOf().loaded || threadOf().hasNewer)) loadNewest()

  return {
    element,
    key,
    rootId,
    /** The composer takes the focus (opening the thread to reply). */
    focus: () => composer.focus(),
    destroy() {
      for (const [type, listener] of listeners) store.removeEventListener(type, listener)
      composer.destroy()
      messageList.destroy()
    },
  }
}
