// For the views' unit tests: a composer's textarea follows its text's height up to the cap, and shrinks
// back once Enter has sent it (jsdom has no layout, so `scrollHeight` is given).
import { expect } from 'vitest'

export function expectComposerToGrowAndShrink(textarea, send) {
  const textHeight = (height) => Object.defineProperty(textarea, 'scrollHeight', { configurable: true, get: () => height })
  textarea.value = 'one\ntwo\nthree'
  textHeight(88)
  textarea.dispatchEvent(new Event('input', { bubbles: true }))
  expect(textarea.style.height).toBe('88px')
  textarea.value = 'line\n'.repeat(30)
  textHeight(700)
  textarea.dispatchEvent(new Event('input', { bubbles: true }))
  expect(textarea.style.height).toBe('160px')
  textHeight(44)
  textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
  expect(send).toHaveBeenCalledTimes(1)
  expect(textarea.style.height).toBe('44px')
}
