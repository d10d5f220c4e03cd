// Mentions in a real browser: Alice mentions Bob through the composer's @ autocomplete; Bob sees the
// unread-mention badge, then the mention highlighted as his; a room's notification level is set from its menu.

import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRequest, loggedInPage, registerThroughApi, screenshotDir, shot, startStack } from './harness.js'

let stack

const api = (method, route, body, token) => apiRequest(stack.backend.url, method, route, body, token)

const registered = (nickname, name) => registerThroughApi(stack.backend.url, nickname, name)

describe('mentions in a browser', () => {
  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    stack = await startStack()
  }, 180000)

  afterAll(async () => {
    await stack?.close()
  })

  it('mentions someone through the autocomplete; they see the badge, then the mention highlighted', async () => {
    const alice = await registered('alice', 'Alice Liddell')
    const bob = await registered('bob', 'Bob Builder')
    const bobby = await registered('bobby', 'Bobby Tables')
    const room = await api('POST', '/api/rooms', { name: 'launch', member_ids: [bob.id, bobby.id] }, alice.token)
    await api('POST', `/api/rooms/${room.id}/messages`, { content: 'welcome' }, alice.token)

    const bobWindow = await loggedInPage(stack, bob)
    const roomLink = bobWindow.page.locator(`a.item[href="#/rooms/${room.id}"]`)
    await roomLink.waitFor()
    const aliceWindow = await loggedInPage(stack, alice)
    await aliceWindow.page.locator(`a.item[href="#/rooms/${room.id}"]`).click()
    const composer = aliceWindow.page.getByLabel('Message the room launch')
    await composer.pressSequentially('ready, @bo')
    const options = aliceWindow.page.getByRole('listbox', { name: 'People to mention' }).getByRole('option')
    await expect.poll(() => options.allTextContents()).toEqual(['@bob Bob Builder', '@bobby Bobby Tables'])
    await composer.press('ArrowDown')
    await composer.press('ArrowUp')
    await composer.press('Enter') // picks @bob rather than sending
    expect(await composer.inputValue()).toBe('ready, @bob ')
    await composer.pressSequentially('launch?')
    await composer.press('Enter')
    const sent = aliceWindow.page.locator('.message.mine:not(.pending) .content', { hasText: 'launch?' })
    await sent.waitFor()
    expect(await sent.locator('.mention').allTextContents()).toEqual(['@bob'])
    expect(await sent.locator('.mention-me').count()).toBe(0)

    // Bob, looking elsewhere: the room's row carries an unread badge and a mention badge.
    await expect.poll(() => roomLink.locator('.mention-badge').textContent().catch(() => null)).toBe('@1')
    await bobWindow.page.screenshot({ path: path.join(screenshotDir, 'mention-badge.png') })
    await roomLink.click()
    const received = bobWindow.page.locator('.message.theirs .content', { hasText: 'launch?' })
    await received.waitFor()
    expect(await received.locator('.mention.mention-me').allTextContents()).toEqual(['@bob'])
    expect(await received.textContent()).toBe('ready, @bob launch?')
    await expect.poll(() => roomLink.locator('.mention-badge').count()).toBe(0)
    await bobWindow.page.screenshot({ path: path.join(screenshotDir, 'mention-highlighted.png') })

    // Bob quiets the room to mentions only, from its menu; the server keeps it.
    await bobWindow.page.getByLabel('Notify me of').selectOption('mentions')
    await expect
      .poll(async () => (await api('GET', '/api/rooms', null, bob.token)).find((listed) => listed.id === room.id).notification_level)
      .toBe('mentions')

    // Bob looks elsewhere; Alice mentions him again, then thinks better of it and deletes it: his badges go at once.
    await bobWindow.page.evaluate(() => {
      location.hash = '#/'
    })
    await bobWindow.page.getByRole('heading', { name: 'Welcome to confab' }).waitFor()
    await composer.fill('@bob never mind')
    await composer.press('Enter')
    const regret = aliceWindow.page.locator('.message.mine:not(.pending)', { hasText: 'never mind' })
    await regret.waitFor()
    await expect.poll(() => roomLink.locator('.mention-badge').textContent().catch(() => null)).toBe('@1')
    await regret.hover()
    await regret.getByRole('button', { name: 'Delete this message' }).click()
    await regret.getByRole('button', { name: 'Delete', exact: true }).click()
    await expect.poll(() => roomLink.locator('.mention-badge').count(), { timeout: 5000 }).toBe(0)
    expect(await roomLink.locator('.badge').count()).toBe(0)
    await shot(bobWindow.page, 'mention-badge-after-deletion')
    expect(bobWindow.errors).toEqual([])
    expect(aliceWindow.errors).toEqual([])
    await bobWindow.context.close()
    await aliceWindow.context.close()
  })
})
