// A message's text with its mentions as highlighted spans (text nodes and spans only, never markup), mentions of
// me styled apart; and the composer's `@` autocomplete.

import { mentionCandidates, mentionQueryAt, splitMentions } from '../mentions.js'
import { h } from './h.js'

/** The children of a message's text: plain text, and a `.mention` span per mention (`.mention-me` for mine). */
export function mentionedContent(message, { myId, nicknameOf }) {
  return splitMentions(message, { myId, nicknameOf }).map((part) =>
    part.mention ? h('span', { class: `mention${part.mention.me ? ' mention-me' : ''}` }, part.text) : part.text,
  )
}

let autocompleteCount = 0

/**
 * An `@` autocomplete on a textarea: typing `@` and letters lists the matching `people()` (and `@room` with
 * `room: true`); ArrowUp/ArrowDown move, Enter or Tab picks, Escape closes, as does the pointer. Attach it before
 * the textarea's own key handlers: while the list is open it takes the keys it uses.
 */
export function attachMentionAutocomplete(textarea, { people, room = false }) {
  const listId = `mention-suggestions-${++autocompleteCount}`
  const list = h('ul', { class: 'mention-suggestions', id: listId, role: 'listbox', 'aria-label': 'People to mention', hidden: true })
  let found = []
  let selected = 0
  let typed = null

  // A textbox may carry these (not `aria-expanded`, which is a combobox's); the list says whether it shows.
  textarea.setAttribute('aria-autocomplete', 'list')
  textarea.setAttribute('aria-controls', listId)

  function close() {
    found = []
    typed = null
    list.hidden = true
    list.replaceChildren()
    textarea.removeAttribute('aria-activedescendant')
  }

  function render() {
    list.replaceChildren(
      ...found.map((person, index) =>
        h(
          'li',
          {
            id: `${listId}-${index}`,
            role: 'option',
            class: 'mention-option',
            'aria-selected': String(index === selected),
            onmousedown(event) {
              event.preventDefault() // keep the focus in the textarea
              pick(index)
            },
          },
          h('span', { class: 'mention-option-nickname' }, `@${person.nickname}`),
          ' ',
          h('span', { class: 'mention-option-name' }, person.name ?? ''),
        ),
      ),
    )
    list.hidden = false
    textarea.setAttribute('aria-activedescendant', `${listId}-${selected}`)
  }

  function update() {
    typed = mentionQueryAt(textarea.value, textarea.selectionStart ?? textarea.value.length)
    found = typed ? mentionCandidates(people(), typed.query, { room }) : []
    if (!found.length) {
      close()
      return
    }
    selected = Math.min(selected, found.length - 1)
    render()
  }

  function pick(index) {
    const person = found[index]
    if (!person || !typed) return
    const caret = textarea.selectionStart ?? textarea.value.length
    const inserted = `@${person.nickname} `
    textarea.value = textarea.value.slice(0, typed.start) + inserted + textarea.value.slice(caret)
    const position = typed.start + inserted.length
    textarea.setSelectionRange(position, position)
    close()
    textarea.dispatchEvent(new Event('input', { bubbles: true }))
  }

  const onKeydown = (event) => {
    if (list.hidden || event.isComposing) return
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      selected = (selected + (event.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length
      render()
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      pick(selected)
    } else if (event.key === 'Escape') {
      close()
    } else {
      return
    }
    event.preventDefault()
    event.stopImmediatePropagation()
  }
  const onInput = () => {
    selected = 0
    update()
  }
  textarea.addEventListener('keydown', onKeydown)
  textarea.addEventListener('input', onInput)
  textarea.addEventListener('blur', close)
  return {
    element: list,
    close,
    destroy() {
      textarea.removeEventListener('keydown', onKeydown)
      textarea.removeEventListener('input', onInput)
      textarea.removeEventListener('blur', close)
    },
  }
}
