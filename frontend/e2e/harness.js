// What the browser tests stand on: a real backend (uvicorn on a free port, a fresh SQLite file),
// the site built with VITE_API_URL pointing at it and served by a tiny static server, and Debian's Chromium.

import { spawn, spawnSync } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { build } from 'vite'

export const frontendDir = fileURLToPath(new URL('..', import.meta.url))
export const repoDir = path.resolve(frontendDir, '..')
export const screenshotDir = path.join(frontendDir, 'e2e', 'screenshots')
const venvBin = path.join(repoDir, 'backend', '.venv', 'bin')

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** `uvicorn confab.asgi:app` as a child process that can be stopped and started again on the same port. */
export class Backend {
  constructor({ port, workDir, corsOrigin, environment = {} }) {
    this.port = port
    this.url = `http://127.0.0.1:${port}`
    this.workDir = workDir
    this.logPath = path.join(workDir, 'backend.log')
    this.environment = {
      ...process.env,
      DATABASE_URL: `sqlite+aiosqlite:///${path.join(workDir, 'confab.db')}`,
      SECRET_KEY: 'e2e-secret-key-that-is-long-enough-for-hs256',
      PASSWORD_HASH_PROFILE: 'CHEAPEST',
      RATE_LIMITS: 'off',
      CORS_ORIGINS: corsOrigin,
      ...environment,
    }
    this.process = null
  }

  migrate() {
    const result = spawnSync(path.join(venvBin, 'confab'), ['migrate'], { cwd: this.workDir, env: this.environment, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`confab migrate failed:\n${result.stdout}\n${result.stderr}`)
  }

  async start(timeoutMs = 30000) {
    const log = openSync(this.logPath, 'a')
    this.process = spawn(
      path.join(venvBin, 'uvicorn'),
      ['confab.asgi:app', '--host', '127.0.0.1', '--port', String(this.port)],
      { cwd: this.workDir, env: this.environment, stdio: ['ignore', log, log] },
    )
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.process.exitCode != null) throw new Error(`the backend exited early:\n${this.log()}`)
      try {
        if ((await fetch(`${this.url}/api/version`)).ok) return
      } catch {
        // not listening yet
      }
      await sleep(100)
    }
    throw new Error(`the backend did not answer in ${timeoutMs} ms:\n${this.log()}`)
  }

  async stop() {
    const child = this.process
    if (!child || child.exitCode != null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
    await exited
    clearTimeout(timer)
  }

  log() {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8').slice(-4000) : ''
  }
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/** Serve a built site: files as they are, anything else as index.html (the app routes by hash anyway). */
export function serveStatic(directory, port) {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url, 'http://site').pathname)
    let file = path.join(directory, path.normalize(pathname))
    if (!file.startsWith(directory) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(directory, 'index.html')
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(response)
  })
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}

/** Build the site into `outDir` with the API at `apiUrl`, as a deployment would. */
export async function buildSite(apiUrl, outDir) {
  process.env.VITE_API_URL = apiUrl
  await build({ root: frontendDir, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
}

/**
 * Everything the tests need, started (`environment`: settings for the backend; `backendStartMs`: how long
 * its start may take); `close()` stops it all.
 */
export async function startStack({ environment = {}, backendStartMs = undefined } = {}) {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'confab-e2e-'))
  const [backendPort, sitePort] = [await freePort(), await freePort()]
  const siteUrl = `http://127.0.0.1:${sitePort}`
  const backend = new Backend({ port: backendPort, workDir, corsOrigin: siteUrl, environment })
  backend.migrate()
  await backend.start(backendStartMs)
  const siteDir = path.join(workDir, 'site')
  await buildSite(backend.url, siteDir)
  const site = await serveStatic(siteDir, sitePort)
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  return {
    backend,
    siteUrl,
    browser,
    workDir,
    async close() {
      await browser.close().catch(() => {})
      await backend.stop()
      await new Promise((resolve) => site.close(resolve))
      rmSync(workDir, { recursive: true, force: true })
    },
  }
}

/** A JSON request to the backend at `baseUrl`, with `token` as its bearer when given; throws on an error status. */
export async function apiRequest(baseUrl, method, route, body, token) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch(`${baseUrl}${route}`, { method, headers, body: body == null ? undefined : JSON.stringify(body) })
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`)
  return response.status === 204 ? null : response.json()
}

/** An account made through the API: `account`'s details, with its id and a token. */
export async function registerThroughApi(baseUrl, nickname, name) {
  const details = account(nickname, name)
  const user = await apiRequest(baseUrl, 'POST', '/api/users', details)
  const { access_token: token } = await apiRequest(baseUrl, 'POST', '/api/auth/token', { nickname, password: details.password })
  return { ...details, id: user.id, token }
}

/** Save a screenshot of `page` as `<name>.png` in the screenshots folder. */
export function shot(page, name) {
  return page.screenshot({ path: path.join(screenshotDir, `${name}.png`) })
}

/** A test account's details; its email and password follow from its nickname. */
export function account(nickname, name) {
  return { name, email: `${nickname}@example.com`, nickname, password: `${nickname}-password` }
}

/** Open the sign-up form on `page` and fill it with `details` (from `account`), without sending it. */
export async function fillSignUpForm(page, siteUrl, details) {
  await page.goto(`${siteUrl}/#/signup`)
  await page.getByLabel('Your name').fill(details.name)
  await page.getByLabel('Email').fill(details.email)
  await page.getByLabel('Nickname').fill(details.nickname)
  await page.getByLabel('Password').fill(details.password)
}

/** Sign up as `details` through the form on `page` and wait for the signed-in home; answers the session's token. */
export async function signUpThroughForm(page, siteUrl, details) {
  await fillSignUpForm(page, siteUrl, details)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Welcome to confab' }).waitFor()
  return page.evaluate(() => sessionStorage.getItem('confab.token'))
}

/** Log in as `person` ({nickname, password}) through the form `page` shows (the site, signed out) and wait for the signed-in home. */
export async function logInThroughForm(page, { nickname, password }) {
  await page.getByLabel('Nickname').fill(nickname)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByRole('heading', { name: 'Welcome to confab' }).waitFor()
}

/**
 * A browser context of its own (its own sessionStorage: one person) on the site started by `startStack`,
 * logged in as `person` ({nickname, password}) through the form. The page's script errors go into `errors`
 * as "nickname: message"; `beforeOpening(page)` runs before the site loads (to watch its requests).
 */
export async function loggedInPage(stack, person, { viewport = { width: 1200, height: 780 }, errors = [], beforeOpening } = {}) {
  const context = await stack.browser.newContext({ viewport })
  context.setDefaultTimeout(15000)
  const page = await context.newPage()
  page.on('pageerror', (error) => errors.push(`${person.nickname}: ${error.message}`))
  await beforeOpening?.(page)
  await page.goto(stack.siteUrl)
  await logInThroughForm(page, person)
  return { context, page, errors }
}

/** A textarea's drawn height (CSS pixels) and whether its text overflows it (it shows a scroll bar). */
export function textareaFit(locator) {
  return locator.evaluate((element) => ({ height: element.getBoundingClientRect().height, overflows: element.scrollHeight > element.clientHeight }))
}
