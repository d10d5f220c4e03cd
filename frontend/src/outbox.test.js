import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from './api.js'
import { CONFIRM_WITHIN_MS, NOT_CONFIRMED, createOutbox } from './outbox.js'
import { Store, directKey } from './store.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const key = directKey(2)

function setUp(send) {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }])
  return { store, outbox: createOutbox({ store, send }) }
}

/** A send that only settles when the test says so, recording each call and its signal. */
function controlledSend() {
  const calls = []
  const send = vi.fn((conversationKey, content, clientId, { signal, fileIds }) => {
    let settle
    const promise = new Promise((resolve, reject) => {
      settle = { resolve, reject }
    })
    calls.push({ conversationKey, content, clientId, signal, fileIds, ...settle })
    return promise
  })
  return { send, calls }
}

afterEach(() => vi.useRealTimers())

describe('outbox', () => {
  it('shows a send the server has not confirmed in time as failed, and Retry sends it again with the same client id', async () => {
    vi.useFakeTimers()
    const { send, calls } = controlledSend()
    const { store, outbox } = setUp(send)
    const pending = outbox.send(key, 'hello')
    expect(store.conversation(key).pending.get(pending.client_id).status).toBe('sending')
    vi.advanceTimersByTime(CONFIRM_WITHIN_MS - 1)
    expect(store.conversation(key).pending.get(pending.client_id).status).toBe('sending')
    vi.advanceTimersByTime(1)
    expect(store.conversation(key).pending.get(pending.client_id)).toMatchObject({ status: 'failed', error: NOT_CONFIRMED })

    outbox.retry(key, pending.client_id)
    expect(store.conversation(key).pending.get(pending.client_id).status).toBe('sending')
    expect(calls).toHaveLength(2)
    expect(calls[1].clientId).toBe(pending.client_id)
    expect(calls[1].content).toBe('hello')
    // The first attempt is stopped: only one send per message is ever under way.
    expect(calls[0].signal.aborted).toBe(true)
    expect(calls[1].signal.aborted).toBe(false)

    // The confirmation replaces the bubble, and no later timer marks anything failed.
    store.addMessages([{ id: 5, content: 'hello', date: '2026-11-27T10:00:00Z', author: alice, recipient: bob, room_id: null, client_id: pending.client_id }])
    calls[1].resolve()
    await vi.runAllTimersAsync()
    expect(store.conversation(key).pending.size).toBe(0)
    expect(store.conversation(key).messages.map((message) => message.id)).toEqual([5])
  })

  it('discards a pending message: the bubble goes and nothing more is sent for it', async () => {
    vi.useFakeTimers()
    const { send, calls } = controlledSend()
    const { store, outbox } = setUp(send)
    const pending = outbox.send(key, 'never mind')
    vi.advanceTimersByTime(CONFIRM_WITHIN_MS)
    outbox.discard(key, pending.client_id)
    expect(store.conversation(key).pending.size).toBe(0)
    expect(calls[0].signal.aborted).toBe(true)
    calls[0].reject(calls[0].signal.reason)
    await vi.runAllTimersAsync()
    expect(store.conversation(key).pending.size).toBe(0)
  })

  it('shows the server’s refusal in words at once', async () => {
    const { store, outbox } = setUp(vi.fn(async () => Promise.reject(new ApiError(400, 'content: must not be blank'))))
    const pending = outbox.send(key, ' ')
    await vi.waitFor(() => expect(store.conversation(key).pending.get(pending.client_id)).toMatchObject({ status: 'failed', error: 'content: must not be blank' }))
  })

  it('sends a message’s files with it, and Retry sends the same files with the same client id', () => {
    vi.useFakeTimers()
    const { send, calls } = controlledSend()
    const { store, outbox } = setUp(send)
    const files = [{ id: 7, name: 'beach.png' }, { id: 8, name: 'notes.txt' }]
    const pending = outbox.send(key, '', files)
    expect(store.conversation(key).pending.get(pending.client_id).files).toEqual(files)
    expect(calls[0]).toMatchObject({ content: '', fileIds: [7, 8] })
    vi.advanceTimersByTime(CONFIRM_WITHIN_MS)
    outbox.retry(key, pending.client_id)
    expect(calls[1]).toMatchObject({ clientId: pending.client_id, content: '', fileIds: [7, 8] })
  })

  it('stops every send when the session ends', () => {
    const { send, calls } = controlledSend()
    const { outbox } = setUp(send)
    outbox.send(key, 'one')
    outbox.send(key, 'two')
    outbox.stopAll()
    expect(calls.map((call) => call.signal.aborted)).toEqual([true, true])
  })
})
