// The whole product in a real browser: the built site against a real backend, people in separate contexts.

import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { screenshotDir, startStack } from './harness.js'

const ATTACK = '<img src=x onerror=alert(1)>'
const DESKTOP = { width: 1200, height: 780 }
const PHONE = { width: 390, height: 780 }

let stack
const people = {}
// The script errors of every page any test opened, checked once at the end.
const scriptErrors = new Map()

/** Retry an assertion until it passes (the UI updates asynchronously), or fail with its last error. */
async function eventually(assertion, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await assertion()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

/** A new browser context (its own sessionStorage: one person) on the site. */
async function openBrowser(viewport = DESKTOP, options = {}) {
  const context = await stack.browser.newContext({ viewport, ...options })
  context.setDefaultTimeout(15000)
  const page = await context.newPage()
  const dialogs = []
  const pageErrors = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    dialog.dismiss().catch(() => {})
  })
  page.on('pageerror', (error) => pageErrors.push(error.message))
  scriptErrors.set(page, pageErrors)
  await page.goto(stack.siteUrl)
  return { context, page, dialogs, pageErrors }
}

function account(nickname, name) {
  return { name, email: `${nickname}@example.com`, nickname, password: `${nickname}-password` }
}

async function fillSignUp(page, details) {
  await page.goto(`${stack.siteUrl}/#/signup`)
  await page.getByLabel('Your name').fill(details.name)
  await page.getByLabel('Email').fill(details.email)
  await page.getByLabel('Nickname').fill(details.nickname)
  await page.getByLabel('Password').fill(details.password)
}

async function signUp(details, viewport) {
  const person = await openBrowser(viewport)
  await fillSignUp(person.page, details)
  await person.page.getByRole('button', { name: 'Create account' }).click()
  await person.page.getByRole('heading', { name: 'Welcome to confab' }).waitFor()
  return { ...person, ...details }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) })
}

const conversationLink = (page, name) => page.locator('.sidebar a.item', { hasText: name })
const bubbles = (page) => page.locator('.messages .message:not(.pending) .content').allTextContents()
const banner = (page) => page.locator('.banner')

async function openConversation(person, name) {
  await conversationLink(person.page, name).click()
  await person.page.locator('#conversation-title', { hasText: name }).waitFor()
}

/** "New message", type part of a name, and pick the person with the keyboard: their conversation opens. */
async function startConversation(person, typed, name) {
  await person.page.getByRole('link', { name: '+ New message' }).click()
  const field = person.page.getByRole('combobox', { name: 'To' })
  await field.pressSequentially(typed)
  await person.page.getByRole('option', { name: new RegExp(name) }).waitFor()
  await shot(person.page, 'new-message')
  await field.press('Enter')
  await person.page.locator('#conversation-title', { hasText: name }).waitFor()
}

/** Type and press Enter, then wait until the server confirmed it (the pending bubble is gone). */
async function send(person, text) {
  const composer = person.page.getByRole('textbox', { name: /^Message/ })
  await composer.fill(text)
  await composer.press('Enter')
  await eventually(async () => {
    expect(await person.page.locator('.messages .pending').count()).toBe(0)
    expect(await bubbles(person.page)).toContain(text)
  })
}

describe('confab in a browser', () => {
  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    stack = await startStack()
  }, 180000)

  afterAll(async () => {
    await stack?.close()
  })

  it('signs two people up', async () => {
    const signUpPage = await openBrowser()
    await fillSignUp(signUpPage.page, account('bob', 'Bob Builder'))
    await shot(signUpPage.page, 'signup')
    await signUpPage.context.close()

    people.bob = await signUp(account('bob', 'Bob Builder'))
    people.alice = await signUp(account('alice', 'Alice Liddell'))
    // The sidebar lists conversations, not everybody: Alice has none yet.
    await people.alice.page.locator('.sidebar', { hasText: 'No conversations yet' }).waitFor()
    expect(await conversationLink(people.alice.page, 'Bob Builder').count()).toBe(0)
    expect(await people.alice.page.locator('.me').textContent()).toContain('@alice')
  })

  it('shows a taken nickname next to the nickname field', async () => {
    const mallory = await openBrowser()
    await fillSignUp(mallory.page, { ...account('alice', 'Not Alice'), email: 'mallory@example.com' })
    await mallory.page.getByRole('button', { name: 'Create account' }).click()
    const error = mallory.page.locator('#signup-nickname-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/already taken/)
    expect(await mallory.page.getByLabel('Nickname').getAttribute('aria-invalid')).toBe('true')
    await shot(mallory.page, 'signup-nickname-taken')
    await mallory.context.close()
  })

  it('logs out, refuses a wrong password in words, and logs back in', async () => {
    const { page } = people.alice
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor()
    expect(await page.evaluate(() => sessionStorage.getItem('confab.token'))).toBeNull()
    await page.getByLabel('Nickname').fill('alice')
    await page.getByLabel('Password').fill('not-her-password')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.locator('.form-error').waitFor()
    expect(await page.locator('.form-error').textContent()).toMatch(/wrong nickname or password/i)
    await shot(page, 'login-refused')
    await page.getByLabel('Password').fill(people.alice.password)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('heading', { name: 'Welcome to confab' }).waitFor()
  })

  it('delivers a direct message live, with the typing indicator and unread badge', async () => {
    const { alice, bob } = people
    // Alice finds Bob in the directory by part of his name, and her first message starts the conversation.
    await startConversation(alice, 'buil', 'Bob Builder')
    await send(alice, 'Hi Bob! Are you around?')
    await conversationLink(alice.page, 'Bob Builder').waitFor()

    // Bob had not heard of Alice when his page loaded: her message brings her into his list, unread.
    const aliceForBob = conversationLink(bob.page, 'Alice Liddell')
    await eventually(async () => expect(await aliceForBob.locator('.badge').textContent()).toBe('1'))
    await shot(bob.page, 'unread-badge')
    await openConversation(bob, 'Alice Liddell')
    await eventually(async () => expect(await bubbles(bob.page)).toEqual(['Hi Bob! Are you around?']))
    expect(await aliceForBob.locator('.badge').count()).toBe(0)

    await alice.page.getByRole('textbox', { name: /^Message/ }).pressSequentially('Lunch at noon', { delay: 20 })
    await bob.page.locator('.typing', { hasText: 'Alice Liddell is typing…' }).waitFor()
    await shot(bob.page, 'typing')
    await alice.page.getByRole('textbox', { name: /^Message/ }).press('Enter')
    await eventually(async () => expect(await bubbles(bob.page)).toEqual(['Hi Bob! Are you around?', 'Lunch at noon']))
    await send(bob, 'Sounds good.\nSee you there.')
    await eventually(async () => expect(await bubbles(alice.page)).toEqual(['Hi Bob! Are you around?', 'Lunch at noon', 'Sounds good.\nSee you there.']))
    await shot(alice.page, 'conversation')

    // The read marker went to the server: a reload (same tab, same session) shows no unread badge.
    await bob.page.reload()
    await conversationLink(bob.page, 'Alice Liddell').waitFor()
    expect(await conversationLink(bob.page, 'Alice Liddell').locator('.badge').count()).toBe(0)
    await openConversation(bob, 'Alice Liddell')
    await eventually(async () => expect((await bubbles(bob.page)).at(-1)).toBe('Sounds good.\nSee you there.'))
  })

  it('shows a message made of HTML as text, and runs nothing', async () => {
    const { alice, bob } = people
    await send(alice, ATTACK)
    await eventually(async () => expect((await bubbles(bob.page)).at(-1)).toBe(ATTACK))
    expect(await bob.page.locator('.messages img').count()).toBe(0)
    expect(await alice.page.locator('.messages img').count()).toBe(0)
    await bob.page.waitForTimeout(300)
    expect(bob.dialogs).toEqual([])
    expect(alice.dialogs).toEqual([])
  })

  it('catches up after the browser was offline: banner, then each missed message once, in order', async () => {
    const { alice, bob } = people
    const before = await bubbles(bob.page)
    await bob.context.setOffline(true)
    await banner(bob.page).waitFor()
    expect(await banner(bob.page).textContent()).toMatch(/Connection lost/)
    await shot(bob.page, 'offline-banner')
    await send(alice, 'First, while you were away')
    await send(alice, 'Second, while you were away')
    await bob.context.setOffline(false)
    await banner(bob.page).waitFor({ state: 'hidden', timeout: 20000 })
    await eventually(async () =>
      expect(await bubbles(bob.page)).toEqual([...before, 'First, while you were away', 'Second, while you were away']),
    )
  })

  it('survives a backend restart, sending what was written meanwhile once', async () => {
    const { alice, bob } = people
    const before = await bubbles(bob.page)
    await stack.backend.stop()
    await banner(alice.page).waitFor()
    await banner(bob.page).waitFor()
    const composer = alice.page.getByRole('textbox', { name: /^Message/ })
    await composer.fill('Written while the server was down')
    await composer.press('Enter')
    await alice.page.locator('.messages .pending', { hasText: 'Sending…' }).waitFor()
    await shot(alice.page, 'restart-pending')
    await stack.backend.start()
    await banner(alice.page).waitFor({ state: 'hidden', timeout: 20000 })
    await banner(bob.page).waitFor({ state: 'hidden', timeout: 20000 })
    await send(alice, 'And one after it came back')
    const expected = [...before, 'Written while the server was down', 'And one after it came back']
    await eventually(async () => expect(await bubbles(bob.page)).toEqual(expected))
    await eventually(async () => expect(await bubbles(alice.page)).toEqual(expected))
  })

  it('loads older messages when scrolling up, each once and in order', async () => {
    const token = await people.alice.page.evaluate(() => sessionStorage.getItem('confab.token'))
    const bobId = Number((await conversationLink(people.alice.page, 'Bob Builder').getAttribute('href')).split('/').at(-1))
    for (let index = 1; index <= 60; index += 1) {
      const response = await fetch(`${stack.backend.url}/api/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ recipient_id: bobId, content: `Backlog ${index}` }),
      })
      expect(response.status).toBe(201)
    }
    const reader = await openBrowser()
    await reader.page.getByLabel('Nickname').fill('bob')
    await reader.page.getByLabel('Password').fill(people.bob.password)
    await reader.page.getByRole('button', { name: 'Log in' }).click()
    await openConversation(reader, 'Alice Liddell')
    await eventually(async () => expect(await bubbles(reader.page)).toHaveLength(50))
    expect((await bubbles(reader.page)).at(-1)).toBe('Backlog 60')
    await eventually(async () => expect((await bubbles(people.bob.page)).at(-1)).toBe('Backlog 60'))
    const everything = await bubbles(people.bob.page)
    await eventually(async () => {
      await reader.page.locator('.scroller').evaluate((scroller) => scroller.scrollTo(0, 0))
      expect(await bubbles(reader.page)).toEqual(everything)
    })
    expect(everything.filter((text) => text.startsWith('Backlog'))).toEqual(Array.from({ length: 60 }, (_, index) => `Backlog ${index + 1}`))
    expect(await reader.page.locator('.load-older').isHidden()).toBe(true)
    await reader.context.close()
  })

  it('runs a room with three members: create, talk, live membership, leave', async () => {
    const { alice, bob } = people
    people.carol = await signUp(account('carol', 'Carol Danvers'))
    const { carol } = people

    await alice.page.getByRole('link', { name: '+ New room' }).click()
    await alice.page.getByLabel('Room name').fill('Launch plans')
    await alice.page.getByRole('checkbox', { name: /Bob Builder/ }).check()
    await alice.page.getByRole('checkbox', { name: /Carol Danvers/ }).check()
    await shot(alice.page, 'new-room')
    await alice.page.getByRole('button', { name: 'Create room' }).click()
    await alice.page.locator('#conversation-title', { hasText: 'Launch plans' }).waitFor()

    for (const member of [bob, carol]) await conversationLink(member.page, 'Launch plans').waitFor()
    await send(alice, 'Welcome to the launch room')
    await eventually(async () =>
      expect(await conversationLink(carol.page, 'Launch plans').locator('.item-subtitle').textContent()).toBe(
        'Alice Liddell: Welcome to the launch room',
      ),
    )
    await openConversation(carol, 'Launch plans')
    await openConversation(bob, 'Launch plans')
    await send(carol, 'Glad to be here')
    await send(bob, 'Me too')
    const expected = ['Welcome to the launch room', 'Glad to be here', 'Me too']
    for (const member of [alice, bob, carol]) await eventually(async () => expect(await bubbles(member.page)).toEqual(expected))
    expect(await alice.page.locator('.message .author').allTextContents()).toEqual(['Carol Danvers', 'Bob Builder'])

    await bob.page.getByRole('button', { name: 'Members' }).click()
    await shot(bob.page, 'room-members')
    await bob.page.getByRole('button', { name: 'Leave room' }).click()
    await bob.page.getByRole('button', { name: 'Leave', exact: true }).click()
    await conversationLink(bob.page, 'Launch plans').waitFor({ state: 'detached' })
    await eventually(async () => expect(await alice.page.locator('.conversation-subtitle').textContent()).toMatch(/^2 members/))
    await send(carol, 'Bye Bob')
    await eventually(async () => expect((await bubbles(alice.page)).at(-1)).toBe('Bye Bob'))
    await shot(alice.page, 'room')
  })

  it('fits a phone screen (in dark mode): the list, then one conversation with a way back', async () => {
    const phone = await openBrowser(PHONE, { colorScheme: 'dark' })
    const { page } = phone
    await page.getByLabel('Nickname').fill('carol')
    await page.getByLabel('Password').fill(people.carol.password)
    await shot(page, 'phone-login')
    await page.getByRole('button', { name: 'Log in' }).click()
    await conversationLink(page, 'Launch plans').waitFor()
    await shot(page, 'phone-list')
    await openConversation(phone, 'Launch plans')
    expect(await page.locator('.sidebar').isVisible()).toBe(false)
    await eventually(async () => expect((await bubbles(page)).at(-1)).toBe('Bye Bob'))
    await shot(page, 'phone-conversation')
    await page.getByRole('link', { name: 'All conversations' }).click()
    await conversationLink(page, 'Launch plans').waitFor()
    await phone.context.close()
  })

  it('raised no script errors in any page', () => {
    expect(scriptErrors.size).toBeGreaterThanOrEqual(Object.keys(people).length)
    for (const person of Object.values(people)) expect(person.pageErrors).toEqual([])
    for (const pageErrors of scriptErrors.values()) expect(pageErrors).toEqual([])
  })
})
