import { describe, expect, it, vi } from 'vitest'
import { createNotifier, notificationText } from './notifications.js'

const message = { id: 5, content: 'ship it @bob', author: { id: 1, name: 'Alice' }, room_id: 7 }

function fakeNotifications(permission) {
  const shown = []
  class FakeNotification {
    static permission = permission
    static requestPermission = vi.fn(async () => {
      FakeNotification.permission = 'granted'
      return 'granted'
    })
    constructor(title, options) {
      this.title = title
      this.options = options
      this.close = vi.fn()
      shown.push(this)
    }
  }
  return { FakeNotification, shown }
}

describe('browser notifications', () => {
  it('say who and where, and why', () => {
    const roomName = () => 'launch'
    expect(notificationText({ message, reason: 'mention' }, { roomName })).toEqual({ title: 'Alice mentioned you in launch', body: 'ship it @bob' })
    expect(notificationText({ message, reason: 'room' }, { roomName }).title).toBe('Alice in launch')
    expect(notificationText({ message: { ...message, room_id: null }, reason: 'dm' }).title).toBe('Alice')
  })

  it('ask for permission only when the button is clicked, then hide it', async () => {
    const { FakeNotification } = fakeNotifications('default')
    const notifier = createNotifier({ roomName: () => null, open: () => {}, Notifications: FakeNotification, doc: { hidden: true } })
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled()
    expect(notifier.element.hidden).toBe(false)
    notifier.element.click()
    await vi.waitFor(() => expect(notifier.element.hidden).toBe(true))
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1)
  })

  it('show one only while the tab is hidden and permission was granted; a click opens the conversation', () => {
    const { FakeNotification, shown } = fakeNotifications('granted')
    const open = vi.fn()
    const doc = { hidden: false }
    const notifier = createNotifier({ roomName: () => 'launch', open, Notifications: FakeNotification, doc })
    expect(notifier.notify({ message, reason: 'mention' })).toBeNull()
    doc.hidden = true
    notifier.notify({ message, reason: 'mention' })
    expect(shown.map((n) => [n.title, n.options.body])).toEqual([['Alice mentioned you in launch', 'ship it @bob']])
    shown[0].onclick()
    expect(open).toHaveBeenCalledWith(message)
    const denied = fakeNotifications('denied')
    createNotifier({ roomName: () => null, open, Notifications: denied.FakeNotification, doc }).notify({ message, reason: 'dm' })
    expect(denied.shown).toEqual([])
  })
})
