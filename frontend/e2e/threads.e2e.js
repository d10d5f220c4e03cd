// Threads in a real browser: two people in a room, replies written in the thread panel, counts under the
// root, the reply live in the other's open panel, and the Threads view with unread threads first.

import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, expectAccessible, expectComposerToFitItsText } from './assertions.js'
import { apiRequest, loggedInPage, registerThroughApi, screenshotDir, shot, startStack } from './harness.js'

const DESKTOP = { width: 1400, height: 820 }

let stack
let room
const people = {}
const roots = {}
const scriptErrors = []

const call = (method, route, { token, body } = {}) => apiRequest(stack.backend.url, method, route, body, token)

/** An account made through the API, logged in through the login form in its own browser context. */
async function person(nickname, name) {
  const { id, token, ...details } = await registerThroughApi(stack.backend.url, nickname, name)
  const { context, page } = await loggedInPage(stack, details, { viewport: DESKTOP, errors: scriptErrors })
  return { id, name, token, context, page }
}

const rootIn = (page, text) => page.locator('.main .messages .message', { hasText: text })
const panel = (page) => page.locator('.thread-panel')
const panelReplies = (page) => panel(page).locator('.thread-messages .message:not(.pending) .content').allTextContents()
const threadsBadge = (page) => page.locator('.threads-link .badge')
const threadRows = (page) => page.locator('.thread-list li')

/** Type a reply in the open thread panel and wait until the server confirmed it. */
async function reply(page, text) {
  const composer = panel(page).getByRole('textbox', { name: 'Reply in the thread' })
  await composer.fill(text)
  await composer.press('Enter')
  await eventually(async () => {
    expect(await panel(page).locator('.pending').count()).toBe(0)
    expect(await panelReplies(page)).toContain(text)
  })
}

async function sendInRoom(page, text) {
  const composer = page.getByRole('textbox', { name: /^Message the room/ })
  await composer.fill(text)
  await composer.press('Enter')
  await eventually(async () => expect(await page.locator('.main .messages .message:not(.pending)', { hasText: text }).count()).toBe(1))
}

describe('threads in a browser', () => {
  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    stack = await startStack()
    people.alice = await person('alice', 'Alice Liddell')
    people.bob = await person('bob', 'Bob Builder')
    room = await call('POST', '/api/rooms', { token: people.alice.token, body: { name: 'release', member_ids: [people.bob.id] } })
    for (const { page } of Object.values(people)) {
      await page.locator('.sidebar a.item', { hasText: 'release' }).click()
      await page.locator('#conversation-title', { hasText: 'release' }).waitFor()
    }
  }, 180000)

  afterAll(async () => {
    await stack?.close()
  })

  it('opens a thread beside the conversation, and a reply from the other window arrives live in it', async () => {
    const { alice, bob } = people
    await sendInRoom(alice.page, 'Who reviews the release notes?')
    // Alice opens the thread from the message's actions, with the keyboard: the panel's composer takes the focus.
    await rootIn(alice.page, 'Who reviews the release notes?').focus()
    await rootIn(alice.page, 'Who reviews the release notes?').getByRole('button', { name: 'Reply in thread' }).press('Enter')
    await panel(alice.page).getByText('No replies yet.').waitFor()
    expect(await alice.page.evaluate(() => document.activeElement?.id)).toBe('thread-composer-input')
    expect(await panel(alice.page).locator('.thread-root .content').textContent()).toBe('Who reviews the release notes?')
    await expect(alice.page.url()).toMatch(new RegExp(`#/rooms/${room.id}/thread/\\d+$`))

    // Bob answers from his own window, through the same action and the panel's composer.
    await rootIn(bob.page, 'Who reviews the release notes?').hover()
    await rootIn(bob.page, 'Who reviews the release notes?').getByRole('button', { name: 'Reply in thread' }).click()
    await reply(bob.page, 'I will, after lunch')
    expect(await bob.page.locator('.main .messages .content').allTextContents()).not.toContain('I will, after lunch')

    // Alice: the reply in her open panel, the count under the root, and nothing new in the room's list.
    await eventually(async () => expect(await panelReplies(alice.page)).toEqual(['I will, after lunch']))
    for (const page of [alice.page, bob.page]) {
      await eventually(async () => expect(await rootIn(page, 'Who reviews the release notes?').locator('.thread-summary').textContent()).toMatch(/^1 reply · last /))
    }
    expect(await alice.page.locator('.main .messages .content').allTextContents()).not.toContain('I will, after lunch')
    await shot(alice.page, 'thread-panel')
    await expectAccessible(alice.page, 'the thread panel')

    // Escape closes Alice's panel and gives the keyboard back to the room's composer.
    await panel(alice.page).getByRole('textbox', { name: 'Reply in the thread' }).press('Escape')
    await panel(alice.page).waitFor({ state: 'detached' })
    expect(await alice.page.evaluate(() => document.activeElement?.id)).toBe('composer-input')
    expect(alice.page.url()).toMatch(new RegExp(`#/rooms/${room.id}$`))
  })

  it('counts replies from others as unread, lists unread threads first, and reads one by opening it', async () => {
    const { alice, bob } = people
    // A second reply while Alice's panel is closed: unread for her (she follows her own message's thread).
    await reply(bob.page, 'Done: two typos fixed')
    await eventually(async () => expect(await rootIn(alice.page, 'Who reviews the release notes?').locator('.thread-summary').textContent()).toMatch(/^2 replies · last /))
    await eventually(async () => expect(await threadsBadge(alice.page).textContent()).toBe('1'))

    // Another thread, more recently active, which Alice reads by clicking the reply count under its root.
    await sendInRoom(alice.page, 'Lunch at noon?')
    const lunch = Number(await rootIn(alice.page, 'Lunch at noon?').getAttribute('data-id'))
    roots.lunch = lunch
    roots.notes = Number(await rootIn(alice.page, 'Who reviews the release notes?').getAttribute('data-id'))
    await call('POST', `/api/rooms/${room.id}/messages`, { token: bob.token, body: { content: 'Noon is fine', thread_id: lunch } })
    await eventually(async () => expect(await threadsBadge(alice.page).textContent()).toBe('2'))
    await rootIn(alice.page, 'Lunch at noon?').locator('.thread-summary').click()
    await eventually(async () => expect(await panelReplies(alice.page)).toEqual(['Noon is fine']))
    await eventually(async () => expect(await threadsBadge(alice.page).textContent()).toBe('1'))
    await panel(alice.page).getByRole('button', { name: 'Close thread' }).click()
    await panel(alice.page).waitFor({ state: 'detached' })

    // The Threads view: the unread thread first although the other one is more recent.
    await alice.page.locator('.threads-link').click()
    await alice.page.getByRole('heading', { name: 'Threads', exact: true }).waitFor()
    await eventually(async () => {
      expect(await threadRows(alice.page).count()).toBe(2)
      expect(await threadRows(alice.page).nth(0).textContent()).toContain('Who reviews the release notes?')
      expect(await threadRows(alice.page).nth(0).locator('.badge').textContent()).toBe('1')
      expect(await threadRows(alice.page).nth(1).textContent()).toContain('Lunch at noon?')
      expect(await threadRows(alice.page).nth(1).locator('.badge').isHidden()).toBe(true)
    })
    expect(await threadRows(alice.page).nth(0).textContent()).toContain('#release')
    expect(await threadRows(alice.page).nth(0).textContent()).toContain('2 replies')
    await shot(alice.page, 'threads-view')
    await expectAccessible(alice.page, 'the Threads view')

    // Opening it shows the thread beside its room and marks it read, here and on the server.
    await threadRows(alice.page).nth(0).locator('a').click()
    await eventually(async () => expect(await panelReplies(alice.page)).toEqual(['I will, after lunch', 'Done: two typos fixed']))
    await alice.page.locator('#conversation-title', { hasText: 'release' }).waitFor()
    await eventually(async () => expect(await threadsBadge(alice.page).isHidden()).toBe(true))
    await eventually(async () => {
      const followed = await call('GET', '/api/threads', { token: alice.token })
      expect(followed.map((thread) => [thread.root.content, thread.unread])).toEqual([
        ['Lunch at noon?', 0],
        ['Who reviews the release notes?', 0],
      ])
    })
    await alice.page.locator('.threads-link').click()
    await eventually(async () => {
      expect(await threadRows(alice.page).nth(0).textContent()).toContain('Lunch at noon?')
      expect(await threadRows(alice.page).nth(1).textContent()).toContain('Who reviews the release notes?')
      expect(await alice.page.locator('.thread-list .badge:visible').count()).toBe(0)
    })
  })

  it('follows and unfollows from the panel', async () => {
    const { bob } = people
    await bob.page.locator('.thread-panel .thread-follow').waitFor()
    const toggle = panel(bob.page).locator('.thread-follow')
    await eventually(async () => expect(await toggle.getAttribute('aria-pressed')).toBe('true'))
    await toggle.click()
    await eventually(async () => expect(await toggle.getAttribute('aria-pressed')).toBe('false'))
    expect((await call('GET', '/api/threads', { token: bob.token })).map((thread) => thread.root.content)).not.toContain('Who reviews the release notes?')
    await toggle.click()
    await eventually(async () => expect(await toggle.getAttribute('aria-pressed')).toBe('true'))
    expect((await call('GET', '/api/threads', { token: bob.token })).map((thread) => thread.root.content)).toContain('Who reviews the release notes?')
  })

  it('catches up on replies missed while offline: into the open panel, and into the Threads count', async () => {
    const { alice, bob } = people
    await alice.page.evaluate((hash) => {
      location.hash = hash
    }, `#/rooms/${room.id}/thread/${roots.lunch}`)
    await eventually(async () => expect(await panelReplies(alice.page)).toEqual(['Noon is fine']))
    await alice.context.setOffline(true)
    await alice.page.locator('.banner').waitFor()
    await call('POST', `/api/rooms/${room.id}/messages`, { token: bob.token, body: { content: 'Or half past?', thread_id: roots.lunch } })
    await call('POST', `/api/rooms/${room.id}/messages`, { token: bob.token, body: { content: 'Changelog too', thread_id: roots.notes } })
    await alice.context.setOffline(false)
    await alice.page.locator('.banner').waitFor({ state: 'hidden', timeout: 20000 })
    await eventually(async () => expect(await panelReplies(alice.page)).toEqual(['Noon is fine', 'Or half past?']))
    await eventually(async () => expect(await threadsBadge(alice.page).textContent()).toBe('1'))
    await eventually(async () => expect(await rootIn(alice.page, 'Who reviews the release notes?').locator('.thread-summary').textContent()).toMatch(/^3 replies · last /))
    await alice.page.locator('.threads-link').click()
    await eventually(async () => {
      expect(await threadRows(alice.page).nth(0).textContent()).toContain('Who reviews the release notes?')
      expect(await threadRows(alice.page).nth(0).locator('.badge').textContent()).toBe('1')
      expect(await threadRows(alice.page).nth(1).locator('.badge').isHidden()).toBe(true)
    })
  })

  it('grows the reply box with what is written, up to a cap past which it scrolls, and shrinks it after sending', async () => {
    const { bob } = people
    await bob.page.evaluate((hash) => {
      location.hash = hash
    }, `#/rooms/${room.id}/thread/${roots.notes}`)
    const composer = panel(bob.page).getByRole('textbox', { name: 'Reply in the thread' })
    await expectComposerToFitItsText(composer, async () => (await panelReplies(bob.page)).at(-1))
  })

  it('ran without a script error in any window', () => {
    expect(scriptErrors).toEqual([])
  })
})
