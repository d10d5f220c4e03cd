// The keyed, windowed list of messages shared by a conversation and a thread panel: a bounded run of the
// messages held in the store in the DOM (older pages on scroll-up, the newest followed at the bottom),
// pending bubbles, the "N new messages" button, the unread divider, and each message's actions (react,
// edit, delete, reply in thread) with their in-place states. Opened on one message (a search result), a
// conversation's list shows the history around it, and newer pages on scroll-down until it is live again.

import { insertionIndex } from '../store.js'
import { fileList } from './attachments.js'
import { h, setChildren } from './h.js'
import { messageActions, messageNode } from './message.js'

export const MAX_CONTENT = 4000
const RUN_GAP_MS = 5 * 60 * 1000
const NEAR_TOP_PX = 120
const NEAR_BOTTOM_PX = 60
/** Messages kept in the DOM while the reader is at the newest; the store may hold many more. */
export const WINDOW_SIZE = 300
/** How far the window may outgrow WINDOW_SIZE before it is trimmed, so trimming happens in batches. */
export const WINDOW_SLACK = 100
/** Messages brought into the window at a time when the reader scrolls past one of its edges. */
export const PAGE_STEP = 100
const SEEN_INTERVAL_MS = 1000
/** How long a message jumped to stays highlighted. */
export const JUMP_HIGHLIGHT_MS = 2500

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' })

function dayOf(date) {
  const day = new Date(date)
  return `${day.getFullYear()}-${day.getMonth() + 1}-${day.getDate()}`
}

/** "Today", "Yesterday", or the date in words. */
export function dayLabel(date, now = new Date()) {
  const yesterday = new Date(now)
  yesterday.setDate(now.getDate() - 1)
  if (dayOf(date) === dayOf(now)) return 'Today'
  if (dayOf(date) === dayOf(yesterday)) return 'Yesterday'
  return dayFormat.format(new Date(date))
}

function pendingNode(pending, { onRetry, onDiscard, fileUrl }) {
  const failed = pending.status === 'failed'
  const files = fileList(pending.files, { fileUrl })
  return h(
    'li',
    { class: `message mine pending${failed ? ' failed' : ''}`, dataset: { clientId: pending.client_id } },
    h(
      'div',
      { class: files && !pending.content ? 'bubble files-only' : 'bubble' },
      files && !pending.content ? null : h('p', { class: 'content' }, pending.content),
      files,
      h('span', { class: 'status' }, failed ? `Not sent: ${pending.error}` : 'Sending…'),
    ),
    failed
      ? h(
          'div',
          { class: 'pending-actions' },
          h('button', { type: 'button', class: 'button ghost small', onclick: () => onRetry(pending.client_id) }, 'Retry'),
          h('button', { type: 'button', class: 'button ghost small', onclick: () => onDiscard(pending.client_id) }, 'Discard'),
        )
      : null,
  )
}

/**
 * How a message looks depends on the message before it in the whole conversation (not in the window):
 * a day separator when the day changes, the author's name when a run of one author's messages starts.
 * So a node looks the same whichever window shows it, and sliding the window never redraws a neighbour.
 */
export function decorationOf(messages, index, { isRoom, myId }) {
  const message = messages[index]
  const previous = messages[index - 1]
  const newDay = !previous || dayOf(previous.date) !== dayOf(message.date)
  const mine = message.author.id === myId
  const sameRun =
    previous && !newDay && previous.author.id === message.author.id && new Date(message.date) - new Date(previous.date) < RUN_GAP_MS
  return { newDay, mine, showAuthor: isRoom && !mine && !sameRun }
}

/**
 * The list of `store.conversation(key)`: returns `{element, list, scroller, status, applyChange, revealNewest,
 * scrollToBottom, loadNewest, editMyLast, rebuildWhere, destroy}`; the owner passes it the store's
 * `conversation` events for `key`. `actions`: loadNewest(), loadOlder(), retry(clientId), discard(clientId),
 * seen(lastId), edit(messageId, content), remove(messageId), react(messageId, emoji, {remove}), and optionally
 * openThread(message) (the "Reply in thread" action and a root's reply summary open its thread), and
 * loadNewer() and loadAround(messageId) for a run that can stop short of the newest (a conversation's).
 * With `focusId`, the list opens on that message (loading the page around it when it is not held), highlighted,
 * and focused unless `takeFocus` is false (the keyboard focus is wanted elsewhere).
 * `showAuthors`: names above runs of other people's messages (rooms and threads); `canDelete(message)`;
 * `nameOf(userId)`; `nicknameOf(userId)`, when given, highlights the mentions of those it knows;
 * `focusComposer()` takes the focus back where the owner writes; `unreadAtOpen`: how many
 * messages from others were unread, to place the divider; `labelledBy` names the list, `regionLabel` the
 * scroller; `emptyText` shows when nothing was said yet; `top`: a node above the list (a thread's root).
 */
export function createMessageList({
  store,
  key,
  actions,
  showAuthors,
  canDelete,
  nameOf,
  nicknameOf = null,
  focusComposer,
  unreadAtOpen = null,
  labelledBy,
  regionLabel = 'Message history',
  olderLabel = 'Load older messages',
  emptyText = 'No messages yet. Say hello!',
  listClass = 'messages',
  top = null,
  focusId = null,
  takeFocus = true,
}) {
  let loadingOlder = false
  let loadingNewer = false
  // The window waits for a page before it shows anything: the one around a message jumped to, or the newest
  // when the conversation held only an older run (left there by an earlier jump).
  let positioning = focusId != null || Boolean(store.conversation(key).hasNewer)
  let highlightTimer = null
  const olderButton = h('button', { type: 'button', class: 'button ghost small load-older', hidden: true }, olderLabel)
  const historyStatus = h('p', { class: 'history-status', role: 'status' })
  const list = h('ol', { class: listClass, 'aria-labelledby': labelledBy })
  const newerButton = h('button', { type: 'button', class: 'button ghost small load-newer', hidden: true }, 'Load newer messages')
  const newerStatus = h('p', { class: 'history-status', role: 'status' })
  const scroller = h(
    'div',
    { class: 'scroller', role: 'region', tabindex: '0', 'aria-label': regionLabel },
    top,
    olderButton,
    historyStatus,
    list,
    newerStatus,
    newerButton,
  )
  const newButton = h('button', { type: 'button', class: 'button primary small new-messages', hidden: true })
  const scrollerFrame = h('div', { class: 'scroller-frame' }, scroller, newButton)

  // The message window: a contiguous run of the conversation's messages in the DOM, keyed by id.
  // `shown` maps id -> {message, node, dayNode, dividerNode}; the run is [firstShownId, lastShownId].
  const shown = new Map()
  const pendingNodes = new Map()
  let firstShownId = null
  let lastShownId = null
  // The window ends at the newest message held: arrivals are appended. False once the reader scrolled up
  // far enough for the window to leave the newest ones out (they come back by scrolling or the button).
  let atNewest = true
  // The reader is at the bottom (kept from scroll events, so an arrival reads no layout before writing).
  let stuckToBottom = true
  let unseen = 0
  let firstUnreadId = null
  let dividerOnNextArrival = false
  let lastSeenCall = 0
  let seenTimer = null

  const conversationOf = () => store.conversation(key)
  const indexOf = (id) => insertionIndex(conversationOf().messages, id)

  function buildRecord(message, index) {
    const look = decorationOf(conversationOf().messages, index, { isRoom: showAuthors, myId: store.me?.id })
    return {
      message,
      look,
      node: nodeOf(message, look),
      dayNode: look.newDay ? dayNode(message.date) : null,
      dividerNode: message.id === firstUnreadId ? unreadDivider() : null,
    }
  }
  const dayNode = (date) => h('li', { class: 'day' }, h('span', {}, dayLabel(date)))
  // A list item like the day separators (a role on it would take it out of the list for screen readers).
  const unreadDivider = () => h('li', { class: 'unread-divider' }, h('span', {}, 'New messages'))
  const nodesOf = (record) => [record.dayNode, record.dividerNode, record.node].filter(Boolean)
  const leadingNode = (record) => record.dayNode ?? record.dividerNode ?? record.node
  // Messages go above the pending bubbles, which always come last.
  const endAnchor = () => pendingNodes.values().next().value ?? null

  function insertRecord(record, before) {
    for (const node of nodesOf(record)) list.insertBefore(node, before)
    shown.set(record.message.id, record)
  }

  function removeRecord(id) {
    const record = shown.get(id)
    for (const node of nodesOf(record)) node.remove()
    shown.delete(id)
    changing.delete(id)
  }

  /** Bring one shown message's separator, divider and author line in line with its neighbours now. */
  function redecorate(id) {
    const record = shown.get(id)
    if (!record) return
    const look = decorationOf(conversationOf().messages, indexOf(id), { isRoom: showAuthors, myId: store.me?.id })
    record.look = look
    if (look.showAuthor !== record.node.classList.contains('run-start')) rebuild(id)
    const wantsDivider = id === firstUnreadId
    if (wantsDivider && !record.dividerNode) {
      record.dividerNode = unreadDivider()
      list.insertBefore(record.dividerNode, record.node)
    } else if (!wantsDivider && record.dividerNode) {
      record.dividerNode.remove()
      record.dividerNode = null
    }
    if (look.newDay && !record.dayNode) {
      record.dayNode = dayNode(record.message.date)
      list.insertBefore(record.dayNode, record.dividerNode ?? record.node)
    } else if (!look.newDay && record.dayNode) {
      record.dayNode.remove()
      record.dayNode = null
    }
  }

  /** Show up to `count` messages after the window (when it is empty: from index `from`, or the newest ones). */
  function revealNewer(count, from = null) {
    const messages = conversationOf().messages
    let index = lastShownId == null ? (from ?? Math.max(0, messages.length - count)) : indexOf(lastShownId) + 1
    const stop = Math.min(messages.length, index + count)
    const anchor = endAnchor()
    for (; index < stop; index += 1) {
      insertRecord(buildRecord(messages[index], index), anchor)
      firstShownId ??= messages[index].id
      lastShownId = messages[index].id
    }
    atNewest = lastShownId == null || indexOf(lastShownId) === messages.length - 1
  }

  /** Show up to `count` held messages before the window, keeping what the reader looks at in place. */
  function revealOlder(count) {
    if (firstShownId == null) return 0
    const messages = conversationOf().messages
    const firstIndex = indexOf(firstShownId)
    const start = Math.max(0, firstIndex - count)
    if (start === firstIndex) return 0
    const heightBefore = scroller.scrollHeight
    let before = leadingNode(shown.get(firstShownId))
    for (let index = firstIndex - 1; index >= start; index -= 1) {
      const record = buildRecord(messages[index], index)
      insertRecord(record, before)
      before = leadingNode(record)
    }
    redecorate(firstShownId)
    firstShownId = messages[start].id
    scroller.scrollTop += scroller.scrollHeight - heightBefore
    return firstIndex - start
  }

  /** Drop messages from the top of the window down to `keep`, keeping the reader's view in place. */
  function trimTop(keep, { keepPosition = true } = {}) {
    if (shown.size <= keep) return
    const messages = conversationOf().messages
    const heightBefore = keepPosition ? scroller.scrollHeight : 0
    let index = indexOf(firstShownId)
    while (shown.size > keep) removeRecord(messages[index++].id)
    firstShownId = messages[index].id
    redecorate(firstShownId)
    if (keepPosition) scroller.scrollTop -= heightBefore - scroller.scrollHeight
  }

  /** Drop messages from the bottom of the window down to `keep`: the newest ones then wait in the store. */
  function trimBottom(keep) {
    if (shown.size <= keep) return
    const messages = conversationOf().messages
    let index = indexOf(lastShownId)
    while (shown.size > keep) removeRecord(messages[index--].id)
    lastShownId = messages[index].id
    atNewest = false
  }

  function emptyWindow() {
    for (const id of [...shown.keys()]) removeRecord(id)
    firstShownId = null
    lastShownId = null
    atNewest = true
  }

  /** Empty the window and show the newest messages at the bottom (the "new messages" button, a send). */
  function jumpToNewest() {
    if (conversationOf().hasNewer) {
      loadNewest()
      return
    }
    emptyWindow()
    revealNewer(WINDOW_SIZE)
    scrollToBottom()
  }

  /** Fill the window around message `targetId` (or where it would be), scroll to it and highlight it. */
  function showAround(targetId) {
    emptyWindow()
    const messages = conversationOf().messages
    const index = Math.min(indexOf(targetId), messages.length - 1)
    if (index < 0) return
    revealNewer(WINDOW_SIZE, Math.max(0, index - WINDOW_SIZE / 2))
    stuckToBottom = false
    const node = shown.get(messages[index].id).node
    node.scrollIntoView?.({ block: 'center' })
    node.classList.add('jumped')
    if (takeFocus) node.focus({ preventScroll: true })
    clearTimeout(highlightTimer)
    highlightTimer = setTimeout(() => {
      for (const record of shown.values()) record.node.classList.remove('jumped')
    }, JUMP_HIGHLIGHT_MS)
  }

  /** Open on message `targetId`: from the store when it holds it, else with the page around it. */
  async function jumpTo(targetId) {
    // The caller puts the view in the page right after creating it: scrolling and focus need it there.
    await Promise.resolve()
    const conversation = conversationOf()
    if (conversation.loaded && conversation.byId.has(targetId)) {
      positioning = false
      showAround(targetId)
      renderStatus()
      return
    }
    positioning = true
    renderStatus()
    try {
      await actions.loadAround(targetId)
      positioning = false
      showAround(targetId)
    } catch (error) {
      // What the store holds is shown instead, and the reader may try again.
      positioning = false
      if (firstShownId == null && conversationOf().messages.length) {
        revealNewer(WINDOW_SIZE)
        scrollToBottom()
      }
      renderStatus()
      setChildren(
        historyStatus,
        `This message could not be loaded: ${error.detail} `,
        h('button', { type: 'button', class: 'button ghost small', onclick: () => jumpTo(targetId) }, 'Try again'),
      )
      return
    }
    renderStatus()
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight
    stuckToBottom = true
    caughtUp()
  }

  /** The reader sees the newest message: nothing is unseen any more, and the server hears it was read. */
  function caughtUp() {
    if (!stuckToBottom || !atNewest || conversationOf().hasNewer) return
    if (unseen) {
      unseen = 0
      renderNewButton()
    }
    markSeen()
  }

  /** Tell the server how far I have read: at once, then at most once a second while messages pour in. */
  function markSeen() {
    if (document.visibilityState === 'hidden' || seenTimer) return
    const wait = lastSeenCall + SEEN_INTERVAL_MS - Date.now()
    const report = () => {
      seenTimer = null
      lastSeenCall = Date.now()
      const last = conversationOf().messages.at(-1)
      if (last) actions.seen(last.id)
    }
    if (wait <= 0) report()
    else seenTimer = setTimeout(report, wait)
  }

  function renderNewButton() {
    const detached = conversationOf().hasNewer && !positioning
    newButton.hidden = unseen === 0 && !detached
    newButton.textContent = unseen ? `${unseen} new ${unseen === 1 ? 'message' : 'messages'}` : 'Jump to newest messages'
  }

  /** Place the "New messages" divider above the `count`-th newest message from someone else. */
  function placeUnreadDivider(count) {
    const messages = conversationOf().messages
    let index = messages.length
    let found = 0
    while (index > 0 && found < count) {
      index -= 1
      if (messages[index].author.id !== store.me?.id) found += 1
    }
    if (!found) return
    moveDivider(messages[index].id)
  }

  function moveDivider(id) {
    const previous = firstUnreadId
    firstUnreadId = id
    redecorate(previous)
    redecorate(id)
  }

  function renderStatus() {
    const conversation = conversationOf()
    const hiddenOlder = firstShownId != null && indexOf(firstShownId) > 0
    olderButton.hidden = !(conversation.hasOlder || hiddenOlder)
    newerButton.hidden = !conversation.hasNewer || positioning
    renderNewButton()
    if (!conversation.loaded || positioning) historyStatus.textContent = 'Loading messages…'
    else if (!conversation.messages.length && !conversation.pending.size) {
      historyStatus.textContent = emptyText
    } else if (!loadingOlder) historyStatus.textContent = ''
  }

  /** New messages in this conversation, wherever they fall: each one is a node inserted, or waits in the store. */
  function showAdded(messages) {
    const sorted = messages.length > 1 ? [...messages].sort((a, b) => a.id - b.id) : messages
    let appended = 0
    let arrivedUnseen = 0
    for (const message of sorted) {
      if (loadingNewer && message.id > lastShownId) {
        // A page of newer history, not news: it waits in the store until the reader scrolls down to it.
        atNewest = false
        continue
      }
      const mine = message.author.id === store.me?.id
      if (!mine && document.visibilityState === 'hidden' && dividerOnNextArrival) {
        // The first arrival the reader did not see: the divider moves above it (its node is built below).
        dividerOnNextArrival = false
        const previous = firstUnreadId
        firstUnreadId = message.id
        redecorate(previous)
      }
      if (lastShownId == null || message.id > lastShownId) {
        const roomInWindow = stuckToBottom || shown.size < WINDOW_SIZE + WINDOW_SLACK
        if (atNewest && roomInWindow) {
          const index = indexOf(message.id)
          insertRecord(buildRecord(message, index), endAnchor())
          firstShownId ??= message.id
          lastShownId = message.id
          appended += 1
        } else atNewest = false
        if (!mine && !(stuckToBottom && atNewest)) arrivedUnseen += 1
      } else if (message.id > firstShownId) {
        // Late in the middle of the window (a catch-up filling a gap): before the next message shown.
        const index = indexOf(message.id)
        const next = conversationOf().messages[index + 1]
        insertRecord(buildRecord(message, index), leadingNode(shown.get(next.id)))
        redecorate(next.id)
      } else {
        // Older than the window: it waits in the store; the first message shown may have a new predecessor.
        redecorate(firstShownId)
      }
    }
    if (appended && stuckToBottom) {
      // In batches of WINDOW_SLACK, and with no position to keep: the reader is about to be at the bottom.
      if (shown.size > WINDOW_SIZE + WINDOW_SLACK) trimTop(WINDOW_SIZE, { keepPosition: false })
      scroller.scrollTop = scroller.scrollHeight
    }
    if (arrivedUnseen) {
      unseen += arrivedUnseen
      renderNewButton()
    }
    caughtUp()
  }

  /** A newer version of one message: its node, and nothing else, is replaced. */
  function showUpdated(message) {
    const record = shown.get(message.id)
    if (!record) return
    record.message = message
    // A message deleted (here or elsewhere) can no longer be edited, reacted to or deleted again.
    if (message.deleted && changing.get(message.id)?.state) changing.delete(message.id)
    rebuild(message.id)
  }

  // Messages in a changing state: id -> {state ('editing', 'picking', 'confirming' or null), draft, error,
  // busy, actionError}. Only shown messages are in it; each change rebuilds that message's node alone.
  const changing = new Map()

  function uiOf(message) {
    return {
      myId: store.me?.id,
      nameOf,
      nicknameOf,
      canEdit: message.author.id === store.me?.id,
      canDelete: canDelete(message),
      canOpenThread: Boolean(actions.openThread),
      showActions: message.id === hoveredId || message.id === focusedId,
      fileUrl: actions.fileUrl,
      ...changing.get(message.id),
      ...messageHandlers,
    }
  }

  function nodeOf(message, look) {
    return messageNode(message, look, uiOf(message))
  }

  // Only the message under the pointer and the one holding the focus carry their action buttons (and those
  // in a changing state): they are added and removed in place, so neither hovering nor focusing a message
  // rebuilds it, and an arriving message builds none.
  let hoveredId = null
  let focusedId = null

  function syncActions(id) {
    const record = shown.get(id)
    if (!record || record.message.deleted) return
    const node = record.node
    const present = node.querySelector(':scope > .message-actions')
    const ui = uiOf(record.message)
    const wanted = ui.showActions || ui.state || ui.actionError
    if (wanted && !present) (node.querySelector(':scope > .reactions') ?? node.querySelector(':scope > .bubble')).after(messageActions(record.message, ui))
    else if (!wanted && present && !present.contains(document.activeElement)) present.remove()
  }

  const messageIdAt = (target) => {
    const id = Number(target?.closest?.('.message[data-id]')?.dataset.id)
    return shown.has(id) ? id : null
  }

  function point(id) {
    if (id === hoveredId) return
    const before = hoveredId
    hoveredId = id
    syncActions(before)
    syncActions(id)
  }

  function focusOn(id) {
    if (id === focusedId) return
    const before = focusedId
    focusedId = id
    syncActions(before)
    syncActions(id)
  }

  /**
   * Replace one shown message's node. An open editor keeps its own textarea (text, caret and focus survive
   * a reaction arriving meanwhile); otherwise the focus goes to `focusSelector`, or to the control at the
   * same place in the new node when it was inside the old one.
   */
  function rebuild(id, focusSelector = null) {
    const record = shown.get(id)
    if (!record) return
    const old = record.node
    const controls = [...old.querySelectorAll('button, textarea')]
    const focusedIndex = controls.indexOf(document.activeElement)
    const focusedClass = controls[focusedIndex]?.className
    const node = nodeOf(record.message, record.look)
    const oldInput = old.querySelector('.edit-input')
    const newInput = node.querySelector('.edit-input')
    if (oldInput && newInput) {
      oldInput.disabled = newInput.disabled
      newInput.replaceWith(oldInput)
    }
    const editorHadFocus = oldInput && oldInput === document.activeElement
    old.replaceWith(node)
    record.node = node
    const target = focusSelector
      ? node.querySelector(focusSelector)
      : focusedIndex >= 0 && [...node.querySelectorAll('button, textarea')][focusedIndex]
    if (editorHadFocus && !focusSelector && newInput) oldInput.focus()
    else if (target && (focusSelector || target.className === focusedClass)) target.focus()
    else if (focusedIndex >= 0) {
      const react = node.querySelector('.action-react')
      if (react) react.focus()
      else focusComposer()
    }
  }

  /** Put a message in a state (or back to none), rebuild its node and move the focus where it belongs. */
  function setState(id, state, { focus = null, ...extra } = {}) {
    if (state || extra.actionError) changing.set(id, { state, ...extra })
    else changing.delete(id)
    rebuild(id, focus)
  }

  let editStartedInComposer = false
  function startEdit(message, { fromComposer = false } = {}) {
    for (const [otherId, other] of changing) if (other.state === 'editing' && otherId !== message.id) setState(otherId, null)
    editStartedInComposer = fromComposer
    setState(message.id, 'editing', { draft: message.content, focus: '.edit-input' })
    const input = shown.get(message.id)?.node.querySelector('.edit-input')
    input?.setSelectionRange(input.value.length, input.value.length)
  }

  function endEdit(id) {
    setState(id, null, { focus: editStartedInComposer ? null : '.action-edit' })
    if (editStartedInComposer || !shown.get(id)?.node.contains(document.activeElement)) focusComposer()
  }

  const messageHandlers = {
    onOpenPicker(message) {
      const open = changing.get(message.id)?.state === 'picking'
      setState(message.id, open ? null : 'picking', { focus: open ? '.action-react' : '.picker-emoji' })
    },
    onClosePicker: (message) => setState(message.id, null, { focus: '.action-react' }),
    async onToggleReaction(message, emoji, remove) {
      const fromPicker = changing.get(message.id)?.state === 'picking'
      if (fromPicker) setState(message.id, null, { focus: '.action-react' })
      try {
        await actions.react(message.id, emoji, { remove })
      } catch (error) {
        setState(message.id, null, { actionError: `The reaction was not saved: ${error.detail}` })
      }
    },
    onStartEdit: (message) => startEdit(message),
    onDraft(draft) {
      for (const entry of changing.values()) if (entry.state === 'editing') entry.draft = draft
    },
    onCancelEdit: (message) => endEdit(message.id),
    async onSaveEdit(message, content) {
      const entry = changing.get(message.id)
      if (!entry || entry.busy) return
      const refuse = (error) => setState(message.id, 'editing', { draft: content, error, focus: '.edit-input' })
      if (!content.trim()) return refuse('Write something, or delete the message instead.')
      const length = [...content].length
      if (length > MAX_CONTENT) return refuse(`A message can be at most ${MAX_CONTENT} characters; this one has ${length}.`)
      if (content === message.content) return endEdit(message.id)
      setState(message.id, 'editing', { draft: content, busy: true })
      try {
        await actions.edit(message.id, content)
        endEdit(message.id)
      } catch (error) {
        refuse(`Not saved: ${error.detail}`)
      }
    },
    onOpenThread: (message) => actions.openThread?.(message),
    // A thumbnail that did not load: its link may have expired in a long-open tab; the message read again
    // brings fresh ones and its node is rebuilt (src/fileLinks.js keeps this from looping).
    onFileError: (message) => actions.refreshLinks?.(message),
    // A click on an expired link (full image, download): open the renewed one instead of a 403 page.
    async onFileLinkExpired(message, file) {
      const url = await actions.renewFileUrl?.(message, file.id)
      if (url) window.open(url, '_blank', 'noopener')
    },
    onAskDelete: (message) => setState(message.id, 'confirming', { focus: '.confirm-cancel' }),
    onCancelDelete: (message) => setState(message.id, null, { focus: '.action-delete' }),
    async onConfirmDelete(message) {
      try {
        await actions.remove(message.id)
        changing.delete(message.id)
        focusComposer()
      } catch (error) {
        setState(message.id, null, { actionError: `Not deleted: ${error.detail}`, focus: '.action-delete' })
      }
    },
  }

  /** Up in an empty composer: edit my newest message (brought into the window if it was outside). */
  function editMyLast() {
    // Back in history, the newest message is not held: the composer's Up does nothing there.
    if (conversationOf().hasNewer) return false
    const messages = conversationOf().messages
    let index = messages.length - 1
    while (index >= 0 && (messages[index].author.id !== store.me?.id || messages[index].deleted)) index -= 1
    if (index < 0) return false
    const message = messages[index]
    if (!shown.has(message.id)) jumpToNewest()
    if (!shown.has(message.id)) return false
    startEdit(message, { fromComposer: true })
    shown.get(message.id).node.scrollIntoView?.({ block: 'nearest' })
    return true
  }

  function showPending(clientId) {
    const pending = conversationOf().pending.get(clientId)
    const existing = pendingNodes.get(clientId)
    const hadFocus = existing?.contains(document.activeElement)
    if (!pending) {
      existing?.remove()
      pendingNodes.delete(clientId)
    } else if (existing) {
      const node = pendingNode(pending, { onRetry: actions.retry, onDiscard: actions.discard, fileUrl: actions.fileUrl })
      existing.replaceWith(node)
      pendingNodes.set(clientId, node)
      if (hadFocus) node.querySelector('button')?.focus()
    } else {
      const node = pendingNode(pending, { onRetry: actions.retry, onDiscard: actions.discard, fileUrl: actions.fileUrl })
      list.append(node)
      pendingNodes.set(clientId, node)
    }
    if (hadFocus && !list.contains(document.activeElement)) focusComposer()
  }

  function applyChange(change) {
    if (change.reset) emptyWindow()
    for (const clientId of change.pending ?? []) showPending(clientId)
    if (positioning) {
      // The window is filled once the page it waits for is in.
      renderStatus()
      return
    }
    if (change.added?.length) showAdded(change.added)
    for (const message of change.updated ?? []) showUpdated(message)
    if (firstShownId == null && conversationOf().messages.length) {
      revealNewer(WINDOW_SIZE)
      scroller.scrollTop = scroller.scrollHeight
    }
    if (change.status && shown.size < WINDOW_SIZE) revealOlder(WINDOW_SIZE - shown.size)
    if (change.status && conversationOf().loaded && unreadAtOpen != null) {
      placeUnreadDivider(unreadAtOpen)
      unreadAtOpen = null
    }
    renderStatus()
  }

  /** Show older messages: those the window left out first, then a page from the server. */
  async function showOlder() {
    if (revealOlder(PAGE_STEP)) {
      if (shown.size > WINDOW_SIZE + WINDOW_SLACK) trimBottom(WINDOW_SIZE + WINDOW_SLACK)
      renderStatus()
      return
    }
    const conversation = conversationOf()
    if (loadingOlder || !conversation.loaded || !conversation.hasOlder) return
    loadingOlder = true
    olderButton.disabled = true
    historyStatus.textContent = 'Loading older messages…'
    try {
      await actions.loadOlder()
      historyStatus.textContent = ''
      loadingOlder = false
      revealOlder(PAGE_STEP)
      if (shown.size > WINDOW_SIZE + WINDOW_SLACK) trimBottom(WINDOW_SIZE + WINDOW_SLACK)
    } catch (error) {
      historyStatus.textContent = `Older messages could not be loaded: ${error.detail}`
    } finally {
      loadingOlder = false
      olderButton.disabled = false
      renderStatus()
    }
  }

  /** Show newer messages: those the window left out first, then a page from the server (back in history). */
  async function showNewer() {
    if (!atNewest) {
      revealNewer(PAGE_STEP)
      if (shown.size > WINDOW_SIZE + WINDOW_SLACK) trimTop(WINDOW_SIZE + WINDOW_SLACK)
      renderStatus()
      return
    }
    if (loadingNewer || !conversationOf().hasNewer) return
    loadingNewer = true
    newerButton.disabled = true
    newerStatus.textContent = 'Loading newer messages…'
    try {
      await actions.loadNewer()
      newerStatus.textContent = ''
      loadingNewer = false
      revealNewer(PAGE_STEP)
      if (shown.size > WINDOW_SIZE + WINDOW_SLACK) trimTop(WINDOW_SIZE + WINDOW_SLACK)
    } catch (error) {
      newerStatus.textContent = `Newer messages could not be loaded: ${error.detail}`
    } finally {
      loadingNewer = false
      newerButton.disabled = false
      renderStatus()
    }
  }

  /** Load the newest page; a window left on an older run (after a jump) is refilled with it. */
  async function loadNewest() {
    const detached = Boolean(conversationOf().hasNewer)
    if (detached) {
      positioning = true
      renderStatus()
    }
    try {
      await actions.loadNewest()
      if (detached) {
        positioning = false
        emptyWindow()
        revealNewer(WINDOW_SIZE)
        if (unreadAtOpen != null) {
          placeUnreadDivider(unreadAtOpen)
          unreadAtOpen = null
        }
        renderStatus()
      }
      scrollToBottom()
    } catch (error) {
      if (detached) {
        // The older run stays on screen (with the way back to the newest), as it was before the attempt.
        positioning = false
        if (firstShownId == null) revealNewer(WINDOW_SIZE)
        renderStatus()
      }
      setChildren(
        historyStatus,
        `Messages could not be loaded: ${error.detail} `,
        h('button', { type: 'button', class: 'button ghost small', onclick: loadNewest }, 'Try again'),
      )
    }
  }

  scroller.addEventListener(
    'scroll',
    () => {
      const fromBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight
      stuckToBottom = fromBottom < NEAR_BOTTOM_PX
      if (stuckToBottom && !atNewest) {
        // Reading down past the window: the next messages held come in below, the oldest go above.
        revealNewer(PAGE_STEP)
        if (shown.size > WINDOW_SIZE + WINDOW_SLACK) trimTop(WINDOW_SIZE + WINDOW_SLACK)
        stuckToBottom = false
      } else if (stuckToBottom && conversationOf().hasNewer && !positioning) {
        // Reading down past the newest message held, back in history: the next page comes from the server.
        stuckToBottom = false
        showNewer()
      }
      if (scroller.scrollTop < NEAR_TOP_PX) showOlder()
      caughtUp()
    },
    { passive: true },
  )
  olderButton.addEventListener('click', showOlder)
  newerButton.addEventListener('click', showNewer)
  list.addEventListener('mouseover', (event) => point(messageIdAt(event.target)))
  list.addEventListener('mouseleave', () => point(null))
  list.addEventListener('focusin', (event) => focusOn(messageIdAt(event.target)))
  list.addEventListener('focusout', (event) => {
    // Focus moving inside one message (onto its buttons) keeps its actions; anywhere else drops them.
    if (messageIdAt(event.relatedTarget) !== focusedId) focusOn(null)
  })
  newButton.addEventListener('click', () => {
    jumpToNewest()
    focusComposer()
  })

  const onVisible = () => {
    if (document.visibilityState === 'hidden') dividerOnNextArrival = true
    else {
      dividerOnNextArrival = false
      caughtUp()
    }
  }
  document.addEventListener('visibilitychange', onVisible)

  applyChange({ key, added: [], updated: [], pending: [...conversationOf().pending.keys()], status: conversationOf().loaded })
  if (focusId != null) jumpTo(focusId)
  else scrollToBottom()

  return {
    element: scrollerFrame,
    list,
    scroller,
    status: historyStatus,
    applyChange,
    scrollToBottom,
    loadNewest,
    editMyLast,
    /** After a send: show the newest messages (back from history when the run stopped short), at the bottom. */
    revealNewest() {
      if (!atNewest || conversationOf().hasNewer) jumpToNewest()
      else scrollToBottom()
    },
    /** Rebuild the shown messages that match (who may delete them changed, say). */
    rebuildWhere(test) {
      for (const [messageId, record] of shown) if (test(record.message)) rebuild(messageId)
    },
    destroy() {
      document.removeEventListener('visibilitychange', onVisible)
      clearTimeout(highlightTimer)
      // A read report still waiting for its turn goes now: leaving must not leave a stale badge behind.
      if (seenTimer) {
        clearTimeout(seenTimer)
        seenTimer = null
        const last = conversationOf().messages.at(-1)
        if (last) actions.seen(last.id)
      }
    },
  }
}

