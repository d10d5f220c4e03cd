// One conversation (a person or a room): history with older pages on scroll-up, live messages,
// pending bubbles, the typing line, the composer, and for rooms the members panel. The message list itself
// (keyed, windowed) is views/messageList.js, shared with the thread panel. Opened on one message (a search
// result), it shows the history around it, and newer pages on scroll-down until it is live again.

import { keyOf, parseKey } from '../store.js'
import { filesSummary } from './attachments.js'
import { createComposer } from './composer.js'
import { avatar, h, setChildren, showText } from './h.js'
import { createMessageList } from './messageList.js'
import { notificationLevelMenu } from './notificationLevel.js'
import { createPeopleSearch } from './peoplePicker.js'

export { JUMP_HIGHLIGHT_MS, MAX_CONTENT, PAGE_STEP, WINDOW_SIZE, WINDOW_SLACK, dayLabel, decorationOf } from './messageList.js'

/** "Alice is typing…", "Alice and Bob are typing…", "3 people are typing…". */
export function typingSentence(names) {
  if (!names.length) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  return `${names.length} people are typing…`
}

/**
 * Render the conversation `key`. `actions`: loadNewest(), loadOlder(), loadNewer(), loadAround(messageId),
 * send(content, files), retry(clientId), discard(clientId), typing(), seen(lastId), edit(messageId, content),
 * remove(messageId), react(messageId, emoji, {remove}), openThread(message) (optional: "Reply in thread" and a root's reply
 * summary), and for rooms addMember(userId), leave(). With `attachments` (an upload tray, src/uploads.js)
 * files can be attached; `fileUrl(link)` resolves signed file links, `refreshLinks(message)` fetches a
 * message again when one of its images did not load, and `renewFileUrl(message, fileId)` answers a fresh
 * link for an expired one that was clicked.
 * With `focusId`, it opens on that message (loading the page around it when it is not held), highlighted, and
 * with the keyboard focus unless `takeFocus` is false (a thread beside it opens on one of the replies).
 * Returns `{element, destroy, focusComposer}`; the view follows the store by itself.
 */
export function createConversationView({ store, key, actions, focusId = null, takeFocus = true }) {
  const { kind, id } = parseKey(key)
  const isRoom = kind === 'room'
  let membersOpen = false

  const title = h('h1', { id: 'conversation-title', class: 'conversation-title' })
  const subtitle = h('p', { class: 'conversation-subtitle' })
  const headerAvatar = h('span', { class: 'header-avatar' })
  const membersButton = isRoom
    ? h('button', { type: 'button', class: 'button ghost small', 'aria-expanded': 'false', 'aria-controls': 'room-panel' }, 'Members')
    : null
  const panel = isRoom ? h('section', { class: 'room-panel', id: 'room-panel', 'aria-label': 'Room members', hidden: true }) : null
  const messageList = createMessageList({
    store,
    key,
    actions,
    showAuthors: isRoom,
    canDelete: (message) => message.author.id === store.me?.id || (isRoom && describe()?.room?.owner?.id === store.me?.id),
    nameOf,
    nicknameOf,
    focusComposer: () => composer.focus(),
    // Opened on a message, the reader is somewhere in history: no "new messages" divider there.
    unreadAtOpen: focusId == null ? store.conversation(key).unreadAtOpen || null : null,
    labelledBy: 'conversation-title',
    emptyText: isRoom ? 'No messages in this room yet. Say hello!' : 'No messages yet. Say hello!',
    focusId,
    takeFocus,
  })
  const liveRegion = h('div', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'false' })
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite' })

  const levelMenu = isRoom
    ? notificationLevelMenu({ level: store.rooms.get(id)?.notification_level, onChange: (level) => actions.setNotificationLevel(level) })
    : null

  const element = h(
    'section',
    { class: 'conversation', 'aria-labelledby': 'conversation-title' },
    h(
      'header',
      { class: 'conversation-header' },
      h('a', { class: 'back', href: '#/', 'aria-label': 'All conversations' }, '‹'),
      headerAvatar,
      h('div', { class: 'heading' }, title, subtitle),
      levelMenu?.element,
      membersButton,
    ),
    panel,
    messageList.element,
    liveRegion,
    typingLine,
  )
  const composer = createComposer({
    idPrefix: 'composer',
    formLabel: 'Send a message',
    placeholder: 'Write a message',
    submitText: 'Send',
    hint: 'Enter sends, Shift+Enter starts a new line, Up edits your last message.',
    send: (...message) => actions.send(...message),
    afterSend: () => messageList.revealNewest(),
    editLast: () => messageList.editMyLast(),
    mentions: { people: mentionable, room: isRoom },
    onTyping: () => actions.typing(),
    attachments: actions.attachments ?? null,
    dropTarget: element,
  })
  element.append(composer.element)

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

  /** The people a message here can mention: the room's members, or the person of the DM (never me). */
  function mentionable() {
    const subject = describe()
    const people = isRoom ? (subject?.room?.members ?? []) : subject?.person ? [subject.person] : []
    return people.filter((person) => person.id !== store.me?.id)
  }

  /** A mentioned person's nickname, for highlighting: me, the people I know, the room's members. */
  function nicknameOf(userId) {
    if (userId === store.me?.id) return store.me.nickname
    return store.people.get(userId)?.nickname ?? describe()?.room?.members?.find((member) => member.id === userId)?.nickname
  }

  function renderHeader() {
    const subject = describe()
    if (!subject) return
    setChildren(title, subject.title)
    if (isRoom) {
      const members = subject.room.members ?? []
      setChildren(headerAvatar, h('span', { class: 'room-mark large', 'aria-hidden': 'true' }, '#'))
      setChildren(subtitle, `${members.length} ${members.length === 1 ? 'member' : 'members'}: ${members.map((member) => member.name).join(', ')}`)
      composer.setLabel(`Message the room ${subject.title}`)
    } else {
      setChildren(headerAvatar, avatar(subject.person))
      setChildren(subtitle, `@${subject.person.nickname} · `, h('span', { class: subject.person.online ? 'online-text' : 'offline-text' }, subject.person.online ? 'online' : 'offline'))
      composer.setLabel(`Message ${subject.title}`)
    }
  }

  let addMemberSearch = null

  /** The members panel of a room: built once, so a half-filled form survives presence and membership news. */
  function buildPanel() {
    const memberList = h('ul', { class: 'member-list' })
    const addError = h('p', { class: 'field-error', id: 'add-member-error', role: 'alert', hidden: true })
    // The directory search, as in "New message": anyone on the server can be found, not only my contacts.
    addMemberSearch = createPeopleSearch({
      search: actions.searchPeople,
      idPrefix: 'add-member',
      exclude: (person) => (describe()?.room?.members ?? []).some((member) => member.id === person.id),
      async onPick(person) {
        showText(addError, null)
        try {
          await actions.addMember(person.id)
          addMemberSearch.clear()
          showText(addMemberSearch.status, `${person.name} added.`)
        } catch (error) {
          showText(addError, error.detail)
        }
      },
    })
    addMemberSearch.input.setAttribute('aria-describedby', `${addMemberSearch.status.id} add-member-error`)
    const addForm = h(
      'div',
      { class: 'add-member field' },
      h('label', { for: addMemberSearch.input.id }, 'Add a person'),
      addMemberSearch.input,
      addMemberSearch.status,
      addMemberSearch.list,
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
    }
  }
  const renderPanel = isRoom ? buildPanel() : () => {}

  function toggleMembers(open = !membersOpen) {
    membersOpen = open
    panel.hidden = !open
    membersButton.setAttribute('aria-expanded', String(open))
  }
  membersButton?.addEventListener('click', () => toggleMembers())

  function renderTyping() {
    setChildren(typingLine, typingSentence(store.typingIn(key).map(nameOf)))
  }

  const onConversation = (event) => {
    if (event.detail.key === key) messageList.applyChange(event.detail)
  }
  const onIncoming = (event) => {
    const here = event.detail.messages.filter((message) => keyOf(message, store.me?.id) === key)
    if (here.length) {
      const words = (message) => {
        const files = filesSummary(message.files)
        return message.content && files ? `${message.content} (${files})` : message.content || files
      }
      setChildren(liveRegion, here.map((message) => h('p', {}, `${message.author.name}: ${words(message)}`)))
    }
  }
  const onTyping = (event) => {
    if (event.detail.key === key) renderTyping()
  }
  // A room's header and panel follow its members and name (a new room object), not each message's preview.
  let renderedRoom = null
  const onRooms = (event) => {
    if (!isRoom || (event.detail.ids && !event.detail.ids.includes(id))) return
    const room = describe()?.room
    if (!room || room === renderedRoom) return
    const ownerChanged = renderedRoom?.owner?.id !== room.owner?.id
    renderedRoom = room
    levelMenu?.set(room.notification_level)
    renderHeader()
    renderPanel()
    // A new owner (the old one left): who may delete other people's messages changed, in the window only.
    if (ownerChanged) messageList.rebuildWhere((message) => message.author.id !== store.me?.id)
  }
  const onPeople = (event) => {
    // A room's panel lists its members from the room itself, and finds people to add through the directory.
    if (!isRoom && (!event.detail.ids || event.detail.ids.includes(id))) renderHeader()
  }
  const listeners = [
    ['conversation', onConversation],
    ['incoming', onIncoming],
    ['typing', onTyping],
    ['rooms', onRooms],
    ['people', onPeople],
  ]
  for (const [type, listener] of listeners) store.addEventListener(type, listener)

  renderedRoom = describe()?.room ?? null
  renderHeader()
  renderPanel()
  renderTyping()
  // A conversation left back in history by an earlier jump opens at its newest again, unless opened on a message.
  if (focusId == null && (!store.conversation(key).loaded || store.conversation(key).hasNewer)) messageList.loadNewest()

  return {
    element,
    focusComposer: () => composer.focus(),
    destroy() {
      for (const [type, listener] of listeners) store.removeEventListener(type, listener)
      addMemberSearch?.destroy()
      composer.destroy()
      messageList.destroy()
    },
  }
}
