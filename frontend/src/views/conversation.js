// One conversation (a person or a room): history with older pages on scroll-up, live messages,
// pending bubbles, the typing line, the composer, and for rooms the members panel.

import { keyOf, parseKey } from '../store.js'
import { avatar, h, setChildren, showText } from './h.js'

export const MAX_CONTENT = 4000
const RUN_GAP_MS = 5 * 60 * 1000
const NEAR_TOP_PX = 120
const NEAR_BOTTOM_PX = 60

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
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

/** "Alice is typing…", "Alice and Bob are typing…", "3 people are typing…". */
export function typingSentence(names) {
  if (!names.length) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  return `${names.length} people are typing…`
}

function messageNode(message, { mine, showAuthor }) {
  return h(
    'li',
    { class: `message ${mine ? 'mine' : 'theirs'}${showAuthor ? ' run-start' : ''}`, dataset: { id: message.id } },
    h(
      'div',
      { class: 'bubble' },
      showAuthor ? h('span', { class: 'author' }, message.author.name) : null,
      h('p', { class: 'content' }, message.content),
      h('time', { datetime: message.date, title: new Date(message.date).toLocaleString() }, timeFormat.format(new Date(message.date))),
    ),
  )
}

function pendingNode(pending, { onRetry, onDiscard }) {
  const failed = pending.status === 'failed'
  return h(
    'li',
    { class: `message mine pending${failed ? ' failed' : ''}`, dataset: { clientId: pending.client_id } },
    h(
      'div',
      { class: 'bubble' },
      h('p', { class: 'content' }, pending.content),
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
 * Render the conversation `key`. `actions`: loadNewest(), loadOlder(), send(content), retry(clientId),
 * discard(clientId), typing(), seen(lastId), and for rooms addMember(userId), leave().
 * Returns `{element, destroy, focusComposer}`; the view follows the store by itself.
 */
export function createConversationView({ store, key, actions }) {
  const { kind } = parseKey(key)
  const isRoom = kind === 'room'
  const nodes = new Map()
  let loadingOlder = false
  let membersOpen = false

  const title = h('h1', { id: 'conversation-title', class: 'conversation-title' })
  const subtitle = h('p', { class: 'conversation-subtitle' })
  const headerAvatar = h('span', { class: 'header-avatar' })
  const membersButton = isRoom
    ? h('button', { type: 'button', class: 'button ghost small', 'aria-expanded': 'false', 'aria-controls': 'room-panel' }, 'Members')
    : null
  const panel = isRoom ? h('section', { class: 'room-panel', id: 'room-panel', 'aria-label': 'Room members', hidden: true }) : null

  const olderButton = h('button', { type: 'button', class: 'button ghost small load-older', hidden: true }, 'Load older messages')
  const historyStatus = h('p', { class: 'history-status', role: 'status' })
  const list = h('ol', { class: 'messages', 'aria-labelledby': 'conversation-title' })
  const scroller = h('div', { class: 'scroller', role: 'region', tabindex: '0', 'aria-label': 'Message history' }, olderButton, historyStatus, list)
  const liveRegion = h('div', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'false' })
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite' })

  const textarea = h('textarea', {
    id: 'composer-input',
    name: 'content',
    rows: '1',
    placeholder: 'Write a message',
    'aria-describedby': 'composer-error composer-hint',
    enterkeyhint: 'send',
  })
  const composerLabel = h('label', { for: 'composer-input', class: 'visually-hidden' })
  const composerError = h('p', { class: 'field-error', id: 'composer-error', role: 'alert', hidden: true })
  const composer = h(
    'form',
    { class: 'composer', 'aria-label': 'Send a message' },
    composerLabel,
    h('div', { class: 'composer-row' }, textarea, h('button', { type: 'submit', class: 'button primary' }, 'Send')),
    h('p', { class: 'visually-hidden', id: 'composer-hint' }, 'Enter sends, Shift+Enter starts a new line.'),
    composerError,
  )

  const element = h(
    'section',
    { class: 'conversation', 'aria-labelledby': 'conversation-title' },
    h(
      'header',
      { class: 'conversation-header' },
      h('a', { class: 'back', href: '#/', 'aria-label': 'All conversations' }, '‹'),
      headerAvatar,
      h('div', { class: 'heading' }, title, subtitle),
      membersButton,
    ),
    panel,
    scroller,
    liveRegion,
    typingLine,
    composer,
  )

  function describe() {
    return store.describe(key)
  }

  function nameOf(userId) {
    if (userId === store.me?.id) return store.me.name
    return (
      store.people.get(userId)?.name ??
      describe()?.room?.members?.find((member) => member.id === userId)?.name ??
      'Someone'
    )
  }

  function renderHeader() {
    const subject = describe()
    if (!subject) return
    setChildren(title, subject.title)
    if (isRoom) {
      const members = subject.room.members ?? []
      setChildren(headerAvatar, h('span', { class: 'room-mark large', 'aria-hidden': 'true' }, '#'))
      setChildren(subtitle, `${members.length} ${members.length === 1 ? 'member' : 'members'}: ${members.map((member) => member.name).join(', ')}`)
      composerLabel.textContent = `Message the room ${subject.title}`
    } else {
      setChildren(headerAvatar, avatar(subject.person))
      setChildren(subtitle, `@${subject.person.nickname} · `, h('span', { class: subject.person.online ? 'online-text' : 'offline-text' }, subject.person.online ? 'online' : 'offline'))
      composerLabel.textContent = `Message ${subject.title}`
    }
  }

  /** The members panel of a room: built once, so a half-filled form survives presence and membership news. */
  function buildPanel() {
    const memberList = h('ul', { class: 'member-list' })
    const select = h('select', { id: 'add-member-select', name: 'user_id', 'aria-describedby': 'add-member-error' })
    const addButton = h('button', { type: 'submit', class: 'button' }, 'Add')
    const addError = h('p', { class: 'field-error', id: 'add-member-error', role: 'alert', hidden: true })
    const addForm = h(
      'form',
      {
        class: 'add-member',
        async onsubmit(event) {
          event.preventDefault()
          showText(addError, null)
          if (!select.value) {
            showText(addError, 'Choose the person to add.')
            select.focus()
            return
          }
          try {
            await actions.addMember(Number(select.value))
          } catch (error) {
            showText(addError, error.detail)
          }
        },
      },
      h('label', { for: 'add-member-select' }, 'Add a person'),
      h('div', { class: 'inline-row' }, select, addButton),
      addError,
    )
    const leaveError = h('p', { class: 'field-error', role: 'alert', hidden: true })
    const leaveRow = h('div', { class: 'leave-row' })
    const askToLeave = () =>
      setChildren(leaveRow, h('button', { type: 'button', class: 'button danger-outline', onclick: confirmLeave }, 'Leave room'), leaveError)
    function confirmLeave() {
      setChildren(
        leaveRow,
        h('p', { class: 'confirm-text' }, `Leave ${describe()?.title ?? 'this room'}? You can only come back if a member adds you.`),
        h(
          'div',
          { class: 'inline-row' },
          h(
            'button',
            {
              type: 'button',
              class: 'button danger',
              async onclick() {
                try {
                  await actions.leave()
                } catch (error) {
                  askToLeave()
                  showText(leaveError, error.detail)
                }
              },
            },
            'Leave',
          ),
          h('button', { type: 'button', class: 'button ghost', onclick: askToLeave }, 'Cancel'),
        ),
      )
      leaveRow.querySelector('button')?.focus()
    }
    askToLeave()
    setChildren(panel, h('h2', {}, 'Members'), memberList, addForm, leaveRow)

    return function renderMembers() {
      const room = describe()?.room
      if (!room) return
      const members = room.members ?? []
      setChildren(
        memberList,
        members.map((member) =>
          h(
            'li',
            {},
            avatar(member, { size: 'sm' }),
            h('span', {}, member.name),
            h('span', { class: 'muted' }, `@${member.nickname}`),
            room.owner?.id === member.id ? h('span', { class: 'tag' }, 'owner') : null,
            member.id === store.me?.id ? h('span', { class: 'tag' }, 'you') : null,
          ),
        ),
      )
      const memberIds = new Set(members.map((member) => member.id))
      const candidates = store.peopleByName().filter((person) => !memberIds.has(person.id))
      const chosen = select.value
      setChildren(
        select,
        h('option', { value: '' }, candidates.length ? 'Choose a person' : 'Everybody is already here'),
        candidates.map((person) => h('option', { value: String(person.id) }, `${person.name} (@${person.nickname})`)),
      )
      if (candidates.some((person) => String(person.id) === chosen)) select.value = chosen
      addButton.disabled = !candidates.length
    }
  }
  const renderPanel = isRoom ? buildPanel() : () => {}

  function toggleMembers(open = !membersOpen) {
    membersOpen = open
    panel.hidden = !open
    membersButton.setAttribute('aria-expanded', String(open))
  }
  membersButton?.addEventListener('click', () => toggleMembers())

  /** The list's nodes, reusing the ones already on screen (keyed by what they show). */
  function desiredNodes(conversation) {
    const myId = store.me?.id
    const desired = []
    let previous = null
    for (const message of conversation.messages) {
      if (!previous || dayOf(previous.date) !== dayOf(message.date)) {
        desired.push(['day:' + dayOf(message.date), () => h('li', { class: 'day' }, h('span', {}, dayLabel(message.date)))])
      }
      const mine = message.author.id === myId
      const sameRun =
        previous &&
        previous.author.id === message.author.id &&
        dayOf(previous.date) === dayOf(message.date) &&
        new Date(message.date) - new Date(previous.date) < RUN_GAP_MS
      const showAuthor = isRoom && !mine && !sameRun
      desired.push([`m:${message.id}:${showAuthor}`, () => messageNode(message, { mine, showAuthor })])
      previous = message
    }
    for (const pending of conversation.pending.values()) {
      desired.push([
        `p:${pending.client_id}:${pending.status}`,
        () => pendingNode(pending, { onRetry: actions.retry, onDiscard: actions.discard }),
      ])
    }
    const fresh = new Map()
    const elements = desired.map(([nodeKey, build]) => {
      const node = nodes.get(nodeKey) ?? build()
      fresh.set(nodeKey, node)
      return node
    })
    nodes.clear()
    for (const [nodeKey, node] of fresh) nodes.set(nodeKey, node)
    return elements
  }

  function renderMessages({ stickToBottom = false } = {}) {
    const conversation = store.conversation(key)
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX
    const distanceFromBottom = scroller.scrollHeight - scroller.scrollTop
    const firstBefore = list.firstElementChild
    const elements = desiredNodes(conversation)
    const unchanged = elements.length === list.children.length && elements.every((node, index) => list.children[index] === node)
    if (!unchanged) list.replaceChildren(...elements)

    olderButton.hidden = !conversation.hasOlder
    if (!conversation.loaded) historyStatus.textContent = 'Loading messages…'
    else if (!conversation.messages.length && !conversation.pending.size) {
      historyStatus.textContent = isRoom ? 'No messages in this room yet. Say hello!' : 'No messages yet. Say hello!'
    } else historyStatus.textContent = ''

    if (stickToBottom || nearBottom) scroller.scrollTop = scroller.scrollHeight
    else if (firstBefore && list.firstElementChild !== firstBefore) {
      // Older messages went in above: keep what the reader was looking at in place.
      scroller.scrollTop = scroller.scrollHeight - distanceFromBottom
    }
    const last = conversation.messages.at(-1)
    if (last && document.visibilityState !== 'hidden') actions.seen(last.id)
  }

  function renderTyping() {
    setChildren(typingLine, typingSentence(store.typingIn(key).map(nameOf)))
  }

  async function loadOlder() {
    const conversation = store.conversation(key)
    if (loadingOlder || !conversation.loaded || !conversation.hasOlder) return
    loadingOlder = true
    olderButton.disabled = true
    historyStatus.textContent = 'Loading older messages…'
    try {
      await actions.loadOlder()
      historyStatus.textContent = ''
    } catch (error) {
      historyStatus.textContent = `Older messages could not be loaded: ${error.detail}`
    } finally {
      loadingOlder = false
      olderButton.disabled = false
    }
  }

  async function loadNewest() {
    try {
      await actions.loadNewest()
      renderMessages({ stickToBottom: true })
    } catch (error) {
      setChildren(
        historyStatus,
        `Messages could not be loaded: ${error.detail} `,
        h('button', { type: 'button', class: 'button ghost small', onclick: loadNewest }, 'Try again'),
      )
    }
  }

  function resizeTextarea() {
    textarea.style.height = 'auto'
    textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`
  }

  function submit() {
    const content = textarea.value
    if (!content.trim()) {
      showText(composerError, 'Write something first.')
      return
    }
    // The server counts characters (code points), not UTF-16 units: an emoji is one.
    const length = [...content].length
    if (length > MAX_CONTENT) {
      showText(composerError, `A message can be at most ${MAX_CONTENT} characters; this one has ${length}.`)
      return
    }
    showText(composerError, null)
    textarea.value = ''
    resizeTextarea()
    actions.send(content)
    renderMessages({ stickToBottom: true })
    textarea.focus()
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault()
    submit()
  })
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      submit()
    }
  })
  textarea.addEventListener('input', () => {
    resizeTextarea()
    if (!composerError.hidden) showText(composerError, null)
    if (textarea.value.trim()) actions.typing()
  })
  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop < NEAR_TOP_PX) loadOlder()
  })
  olderButton.addEventListener('click', loadOlder)

  const onConversation = (event) => {
    if (event.detail.key === key) renderMessages()
  }
  const onIncoming = (event) => {
    const here = event.detail.messages.filter((message) => keyOf(message, store.me?.id) === key)
    if (here.length) setChildren(liveRegion, here.map((message) => h('p', {}, `${message.author.name}: ${message.content}`)))
  }
  const onTyping = (event) => {
    if (event.detail.key === key) renderTyping()
  }
  const onMembership = () => {
    renderHeader()
    renderPanel()
  }
  const onVisible = () => {
    if (document.visibilityState === 'visible') renderMessages()
  }
  const listeners = [
    ['conversation', onConversation],
    ['incoming', onIncoming],
    ['typing', onTyping],
    ['rooms', onMembership],
    ['people', onMembership],
  ]
  for (const [type, listener] of listeners) store.addEventListener(type, listener)
  document.addEventListener('visibilitychange', onVisible)

  renderHeader()
  renderPanel()
  renderMessages({ stickToBottom: true })
  renderTyping()
  if (!store.conversation(key).loaded) loadNewest()

  return {
    element,
    focusComposer: () => textarea.focus(),
    destroy() {
      for (const [type, listener] of listeners) store.removeEventListener(type, listener)
      document.removeEventListener('visibilitychange', onVisible)
    },
  }
}
