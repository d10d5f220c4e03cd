// Files in a real browser: one person attaches (picker, drop, paste), the other sees the thumbnail and the
// file card live; uploads can be cancelled, a refusal shows on its chip, and expired links renew themselves.

import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, expectAccessible } from './assertions.js'
import { account, screenshotDir, signUpThroughForm, startStack } from './harness.js'

// Short enough to see links expire within a test, long enough for everything else to use them first.
const LINK_LIFETIME_SECONDS = 15
const MAX_UPLOAD_BYTES = 3 * 1024 * 1024

let stack
const people = {}
const scriptErrors = []

/** A PNG of one colour, made here so the test needs no fixture file. */
function png(width, height, [red, green, blue]) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const checksum = Buffer.alloc(4)
    checksum.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, checksum])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8 bits per channel, RGB, no interlace
  const row = Buffer.alloc(1 + width * 3)
  for (let x = 0; x < width; x += 1) row.set([red, green, blue], 1 + x * 3)
  const pixels = Buffer.concat(Array.from({ length: height }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Sign up in a browser context of one's own; answers the page, the context and the token. */
async function signUp(nickname, name) {
  const context = await stack.browser.newContext({ viewport: { width: 1200, height: 800 } })
  context.setDefaultTimeout(15000)
  const page = await context.newPage()
  page.on('pageerror', (error) => scriptErrors.push(`${nickname}: ${error.message}`))
  const token = await signUpThroughForm(page, stack.siteUrl, account(nickname, name))
  const me = await (await fetch(`${stack.backend.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } })).json()
  return { context, page, token, id: me.id, name }
}

async function openConversation(person, name) {
  await person.page.locator('.sidebar a.item', { hasText: name }).click()
  await person.page.locator('#conversation-title', { hasText: name }).waitFor()
}

const chips = (page) => page.locator('.upload-chip')
const sendButton = (page) => page.locator('.composer button[type="submit"]')
/** The last confirmed message on a page. */
const lastMessage = (page) => page.locator('.messages .message:not(.pending)').last()

/** Whether an image has arrived and decoded in the page (not just its box reserved). */
const loaded = (image) => image.evaluate((element) => element.complete && element.naturalWidth > 0)

describe('files in a browser', () => {
  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    stack = await startStack({
      environment: { FILE_URL_LIFETIME_SECONDS: String(LINK_LIFETIME_SECONDS), MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) },
    })
    people.alice = await signUp('alice', 'Alice Liddell')
    people.bob = await signUp('bob', 'Bob Builder')
    // A first message starts the conversation on both sides.
    const response = await fetch(`${stack.backend.url}/api/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${people.alice.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ recipient_id: people.bob.id, content: 'Photos from the beach coming' }),
    })
    expect(response.status).toBe(201)
    await openConversation(people.alice, 'Bob Builder')
    await openConversation(people.bob, 'Alice Liddell')
  }, 180000)

  afterAll(async () => {
    await stack?.close()
  })

  it('sends an image picked with Attach; the other window shows its thumbnail live, full size in a new tab', async () => {
    const { alice, bob } = people
    await alice.page.locator('.composer input[type="file"]').setInputFiles({ name: 'beach.png', mimeType: 'image/png', buffer: png(800, 600, [30, 144, 255]) })
    await eventually(async () => {
      expect(await chips(alice.page).count()).toBe(1)
      expect(await chips(alice.page).first().getAttribute('class')).toContain('done')
      expect(await sendButton(alice.page).isEnabled()).toBe(true)
    })
    expect(await chips(alice.page).first().locator('.upload-name').textContent()).toBe('beach.png')
    await sendButton(alice.page).click()
    await eventually(async () => expect(await alice.page.locator('.messages .pending').count()).toBe(0))
    expect(await chips(alice.page).count()).toBe(0)

    // Bob's window, never reloaded: a thumbnail, its box reserved from the image's size, and no empty bubble.
    const image = lastMessage(bob.page).locator('img')
    await image.waitFor()
    expect([await image.getAttribute('width'), await image.getAttribute('height')]).toEqual(['320', '240'])
    await eventually(async () => expect(await loaded(image)).toBe(true))
    // The server's thumbnail: 400 px on its longest side.
    expect(await image.evaluate((element) => [element.naturalWidth, element.naturalHeight])).toEqual([400, 300])
    expect(await lastMessage(bob.page).locator('.content').count()).toBe(0)
    expect(await lastMessage(bob.page).locator('.bubble.files-only').count()).toBe(1)
    await bob.page.screenshot({ path: path.join(screenshotDir, 'files-thumbnail.png') })

    const [fullSize] = await Promise.all([bob.context.waitForEvent('page'), lastMessage(bob.page).locator('a.attachment-image').click()])
    await fullSize.waitForLoadState()
    expect(fullSize.url()).toMatch(/\/api\/files\/\d+\/content\?expires=\d+&signature=/)
    expect(await fullSize.evaluate(() => [document.images[0]?.naturalWidth, document.images[0]?.naturalHeight])).toEqual([800, 600])
    await fullSize.close()
  })

  it('attaches a text file dropped on the conversation; the other side gets a card whose link downloads it', async () => {
    const { alice, bob } = people
    const text = 'line one\nline two\n'
    const dropTarget = alice.page.locator('.drop-target')
    await alice.page.evaluate((content) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File([content], 'notes.txt', { type: 'text/plain' }))
      window.dropped = transfer
      document.querySelector('.conversation').dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: transfer }))
    }, text)
    await dropTarget.waitFor()
    expect(await dropTarget.textContent()).toBe('Drop files to attach them')
    await alice.page.screenshot({ path: path.join(screenshotDir, 'files-drop-target.png') })
    await alice.page.evaluate(() =>
      document.querySelector('.messages').dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: window.dropped })),
    )
    await dropTarget.waitFor({ state: 'hidden' })
    await eventually(async () => expect(await chips(alice.page).first().getAttribute('class')).toContain('done'))
    const composer = alice.page.getByRole('textbox', { name: /^Message/ })
    await composer.fill('and the notes')
    await composer.press('Enter')

    const card = lastMessage(bob.page).locator('.file-card')
    await card.waitFor()
    expect(await lastMessage(bob.page).locator('.content').textContent()).toBe('and the notes')
    expect(await card.locator('.file-name').textContent()).toBe('notes.txt')
    expect(await card.locator('.file-size').textContent()).toBe(`${text.length} bytes`)
    const href = await card.getByRole('link', { name: 'Download notes.txt' }).getAttribute('href')
    const download = await fetch(href)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="notes.txt"/)
    expect(await download.text()).toBe(text)
  })

  it('attaches an image pasted into the composer, and its chip can be removed before sending', async () => {
    const { alice } = people
    const bytes = [...png(40, 30, [200, 40, 40])]
    await alice.page.evaluate((content) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File([new Uint8Array(content)], 'image.png', { type: 'image/png' }))
      document.querySelector('#composer-input').dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: transfer }))
    }, bytes)
    await eventually(async () => expect(await chips(alice.page).first().getAttribute('class')).toContain('done'))
    expect(await chips(alice.page).first().locator('.upload-name').textContent()).toBe('image.png')
    await alice.page.getByRole('button', { name: 'Remove image.png' }).click()
    expect(await chips(alice.page).count()).toBe(0)
  })

  it('cancels an upload under way: its chip goes and Send is available again', async () => {
    const { alice } = people
    // A slow uplink, so the upload is still under way when Cancel is pressed.
    const network = await alice.context.newCDPSession(alice.page)
    await network.send('Network.enable')
    await network.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 64 * 1024 })
    await alice.page.locator('.composer input[type="file"]').setInputFiles({ name: 'slow.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(2 * 1024 * 1024, 7) })
    const chip = chips(alice.page).first()
    await chip.locator('progress').waitFor()
    expect(await sendButton(alice.page).isDisabled()).toBe(true)
    await eventually(async () => expect(Number(await chip.locator('progress').getAttribute('value'))).toBeGreaterThan(0))
    await alice.page.screenshot({ path: path.join(screenshotDir, 'files-uploading.png') })
    await expectAccessible(alice.page, 'an upload under way')
    await alice.page.getByRole('button', { name: 'Cancel upload of slow.bin' }).click()
    expect(await chips(alice.page).count()).toBe(0)
    expect(await sendButton(alice.page).isEnabled()).toBe(true)
    await network.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    await network.detach()
  })

  it('shows a file over the limit as refused on its chip, with the limit in words', async () => {
    const { alice } = people
    await alice.page.locator('.composer input[type="file"]').setInputFiles({ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_UPLOAD_BYTES + 1024, 1) })
    const error = chips(alice.page).first().locator('.upload-error')
    await error.waitFor()
    expect(await error.textContent()).toBe('Not uploaded: the file is larger than the limit of 3 MB')
    await expectAccessible(alice.page, 'a refused upload')
    await alice.page.getByRole('button', { name: 'Remove huge.bin' }).click()
    expect(await chips(alice.page).count()).toBe(0)
  })

  it('renews expired links in a tab left open: a thumbnail drawn again, a download clicked', async () => {
    const { bob } = people
    const image = bob.page.locator('.attachment-image img')
    const staleSource = await image.getAttribute('src')
    const expires = Number(new URL(staleSource).searchParams.get('expires'))
    // The browser kept the thumbnail it loaded; without its cache the stale link must be asked for again.
    const network = await bob.context.newCDPSession(bob.page)
    await network.send('Network.enable')
    await network.send('Network.setCacheDisabled', { cacheDisabled: true })
    const refetches = []
    bob.page.on('request', (request) => {
      if (request.url().includes('around=')) refetches.push(request.url())
    })
    await eventually(async () => expect(Date.now() / 1000).toBeGreaterThan(expires + 1), (LINK_LIFETIME_SECONDS + 5) * 1000)
    // Away and back: the conversation is drawn again from what the tab holds, the expired links.
    await bob.page.goto(`${stack.siteUrl}/#/`)
    await openConversation(bob, 'Alice Liddell')
    await eventually(async () => {
      expect(await image.getAttribute('src')).not.toBe(staleSource)
      expect(await loaded(image)).toBe(true)
    })
    expect(refetches).toHaveLength(1)
    expect(refetches[0]).toMatch(/\/api\/messages\?with=\d+&around=\d+&limit=1$/)

    // The notes' link expired too: clicking it renews it first, and what opens is the file, not a 403.
    await bob.page.evaluate(() => {
      window.opened = []
      window.open = (url) => window.opened.push(url) && null
    })
    await bob.page.getByRole('link', { name: 'Download notes.txt' }).click()
    const opened = await eventually(async () => {
      const urls = await bob.page.evaluate(() => window.opened)
      expect(urls).toHaveLength(1)
      return urls[0]
    })
    expect(refetches).toHaveLength(2)
    const download = await fetch(opened)
    expect(download.status).toBe(200)
    expect(await download.text()).toBe('line one\nline two\n')
    await network.detach()
  }, 60000)

  it('ran without a script error', () => {
    expect(scriptErrors).toEqual([])
  })
})
