// Profiles in a real browser: a rename (and a new picture) made in one window shows in another at once;
// closing an account logs it out and leaves its messages, signed "Deleted user", with the others.

import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, expectAccessible } from './assertions.js'
import { account, apiRequest, screenshotDir, signUpThroughForm, startStack } from './harness.js'

// A 4x4 red PNG: enough for the server to decode, size and thumbnail.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAFElEQVR4nGM8ISfHAANMDEgANwcANHYBDK9qubUAAAAASUVORK5CYII=', 'base64')

let stack
const pageErrors = []
// The machine may be busy with other test runs: the backend gets longer to start than the shared harness gives.
const BACKEND_START_MS = 120000

const api = (token, method, route, body) => apiRequest(stack.backend.url, method, route, body, token)

/** A person in their own browser context, signed up through the form. */
async function signUp(nickname, name) {
  const context = await stack.browser.newContext({ viewport: { width: 1200, height: 780 } })
  context.setDefaultTimeout(15000)
  const page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
  const details = account(nickname, name)
  const token = await signUpThroughForm(page, stack.siteUrl, details)
  const me = await api(token, 'GET', '/api/me')
  return { context, page, token, id: me.id, nickname, name, password: details.password }
}

const authors = (page) => page.locator('.messages .message .author').allTextContents()
const personRow = (page, id) => page.locator(`.sidebar a.item[href="#/people/${id}"]`)

describe('profiles in a browser', () => {
  let alice
  let bob
  let room

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    stack = await startStack({ backendStartMs: BACKEND_START_MS })
    alice = await signUp('alice', 'Alice Liddell')
    bob = await signUp('bob', 'Bob Builder')
    room = await api(alice.token, 'POST', '/api/rooms', { name: 'tea-party', member_ids: [bob.id] })
    await api(alice.token, 'POST', `/api/rooms/${room.id}/messages`, { content: 'Who wants tea?' })
    await api(alice.token, 'POST', '/api/messages', { recipient_id: bob.id, content: 'hello bob' })
  }, 400000)

  afterAll(async () => {
    await stack?.close()
  })

  it('shows a name changed in one window in the other at once, in the sidebar and on messages', async () => {
    await bob.page.reload()
    await bob.page.locator('.sidebar a.item', { hasText: 'tea-party' }).click()
    await eventually(async () => expect(await authors(bob.page)).toEqual(['Alice Liddell']))
    await expect(personRow(bob.page, alice.id).locator('.item-title').textContent()).resolves.toBe('Alice Liddell')

    await alice.page.reload()
    await alice.page.getByRole('link', { name: /Your profile|Alice Liddell/ }).first().click()
    await alice.page.getByRole('heading', { name: 'Your profile' }).waitFor()
    await expectAccessible(alice.page, 'the profile dialog')
    await alice.page.getByLabel('Your name').fill('Alice in Wonderland')
    await alice.page.getByLabel('Status').fill('Late for a very important date')
    await alice.page.getByRole('button', { name: 'Save profile' }).click()
    await alice.page.getByText('Profile saved.').waitFor()
    await alice.page.screenshot({ path: path.join(screenshotDir, 'profile.png') })
    await expect(alice.page.locator('.sidebar .me .item-title').textContent()).resolves.toBe('Alice in Wonderland')
    await expect(alice.page.locator('.sidebar .me .item-subtitle').textContent()).resolves.toBe('Late for a very important date')

    // bob did nothing: user_updated brought it
    await eventually(async () => expect(await authors(bob.page)).toEqual(['Alice in Wonderland']))
    await eventually(async () =>
      expect(await personRow(bob.page, alice.id).locator('.item-title').textContent()).toBe('Alice in Wonderland'),
    )
    await expect(bob.page.locator('.sidebar a.item', { hasText: 'tea-party' }).locator('.item-subtitle').textContent()).resolves.toBe(
      'Alice in Wonderland: Who wants tea?',
    )
  })

  it('asks for the password before changing the email, and says when it is wrong', async () => {
    await alice.page.getByLabel('Email', { exact: true }).fill('alice@wonderland.example')
    const password = alice.page.getByLabel('Current password (needed to change the email)')
    await password.fill('not my password')
    await alice.page.getByRole('button', { name: 'Save profile' }).click()
    await alice.page.getByText('The current password is wrong').waitFor()
    expect(await alice.page.locator('.form-error').isHidden()).toBe(true)
    await password.fill(alice.password)
    await alice.page.getByRole('button', { name: 'Save profile' }).click()
    await alice.page.getByText('Profile saved.').waitFor()
    expect((await api(alice.token, 'GET', '/api/me')).email).toBe('alice@wonderland.example')
  })

  it('shows a new picture to the other window', async () => {
    await alice.page.getByLabel('Upload a picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG })
    await alice.page.getByRole('button', { name: 'Remove picture' }).waitFor()
    await eventually(async () => {
      const source = await personRow(bob.page, alice.id).locator('img.avatar-image').getAttribute('src')
      expect(source).toMatch(/\/api\/files\/\d+\/thumbnail\?expires=\d+&signature=/)
    })
    const loaded = await personRow(bob.page, alice.id)
      .locator('img.avatar-image')
      .evaluate((image) => image.complete && image.naturalWidth > 0)
    expect(loaded).toBe(true)
  })

  it('closes an account after the password, and the other window shows "Deleted user"', async () => {
    await alice.page.getByRole('button', { name: 'Close my account…' }).click()
    await alice.page.getByLabel('Your password').fill(alice.password)
    await alice.page.getByRole('button', { name: 'Close my account for good' }).click()
    // The server's `session_ended` ("account closed") or the answer itself, whichever comes first, logs out.
    await alice.page.getByText(/account (is )?closed/).waitFor()
    await alice.page.getByRole('button', { name: 'Log in' }).waitFor()

    await eventually(async () => expect(await authors(bob.page)).toEqual(['Deleted user']))
    await eventually(async () =>
      expect(await personRow(bob.page, alice.id).locator('.item-title').textContent()).toBe('Deleted user'),
    )
    const login = await fetch(`${stack.backend.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nickname: 'alice', password: alice.password }),
    })
    expect(login.status).toBe(401)
    await bob.page.screenshot({ path: path.join(screenshotDir, 'profile-deleted-user.png') })
  })

  it('ran without a script error', () => {
    expect(pageErrors).toEqual([])
  })
})
