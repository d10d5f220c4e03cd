// Outgoing messages: a pending bubble at once, a failure shown when the server has not confirmed it within
// a few seconds, and Retry (the same client id, so the server stores it once) or Discard.

export const CONFIRM_WITHIN_MS = 5000
export const NOT_CONFIRMED = 'the server has not confirmed it yet.'

/**
 * `send(key, content, clientId, {signal, fileIds})` delivers one message (the connection's send); a retry
 * carries the same client id and the same files. A send that is
 * not confirmed in time is shown as failed, but keeps going out when the connection comes back, so a
 * message written offline still arrives once; Retry sends it again now, Discard stops it for good.
 */
export function createOutbox({ store, send, confirmWithinMs = CONFIRM_WITHIN_MS }) {
  const inFlight = new Map()

  function stop(clientId) {
    const flight = inFlight.get(clientId)
    if (!flight) return
    clearTimeout(flight.timer)
    flight.controller.abort(new Error('superseded'))
    inFlight.delete(clientId)
  }

  function deliver(key, pending) {
    const clientId = pending.client_id
    stop(clientId)
    const controller = new AbortController()
    const timer = setTimeout(() => {
      if (store.conversation(key).pending.get(clientId)?.status === 'sending') store.setPendingStatus(key, clientId, 'failed', NOT_CONFIRMED)
    }, confirmWithinMs)
    const flight = { controller, timer }
    inFlight.set(clientId, flight)
    const fileIds = (pending.files ?? []).map((file) => file.id)
    send(key, pending.content, clientId, { signal: controller.signal, fileIds })
      .catch((error) => {
        if (!controller.signal.aborted) store.setPendingStatus(key, clientId, 'failed', error.detail ?? String(error.message))
      })
      .finally(() => {
        if (inFlight.get(clientId) !== flight) return
        clearTimeout(timer)
        inFlight.delete(clientId)
      })
  }

  return {
    /** Show `content` (and the uploaded `files`) as pending in conversation `key` and send it. Returns the pending entry. */
    send(key, content, files = []) {
      const pending = store.addPending(key, content, files)
      deliver(key, pending)
      return pending
    },
    /** Send a failed message again with its own client id. */
    retry(key, clientId) {
      const pending = store.conversation(key).pending.get(clientId)
      if (!pending) return
      store.setPendingStatus(key, clientId, 'sending')
      deliver(key, pending)
    },
    /** Forget a pending message: nothing more is sent for it. */
    discard(key, clientId) {
      stop(clientId)
      store.discardPending(key, clientId)
    },
    /** Stop every send (logging out). */
    stopAll() {
      for (const clientId of [...inFlight.keys()]) stop(clientId)
    },
  }
}
