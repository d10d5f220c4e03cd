// The web client on a server with 5,000 accounts: the first load fetches my conversations, not the directory.

import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRequest, loggedInPage, repoDir, startStack } from './harness.js'

const ACCOUNTS = 5000
const CONVERSATIONS = 20
const PEOPLE_BUDGET_BYTES = 50 * 1024

let stack

/** Write the accounts straight into the database, as the benchmark does (5,000 sign-ups would hash 5,000 passwords). */
function seedAccounts(count) {
  const database = path.join(stack.workDir, 'confab.db')
  const script = `from pathlib import Path; from bench.directory import people, seed_accounts; seed_accounts(Path(${JSON.stringify(database)}), people(${count}))`
  const result = spawnSync(path.join(repoDir, 'backend', '.venv', 'bin', 'python'), ['-c', script], {
    cwd: path.join(repoDir, 'backend'),
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`seeding failed:\n${result.stdout}\n${result.stderr}`)
}

const api = (method, route, body, token) => apiRequest(stack.backend.url, method, route, body, token)

describe('confab with thousands of accounts', () => {
  beforeAll(async () => {
    stack = await startStack()
    seedAccounts(ACCOUNTS)
  }, 180000)

  afterAll(async () => {
    await stack?.close()
  })

  const dora = { name: 'Dora Explorer', email: 'dora@example.com', nickname: 'dora', password: 'dora-password' }

  it(`loads less than 50 KB of people with ${ACCOUNTS} accounts and ${CONVERSATIONS} conversations`, async () => {
    await api('POST', '/api/users', dora)
    const { access_token: token } = await api('POST', '/api/auth/token', { nickname: dora.nickname, password: dora.password })
    for (let id = 1; id <= CONVERSATIONS; id += 1) await api('POST', '/api/messages', { recipient_id: id, content: `hello ${id}` }, token)
    const everybody = await fetch(`${stack.backend.url}/api/users`, { headers: { Authorization: `Bearer ${token}` } })
    const everybodyBytes = (await everybody.arrayBuffer()).byteLength

    const peopleRequests = []
    const { context, page, errors } = await loggedInPage(stack, dora, {
      beforeOpening(opening) {
        opening.on('request', (request) => {
          if (new URL(request.url()).pathname === '/api/users' && request.method() === 'GET') peopleRequests.push(request)
        })
      },
    })
    const sidebarPeople = page.locator('[aria-labelledby="people-heading"] a.item')
    await expect.poll(() => sidebarPeople.count(), { timeout: 15000 }).toBe(CONVERSATIONS)
    // Connected, and a moment more: a read of the lists after the socket's catch-up would have gone out by now.
    await page.locator('.app[data-connection="online"]').waitFor()
    await page.waitForTimeout(1000)

    const sizes = await Promise.all(peopleRequests.map(async (request) => (await (await request.response()).body()).byteLength))
    const loaded = sizes.reduce((sum, size) => sum + size, 0)
    console.log(`people data on first load: ${loaded} bytes in ${sizes.length} request(s); the whole directory is ${everybodyBytes} bytes`)
    // My conversations, asked for once: never the whole directory, and not again after connecting.
    expect(peopleRequests.map((request) => new URL(request.url()).searchParams.get('conversations'))).toEqual(['true'])
    expect(loaded).toBeLessThan(PEOPLE_BUDGET_BYTES)
    expect(everybodyBytes).toBeGreaterThan(PEOPLE_BUDGET_BYTES) // the budget means something at this size
    expect(errors).toEqual([])
    await context.close()
  })

  it('invites to a new room and adds to a room people found by typing, never downloading everybody', async () => {
    const quentin = { name: 'Quentin Zebulon', email: 'quentin@example.com', nickname: 'quentinz', password: 'quentin-password' }
    const xavier = { name: 'Xavier Quillfeather', email: 'xavier@example.com', nickname: 'xquill', password: 'xavier-password' }
    for (const person of [quentin, xavier]) await api('POST', '/api/users', person)

    const { context, page, errors } = await loggedInPage(stack, dora)
    const sidebarPeople = page.locator('[aria-labelledby="people-heading"] a.item')
    await expect.poll(() => sidebarPeople.count(), { timeout: 15000 }).toBe(CONVERSATIONS)
    expect(await sidebarPeople.allTextContents()).not.toContainEqual(expect.stringContaining('Quentin'))

    const peopleRequests = []
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/api/users' && response.request().method() === 'GET') peopleRequests.push(response)
    })
    await page.getByRole('link', { name: '+ New room' }).click()
    await page.getByLabel('Room name').fill('Zebra crossing')
    const invite = page.getByRole('combobox', { name: 'Find people' })
    await invite.fill('Quentin Zeb')
    await page.getByRole('option', { name: 'Quentin Zebulon (@quentinz), offline' }).waitFor()
    await invite.press('Enter')
    await page.locator('.invite-list', { hasText: 'Quentin Zebulon' }).waitFor()
    await page.getByRole('button', { name: 'Create room' }).click()
    await page.locator('#conversation-title', { hasText: 'Zebra crossing' }).waitFor()

    await page.getByRole('button', { name: 'Members' }).click()
    const add = page.getByRole('combobox', { name: 'Add a person' })
    await add.fill('quill')
    await page.getByRole('option', { name: 'Xavier Quillfeather (@xquill), offline' }).waitFor()
    await add.press('Enter')
    await page.locator('.member-list', { hasText: 'Xavier Quillfeather' }).waitFor()
    expect(await page.locator('.member-list').textContent()).toContain('Quentin Zebulon')

    const sizes = await Promise.all(peopleRequests.map(async (response) => (await response.body()).byteLength))
    const loaded = sizes.reduce((sum, size) => sum + size, 0)
    console.log(`people data while making a room and adding a member: ${loaded} bytes in ${sizes.length} request(s)`)
    // Every people request was a search: nothing asked for the whole directory.
    expect(peopleRequests.length).toBeGreaterThan(0)
    for (const response of peopleRequests) expect(new URL(response.url()).searchParams.get('q')).toBeTruthy()
    expect(loaded).toBeLessThan(PEOPLE_BUDGET_BYTES)
    expect(errors).toEqual([])
    await context.close()
  })
})
