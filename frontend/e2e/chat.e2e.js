// The whole product in a real browser: the built site against a real backend, people in separate contexts.

import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, expectAccessible, expectComposerToFitItsText } from './assertions.js'
import { account, fillSignUpForm, logInThroughForm, screenshotDir, shot, signUpThroughForm, startStack } from './harness.js'

const ATTACK = '<img src=x onerror=alert(1)>'
const DESKTOP = { width: 1200, height: 780 }
const PHONE = { width: 390, height: 780 }

let stack
const people = {}
// The script errors of every page any test opened, checked once at the end.
const scriptErrors = new Map()

/** Retry an assertion until it passes (the UI updates asynchronously), or fail with its last error. */
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

/** Someone signed up through the form in a browser of their own. */
async function signUp(details, viewport) {
  const person = await openBrowser(viewport)
  await signUpThroughForm(person.page, stack.siteUrl, details)
  return { ...person, ...details }
}

async function postMessage(token, body, roomId = null) {
  const response = await fetch(`${stack.backend.url}${roomId ? `/api/rooms/${roomId}/messages` : '/api/messages'}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(201)
  return response.json()
}

const tokenOf = (page) => page.evaluate(() => sessionStorage.getItem('confab.token'))

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
    await fillSignUpForm(signUpPage.page, stack.siteUrl, account('bob', 'Bob Builder'))
    await shot(signUpPage.page, 'signup')
    await expectAccessible(signUpPage.page, 'sign-up')
    await signUpPage.context.close()

    people.bob = await signUp(account('bob', 'Bob Builder'))
    // No conversations and no rooms yet: the empty states.
    await people.bob.page.locator('.empty-item', { hasText: 'No conversations yet. Start one with “New message”.' }).waitFor()
    await expectAccessible(people.bob.page, 'empty states')
    people.alice = await signUp(account('alice', 'Alice Liddell'))
    // The sidebar lists conversations, not everybody: Alice has none yet.
    await people.alice.page.locator('.sidebar', { hasText: 'No conversations yet' }).waitFor()
    expect(await conversationLink(people.alice.page, 'Bob Builder').count()).toBe(0)
    expect(await people.alice.page.locator('.me').textContent()).toContain('@alice')
  })

  it('shows a taken nickname next to the nickname field', async () => {
    const mallory = await openBrowser()
    await fillSignUpForm(mallory.page, stack.siteUrl, { ...account('alice', 'Not Alice'), email: 'mallory@example.com' })
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
    await expectAccessible(page, 'login')
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
    await alice.page.getByText('No messages yet. Say hello!').waitFor()
    await expectAccessible(alice.page, 'an empty conversation')
    // Opening a conversation puts the keyboard in its composer.
    expect(await alice.page.evaluate(() => document.activeElement?.id)).toBe('composer-input')
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
    await expectAccessible(alice.page, 'conversation')

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
    await expectAccessible(bob.page, 'offline banner')
    await send(alice, 'First, while you were away')
    await send(alice, 'Second, while you were away')
    await bob.context.setOffline(false)
    await banner(bob.page).waitFor({ state: 'hidden', timeout: 20000 })
    await eventually(async () =>
      expect(await bubbles(bob.page)).toEqual([...before, 'First, while you were away', 'Second, while you were away']),
    )
  })

  it('edits, reacts and deletes: seen live in the other window, one node each, accessible in every state', async () => {
    const { alice, bob } = people
    await send(alice, 'Meet at the libary')
    const mine = alice.page.locator('.messages .message.mine:not(.pending)').last()
    const hers = bob.page.locator('.messages .message', { hasText: 'Meet at the libary' })
    await hers.waitFor()
    // The message before it in Bob's window: no change to Alice's message may rebuild it.
    const neighbour = await bob.page.locator('.messages .message:not(.pending)').nth(-2).elementHandle()

    // Up in the empty composer edits Alice's last message; Enter saves.
    const composer = alice.page.getByRole('textbox', { name: /^Message/ })
    await composer.focus()
    await composer.press('ArrowUp')
    const editor = alice.page.getByRole('textbox', { name: 'Edit your message' })
    await editor.waitFor()
    await expectAccessible(alice.page, 'a message being edited')
    await shot(alice.page, 'edit-in-place')
    await editor.fill('Meet at the library')
    await editor.press('Enter')
    await eventually(async () => expect(await bob.page.locator('.messages .message .content', { hasText: 'Meet at the library' }).count()).toBe(1))
    const edited = bob.page.locator('.messages .message', { hasText: 'Meet at the library' })
    expect(await edited.locator('.edited').textContent()).toContain('edited')
    expect(await edited.locator('.content').textContent()).toBe('Meet at the library')

    // Edited to HTML: still text on both sides, nothing runs.
    await composer.press('ArrowUp')
    await editor.fill(ATTACK)
    await editor.press('Enter')
    await eventually(async () => expect((await bubbles(bob.page)).at(-1)).toBe(ATTACK))
    expect(await bob.page.locator('.messages img').count()).toBe(0)
    expect(await alice.page.locator('.messages img').count()).toBe(0)

    // Bob reacts from the picker, with the keyboard; Alice sees the count and who reacted on focus.
    const last = bob.page.locator('.messages .message:not(.pending)').last()
    await last.hover()
    await last.getByRole('button', { name: 'React to this message' }).focus()
    await bob.page.keyboard.press('Enter')
    await bob.page.getByRole('group', { name: 'Pick a reaction' }).waitFor()
    await expectAccessible(bob.page, 'the reaction picker')
    await shot(bob.page, 'reaction-picker')
    await bob.page.keyboard.press('Enter')
    const aliceReaction = mine.locator('.reaction', { hasText: '👍' })
    await eventually(async () => expect(await aliceReaction.textContent()).toBe('👍1'))
    await aliceReaction.focus()
    await alice.page.keyboard.press('Shift+Tab')
    await alice.page.keyboard.press('Tab')
    const tooltip = mine.locator('.reaction-who')
    expect(await tooltip.isVisible()).toBe(true)
    expect(await tooltip.textContent()).toBe('Bob Builder reacted with 👍')
    expect(await aliceReaction.getAttribute('aria-pressed')).toBe('false')
    await expectAccessible(alice.page, 'a message with reactions')
    // Alice adds hers by clicking the reaction: 2, pressed.
    await aliceReaction.click()
    await eventually(async () => expect(await last.locator('.reaction').textContent()).toBe('👍2'))
    // Bob's window may hear of it before Alice's own has her answer.
    await eventually(async () => expect(await aliceReaction.getAttribute('aria-pressed')).toBe('true'))

    // Delete asks first; then both sides show a tombstone in place.
    await mine.hover()
    await mine.getByRole('button', { name: 'Delete this message' }).click()
    await alice.page.getByRole('group', { name: 'Delete this message?' }).waitFor()
    await expectAccessible(alice.page, 'the delete confirmation')
    await mine.getByRole('button', { name: 'Delete', exact: true }).click()
    await eventually(async () => expect(await last.locator('.content').textContent()).toBe('Message deleted'))
    expect(await alice.page.locator('.messages .message.deleted').count()).toBe(1)
    expect(await last.locator('.reaction').count()).toBe(0)
    await expectAccessible(bob.page, 'a deleted message')
    // Bob's view patched that one message's node through all of it: its neighbour is the same node.
    expect(await neighbour.evaluate((node) => node.isConnected)).toBe(true)
  })

  it('shows a reply in a thread as a count under its root, live in both windows, and not in the list', async () => {
    const { alice, bob } = people
    await send(alice, 'Who brings dessert?')
    const root = alice.page.locator('.messages .message', { hasText: 'Who brings dessert?' })
    const rootId = Number(await root.getAttribute('data-id'))
    const aliceId = (await (await fetch(`${stack.backend.url}/api/me`, { headers: { Authorization: `Bearer ${await tokenOf(alice.page)}` } })).json()).id
    await postMessage(await tokenOf(bob.page), { recipient_id: aliceId, content: 'I will bring a tarte', thread_id: rootId })
    for (const page of [alice.page, bob.page]) {
      const summary = page.locator('.messages .message', { hasText: 'Who brings dessert?' }).locator('.thread-summary')
      await eventually(async () => expect(await summary.textContent()).toMatch(/^1 reply · last /))
      expect(await bubbles(page)).not.toContain('I will bring a tarte')
    }
    await shot(alice.page, 'thread-summary')
    // After a reload the server's history agrees: the root with its count, no reply in the list.
    await alice.page.reload()
    await alice.page.locator('.messages .message', { hasText: 'Who brings dessert?' }).locator('.thread-summary').waitFor()
    expect(await bubbles(alice.page)).not.toContain('I will bring a tarte')
  })

  it('catches up on an edit and a delete made while the window was offline (since), once each', async () => {
    const { alice, bob } = people
    await send(alice, 'Will be edited while you are away')
    await send(alice, 'Will be deleted while you are away')
    await eventually(async () => expect((await bubbles(bob.page)).slice(-2)).toEqual(['Will be edited while you are away', 'Will be deleted while you are away']))
    const token = await tokenOf(alice.page)
    const ids = await alice.page.locator('.messages .message.mine:not(.pending)').evaluateAll((nodes) => nodes.slice(-2).map((node) => Number(node.dataset.id)))
    await bob.context.setOffline(true)
    await banner(bob.page).waitFor()
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
    const edit = await fetch(`${stack.backend.url}/api/messages/${ids[0]}`, { method: 'PATCH', headers, body: JSON.stringify({ content: 'Edited while you were away' }) })
    expect(edit.status).toBe(200)
    const removal = await fetch(`${stack.backend.url}/api/messages/${ids[1]}`, { method: 'DELETE', headers })
    expect(removal.status).toBe(204)
    await send(alice, 'New while you were away')
    await bob.context.setOffline(false)
    await banner(bob.page).waitFor({ state: 'hidden', timeout: 20000 })
    await eventually(async () =>
      expect((await bubbles(bob.page)).slice(-3)).toEqual(['Edited while you were away', 'Message deleted', 'New while you were away']),
    )
    expect(await bob.page.locator('.messages .content', { hasText: 'New while you were away' }).count()).toBe(1)
    expect(await bob.page.locator('.messages .message', { hasText: 'Edited while you were away' }).locator('.edited').count()).toBe(1)
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
    await logInThroughForm(reader.page, people.bob)
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
    // Carol just signed up and has no conversation with Alice: she is found by typing, not listed.
    expect(await alice.page.locator('.sidebar').textContent()).not.toContain('Carol Danvers')
    const invite = alice.page.getByRole('combobox', { name: 'Find people' })
    for (const [typed, found] of [['bob', 'Bob Builder'], ['Carol Dan', 'Carol Danvers']]) {
      await invite.fill(typed)
      await alice.page.getByRole('option', { name: new RegExp(`^${found} `) }).click()
      await alice.page.locator('.invite-list', { hasText: found }).waitFor()
    }
    await shot(alice.page, 'new-room')
    await expectAccessible(alice.page, 'new room')
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
    await expectAccessible(bob.page, 'room with the members panel open')
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
    await expectAccessible(page, 'a conversation on a phone in dark mode')
    await page.getByRole('link', { name: 'All conversations' }).click()
    await conversationLink(page, 'Launch plans').waitFor()
    await phone.context.close()
  })

  it('keeps a scrolled-up reader in place, counts new messages on a button, and jumps to the newest', async () => {
    const { alice, bob } = people
    await openConversation(bob, 'Alice Liddell')
    await openConversation(alice, 'Bob Builder')
    const aliceToken = await tokenOf(alice.page)
    const bobId = Number((await conversationLink(alice.page, 'Bob Builder').getAttribute('href')).split('/').at(-1))
    const scroller = bob.page.locator('.scroller')
    await scroller.evaluate((element) => {
      element.scrollTop = 0
      element.dispatchEvent(new Event('scroll'))
    })
    await bob.page.waitForTimeout(300)
    const top = await scroller.evaluate((element) => element.scrollTop)
    for (let index = 1; index <= 3; index += 1) await postMessage(aliceToken, { recipient_id: bobId, content: `While you read above ${index}` })
    const button = bob.page.locator('.new-messages')
    await eventually(async () => expect(await button.textContent()).toBe('3 new messages'))
    expect(await scroller.evaluate((element) => element.scrollTop)).toBe(top)
    await expectAccessible(bob.page, 'conversation with the new-messages button')
    await shot(bob.page, 'new-messages-button')
    await button.focus()
    await bob.page.keyboard.press('Enter')
    await button.waitFor({ state: 'hidden' })
    expect((await bubbles(bob.page)).at(-1)).toBe('While you read above 3')
    const fromBottom = await scroller.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight)
    expect(fromBottom).toBeLessThan(5)
    expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe('composer-input')
  })

  it('counts arrivals in the tab title while the tab is hidden, and clears it on return', async () => {
    const { alice, bob } = people
    const setHidden = (hidden) =>
      bob.page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') })
        document.dispatchEvent(new Event('visibilitychange'))
      }, hidden)
    await setHidden(true)
    await send(alice, 'Are you there?')
    await send(alice, 'Hello?')
    await eventually(async () => expect(await bob.page.title()).toBe('(2) confab'))
    await setHidden(false)
    await eventually(async () => expect(await bob.page.title()).toBe('confab'))
    // Where the unseen ones start is marked.
    expect(await bob.page.locator('.unread-divider + .message .content').textContent()).toBe('Are you there?')
  })

  it('marks where unread messages start when a conversation opens', async () => {
    const { alice, bob } = people
    await bob.page.getByRole('link', { name: '+ New room' }).click()
    await bob.page.getByLabel('Room name').waitFor()
    await send(alice, 'First unread')
    await send(alice, 'Second unread')
    await eventually(async () => expect(await conversationLink(bob.page, 'Alice Liddell').locator('.badge').textContent()).toBe('2'))
    await openConversation(bob, 'Alice Liddell')
    await eventually(async () => expect(await bob.page.locator('.unread-divider + .message .content').textContent()).toBe('First unread'))
    await expectAccessible(bob.page, 'conversation with the unread divider')
  })

  it('shows an unconfirmed send as failed with Retry and Discard; back online it arrives once, a discarded one never', async () => {
    const { alice, bob } = people
    await openConversation(bob, 'Alice Liddell')
    await alice.context.setOffline(true)
    await banner(alice.page).waitFor()
    const composer = alice.page.getByRole('textbox', { name: /^Message/ })
    for (const text of ['Kept and retried', 'Thrown away']) {
      await composer.fill(text)
      await composer.press('Enter')
    }
    const failed = (text) => alice.page.locator('.messages .failed', { hasText: text })
    await failed('Kept and retried').waitFor({ timeout: 10000 })
    await failed('Thrown away').waitFor({ timeout: 10000 })
    expect(await failed('Kept and retried').locator('.status').textContent()).toBe('Not sent: the server has not confirmed it yet.')
    await shot(alice.page, 'send-failed')
    await expectAccessible(alice.page, 'conversation with a failed send')
    await failed('Thrown away').getByRole('button', { name: 'Discard' }).click()
    await failed('Thrown away').waitFor({ state: 'detached' })
    await alice.context.setOffline(false)
    await banner(alice.page).waitFor({ state: 'hidden', timeout: 20000 })
    const retry = failed('Kept and retried').getByRole('button', { name: 'Retry' })
    if (await retry.count()) await retry.click().catch(() => {})
    await eventually(async () => expect(await alice.page.locator('.messages .pending').count()).toBe(0))
    await eventually(async () => expect((await bubbles(bob.page)).at(-1)).toBe('Kept and retried'))
    await bob.page.waitForTimeout(500)
    const seen = await bubbles(bob.page)
    expect(seen.filter((text) => text === 'Kept and retried')).toHaveLength(1)
    expect(seen).not.toContain('Thrown away')
    expect(await bubbles(alice.page)).not.toContain('Thrown away')
  })

  it('tells a member removed from the room they are looking at, and leaves the room', async () => {
    const { alice, carol } = people
    // Alice has no DM with Carol, so Carol is not in her sidebar: ask the API who Carol is.
    const carolMe = await fetch(`${stack.backend.url}/api/me`, { headers: { Authorization: `Bearer ${await tokenOf(carol.page)}` } })
    const carolId = (await carolMe.json()).id
    const response = await fetch(`${stack.backend.url}/api/rooms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await tokenOf(alice.page)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Short-lived', member_ids: [carolId] }),
    })
    const room = await response.json()
    await openConversation(carol, 'Short-lived')
    const removal = await fetch(`${stack.backend.url}/api/rooms/${room.id}/members/${carolId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${await tokenOf(alice.page)}` },
    })
    expect(removal.status).toBe(204)
    const notice = carol.page.getByRole('heading', { name: 'You are no longer a member of Short-lived.' })
    await notice.waitFor()
    expect(await carol.page.evaluate(() => location.hash)).toBe('#/')
    expect(await carol.page.evaluate(() => document.activeElement?.textContent)).toBe('You are no longer a member of Short-lived.')
    expect(await conversationLink(carol.page, 'Short-lived').count()).toBe(0)
    await expectAccessible(carol.page, 'removed from a room')
    await shot(carol.page, 'removed-from-room')
  })

  it('works from the keyboard: Tab reaches a conversation with a visible focus ring, Enter opens it in the composer', async () => {
    const { bob } = people
    await bob.page.goto(`${stack.siteUrl}/#/`)
    await bob.page.getByRole('heading', { name: 'Welcome to confab' }).waitFor()
    const focused = () =>
      bob.page.evaluate(() => {
        const element = document.activeElement
        const style = getComputedStyle(element)
        return { href: element.getAttribute('href'), text: element.textContent, outline: `${style.outlineStyle} ${style.outlineWidth}` }
      })
    let current = null
    for (let press = 0; press < 30; press += 1) {
      await bob.page.keyboard.press('Tab')
      current = await focused()
      if (current.href?.startsWith('#/people/') && current.text.includes('Alice Liddell')) break
    }
    expect(current.text).toContain('Alice Liddell')
    expect(current.outline).toBe('solid 2px')
    await bob.page.keyboard.press('Enter')
    await bob.page.locator('#conversation-title', { hasText: 'Alice Liddell' }).waitFor()
    await eventually(async () => expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe('composer-input'))
    // Back out through the header link, then the new-room form takes the focus in its first field.
    await bob.page.getByRole('link', { name: '+ New room' }).focus()
    await bob.page.keyboard.press('Enter')
    await bob.page.getByLabel('Room name').waitFor()
    await eventually(async () => expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe('room-name'))
  })

  it('grows the composer with what is written, up to a cap past which it scrolls, and shrinks it after sending', async () => {
    const { bob } = people
    await openConversation(bob, 'Alice Liddell')
    await expectComposerToFitItsText(bob.page.locator('#composer-input'), async () => (await bubbles(bob.page)).at(-1))
  })

  it('raised no script errors in any page', () => {
    expect(scriptErrors.size).toBeGreaterThanOrEqual(Object.keys(people).length)
    for (const person of Object.values(people)) expect(person.pageErrors).toEqual([])
    for (const pageErrors of scriptErrors.values()) expect(pageErrors).toEqual([])
  })
})
