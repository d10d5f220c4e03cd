// Files in the conversation: a message's images (thumbnails opening the full image) and other files (cards
// with a download link), and the composer's side of attaching: the Attach button, dropping files on the
// conversation, pasting images, and a chip per file with its upload progress, Cancel and errors.

import { MAX_FILES, humanSize } from '../uploads.js'
import { h, setChildren } from './h.js'

/** The box a thumbnail is drawn in (CSS pixels); the server's thumbnails are at most 400 px on a side. */
export const THUMBNAIL_BOX = { width: 320, height: 240 }

const SERVER_LINK = /^\/api\/files\/\d+\/(content|thumbnail)\?[\w=&%-]*$/

/** Without an API base, a signed link is used as the server gave it (a path on this site), if it is one. */
const sameSiteLink = (link) => (typeof link === 'string' && SERVER_LINK.test(link) ? link : null)

/**
 * The size an image is shown at: scaled down (never up) to fit THUMBNAIL_BOX, keeping its proportions. Set
 * as the `<img>`'s width and height before it loads, so the list does not move when it arrives.
 */
export function thumbnailSize(width, height, box = THUMBNAIL_BOX) {
  const scale = Math.min(1, box.width / width, box.height / height)
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** "sent report.pdf", "sent 3 files": a message's files in a preview line or an announcement. */
export function filesSummary(files) {
  if (!files?.length) return ''
  return files.length === 1 ? `sent ${files[0].name}` : `sent ${files.length} files`
}

/** A card's badge: the name's extension ("PDF"), at most four letters, or "FILE". */
export function fileBadge(name) {
  const extension = /\.([A-Za-z0-9]{1,4})$/.exec(name ?? '')?.[1]
  return extension ? extension.toUpperCase() : 'FILE'
}

const isShownAsImage = (file) => Boolean(file.thumbnail_url && file.width && file.height)

/** Whether a signed link's `expires` (Unix seconds) has passed by this device's clock. */
export function linkExpired(href, now = Date.now()) {
  const expires = Number(new URL(href, 'http://link.invalid').searchParams.get('expires'))
  return Number.isFinite(expires) && expires * 1000 <= now
}

/** A link to a file's content that, once expired, asks for a fresh one instead of opening a 403 page. */
function contentLink(attributes, url, file, onExpiredLink, ...children) {
  const link = h('a', attributes, ...children)
  link.href = url
  link.addEventListener('click', (event) => {
    if (!onExpiredLink || !linkExpired(link.href)) return
    event.preventDefault()
    onExpiredLink(file)
  })
  return link
}

function imageTile(file, { fileUrl, onImageError, onExpiredLink }) {
  const thumbnail = fileUrl(file.thumbnail_url)
  const full = fileUrl(file.url)
  if (!thumbnail || !full) return fileCard(file, { fileUrl, onExpiredLink })
  const size = thumbnailSize(file.width, file.height)
  const image = h('img', { alt: file.name, width: size.width, height: size.height, loading: 'lazy', decoding: 'async' })
  image.addEventListener('error', () => onImageError?.(file), { once: true })
  // Set here rather than through h(): the API may be on another origin, and only checked links get this far.
  image.src = thumbnail
  const link = contentLink({ class: 'attachment-image', target: '_blank', rel: 'noopener noreferrer', title: `Open ${file.name} full size` }, full, file, onExpiredLink, image)
  return h('li', { class: 'attachment', dataset: { fileId: file.id } }, link)
}

function fileCard(file, { fileUrl, onExpiredLink }) {
  const link = fileUrl(file.url)
  const download = link
    ? contentLink({ class: 'file-download', download: file.name, 'aria-label': `Download ${file.name}` }, link, file, onExpiredLink, 'Download')
    : null
  return h(
    'li',
    { class: 'attachment file-card', dataset: { fileId: file.id } },
    h('span', { class: 'file-icon', 'aria-hidden': 'true' }, fileBadge(file.name)),
    h('span', { class: 'file-text' }, h('span', { class: 'file-name' }, file.name), h('span', { class: 'file-size' }, humanSize(file.size))),
    download,
  )
}

/**
 * A message's files, in upload order: images as thumbnails (a link to the full image, in a new tab), other
 * files as cards with their name, size and a download link. `fileUrl(link)` turns a signed link into the URL
 * to use (null refuses it); `onImageError(file)` hears about a thumbnail that did not load (an expired link),
 * and `onExpiredLink(file)` about a click on a link whose time is up (the click then opens nothing itself).
 */
export function fileList(files, { fileUrl = sameSiteLink, onImageError = null, onExpiredLink = null } = {}) {
  if (!files?.length) return null
  return h(
    'ul',
    { class: 'attachments', 'aria-label': files.length === 1 ? 'Attachment' : `${files.length} attachments` },
    files.map((file) => (isShownAsImage(file) ? imageTile(file, { fileUrl, onImageError, onExpiredLink }) : fileCard(file, { fileUrl, onExpiredLink }))),
  )
}

const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files')

function chipOf(item, tray) {
  const uploading = item.status === 'uploading'
  const progress = uploading ? h('progress', { class: 'upload-progress', max: String(item.total || 1), value: String(item.loaded), 'aria-label': `Uploading ${item.name}` }) : null
  return h(
    'li',
    { class: `upload-chip ${item.status}`, dataset: { uploadId: item.id } },
    h('span', { class: 'upload-text' }, h('span', { class: 'upload-name' }, item.name), h('span', { class: 'upload-size' }, humanSize(item.size))),
    progress,
    item.status === 'failed' ? h('span', { class: 'upload-error', role: 'alert' }, item.error) : null,
    item.status === 'failed'
      ? h('button', { type: 'button', class: 'button ghost small upload-retry', 'aria-label': `Retry ${item.name}`, onclick: () => tray.retry(item.id) }, 'Retry')
      : null,
    h(
      'button',
      {
        type: 'button',
        class: 'button ghost small upload-remove',
        'aria-label': uploading ? `Cancel upload of ${item.name}` : `Remove ${item.name}`,
        onclick: () => tray.remove(item.id),
      },
      uploading ? 'Cancel' : '✕',
    ),
  )
}

/**
 * The composer's attaching: an Attach button (a file picker, several files at once), files dropped anywhere
 * on `dropTarget` (which shows where to drop them), images pasted into `textarea`, and the tray of chips.
 * `sendButton` is disabled while an upload is under way; `onError(text)` shows a refusal (too many files).
 * Returns `{button, input, trayElement, dropOverlay, destroy}`.
 */
export function createAttachComposer({ tray, textarea, dropTarget, sendButton, onError = () => {} }) {
  const input = h('input', { type: 'file', multiple: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' })
  const button = h('button', { type: 'button', class: 'button ghost attach-button', title: 'Attach files (or drop them here, or paste an image)' }, 'Attach')
  const trayElement = h('ul', { class: 'upload-tray', 'aria-label': 'Files to send', hidden: true })
  const dropOverlay = h('div', { class: 'drop-target', hidden: true, 'aria-hidden': 'true' }, h('p', {}, 'Drop files to attach them'))
  const chips = new Map()

  function add(files) {
    if (!files.length) return
    const refused = tray.add(files)
    onError(refused ? `A message can carry at most ${MAX_FILES} files; ${refused} ${refused === 1 ? 'was' : 'were'} left out.` : null)
  }

  function renderChip(id, change) {
    const item = tray.items.find((entry) => entry.id === id)
    const existing = chips.get(id)
    const hadFocus = Boolean(existing?.contains(document.activeElement))
    if (!item) {
      existing?.remove()
      chips.delete(id)
      // Cancelling with the keyboard: the focus goes back to writing rather than to the page.
      if (hadFocus) textarea.focus()
    } else if (change === 'progress' && existing) {
      const bar = existing.querySelector('progress')
      bar?.setAttribute('max', String(item.total || 1))
      bar?.setAttribute('value', String(item.loaded))
    } else {
      const chip = chipOf(item, tray)
      if (existing) existing.replaceWith(chip)
      else trayElement.append(chip)
      chips.set(id, chip)
      if (hadFocus) chip.querySelector('.upload-remove')?.focus()
    }
    trayElement.hidden = tray.items.length === 0
    sendButton.disabled = tray.busy()
  }

  const unsubscribe = tray.subscribe(({ id, change }) => renderChip(id, change))
  for (const item of tray.items) renderChip(item.id, 'added')
  sendButton.disabled = tray.busy()

  button.addEventListener('click', () => input.click())
  input.addEventListener('change', () => {
    add([...(input.files ?? [])])
    input.value = ''
    textarea.focus()
  })
  textarea.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])]
    if (!files.length) return
    event.preventDefault()
    add(files)
  })

  // Entering and leaving child elements fires in pairs: the overlay shows while the count is above zero.
  let depth = 0
  const showDrop = (shown) => {
    dropOverlay.hidden = !shown
    dropTarget.classList.toggle('dropping', shown)
  }
  const onDragEnter = (event) => {
    if (!hasFiles(event)) return
    event.preventDefault()
    depth += 1
    showDrop(true)
  }
  const onDragOver = (event) => {
    if (!hasFiles(event)) return
    event.preventDefault()
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
  }
  const onDragLeave = (event) => {
    if (!hasFiles(event)) return
    depth = Math.max(0, depth - 1)
    if (!depth) showDrop(false)
  }
  const onDrop = (event) => {
    if (!hasFiles(event)) return
    event.preventDefault()
    depth = 0
    showDrop(false)
    add([...(event.dataTransfer?.files ?? [])])
    textarea.focus()
  }
  const dragListeners = [
    ['dragenter', onDragEnter],
    ['dragover', onDragOver],
    ['dragleave', onDragLeave],
    ['drop', onDrop],
  ]
  for (const [type, listener] of dragListeners) dropTarget.addEventListener(type, listener)
  dropTarget.append(dropOverlay)

  return {
    button,
    input,
    trayElement,
    dropOverlay,
    destroy() {
      unsubscribe()
      for (const [type, listener] of dragListeners) dropTarget.removeEventListener(type, listener)
      setChildren(trayElement)
      chips.clear()
    },
  }
}
