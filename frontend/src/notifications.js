// Browser notifications for `notify` socket events while the tab is hidden. Permission is asked only when the
// person clicks "Enable notifications", never on load.

import { h } from './views/h.js'

/** The notification's title and body for a `notify {message, reason}`; `roomName(id)` names a room. */
export function notificationText({ message, reason }, { roomName = () => null } = {}) {
  const author = message.author?.name ?? 'Someone'
  const room = message.room_id != null ? roomName(message.room_id) : null
  const where = room ? ` in ${room}` : ''
  const title = reason === 'mention' ? `${author} mentioned you${where}` : `${author}${where}`
  const body = message.content || (message.files?.length ? 'Sent files' : '')
  return { title, body }
}

/**
 * The "Enable notifications" button, and `notify(payload)` to show one. `open(message)` is called when a
 * notification is clicked. `Notifications` and `doc` are the browser's unless a test gives its own.
 */
export function createNotifier({ roomName, open, Notifications = globalThis.Notification, doc = document }) {
  const supported = typeof Notifications === 'function'
  const button = h('button', { type: 'button', class: 'button ghost small enable-notifications' }, 'Enable notifications')
  const sync = () => {
    button.hidden = !supported || Notifications.permission !== 'default'
  }
  button.addEventListener('click', async () => {
    try {
      await Notifications.requestPermission()
    } finally {
      sync()
    }
  })
  sync()
  return {
    element: button,
    /** Show a notification for the event when the tab is hidden and permission was granted; the notification or null. */
    notify(payload) {
      if (!supported || Notifications.permission !== 'granted' || !doc.hidden) return null
      const { title, body } = notificationText(payload, { roomName })
      const shown = new Notifications(title, { body, tag: `confab-message-${payload.message.id}` })
      shown.onclick = () => {
        globalThis.focus?.()
        open(payload.message)
        shown.close?.()
      }
      return shown
    },
  }
}
