// Fresh file links for a tab left open: a signed `url`/`thumbnail_url` expires (an hour by default), so an
// image that fails to load asks the server for its message again, which carries newly signed links.

/** How long after refetching a message its links are trusted: a failure sooner is not an expiry. */
export const REFETCH_AFTER_MS = 60 * 1000

/**
 * `refetch(message)` loads a message again (and stores it). `refresh(message)` calls it at most once at a
 * time per message, and not again within `retryAfterMs` of the last time: a link that fails right after
 * being renewed (the file was deleted, the server is down) is not an expired one, so it is not fetched in
 * a loop. Resolves true when a refetch ran, false when it was not tried.
 */
export function createLinkRefresher({ refetch, retryAfterMs = REFETCH_AFTER_MS, now = () => Date.now() }) {
  const inFlight = new Map()
  const lastRefetch = new Map()

  return {
    refresh(message) {
      const id = message.id
      if (inFlight.has(id)) return inFlight.get(id)
      if (lastRefetch.has(id) && now() - lastRefetch.get(id) < retryAfterMs) return Promise.resolve(false)
      lastRefetch.set(id, now())
      const running = Promise.resolve()
        .then(() => refetch(message))
        .then(
          () => true,
          () => false,
        )
        .finally(() => inFlight.delete(id))
      inFlight.set(id, running)
      return running
    },
  }
}
