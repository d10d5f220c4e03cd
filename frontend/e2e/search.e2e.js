// Message search in a real browser: `/` and Enter, the matched words in <mark>, the server's 400 in words,
// a result deep in a room's history opened on its message, read on to the newest, a reply deep in a long
// thread opened in the thread beside its root, and results following an edit and a deletion live.

import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible } from './assertions.js'
import { apiRequest, loggedInPage, registerThroughApi, screenshotDir, shot, startStack } from './harness.js'

// Enough messages after the one found that the page around it cannot reach the newest.
const LATER_MESSAGES = 180
// Enough replies after the one found that the thread's newest page does not hold it.
const LATER_REPLIES = 70

let stack
const pageErrors = []

const api = (method, route, body, token) => apiRequest(stack.backend.url, method, route, body, token)

const account = (nickname, name) => registerThroughApi(stack.backend.url, nickname, name)

const logIn = (person) => loggedInPage(stack, person, { errors: pageErrors })

/** Whether the element is inside the visible part of its scroller. */
function inView(locator) {
  return locator.evaluate((node) => {
    const box = node.getBoundingClientRect()
    const frame = node.closest('.scroller').getBoundingClientRect()
    return box.top >= frame.top && box.bottom <= frame.bottom
  })
}

describe('message search', () => {
  let alice
  let bob
  let room
  let found
  let newest
  let threadRoot
  let foundReply
  let newestReply

  beforeAll(async () => {
    stack = await startStack()
    mkdirSync(screenshotDir, { recursive: true })
    alice = await account('alice', 'Alice Liddell')
    bob = await account('bob', 'Bob Builder')
    room = await api('POST', '/api/rooms', { name: 'launch', member_ids: [alice.id] }, bob.token)
    for (let index = 1; index <= 20; index += 1) await api('POST', `/api/rooms/${room.id}/messages`, { content: `warm-up ${index}` }, bob.token)
    threadRoot = await api('POST', `/api/rooms/${room.id}/messages`, { content: 'Checklist for the launch day?' }, alice.token)
    const reply = (content) => api('POST', `/api/rooms/${room.id}/messages`, { content, thread_id: threadRoot.id }, bob.token)
    for (let index = 1; index <= 5; index += 1) await reply(`first thoughts ${index}`)
    foundReply = await reply('the zebra crossing closes at noon')
    for (let index = 1; index <= LATER_REPLIES; index += 1) newestReply = await reply(`more details ${index}`)
    // An astral character before the match: the server's offsets count it as one, JS strings as two.
    found = await api('POST', `/api/rooms/${room.id}/messages`, { content: '🦄🚀 the unicorn launch plan is ready' }, bob.token)
    for (let index = 1; index <= LATER_MESSAGES; index += 1) {
      newest = await api('POST', `/api/rooms/${room.id}/messages`, { content: `later chatter ${index}` }, bob.token)
    }
    await api('POST', '/api/messages', { recipient_id: alice.id, content: 'the unicorn sticker, as promised' }, bob.token)
  }, 180000)

  afterAll(async () => {
    await stack?.close()
  })

  it('searches with / and Enter, and shows the matched words in <mark>', async () => {
    const { context, page } = await logIn(alice)
    await page.keyboard.press('/')
    const box = page.getByRole('searchbox', { name: 'Search messages' })
    await expect.poll(() => box.evaluate((node) => node === document.activeElement)).toBe(true)
    await box.fill('unicorn')
    await box.press('Enter')
    const results = page.getByRole('list', { name: 'Search results' })
    await expect.poll(() => results.locator('li').count()).toBe(2)
    // Newest first: the DM, then the room message; each with its conversation and author.
    const first = results.locator('li').nth(0)
    const second = results.locator('li').nth(1)
    expect(await first.locator('.search-conversation').textContent()).toBe('@bob')
    expect(await second.locator('.search-conversation').textContent()).toBe('# launch')
    expect(await second.locator('.search-author').textContent()).toBe('Bob Builder')
    expect(await second.locator('mark').allTextContents()).toEqual(['unicorn'])
    expect(await second.locator('.search-content').textContent()).toBe('🦄🚀 the unicorn launch plan is ready')
    expect(await page.getByText('2 results for “unicorn”').count()).toBe(1)
    await page.getByText('Search tips').click()
    await shot(page, 'search-results')
    await expectAccessible(page, 'search results with the tips open')

    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('.search-results').isHidden()).toBe(true)
    // The conversation lists are back.
    expect(await page.getByRole('heading', { name: 'Rooms' }).isVisible()).toBe(true)
    await context.close()
  })

  it("shows the server's refusal of an unknown operator in words", async () => {
    const { context, page } = await logIn(alice)
    const box = page.getByRole('searchbox', { name: 'Search messages' })
    await box.fill('form:bob unicorn')
    await box.press('Enter')
    const alert = page.locator('.search-error')
    await expect.poll(() => alert.textContent()).toMatch(/^This search cannot run: Unknown operator form/)
    expect(await page.locator('.search-help').getAttribute('open')).toBe('')
    await context.close()
  })

  it('opens a result deep in history on its message, reads on to the newest, and is live there', async () => {
    const { context, page } = await logIn(alice)
    const box = page.getByRole('searchbox', { name: 'Search messages' })
    await box.fill('unicorn in:launch')
    await box.press('Enter')
    const result = page.locator(`.search-result[data-id="${found.id}"]`)
    await result.waitFor()
    await result.click()

    await page.locator('#conversation-title', { hasText: 'launch' }).waitFor()
    const target = page.locator(`.messages .message[data-id="${found.id}"]`)
    await target.waitFor()
    expect(await target.evaluate((node) => node.classList.contains('jumped'))).toBe(true)
    await expect.poll(() => inView(target)).toBe(true)
    await shot(page, 'search-jump')
    await expectAccessible(page, 'a conversation opened on a search result')
    // Far back: the newest is not loaded yet, and the way back to it is offered.
    expect(await page.locator(`.message[data-id="${newest.id}"]`).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Jump to newest messages' }).isVisible()).toBe(true)
    // Older messages load above as usual.
    await page.locator('.scroller').evaluate((node) => {
      node.scrollTop = 0
    })
    await page.locator('.messages .message', { hasText: 'warm-up 1' }).first().waitFor()

    // Reading down: newer pages come until the newest, and then the conversation is live.
    await expect
      .poll(
        async () => {
          await page.locator('.scroller').evaluate((node) => {
            node.scrollTop = node.scrollHeight
          })
          return page.locator(`.message[data-id="${newest.id}"]`).count()
        },
        { timeout: 30000, interval: 300 },
      )
      .toBe(1)
    await expect.poll(() => page.getByRole('button', { name: 'Jump to newest messages' }).isVisible()).toBe(false)
    await api('POST', `/api/rooms/${room.id}/messages`, { content: 'back to the present' }, bob.token)
    await page.locator('.messages .message', { hasText: 'back to the present' }).waitFor()
    await context.close()
  })

  it('opens a reply found deep in a thread: the conversation on its root, the thread beside it on the reply', async () => {
    const { context, page } = await logIn(alice)
    const box = page.getByRole('searchbox', { name: 'Search messages' })
    await box.fill('zebra')
    await box.press('Enter')
    const result = page.locator(`.search-result[data-id="${foundReply.id}"]`)
    await result.waitFor()
    expect(await result.textContent()).toContain('in a thread')
    await result.click()

    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/rooms/${room.id}/thread/${threadRoot.id}/messages/${foundReply.id}`)
    const root = page.locator(`.messages:not(.thread-messages) .message[data-id="${threadRoot.id}"]`)
    await root.waitFor()
    await expect.poll(() => inView(root)).toBe(true)
    const target = page.locator(`.thread-panel .thread-messages .message[data-id="${foundReply.id}"]`)
    await target.waitFor()
    expect(await target.evaluate((node) => node.classList.contains('jumped'))).toBe(true)
    await expect.poll(() => inView(target)).toBe(true)
    // The keyboard is on the reply, in the thread.
    await expect.poll(() => target.evaluate((node) => node === document.activeElement)).toBe(true)
    // Back in the thread's history: its newest reply is not loaded yet, and the way to it is offered.
    expect(await page.locator(`.thread-panel .message[data-id="${newestReply.id}"]`).count()).toBe(0)
    const toNewest = page.locator('.thread-panel').getByRole('button', { name: 'Jump to newest messages' })
    expect(await toNewest.isVisible()).toBe(true)
    await shot(page, 'search-jump-thread')
    await expectAccessible(page, 'a thread opened on a reply found by a search')
    await toNewest.click()
    await page.locator(`.thread-panel .message[data-id="${newestReply.id}"]`).waitFor()
    await context.close()
  })

  it('keeps results in step with an edit and a deletion', async () => {
    const { context, page } = await logIn(alice)
    const box = page.getByRole('searchbox', { name: 'Search messages' })
    await box.fill('unicorn')
    await box.press('Enter')
    const results = page.getByRole('list', { name: 'Search results' })
    await expect.poll(() => results.locator('li').count()).toBe(2)
    const sticker = results.locator('li', { hasText: 'sticker' })
    const stickerId = Number(await sticker.locator('a').getAttribute('data-id'))

    await api('PATCH', `/api/messages/${found.id}`, { content: 'the UNICORN launch moved to friday 🦄' }, bob.token)
    const edited = results.locator(`.search-result[data-id="${found.id}"]`)
    await expect.poll(() => edited.locator('.search-content').textContent()).toBe('the UNICORN launch moved to friday 🦄')
    expect(await edited.locator('mark').allTextContents()).toEqual(['UNICORN'])

    await api('DELETE', `/api/messages/${stickerId}`, undefined, bob.token)
    await expect.poll(() => results.locator('li').count()).toBe(1)
    expect(await page.getByText('1 result for “unicorn”').count()).toBe(1)
    await context.close()
  })

  it('ran without a script error', () => {
    expect(pageErrors).toEqual([])
  })
})
