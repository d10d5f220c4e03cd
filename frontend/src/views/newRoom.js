// The "new room" form: a name and the people to invite, found through the directory search (the server
// may hold thousands of accounts, so the form never lists everybody).

import { placeError } from './errors.js'
import { avatar, h, setChildren, showText } from './h.js'
import { createPeopleSearch } from './peoplePicker.js'

/**
 * `onCreate(name, memberIds)` resolves when the room exists, or rejects with an ApiError to show.
 * `search(text)` is the directory search (`{people, nextCursor}`), as in the "New message" picker.
 * Returns `{element, focus, destroy}`.
 */
export function renderNewRoom({ store, onCreate, search, delay }) {
  const nameInput = h('input', {
    id: 'room-name',
    name: 'name',
    type: 'text',
    required: true,
    maxlength: '100',
    autocomplete: 'off',
    'aria-describedby': 'room-name-error',
  })
  const nameError = h('p', { class: 'field-error', id: 'room-name-error', hidden: true })
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create room')

  // Invited people in the order they were picked: id -> person.
  const invited = new Map()
  const invitedList = h('ul', { class: 'invite-list', 'aria-label': 'Invited' })
  const invitedNone = h('p', { class: 'muted' }, 'Nobody invited yet: search above, or add people later.')
  const people = createPeopleSearch({
    search,
    delay,
    idPrefix: 'invite-search',
    exclude: (person) => person.id === store.me?.id || invited.has(person.id),
    onPick(person) {
      invited.set(person.id, person)
      renderInvited()
      people.clear()
      showText(people.status, `${person.name} invited.`)
    },
  })

  function renderInvited() {
    invitedNone.hidden = invited.size > 0
    setChildren(
      invitedList,
      [...invited.values()].map((person) => {
        const presence = person.online ? 'online' : 'offline'
        return h(
          'li',
          { dataset: { id: String(person.id) } },
          h('span', { class: 'avatar-wrap' }, avatar(person, { size: 'sm' }), h('span', { class: `presence ${presence}`, 'aria-hidden': 'true' })),
          h('span', {}, person.name),
          h('span', { class: 'muted' }, ` @${person.nickname} · ${presence}`),
          h(
            'button',
            {
              type: 'button',
              class: 'button ghost small',
              'aria-label': `Remove ${person.name}`,
              onclick() {
                invited.delete(person.id)
                renderInvited()
                people.focus()
              },
            },
            'Remove',
          ),
        )
      }),
    )
  }
  renderInvited()

  const form = h(
    'form',
    {
      class: 'panel-form',
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault()
        showText(nameError, null)
        showText(formError, null)
        nameInput.removeAttribute('aria-invalid')
        const name = nameInput.value.trim()
        if (!name) {
          showText(nameError, 'Give the room a name.')
          nameInput.setAttribute('aria-invalid', 'true')
          nameInput.focus()
          return
        }
        submit.disabled = true
        try {
          await onCreate(name, [...invited.keys()])
        } catch (error) {
          const placed = placeError(error, ['name'])
          showText(formError, placed.form)
          if (placed.name) {
            showText(nameError, placed.name)
            nameInput.setAttribute('aria-invalid', 'true')
            nameInput.focus()
          }
        } finally {
          submit.disabled = false
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'room-name' }, 'Room name'), nameInput, nameError),
    h(
      'fieldset',
      { class: 'invite' },
      h('legend', {}, 'Invite people'),
      h('div', { class: 'field' }, h('label', { for: people.input.id }, 'Find people'), people.input, people.status),
      people.list,
      invitedList,
      invitedNone,
    ),
    formError,
    h('div', { class: 'inline-row' }, submit, h('a', { class: 'button ghost', href: '#/' }, 'Cancel')),
  )

  return {
    element: h(
      'section',
      { class: 'new-room', 'aria-labelledby': 'new-room-title' },
      h(
        'header',
        { class: 'conversation-header' },
        h('a', { class: 'back', href: '#/', 'aria-label': 'All conversations' }, '‹'),
        h('div', { class: 'heading' }, h('h1', { id: 'new-room-title', class: 'conversation-title' }, 'New room'), h('p', { class: 'conversation-subtitle' }, 'A conversation for several people.')),
      ),
      h('div', { class: 'panel-body' }, form),
    ),
    focus: () => nameInput.focus(),
    destroy: people.destroy,
  }
}
