// "Your profile" (`#/profile`): name, status, email (with the current password), avatar, and closing the account.
// Saved changes come back as my account and go to the store at once; everyone else hears `user_updated`.

import { placeError, sentence } from './errors.js'
import { avatar, h, setChildren, showText } from './h.js'

const STATUS_LIMIT = 100

function field(id, label, input, error, hint = null) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint, error)
}

function textInput(id, attributes = {}) {
  return h('input', { id, name: id.replace(/^profile-/, ''), type: 'text', autocomplete: 'off', 'aria-describedby': `${id}-error`, ...attributes })
}

/**
 * `actions`: `updateProfile(changes)`, `uploadFile(file)`, `setAvatar(fileId)`, `removeAvatar()` (each resolves
 * with my account, or nothing for the removal) and `closeAccount(password)`; each rejects with an ApiError to show.
 * `onClosed()` runs once the account is closed. Returns `{element, focus, destroy}`.
 */
export function createProfileDialog({ store, actions, onClosed }) {
  const me = store.me ?? {}
  const nameInput = textInput('profile-name', { required: true, maxlength: '100', value: me.name ?? '' })
  const statusInput = textInput('profile-status', { maxlength: String(STATUS_LIMIT), value: me.status ?? '', placeholder: 'What are you up to?' })
  const emailInput = textInput('profile-email', { type: 'email', autocomplete: 'email', value: me.email ?? '' })
  const passwordInput = h('input', { id: 'profile-password', name: 'current_password', type: 'password', autocomplete: 'current-password', 'aria-describedby': 'profile-password-error' })
  const errors = Object.fromEntries(['name', 'status', 'email', 'password'].map((name) => [name, h('p', { class: 'field-error', id: `profile-${name}-error`, hidden: true })]))
  const passwordField = field('profile-password', 'Current password (needed to change the email)', passwordInput, errors.password)
  passwordField.hidden = true
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const saved = h('p', { class: 'muted', role: 'status' })
  const save = h('button', { type: 'submit', class: 'button primary' }, 'Save profile')

  const showPasswordField = () => {
    passwordField.hidden = emailInput.value.trim() === (store.me?.email ?? '')
  }
  emailInput.addEventListener('input', showPasswordField)

  const fields = { name: nameInput, status: statusInput, email: emailInput, current_password: passwordInput }
  const errorOf = { name: errors.name, status: errors.status, email: errors.email, current_password: errors.password }
  function clearErrors() {
    for (const [name, element] of Object.entries(errorOf)) {
      showText(element, null)
      fields[name].removeAttribute('aria-invalid')
    }
    showText(formError, null)
  }
  function showError(error, fieldNames, fallback = formError) {
    // A wrong password is a 403 whose words name no field: it belongs under the password, and only there.
    const wrongPassword = error.status === 403 && fieldNames.includes('current_password')
    const placed = wrongPassword ? { current_password: sentence(error.detail) } : placeError(error, fieldNames)
    let focused = false
    for (const [name, text] of Object.entries(placed)) {
      if (name === 'form' || !errorOf[name]) continue
      showText(errorOf[name], text)
      fields[name].setAttribute('aria-invalid', 'true')
      if (!focused) fields[name].focus()
      focused = true
    }
    if (placed.form || !focused) showText(fallback, placed.form ?? error.detail)
  }

  const form = h(
    'form',
    {
      class: 'panel-form',
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault()
        clearErrors()
        setChildren(saved, '')
        const name = nameInput.value.trim()
        if (!name) {
          showText(errors.name, 'Your name cannot be empty.')
          nameInput.setAttribute('aria-invalid', 'true')
          nameInput.focus()
          return
        }
        const changes = { name, status: statusInput.value }
        const email = emailInput.value.trim()
        if (email !== store.me?.email) {
          changes.email = email
          changes.current_password = passwordInput.value
        }
        save.disabled = true
        try {
          store.applyProfile(await actions.updateProfile(changes))
          passwordInput.value = ''
          showPasswordField()
          setChildren(saved, 'Profile saved.')
        } catch (error) {
          showError(error, ['name', 'status', 'email', 'current_password'])
        } finally {
          save.disabled = false
        }
      },
    },
    field('profile-name', 'Your name', nameInput, errors.name),
    field('profile-status', 'Status', statusInput, errors.status, h('p', { class: 'muted' }, `Up to ${STATUS_LIMIT} characters; leave it empty to clear it.`)),
    field('profile-email', 'Email', emailInput, errors.email),
    passwordField,
    formError,
    h('div', { class: 'inline-row' }, save, saved),
  )

  // The avatar: a picture uploaded like any file, then made mine.
  const preview = h('span', { class: 'profile-avatar' })
  const fileInput = h('input', { id: 'profile-avatar', type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp' })
  const removeButton = h('button', { type: 'button', class: 'button ghost small' }, 'Remove picture')
  const avatarError = h('p', { class: 'field-error', role: 'alert', hidden: true })
  const renderAvatar = () => {
    setChildren(preview, avatar(store.me ?? me, { size: 'lg' }))
    removeButton.hidden = !store.me?.avatar_url
  }
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0]
    if (!file) return
    showText(avatarError, null)
    fileInput.disabled = true
    try {
      const uploaded = await actions.uploadFile(file)
      store.applyProfile(await actions.setAvatar(uploaded.id))
    } catch (error) {
      showText(avatarError, error.detail)
    } finally {
      fileInput.disabled = false
      fileInput.value = ''
    }
  })
  removeButton.addEventListener('click', async () => {
    showText(avatarError, null)
    try {
      await actions.removeAvatar()
      store.applyProfile({ ...store.me, avatar_url: null })
    } catch (error) {
      showText(avatarError, error.detail)
    }
  })
  const pictureSection = h(
    'fieldset',
    { class: 'invite' },
    h('legend', {}, 'Picture'),
    h('div', { class: 'inline-row' }, preview, h('div', { class: 'field' }, h('label', { for: 'profile-avatar' }, 'Upload a picture'), fileInput), removeButton),
    avatarError,
  )

  // Closing the account: a second step that asks for the password.
  const closePassword = h('input', { id: 'close-password', type: 'password', autocomplete: 'current-password', 'aria-describedby': 'close-password-error' })
  const closeError = h('p', { class: 'field-error', id: 'close-password-error', role: 'alert', hidden: true })
  const closeConfirm = h('button', { type: 'submit', class: 'button danger' }, 'Close my account for good')
  const closeForm = h(
    'form',
    {
      class: 'panel-form',
      novalidate: true,
      hidden: true,
      async onsubmit(event) {
        event.preventDefault()
        showText(closeError, null)
        if (!closePassword.value) {
          showText(closeError, 'Type your password to confirm.')
          closePassword.focus()
          return
        }
        closeConfirm.disabled = true
        try {
          await actions.closeAccount(closePassword.value)
          onClosed()
        } catch (error) {
          showText(closeError, error.detail)
          closePassword.focus()
        } finally {
          closeConfirm.disabled = false
        }
      },
    },
    h('p', {}, 'Your name, email, status and picture are erased and you are logged out everywhere. Your messages stay in other people’s conversations, signed “Deleted user”. This cannot be undone.'),
    field('close-password', 'Your password', closePassword, closeError),
    h('div', { class: 'inline-row' }, closeConfirm),
  )
  const closeStart = h('button', { type: 'button', class: 'button ghost danger-text', 'aria-expanded': 'false' }, 'Close my account…')
  closeStart.addEventListener('click', () => {
    closeForm.hidden = !closeForm.hidden
    closeStart.setAttribute('aria-expanded', String(!closeForm.hidden))
    if (!closeForm.hidden) closePassword.focus()
  })

  const onSession = () => renderAvatar()
  store.addEventListener('session', onSession)
  renderAvatar()

  return {
    element: h(
      'section',
      { class: 'new-room profile', role: 'dialog', 'aria-labelledby': 'profile-title' },
      h(
        'header',
        { class: 'conversation-header' },
        h('a', { class: 'back', href: '#/', 'aria-label': 'All conversations' }, '‹'),
        h('div', { class: 'heading' }, h('h1', { id: 'profile-title', class: 'conversation-title' }, 'Your profile'), h('p', { class: 'conversation-subtitle' }, `@${me.nickname ?? ''} · your nickname never changes`)),
        h('a', { class: 'button ghost small', href: '#/' }, 'Done'),
      ),
      h('div', { class: 'panel-body' }, form, pictureSection, h('section', { class: 'danger-zone', 'aria-label': 'Close account' }, closeStart, closeForm)),
    ),
    focus: () => nameInput.focus(),
    destroy: () => store.removeEventListener('session', onSession),
  }
}
