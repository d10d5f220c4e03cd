// Assertions the browser tests share: waiting for a condition, and a composer that grows with its text.
import { expect } from 'vitest'
import { textareaFit } from './harness.js'

/** Retry `assertion` until it passes (its result) or `timeoutMs` runs out (its last error). */
export async function eventually(assertion, timeoutMs = 15000) {
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

/**
 * A composer shows one line without a scroll bar, grows for three, stops at 160 px and scrolls past it,
 * and shrinks back once Enter has sent its twenty lines; `lastShown()` is the newest message's text where it
 * is shown.
 */
export async function expectComposerToFitItsText(composer, lastShown) {
  await composer.fill('one line')
  const oneLine = await textareaFit(composer)
  expect(oneLine.overflows).toBe(false)
  await composer.fill('one\ntwo\nthree')
  const threeLines = await textareaFit(composer)
  expect(threeLines.height).toBeGreaterThan(oneLine.height)
  expect(threeLines.overflows).toBe(false)
  await composer.fill(Array.from({ length: 20 }, (_, index) => `line ${index + 1}`).join('\n'))
  expect(await textareaFit(composer)).toEqual({ height: 160, overflows: true })
  await composer.press('Enter')
  await eventually(async () => expect(await textareaFit(composer)).toEqual(oneLine))
  await eventually(async () => expect(await lastShown()).toMatch(/^line 1\n[\s\S]*line 20$/))
}
