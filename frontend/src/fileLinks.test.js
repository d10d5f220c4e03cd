import { describe, expect, it, vi } from 'vitest'
import { createLinkRefresher } from './fileLinks.js'

describe('link refresher', () => {
  it('fetches a message once for all its failing images, and not again right after', async () => {
    let clock = 0
    const refetch = vi.fn(async () => {})
    const links = createLinkRefresher({ refetch, retryAfterMs: 60000, now: () => clock })
    const message = { id: 4 }
    const [first, second] = [links.refresh(message), links.refresh(message)]
    expect(await first).toBe(true)
    expect(await second).toBe(true)
    expect(refetch).toHaveBeenCalledTimes(1)
    // Fresh links that fail at once are not expired ones: no loop.
    clock = 59999
    expect(await links.refresh(message)).toBe(false)
    expect(refetch).toHaveBeenCalledTimes(1)
    // An hour later they have expired in turn.
    clock = 3600000
    expect(await links.refresh(message)).toBe(true)
    expect(refetch).toHaveBeenCalledTimes(2)
    expect(await links.refresh({ id: 5 })).toBe(true)
    expect(refetch).toHaveBeenCalledTimes(3)
  })

  it('answers false when the refetch failed', async () => {
    const links = createLinkRefresher({ refetch: async () => Promise.reject(new Error('offline')) })
    expect(await links.refresh({ id: 1 })).toBe(false)
  })
})
