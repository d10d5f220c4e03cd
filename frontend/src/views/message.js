// One message's node: its text (or "Message deleted"), "edited", its reactions with who reacted, and the
// actions on it (react, edit, delete) with their in-place states: the reaction picker, the editor and the
// delete confirmation. The conversation view decides which state a message is in and rebuilds only that
// message's node when it changes.

import { fileList } from './attachments.js'
import { h } from './h.js'

/** The reactions offered on every message; emoji already on a message are offered too. */
export const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢']

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

/** The picker's choices for a message: the common ones, then those already on it that are not among them. */
export function pickerEmoji(message) {
  const extra = (message.reactions ?? []).map((reaction) => reaction.emoji).filter((emoji) => !COMMON_EMOJI.includes(emoji))
  return [...COMMON_EMOJI, ...extra]
}

/** "You, Bob Builder and Carol": who reacted, me first as "You", in the order people reacted otherwise. */
export function reactorNames(reaction, { myId, nameOf }) {
  const ids = reaction.user_ids ?? []
  const names = [...(ids.includes(myId) ? ['You'] : []), ...ids.filter((id) => id !== myId).map(nameOf)]
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

const iReacted = (reaction, myId) => (reaction.user_ids ?? []).includes(myId)

function reactionList(message, { myId, nameOf, onToggleReaction }) {
  return h(
    'ul',
    { class: 'reactions', 'aria-label': 'Reactions' },
    message.reactions.map((reaction, index) => {
      const whoId = `reaction-who-${message.id}-${index}`
      const mine = iReacted(reaction, myId)
      return h(
        'li',
        { class: 'reaction-item' },
        h(
          'button',
          {
            type: 'button',
            class: `reaction${mine ? ' mine-reaction' : ''}`,
            'aria-pressed': String(mine),
            'aria-describedby': whoId,
            dataset: { emoji: reaction.emoji },
            onclick: () => onToggleReaction(message, reaction.emoji, mine),
          },
          h('span', { class: 'reaction-emoji' }, reaction.emoji),
          h('span', { class: 'reaction-count' }, String(reaction.count)),
        ),
        // Shown on hover and on keyboard focus; read out as the button's description.
        h('span', { class: 'reaction-who', id: whoId, role: 'tooltip' }, `${reactorNames(reaction, { myId, nameOf })} reacted with ${reaction.emoji}`),
      )
    }),
  )
}

function reactionPicker(message, { myId, onToggleReaction, onClosePicker }) {
  const reacted = new Set((message.reactions ?? []).filter((reaction) => iReacted(reaction, myId)).map((reaction) => reaction.emoji))
  return h(
    'div',
    {
      class: 'reaction-picker',
      role: 'group',
      'aria-label': 'Pick a reaction',
      onkeydown(event) {
        if (event.key === 'Escape') {
          event.preventDefault()
          onClosePicker(message)
        }
      },
    },
    pickerEmoji(message).map((emoji) =>
      h(
        'button',
        {
          type: 'button',
          class: 'button ghost small picker-emoji',
          'aria-pressed': String(reacted.has(emoji)),
          'aria-label': reacted.has(emoji) ? `Remove your ${emoji}` : `React with ${emoji}`,
          onclick: () => onToggleReaction(message, emoji, reacted.has(emoji)),
        },
        emoji,
      ),
    ),
  )
}

function editor(message, { draft, error, busy, onSaveEdit, onCancelEdit, onDraft }) {
  const textarea = h('textarea', {
    class: 'edit-input',
    id: `edit-${message.id}`,
    rows: '2',
    'aria-describedby': `edit-hint-${message.id} edit-error-${message.id}`,
    disabled: busy,
  })
  textarea.value = draft
  textarea.addEventListener('input', () => onDraft(textarea.value))
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      onSaveEdit(message, textarea.value)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      onCancelEdit(message)
    }
  })
  return h(
    'form',
    {
      class: 'edit-form',
      onsubmit(event) {
        event.preventDefault()
        onSaveEdit(message, textarea.value)
      },
    },
    h('label', { for: `edit-${message.id}`, class: 'visually-hidden' }, 'Edit your message'),
    textarea,
    h('p', { class: 'edit-hint', id: `edit-hint-${message.id}` }, 'Enter saves, Escape cancels.'),
    h('p', { class: 'field-error', id: `edit-error-${message.id}`, role: 'alert', hidden: !error }, error ?? ''),
    h(
      'div',
      { class: 'inline-row' },
      h('button', { type: 'submit', class: 'button primary small', disabled: busy }, 'Save'),
      h('button', { type: 'button', class: 'button ghost small', onclick: () => onCancelEdit(message) }, 'Cancel'),
    ),
  )
}

function deleteConfirmation(message, { onConfirmDelete, onCancelDelete }) {
  return h(
    'div',
    {
      class: 'confirm-delete',
      role: 'group',
      'aria-label': 'Delete this message?',
      onkeydown(event) {
        if (event.key === 'Escape') {
          event.preventDefault()
          onCancelDelete(message)
        }
      },
    },
    h('p', { class: 'confirm-text' }, 'Delete this message for everyone?'),
    h(
      'div',
      { class: 'inline-row' },
      h('button', { type: 'button', class: 'button danger small', onclick: () => onConfirmDelete(message) }, 'Delete'),
      h('button', { type: 'button', class: 'button ghost small confirm-cancel', onclick: () => onCancelDelete(message) }, 'Cancel'),
    ),
  )
}

/**
 * A message's action buttons (react, and edit and delete when allowed). Only the message under the pointer,
 * the one holding the focus and one in a changing state carry them: built for every message, they cost
 * about half as much again per arriving message in style and layout (frontend/e2e/RESULTS.md).
 */
export function messageActions(message, ui) {
  const state = ui.state
  return h(
    'div',
    { class: 'message-actions' },
    h(
      'button',
      {
        type: 'button',
        class: 'button ghost small action-react',
        'aria-label': 'React to this message',
        'aria-expanded': String(state === 'picking'),
        onclick: () => ui.onOpenPicker(message),
      },
      '☺︎ React',
    ),
    ui.canOpenThread
      ? h('button', { type: 'button', class: 'button ghost small action-thread', onclick: () => ui.onOpenThread(message) }, 'Reply in thread')
      : null,
    ui.canEdit
      ? h('button', { type: 'button', class: 'button ghost small action-edit', 'aria-label': 'Edit this message', onclick: () => ui.onStartEdit(message) }, 'Edit')
      : null,
    ui.canDelete
      ? h('button', { type: 'button', class: 'button ghost small action-delete', 'aria-label': 'Delete this message', onclick: () => ui.onAskDelete(message) }, 'Delete')
      : null,
  )
}

/**
 * Build a message's node. `look`: {mine, showAuthor}; `ui`: {myId, nameOf, canEdit, canDelete, showActions, state
 * ('editing', 'picking', 'confirming' or null), draft, error, busy, fileUrl} and the handlers the states call
 * (and `onFileError(message)`, for a thumbnail that did not load, `onFileLinkExpired(message, file)` for a
 * click on an expired link).
 */
/**
 * "3 replies · last 10:06" under a thread's root (its tombstone too: the thread stays readable); a button
 * that opens the thread when `onOpen` is given.
 */
export function threadSummary(thread, onOpen = null) {
  const last = new Date(thread.last_reply_at)
  const count = `${thread.reply_count} ${thread.reply_count === 1 ? 'reply' : 'replies'}`
  return h(
    onOpen ? 'button' : 'p',
    { class: 'thread-summary', type: onOpen ? 'button' : null, onclick: onOpen },
    count,
    ' · last ',
    h('time', { datetime: thread.last_reply_at, title: last.toLocaleString() }, timeFormat.format(last)),
  )
}

export function messageNode(message, look, ui) {
  const { mine, showAuthor } = look
  const deleted = Boolean(message.deleted)
  const state = deleted ? null : ui.state
  const date = new Date(message.date)
  const time = h('time', { datetime: message.date, title: date.toLocaleString() }, timeFormat.format(date))
  const reactions = !deleted && message.reactions?.length ? reactionList(message, ui) : null
  const actions = deleted || !(ui.showActions || state || ui.actionError) ? null : messageActions(message, ui)
  // `onFileError` hears of a thumbnail that did not load: its signed link may have expired.
  const files = deleted
    ? null
    : fileList(message.files, {
        fileUrl: ui.fileUrl,
        onImageError: ui.onFileError ? () => ui.onFileError(message) : null,
        onExpiredLink: ui.onFileLinkExpired ? (file) => ui.onFileLinkExpired(message, file) : null,
      })
  const filesOnly = Boolean(files) && !message.content && state !== 'editing'
  return h(
    'li',
    {
      class: `message ${mine ? 'mine' : 'theirs'}${showAuthor ? ' run-start' : ''}${deleted ? ' deleted' : ''}${state ? ` ${state}` : ''}`,
      dataset: { id: message.id },
      // Focusing a message (Tab, a tap or a click) brings its actions; a deleted one has none to offer.
      tabindex: deleted ? null : '0',
    },
    h(
      'div',
      { class: filesOnly ? 'bubble files-only' : 'bubble' },
      showAuthor ? h('span', { class: 'author' }, message.author.name) : null,
      deleted
        ? h('p', { class: 'content deleted-text' }, 'Message deleted')
        : state === 'editing'
          ? editor(message, ui)
          : filesOnly
            ? null
            : h('p', { class: 'content' }, message.content),
      files,
      // The time alone on most messages (one element fewer each, in a window of hundreds); with "edited" beside it
      // when there is one.
      message.edited_at && !deleted
        ? h(
            'span',
            { class: 'meta' },
            time,
            h('span', { class: 'edited', title: `Edited ${new Date(message.edited_at).toLocaleString()}` }, ' · edited'),
          )
        : time,
    ),
    message.thread ? threadSummary(message.thread, ui.canOpenThread ? () => ui.onOpenThread(message) : null) : null,
    reactions,
    actions,
    state === 'picking' ? reactionPicker(message, ui) : null,
    state === 'confirming' ? deleteConfirmation(message, ui) : null,
    ui.actionError && !state ? h('p', { class: 'field-error', role: 'alert' }, ui.actionError) : null,
  )
}
