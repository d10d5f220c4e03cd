import { describe, expect, it, vi } from 'vitest'
import { ApiError } from './api.js'
import { MAX_FILES, createUploadTray, humanSize, uploadErrorText } from './uploads.js'

/** An upload that settles when the test says so, recording its progress callback and signal. */
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

const file = (name, size = 10) => new File(['x'.repeat(size)], name, { type: 'text/plain' })
const settled = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('sizes in words', () => {
  it('counts in powers of 1024, as the server’s limits are set', () => {
    expect(humanSize(1)).toBe('1 byte')
    expect(humanSize(512)).toBe('512 bytes')
    expect(humanSize(1536)).toBe('1.5 KB')
    expect(humanSize(26214400)).toBe('25 MB')
    expect(humanSize(1073741824)).toBe('1 GB')
  })

  it('puts the limit of a 413 and the quota in words, and says when the server cannot be reached', () => {
    expect(uploadErrorText(new ApiError(413, 'the file is larger than the limit of 26214400 bytes'))).toBe(
      'Not uploaded: the file is larger than the limit of 25 MB',
    )
    const quota = new ApiError(413, 'this upload would exceed your storage quota of 524288000 bytes (523239424 used, 2097152 more): delete messages with files to make room')
    expect(uploadErrorText(quota)).toBe(
      'Not uploaded: this upload would exceed your storage quota of 500 MB (499 MB used, 2 MB more): delete messages with files to make room',
    )
    expect(uploadErrorText(new ApiError(0, 'The server cannot be reached'))).toMatch(/server cannot be reached.*retry/i)
  })
})

describe('upload tray', () => {
  it('starts each upload at once, follows its progress, and keeps the stored file to send', async () => {
    const { upload, calls } = controlledUpload()
    const tray = createUploadTray({ upload })
    const heard = []
    tray.subscribe((event) => heard.push(event.change))
    tray.add([file('a.txt', 100), file('b.txt', 200)])
    expect(calls.map((call) => call.file.name)).toEqual(['a.txt', 'b.txt'])
    expect(tray.busy()).toBe(true)
    calls[0].onProgress(40, 100)
    expect(tray.items[0]).toMatchObject({ loaded: 40, total: 100, status: 'uploading' })
    calls[0].resolve({ id: 7, name: 'a.txt' })
    calls[1].resolve({ id: 8, name: 'b.txt' })
    await settled()
    expect(tray.busy()).toBe(false)
    expect(heard).toEqual(['added', 'added', 'progress', 'status', 'status'])
    expect(tray.take().map((stored) => stored.id)).toEqual([7, 8])
    expect(tray.items).toEqual([])
  })

  it('cancels an upload under way: the request is aborted and the file leaves the tray', async () => {
    const { upload, calls } = controlledUpload()
    const tray = createUploadTray({ upload })
    tray.add([file('big.bin')])
    tray.remove(tray.items[0].id)
    expect(calls[0].signal.aborted).toBe(true)
    await settled()
    expect(tray.items).toEqual([])
    expect(tray.busy()).toBe(false)
  })

  it('shows a failure in words, and Retry uploads the same file again', async () => {
    const { upload, calls } = controlledUpload()
    const tray = createUploadTray({ upload })
    tray.add([file('a.txt')])
    calls[0].reject(new ApiError(0, 'unreachable'))
    await settled()
    expect(tray.items[0].status).toBe('failed')
    expect(tray.items[0].error).toMatch(/cannot be reached/)
    expect(tray.hasFailed()).toBe(true)
    tray.retry(tray.items[0].id)
    expect(calls).toHaveLength(2)
    expect(calls[1].file).toBe(calls[0].file)
    calls[1].resolve({ id: 9 })
    await settled()
    expect(tray.hasFailed()).toBe(false)
    expect(tray.take()).toEqual([{ id: 9 }])
  })

  it('takes at most ten files for one message and says how many were left out', () => {
    const { upload } = controlledUpload()
    const tray = createUploadTray({ upload })
    expect(tray.add(Array.from({ length: MAX_FILES - 1 }, (_, index) => file(`${index}.txt`)))).toBe(0)
    expect(tray.add([file('x.txt'), file('y.txt'), file('z.txt')])).toBe(2)
    expect(tray.items).toHaveLength(MAX_FILES)
  })

  it('stops every upload when cleared (logging out)', () => {
    const { upload, calls } = controlledUpload()
    const tray = createUploadTray({ upload })
    tray.add([file('a.txt'), file('b.txt')])
    tray.clear()
    expect(calls.map((call) => call.signal.aborted)).toEqual([true, true])
    expect(tray.items).toEqual([])
  })
})
