// The message composer, shared by the conversation and the thread panel: a textarea that grows with what is
// written, Enter to send and Shift+Enter for a new line, Up to edit one's last message, the `@` autocomplete,
// optionally attached files, and the refusals (blank, too long, files not uploaded yet) in words.

import { createAttachComposer } from './attachments.js'
import { h, showText } from './h.js'
import { attachMentionAutocomplete } from './mentions.js'
import { MAX_CONTENT } from './messageList.js'

/** The tallest the textarea grows (CSS pixels, as the stylesheet's `max-height`); past it, it scrolls. */
export const MAX_COMPOSER_HEIGHT = 160

/**
 * A composer form. `idPrefix` names its textarea (`<idPrefix>-input`), error and hint; `formLabel`, `label`,
 * `placeholder`, `submitText` and `hint` are its words. `send(content)` (or `send(content, files)` when files
 * go with it) takes a message; then `afterSend()` runs (the list shows its newest). `editLast()` answers whether
 * Up in the empty composer found a message to edit. `mentions` (`{people, room}`) turns on the `@` autocomplete,
 * `onTyping()` hears non-blank input, and `attachments` (an upload tray, src/uploads.js) with `dropTarget` (where
 * files may be dropped) turns on attaching. Returns `{element, textarea, focus, setLabel, destroy}`.
 */
export function createComposer({
  idPrefix,
  formLabel,
  label = '',
  placeholder,
  submitText,
  hint,
  send,
  afterSend = () => {},
  editLast = () => false,
  mentions = null,
  onTyping = null,
  attachments = null,
  dropTarget = null,
  maxHeight = MAX_COMPOSER_HEIGHT,
}) {
  const inputId = `${idPrefix}-input`
  const errorId = `${idPrefix}-error`
  const hintId = `${idPrefix}-hint`
  const textarea = h('textarea', {
    id: inputId,
    name: 'content',
    rows: '1',
    placeholder,
    'aria-describedby': `${errorId} ${hintId}`,
    enterkeyhint: 'send',
  })
  // Before the composer's own key handlers: while suggestions show, Enter picks one and Escape closes them.
  const mentionPicker = mentions ? attachMentionAutocomplete(textarea, mentions) : null
  const labelElement = h('label', { for: inputId, class: 'visually-hidden' }, label)
  const error = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true })
  const sendButton = h('button', { type: 'submit', class: 'button primary' }, submitText)
  const element = h(
    'form',
    { class: 'composer', 'aria-label': formLabel },
    labelElement,
    mentionPicker?.element,
    h('div', { class: 'composer-row' }, textarea, sendButton),
    h('p', { class: 'visually-hidden', id: hintId }, hint),
    error,
  )
  const attach = attachments
    ? createAttachComposer({ tray: attachments, textarea, dropTarget, sendButton, onError: (text) => showText(error, text) })
    : null
  if (attach) {
    labelElement.after(attach.trayElement)
    textarea.before(attach.button)
    element.append(attach.input)
  }

  /**
   * Fit the textarea to its text, up to `maxHeight`, past which it scrolls. The stylesheet sizes boxes with
   * their borders, so those are added to the text's height (else a scroll bar shows for a few pixels).
   */
  function fitHeight() {
    textarea.style.height = 'auto'
    const needed = textarea.scrollHeight + textarea.offsetHeight - textarea.clientHeight
    textarea.style.height = `${Math.min(needed, maxHeight)}px`
    textarea.style.overflowY = needed > maxHeight ? 'auto' : 'hidden'
  }

  function submit() {
    const content = textarea.value
    if (attachments?.busy()) {
      showText(error, 'Wait for the files to finish uploading, or cancel them.')
      return
    }
    if (attachments?.hasFailed()) {
      showText(error, 'Some files did not upload: retry or remove them first.')
      return
    }
    const withFiles = Boolean(attachments?.items.length)
    if (!content.trim() && !withFiles) {
      showText(error, 'Write something first.')
      return
    }
    // The server counts characters (code points), not UTF-16 units: an emoji is one.
    const length = [...content].length
    if (length > MAX_CONTENT) {
      showText(error, `A message can be at most ${MAX_CONTENT} characters; this one has ${length}.`)
      return
    }
    showText(error, null)
    textarea.value = ''
    fitHeight()
    if (withFiles) send(content.trim() ? content : '', attachments.take())
    else send(content)
    afterSend()
    textarea.focus()
  }

  element.addEventListener('submit', (event) => {
    event.preventDefault()
    submit()
  })
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      submit()
    } else if (event.key === 'ArrowUp' && !textarea.value && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      if (editLast()) event.preventDefault()
    }
  })
  textarea.addEventListener('input', () => {
    fitHeight()
    if (!error.hidden) showText(error, null)
    if (onTyping && textarea.value.trim()) onTyping()
  })

  return {
    element,
    textarea,
    focus: () => textarea.focus(),
    /** Name the textarea for assistive technology ("Message Bob"), as the conversation's name changes. */
    setLabel: (text) => {
      labelElement.textContent = text
    },
    destroy() {
      mentionPicker?.destroy()
      attach?.destroy()
    },
  }
}
