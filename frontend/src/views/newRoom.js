// The "new room" form: a name and the people to invite.

import { placeError } from './errors.js'
import { avatar, h, showText } from './h.js'

/**
 * `onCreate(name, memberIds)` resolves when the room exists, or rejects with an ApiError to show.
 * `people` are those offered for invitation (default: everybody the store knows).
 */
export function renderNewRoom({ store, onCreate, people = store.peopleByName() }) {
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
  const checkboxes = people.map((person) =>
    h('input', { type: 'checkbox', id: `invite-${person.id}`, name: 'member_ids', value: String(person.id) }),
  )
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create room')

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
        const memberIds = checkboxes.filter((box) => box.checked).map((box) => Number(box.value))
        submit.disabled = true
        try {
          await onCreate(name, memberIds)
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
      people.length
        ? h(
            'ul',
            { class: 'invite-list' },
            people.map((person, index) =>
              h(
                'li',
                {},
                checkboxes[index],
                h('label', { for: `invite-${person.id}` }, avatar(person, { size: 'sm' }), person.name, h('span', { class: 'muted' }, ` @${person.nickname}`)),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'Nobody else has signed up yet; you can add people later.'),
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
  }
}
