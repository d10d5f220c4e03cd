// Files waiting to go out with the next message: each upload starts at once, reports its progress, can be
// cancelled, and leaves a `File` (with its id) to send, or an error in words.

/** A message carries at most this many files (the server's `file_ids` limit). */
export const MAX_FILES = 10

const UNITS = ['KB', 'MB', 'GB', 'TB']
const sizeFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 })

/** "512 bytes", "1 byte", "2.5 MB", "25 MB": powers of 1024, as the server's limits are set. */
export function humanSize(bytes) {
  const count = Number(bytes)
  if (!Number.isFinite(count) || count < 1024) return `${count} ${count === 1 ? 'byte' : 'bytes'}`
  let value = count
  let unit = -1
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${sizeFormat.format(value)} ${UNITS[unit]}`
}

/**
 * Why an upload failed, for people: the server's byte counts in words ("the limit of 25 MB", the quota and
 * what is used of it), and a plain sentence when it could not be reached.
 */
export function uploadErrorText(error) {
  if (error?.status === 0) return 'Not uploaded: the server cannot be reached. Check your connection and retry.'
  const detail = String(error?.detail ?? error?.message ?? 'the upload failed')
    .replace(/\b(\d+) bytes\b/g, (_, count) => humanSize(count))
    .replace(/\((\d+) used, (\d+) more\)/, (_, used, more) => `(${humanSize(used)} used, ${humanSize(more)} more)`)
  return `Not uploaded: ${detail}`
}

let nextLocalId = 1

/**
 * The files attached to one conversation's composer. `upload(file, {onProgress, signal})` sends one file
 * and resolves with the stored `File`. Listeners get `{id, change}`: `added`, `progress`, `status` or
 * `removed` (a whole re-render needs none of them: `items` is always current).
 */
export function createUploadTray({ upload, maxFiles = MAX_FILES }) {
  const items = []
  const listeners = new Set()
  const announce = (id, change) => {
    for (const listener of listeners) listener({ id, change })
  }
  const find = (id) => items.find((item) => item.id === id)

  function start(item) {
    const controller = new AbortController()
    Object.assign(item, { status: 'uploading', error: null, loaded: 0, controller })
    upload(item.file, {
      signal: controller.signal,
      onProgress(loaded, total) {
        item.loaded = loaded
        item.total = total || item.total
        announce(item.id, 'progress')
      },
    }).then(
      (stored) => {
        if (item.controller !== controller || !find(item.id)) return
        Object.assign(item, { status: 'done', stored, loaded: item.total, controller: null })
        announce(item.id, 'status')
      },
      (error) => {
        if (item.controller !== controller || controller.signal.aborted || !find(item.id)) return
        Object.assign(item, { status: 'failed', error: uploadErrorText(error), controller: null })
        announce(item.id, 'status')
      },
    )
  }

  function remove(id) {
    const item = find(id)
    if (!item) return
    item.controller?.abort(new DOMException('The upload was cancelled.', 'AbortError'))
    items.splice(items.indexOf(item), 1)
    announce(id, 'removed')
  }

  return {
    items,
    /** Add files and start uploading them; those beyond `maxFiles` in all are refused (their count returned). */
    add(files) {
      const room = Math.max(0, maxFiles - items.length)
      const accepted = [...files].slice(0, room)
      for (const file of accepted) {
        const item = { id: nextLocalId++, file, name: file.name || 'file', size: file.size, total: file.size, loaded: 0 }
        items.push(item)
        start(item)
        announce(item.id, 'added')
      }
      return files.length - accepted.length
    },
    /** Cancel an upload under way (the request is aborted) or take a file off the message. */
    remove,
    /** Upload a failed file again. */
    retry(id) {
      const item = find(id)
      if (item?.status !== 'failed') return
      start(item)
      announce(id, 'status')
    },
    /** Whether any upload is still under way (the message cannot go out yet). */
    busy: () => items.some((item) => item.status === 'uploading'),
    /** Whether any file failed (the message would go out without it). */
    hasFailed: () => items.some((item) => item.status === 'failed'),
    /** Hand over the uploaded files for a message and empty the tray. */
    take() {
      const stored = items.filter((item) => item.status === 'done').map((item) => item.stored)
      for (const item of [...items]) remove(item.id)
      return stored
    },
    /** Stop every upload and forget every file (logging out). */
    clear() {
      for (const item of [...items]) remove(item.id)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
