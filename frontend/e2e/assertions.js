// Assertions the browser tests share: waiting for a condition, accessibility, and a composer that grows with its text.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { expect } from 'vitest'
import { textareaFit } from './harness.js'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

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

/** Run axe-core on the page as it is now: no violation of impact "serious" or "critical" is allowed. */
export async function expectAccessible(page, view) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE })
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] })
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)
  })
  expect(violations.join('\n'), `axe on ${view}`).toBe('')
}
