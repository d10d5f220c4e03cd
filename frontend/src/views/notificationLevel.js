// A room's notification level menu: all messages, only mentions, or nothing (unread still counts).

import { h } from './h.js'

export const LEVELS = [
  ['all', 'All messages'],
  ['mentions', 'Only mentions'],
  ['none', 'Nothing'],
]

/** A labelled select that calls `onChange(level)` (a promise); a refusal puts the previous level back. */
export function notificationLevelMenu({ level = 'all', onChange }) {
  const select = h(
    'select',
    { class: 'notification-level', id: 'notification-level', 'aria-describedby': 'notification-level-error' },
    LEVELS.map(([value, label]) => h('option', { value }, label)),
  )
  const error = h('span', { class: 'field-error', id: 'notification-level-error', role: 'alert', hidden: true })
  let current = level
  select.value = level
  select.addEventListener('change', async () => {
    const wanted = select.value
    error.hidden = true
    try {
      await onChange(wanted)
      current = wanted
    } catch (failure) {
      select.value = current
      error.textContent = `Could not change notifications: ${failure?.detail ?? failure?.message ?? 'try again'}`
      error.hidden = false
    }
  })
  return {
    element: h('label', { class: 'notification-menu' }, h('span', { class: 'notification-menu-label' }, 'Notify me of'), select, error),
    /** Show the level the server knows (another tab may have changed it). */
    set(value) {
      if (value && value !== current) {
        current = value
        select.value = value
      }
    },
  }
}
