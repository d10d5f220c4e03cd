import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api.js'
import { Store, directKey, roomKey } from '../store.js'
import { createUploadTray } from '../uploads.js'
import { createAttachComposer, fileBadge, fileList, filesSummary, linkExpired, thumbnailSize } from './attachments.js'
import { createConversationView } from './conversation.js'
import { messageNode } from './message.js'
import { roomPreview } from './sidebar.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob', nickname: 'bob' }
const attack = '<img src=x onerror=alert(1)>'
const signed = (id, variant, expires = 1900000000) => `/api/files/${id}/${variant}?expires=${expires}&signature=${'f'.repeat(64)}`
const fileUrl = (link) => `http://api.test${link}`

const photo = {
  id: 7,
  name: 'beach.png',
  size: 2400000,
  content_type: 'image/png',
  url: signed(7, 'content'),
  width: 1600,
  height: 1200,
  thumbnail_url: signed(7, 'thumbnail'),
}
const notes = { id: 8, name: 'notes.txt', size: 2048, content_type: 'text/plain', url: signed(8, 'content'), width: null, height: null, thumbnail_url: null }

function message(id, extra = {}) {
  return { id, content: `message ${id}`, date: '2026-11-25T10:00:00Z', author: bob, recipient: alice, room_id: null, client_id: null, seq: id, reactions: [], files: [], ...extra }
}

const ui = { state: null, canEdit: false, canDelete: false, myId: 1, nameOf: () => '', onOpenPicker() {} }

/** An upload that settles when the test says so. */
function controlledUpload() {
  const calls = []
  const upload = vi.fn((file, { onProgress, signal }) => {
    let settle
    const promise = new Promise((resolve, reject) => {
      settle = { resolve, reject }
    })
    signal.addEventListener('abort', () => settle.reject(signal.reason))
    calls.push({ file, onProgress, signal, ...settle })
    return promise
  })
  return { upload, calls }
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0))
const textFile = (name, size = 10) => new File(['x'.repeat(size)], name, { type: 'text/plain' })

/** A drag or paste event carrying files, as a browser builds one. */
function eventWithFiles(type, files, property = 'dataTransfer') {
  const event = new Event(type, { bubbles: true, cancelable: true })
  Object.defineProperty(event, property, { value: { types: files.length ? ['Files'] : ['text/plain'], files, dropEffect: 'none' } })
  return event
}

afterEach(() => document.body.replaceChildren())

describe('a message’s files', () => {
  it('scales a thumbnail into its box, never up, keeping its proportions', () => {
    expect(thumbnailSize(1600, 1200)).toEqual({ width: 320, height: 240 })
    expect(thumbnailSize(400, 1000)).toEqual({ width: 96, height: 240 })
    expect(thumbnailSize(100, 50)).toEqual({ width: 100, height: 50 })
  })

  it('shows an image as its thumbnail with its size reserved, opening the full image in a new tab', () => {
    const list = fileList([photo], { fileUrl })
    const image = list.querySelector('img')
    expect(image.getAttribute('src')).toBe(`http://api.test${photo.thumbnail_url}`)
    expect([image.getAttribute('width'), image.getAttribute('height')]).toEqual(['320', '240'])
    expect(image.alt).toBe('beach.png')
    const link = image.closest('a')
    expect(link.getAttribute('href')).toBe(`http://api.test${photo.url}`)
    expect(link.target).toBe('_blank')
    expect(link.rel).toContain('noopener')
  })

  it('shows any other file as a card with its name, its size in words and a download link', () => {
    const card = fileList([notes], { fileUrl }).querySelector('.file-card')
    expect(card.querySelector('.file-name').textContent).toBe('notes.txt')
    expect(card.querySelector('.file-size').textContent).toBe('2 KB')
    const download = card.querySelector('a.file-download')
    expect(download.getAttribute('href')).toBe(`http://api.test${notes.url}`)
    expect(download.getAttribute('download')).toBe('notes.txt')
    expect(download.getAttribute('aria-label')).toBe('Download notes.txt')
  })

  it('shows a file name that looks like HTML as text, and refuses a link that is not the server’s', () => {
    const list = fileList([{ ...notes, name: attack, url: 'javascript:alert(1)' }, { ...photo, thumbnail_url: 'https://elsewhere.example/x.png' }])
    expect(list.querySelector('.file-name').textContent).toBe(attack)
    // The image whose thumbnail link is foreign becomes a card with the server's download link only.
    expect([...list.querySelectorAll('a')].map((link) => link.getAttribute('href'))).toEqual([photo.url])
    expect(list.querySelector('img')).toBeNull()
    expect(list.querySelectorAll('.file-card')).toHaveLength(2)
  })

  it('reports a thumbnail that did not load', () => {
    const onImageError = vi.fn()
    const list = fileList([photo], { fileUrl, onImageError })
    list.querySelector('img').dispatchEvent(new Event('error'))
    expect(onImageError).toHaveBeenCalledWith(photo)
  })

  it('shows no empty text bubble for a message of files alone', () => {
    const filesOnly = messageNode(message(3, { content: '', files: [photo, notes] }), { mine: false, showAuthor: false }, ui)
    expect(filesOnly.querySelector('.content')).toBeNull()
    expect(filesOnly.querySelector('.bubble').classList.contains('files-only')).toBe(true)
    expect(filesOnly.querySelectorAll('.attachment')).toHaveLength(2)
    const withText = messageNode(message(4, { content: 'look', files: [photo] }), { mine: false, showAuthor: false }, ui)
    expect(withText.querySelector('.content').textContent).toBe('look')
    expect(withText.querySelector('.bubble').classList.contains('files-only')).toBe(false)
    const deleted = messageNode(message(5, { content: '', deleted: true, files: [photo] }), { mine: false, showAuthor: false }, ui)
    expect(deleted.querySelector('.attachments')).toBeNull()
  })

  it('names a files-only message by its files in the room list', () => {
    expect(filesSummary([photo])).toBe('sent beach.png')
    expect(filesSummary([photo, notes])).toBe('sent 2 files')
    expect(roomPreview({ last_message: message(3, { content: '', files: [notes], room_id: 4 }) }, 1)).toBe('Bob: sent notes.txt')
    expect([fileBadge('notes.txt'), fileBadge('archive.tar.gz'), fileBadge('README'), fileBadge('x.markdown')]).toEqual(['TXT', 'GZ', 'FILE', 'FILE'])
  })
})

function composer() {
  const { upload, calls } = controlledUpload()
  const tray = createUploadTray({ upload })
  const textarea = document.createElement('textarea')
  const sendButton = document.createElement('button')
  const dropTarget = document.createElement('section')
  const onError = vi.fn()
  const attach = createAttachComposer({ tray, textarea, dropTarget, sendButton, onError })
  dropTarget.append(attach.trayElement, textarea, attach.button, attach.input, sendButton)
  document.body.append(dropTarget)
  return { tray, calls, textarea, sendButton, dropTarget, attach, onError }
}

function pick(input, files) {
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
}

describe('attaching files', () => {
  it('shows a chip per file with its progress, and Send stays disabled until every upload is done', async () => {
    const { calls, sendButton, attach } = composer()
    expect(attach.trayElement.hidden).toBe(true)
    pick(attach.input, [textFile('a.txt', 100), textFile('b.txt', 200)])
    const chips = () => [...attach.trayElement.querySelectorAll('.upload-chip')]
    expect(chips().map((chip) => chip.querySelector('.upload-name').textContent)).toEqual(['a.txt', 'b.txt'])
    expect(attach.trayElement.hidden).toBe(false)
    expect(sendButton.disabled).toBe(true)
    calls[0].onProgress(50, 100)
    const bar = chips()[0].querySelector('progress')
    expect([bar.getAttribute('value'), bar.getAttribute('max')]).toEqual(['50', '100'])
    expect(bar.getAttribute('aria-label')).toBe('Uploading a.txt')
    calls[0].resolve({ id: 1 })
    await settled()
    expect(chips()[0].querySelector('progress')).toBeNull()
    expect(sendButton.disabled).toBe(true)
    calls[1].resolve({ id: 2 })
    await settled()
    expect(sendButton.disabled).toBe(false)
  })

  it('cancels an upload under way: the request is aborted and its chip goes', async () => {
    const { calls, tray, sendButton, attach } = composer()
    pick(attach.input, [textFile('big.bin')])
    const cancel = attach.trayElement.querySelector('.upload-remove')
    expect(cancel.getAttribute('aria-label')).toBe('Cancel upload of big.bin')
    cancel.click()
    expect(calls[0].signal.aborted).toBe(true)
    await settled()
    expect(attach.trayElement.querySelectorAll('.upload-chip')).toHaveLength(0)
    expect(attach.trayElement.hidden).toBe(true)
    expect(tray.items).toEqual([])
    expect(sendButton.disabled).toBe(false)
  })

  it('shows why an upload failed on its chip, with the limit in words', async () => {
    const { calls, attach } = composer()
    pick(attach.input, [textFile('huge.iso')])
    calls[0].reject(new ApiError(413, 'the file is larger than the limit of 26214400 bytes'))
    await settled()
    const chip = attach.trayElement.querySelector('.upload-chip')
    expect(chip.classList.contains('failed')).toBe(true)
    expect(chip.querySelector('[role="alert"]').textContent).toBe('Not uploaded: the file is larger than the limit of 25 MB')
    expect(chip.querySelector('.upload-remove').getAttribute('aria-label')).toBe('Remove huge.iso')
    chip.querySelector('.upload-retry').click()
    expect(calls).toHaveLength(2)
  })

  it('attaches images pasted into the composer, and leaves pasted text alone', () => {
    const { tray, textarea } = composer()
    const screenshot = new File([new Uint8Array([1])], 'image.png', { type: 'image/png' })
    const pasteImage = eventWithFiles('paste', [screenshot], 'clipboardData')
    textarea.dispatchEvent(pasteImage)
    expect(pasteImage.defaultPrevented).toBe(true)
    expect(tray.items.map((item) => item.name)).toEqual(['image.png'])
    const pasteText = eventWithFiles('paste', [], 'clipboardData')
    textarea.dispatchEvent(pasteText)
    expect(pasteText.defaultPrevented).toBe(false)
    expect(tray.items).toHaveLength(1)
  })

  it('shows where to drop files while they are dragged over the conversation, and attaches them on drop', () => {
    const { tray, dropTarget, attach, textarea } = composer()
    const files = [textFile('a.txt'), textFile('b.txt')]
    dropTarget.dispatchEvent(eventWithFiles('dragenter', files))
    expect(attach.dropOverlay.hidden).toBe(false)
    expect(attach.dropOverlay.textContent).toBe('Drop files to attach them')
    // Moving over a child element enters it before leaving the parent: the target stays shown.
    textarea.dispatchEvent(eventWithFiles('dragenter', files))
    dropTarget.dispatchEvent(eventWithFiles('dragleave', files))
    expect(attach.dropOverlay.hidden).toBe(false)
    const over = eventWithFiles('dragover', files)
    dropTarget.dispatchEvent(over)
    expect(over.defaultPrevented).toBe(true)
    const drop = eventWithFiles('drop', files)
    textarea.dispatchEvent(drop)
    expect(drop.defaultPrevented).toBe(true)
    expect(attach.dropOverlay.hidden).toBe(true)
    expect(tray.items.map((item) => item.name)).toEqual(['a.txt', 'b.txt'])
    // Dragging text is not attaching: no target, nothing prevented.
    const text = eventWithFiles('dragenter', [])
    dropTarget.dispatchEvent(text)
    expect(text.defaultPrevented).toBe(false)
    expect(attach.dropOverlay.hidden).toBe(true)
  })

  it('says so when more than ten files are attached to one message', () => {
    const { tray, attach, onError } = composer()
    pick(attach.input, Array.from({ length: 12 }, (_, index) => textFile(`${index}.txt`)))
    expect(tray.items).toHaveLength(10)
    expect(onError).toHaveBeenLastCalledWith('A message can carry at most 10 files; 2 were left out.')
  })
})

function storeWithBob() {
  const store = new Store()
  store.setSession(alice)
  store.setPeople([{ ...bob, online: true, unread: 0 }])
  return store
}

function conversationActions(overrides = {}) {
  return {
    loadNewest: vi.fn(async () => {}),
    loadOlder: vi.fn(async () => {}),
    send: vi.fn(),
    retry: vi.fn(),
    discard: vi.fn(),
    typing: vi.fn(),
    seen: vi.fn(),
    fileUrl,
    ...overrides,
  }
}

describe('files in a conversation', () => {
  it('sends the uploaded files with the message, with or without text, and empties the tray', async () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const { upload, calls } = controlledUpload()
    const tray = createUploadTray({ upload })
    const actions = conversationActions({ attachments: tray })
    const view = createConversationView({ store, key: directKey(2), actions })
    document.body.append(view.element)
    const send = view.element.querySelector('button[type="submit"]')
    const textarea = view.element.querySelector('#composer-input')
    tray.add([textFile('notes.txt')])
    expect(send.disabled).toBe(true)
    // Enter while uploading sends nothing and says why.
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    expect(actions.send).not.toHaveBeenCalled()
    expect(view.element.querySelector('#composer-error').textContent).toMatch(/finish uploading/)
    calls[0].resolve(notes)
    await settled()
    expect(send.disabled).toBe(false)
    send.click()
    expect(actions.send).toHaveBeenCalledWith('', [notes])
    expect(view.element.querySelectorAll('.upload-chip')).toHaveLength(0)
    tray.add([textFile('again.txt')])
    calls[1].resolve(photo)
    await settled()
    textarea.value = 'with a photo'
    send.click()
    expect(actions.send).toHaveBeenLastCalledWith('with a photo', [photo])
    view.destroy()
  })

  it('opens a renewed link instead of an expired one that was clicked', async () => {
    const store = storeWithBob()
    const stale = message(9, { content: '', files: [{ ...notes, url: signed(8, 'content', 1000) }] })
    store.addHistoryPage(directKey(2), [stale])
    const renewFileUrl = vi.fn(async () => `http://api.test${notes.url}`)
    const open = vi.spyOn(window, 'open').mockImplementation(() => null)
    const view = createConversationView({ store, key: directKey(2), actions: conversationActions({ renewFileUrl }) })
    document.body.append(view.element)
    const click = new MouseEvent('click', { bubbles: true, cancelable: true })
    view.element.querySelector('.file-download').dispatchEvent(click)
    expect(click.defaultPrevented).toBe(true)
    expect(renewFileUrl).toHaveBeenCalledWith(stale, 8)
    await settled()
    expect(open).toHaveBeenCalledWith(`http://api.test${notes.url}`, '_blank', 'noopener')
    open.mockRestore()
  })

  it('follows a link that has not expired as it is', () => {
    expect(linkExpired(signed(8, 'content', 1000), 999999)).toBe(false)
    expect(linkExpired(signed(8, 'content', 1000), 1000000)).toBe(true)
    const onExpiredLink = vi.fn()
    const link = fileList([notes], { fileUrl, onExpiredLink }).querySelector('a')
    const click = new MouseEvent('click', { bubbles: true, cancelable: true })
    link.dispatchEvent(click)
    expect(click.defaultPrevented).toBe(false)
    expect(onExpiredLink).not.toHaveBeenCalled()
  })

  it('announces a files-only arrival by its files', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const view = createConversationView({ store, key: directKey(2), actions: conversationActions() })
    document.body.append(view.element)
    store.addMessages([message(3, { content: '', files: [photo] })], { live: true })
    const region = view.element.querySelector('[aria-live="polite"].visually-hidden')
    expect(region.textContent).toBe('Bob: sent beach.png')
    store.addMessages([message(4, { content: 'the notes', files: [notes] })], { live: true })
    expect(region.textContent).toBe('Bob: the notes (sent notes.txt)')
  })

  it('shows a pending message’s files while it is on its way', () => {
    const store = storeWithBob()
    store.addHistoryPage(directKey(2), [])
    const view = createConversationView({ store, key: directKey(2), actions: conversationActions() })
    document.body.append(view.element)
    store.addPending(directKey(2), '', [notes])
    const pending = view.element.querySelector('.message.pending')
    expect(pending.querySelector('.content')).toBeNull()
    expect(pending.querySelector('.file-name').textContent).toBe('notes.txt')
  })

  it('fetches a message again when its thumbnail fails to load, and shows it with the fresh links', async () => {
    const store = storeWithBob()
    store.rooms = new Map()
    store.upsertRoom({ id: 4, name: 'general', members: [alice, bob], owner: alice })
    const stale = message(9, { content: '', room_id: 4, recipient: null, files: [{ ...photo, thumbnail_url: signed(7, 'thumbnail', 1000) }] })
    store.addHistoryPage(roomKey(4), [stale])
    const fresh = { ...stale, files: [photo] }
    const refreshLinks = vi.fn(async () => store.refreshLinks(fresh))
    const view = createConversationView({ store, key: roomKey(4), actions: conversationActions({ refreshLinks }) })
    document.body.append(view.element)
    const image = view.element.querySelector('.message[data-id="9"] img')
    expect(image.getAttribute('src')).toContain('expires=1000&')
    image.dispatchEvent(new Event('error'))
    expect(refreshLinks).toHaveBeenCalledWith(stale)
    await settled()
    const renewed = view.element.querySelector('.message[data-id="9"] img')
    expect(renewed.getAttribute('src')).toBe(`http://api.test${photo.thumbnail_url}`)
    expect(view.element.querySelectorAll('.message[data-id="9"]')).toHaveLength(1)
  })
})
