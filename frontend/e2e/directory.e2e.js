// The web client on a server with 5,000 accounts: the first load fetches my conversations, not the directory.

import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoDir, startStack } from './harness.js'

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

async function api(method, route, body, token) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch(`${stack.backend.url}${route}`, { method, headers, body: body && JSON.stringify(body) })
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`)
  return response.json()
}

describe('confab with thousands of accounts', () => {
  beforeAll(async () => {
    stack = await startStack()
    seedAccounts(ACCOUNTS)
  }, 180000)

  afterAll(async () => {
    await stack?.close()
  })

  it(`loads less than 50 KB of people with ${ACCOUNTS} accounts and ${CONVERSATIONS} conversations`, async () => {
    const dora = { name: 'Dora Explorer', email: 'dora@example.com', nickname: 'dora', password: 'dora-password' }
    await api('POST', '/api/users', dora)
    const { access_token: token } = await api('POST', '/api/auth/token', { nickname: dora.nickname, password: dora.password })
    for (let id = 1; id <= CONVERSATIONS; id += 1) await api('POST', '/api/messages', { recipient_id: id, content: `hello ${id}` }, token)
    const everybody = await fetch(`${stack.backend.url}/api/users`, { headers: { Authorization: `Bearer ${token}` } })
    const everybodyBytes = (await everybody.arrayBuffer()).byteLength

    const context = await stack.browser.newContext({ viewport: { width: 1200, height: 780 } })
    context.setDefaultTimeout(15000)
    const page = await context.newPage()
    const peopleResponses = []
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/api/users' && response.request().method() === 'GET') peopleResponses.push(response)
    })
    await page.goto(stack.siteUrl)
    await page.getByLabel('Nickname').fill(dora.nickname)
    await page.getByLabel('Password').fill(dora.password)
    await page.getByRole('button', { name: 'Log in' }).click()
    const sidebarPeople = page.locator('[aria-labelledby="people-heading"] a.item')
    await expect.poll(() => sidebarPeople.count(), { timeout: 15000 }).toBe(CONVERSATIONS)

    const sizes = await Promise.all(peopleResponses.map(async (response) => (await response.body()).byteLength))
    const loaded = sizes.reduce((sum, size) => sum + size, 0)
    console.log(`people data on first load: ${loaded} bytes in ${sizes.length} request(s); the whole directory is ${everybodyBytes} bytes`)
    expect(peopleResponses.map((response) => new URL(response.url()).searchParams.get('conversations'))).toEqual(['true'])
    expect(loaded).toBeLessThan(PEOPLE_BUDGET_BYTES)
    expect(everybodyBytes).toBeGreaterThan(PEOPLE_BUDGET_BYTES) // the budget means something at this size
    await context.close()
  })
})
