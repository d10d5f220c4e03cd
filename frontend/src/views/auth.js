// The login and sign-up forms, with each error shown next to the field it is about.

import { placeError } from './errors.js'
import { h, showText } from './h.js'

const SIGN_UP_FIELDS = [
  { name: 'name', label: 'Your name', type: 'text', autocomplete: 'name', hint: 'Shown to the people you talk to.' },
  { name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
  { name: 'nickname', label: 'Nickname', type: 'text', autocomplete: 'username', hint: '2 to 32 letters, digits, _ . or -' },
  {
    name: 'password',
    label: 'Password',
    type: 'password',
    autocomplete: 'new-password',
    hint: 'At least 8 characters.',
    problem: (value) => (value.length < 8 ? 'Password must be at least 8 characters.' : null),
  },
]

const LOG_IN_FIELDS = [
  { name: 'nickname', label: 'Nickname', type: 'text', autocomplete: 'username' },
  { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
]

/**
 * The login or sign-up screen. `onSubmit(values)` resolves when done and rejects with an ApiError to show.
 * `notice` is a sentence shown above the form (why you are here).
 */
export function renderAuth({ mode, onSubmit, notice = null }) {
  const signingUp = mode === 'signup'
  const fields = signingUp ? SIGN_UP_FIELDS : LOG_IN_FIELDS
  const fieldNames = fields.map((field) => field.name)
  const errors = new Map()
  const inputs = new Map()

  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, signingUp ? 'Create account' : 'Log in')

  const rows = fields.map((field) => {
    const id = `${mode}-${field.name}`
    const input = h('input', {
      id,
      name: field.name,
      type: field.type,
      autocomplete: field.autocomplete,
      required: true,
      'aria-describedby': `${id}-error${field.hint ? ` ${id}-hint` : ''}`,
    })
    input.addEventListener('input', () => showFieldError(field.name, null))
    const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true })
    inputs.set(field.name, input)
    errors.set(field.name, error)
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, field.label),
      input,
      field.hint ? h('p', { class: 'hint', id: `${id}-hint` }, field.hint) : null,
      error,
    )
  })

  function showFieldError(name, message) {
    showText(errors.get(name), message)
    inputs.get(name).setAttribute('aria-invalid', message ? 'true' : 'false')
  }

  const form = h(
    'form',
    {
      class: 'auth-form',
      novalidate: true,
      'aria-labelledby': `${mode}-title`,
      async onsubmit(event) {
        event.preventDefault()
        for (const name of fieldNames) showFieldError(name, null)
        showText(formError, null)
        const values = Object.fromEntries(fieldNames.map((name) => [name, inputs.get(name).value]))
        const problems = fields
          .map((field) => [field, values[field.name].trim() ? field.problem?.(values[field.name]) : `${field.label} is required.`])
          .filter(([, problem]) => problem)
        if (problems.length) {
          for (const [field, problem] of problems) showFieldError(field.name, problem)
          inputs.get(problems[0][0].name).focus()
          return
        }
        submit.disabled = true
        submit.setAttribute('aria-busy', 'true')
        try {
          await onSubmit(values)
        } catch (error) {
          const placed = placeError(error, fieldNames)
          for (const [name, message] of Object.entries(placed)) {
            if (name === 'form') showText(formError, message)
            else showFieldError(name, message)
          }
          const firstField = fieldNames.find((name) => placed[name])
          if (firstField) inputs.get(firstField).focus()
        } finally {
          submit.disabled = false
          submit.removeAttribute('aria-busy')
        }
      },
    },
    rows,
    formError,
    submit,
  )

  return h(
    'main',
    { class: 'auth' },
    h(
      'div',
      { class: 'auth-card' },
      h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'confab'),
      h('h1', { id: `${mode}-title` }, signingUp ? 'Create your account' : 'Welcome back'),
      h('p', { class: 'auth-lead' }, signingUp ? 'Chat with people and rooms, live.' : 'Log in to pick up your conversations.'),
      notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
      form,
      h(
        'p',
        { class: 'auth-switch' },
        signingUp ? 'Already have an account? ' : 'New to confab? ',
        h('a', { href: signingUp ? '#/login' : '#/signup' }, signingUp ? 'Log in' : 'Create an account'),
      ),
    ),
  )
}
