// The tab title: `(3) confab` when messages wait unread, so a hidden tab tells its reader to come back.

export const BASE_TITLE = 'confab'

/**
 * Keep `document.title` at the unread count: the sidebar's badges plus what arrived in the open
 * conversation while the tab was hidden (cleared when the reader comes back). Returns `{destroy}`.
 */
export function createUnreadTitle({ store, doc = document }) {
  let arrivedWhileHidden = 0

  function show() {
    const count = store.unreadTotal + arrivedWhileHidden
    doc.title = count ? `(${count}) ${BASE_TITLE}` : BASE_TITLE
  }
  const onIncoming = (event) => {
    if (doc.visibilityState !== 'hidden' || !store.active) return
    // Other conversations already count through their badges.
    const here = event.detail.messages.filter((message) => store.active === store.keyOf(message))
    if (!here.length) return
    arrivedWhileHidden += here.length
    show()
  }
  const onVisibility = () => {
    if (doc.visibilityState === 'hidden') return
    arrivedWhileHidden = 0
    show()
  }
  const listeners = [
    ['people', show],
    ['rooms', show],
    ['incoming', onIncoming],
  ]
  for (const [type, listener] of listeners) store.addEventListener(type, listener)
  doc.addEventListener('visibilitychange', onVisibility)
  show()
  return {
    destroy() {
      for (const [type, listener] of listeners) store.removeEventListener(type, listener)
      doc.removeEventListener('visibilitychange', onVisibility)
    },
  }
}
