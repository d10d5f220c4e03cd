import { afterEach, describe, expect, it, vi } from 'vitest'
import { createComposer, MAX_COMPOSER_HEIGHT } from './composer.js'

afterEach(() => document.body.replaceChildren())

function composerWith(options = {}) {
  const send = vi.fn()
  const composer = createComposer({
    idPrefix: 'test-composer',
    formLabel: 'Send a message',
    label: 'Message Bob',
    placeholder: 'Write a message',
    submitText: 'Send',
    hint: 'Enter sends, Shift+Enter starts a new line.',
    send,
    ...options,
  })
  document.body.append(composer.element)
  return { composer, send, textarea: composer.textarea }
}

/** jsdom lays nothing out: the text's height is what the test says it is. */
function withTextHeight(textarea, height) {
  Object.defineProperty(textarea, 'scrollHeight', { configurable: true, get: () => height })
}

const type = (textarea, text, height) => {
  textarea.value = text
  withTextHeight(textarea, height)
  textarea.dispatchEvent(new Event('input', { bubbles: true }))
}
const press = (textarea, key, extra = {}) => textarea.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...extra }))

describe('composer', () => {
  it('is a labelled form whose textarea is described by its error and hint', () => {
    const { composer, textarea } = composerWith()
    expect(composer.element.getAttribute('aria-label')).toBe('Send a message')
    expect(composer.element.querySelector(`label[for="${textarea.id}"]`).textContent).toBe('Message Bob')
    expect(textarea.getAttribute('aria-describedby')).toBe('test-composer-error test-composer-hint')
    composer.setLabel('Message the room team')
    expect(composer.element.querySelector('label').textContent).toBe('Message the room team')
  })

  it('grows with its text up to the cap, then scrolls, and shrinks back after a send', () => {
    const { textarea, send } = composerWith()
    type(textarea, 'one line', 44)
    expect(textarea.style.height).toBe('44px')
    expect(textarea.style.overflowY).toBe('hidden')
    type(textarea, 'one\ntwo\nthree', 88)
    expect(textarea.style.height).toBe('88px')
    expect(textarea.style.overflowY).toBe('hidden')
    type(textarea, 'many\nlines\n'.repeat(20), 600)
    expect(textarea.style.height).toBe(`${MAX_COMPOSER_HEIGHT}px`)
    expect(textarea.style.overflowY).toBe('auto')
    withTextHeight(textarea, 44)
    press(textarea, 'Enter')
    expect(send).toHaveBeenCalledTimes(1)
    expect(textarea.value).toBe('')
    expect(textarea.style.height).toBe('44px')
    expect(textarea.style.overflowY).toBe('hidden')
  })

  it('follows a smaller cap when given one', () => {
    const { textarea } = composerWith({ maxHeight: 100 })
    type(textarea, 'a\nb\nc\nd', 120)
    expect(textarea.style.height).toBe('100px')
  })

  it('sends with Enter, then shows the newest and keeps the focus', () => {
    const afterSend = vi.fn()
    const { textarea, send } = composerWith({ afterSend })
    textarea.value = 'hello'
    expect(press(textarea, 'Enter')).toBe(false)
    expect(send).toHaveBeenCalledWith('hello')
    expect(afterSend).toHaveBeenCalledTimes(1)
    expect(document.activeElement).toBe(textarea)
  })

  it('does not send with Shift+Enter (a new line) nor while an input method composes', () => {
    const { textarea, send } = composerWith()
    textarea.value = 'line one'
    expect(press(textarea, 'Enter', { shiftKey: true })).toBe(true)
    expect(press(textarea, 'Enter', { isComposing: true })).toBe(true)
    expect(send).not.toHaveBeenCalled()
    expect(textarea.value).toBe('line one')
  })

  it('refuses a blank or too long message in words, and clears the words on typing', () => {
    const { composer, textarea, send } = composerWith()
    const error = composer.element.querySelector('#test-composer-error')
    press(textarea, 'Enter')
    expect(error.textContent).toBe('Write something first.')
    type(textarea, 'x', 44)
    expect(error.hidden).toBe(true)
    textarea.value = '😀'.repeat(4001)
    press(textarea, 'Enter')
    expect(error.textContent).toBe('A message can be at most 4000 characters; this one has 4001.')
    expect(send).not.toHaveBeenCalled()
  })

  it('asks to edit the last message on Up only when empty, and keeps Up for the caret when there is none', () => {
    const editLast = vi.fn(() => true)
    const { textarea } = composerWith({ editLast })
    textarea.value = 'draft'
    expect(press(textarea, 'ArrowUp')).toBe(true)
    expect(editLast).not.toHaveBeenCalled()
    textarea.value = ''
    expect(press(textarea, 'ArrowUp')).toBe(false)
    expect(editLast).toHaveBeenCalledTimes(1)
    editLast.mockReturnValue(false)
    expect(press(textarea, 'ArrowUp')).toBe(true)
  })

  it('says someone is typing only for text that is not blank', () => {
    const onTyping = vi.fn()
    const { textarea } = composerWith({ onTyping })
    type(textarea, '   ', 44)
    expect(onTyping).not.toHaveBeenCalled()
    type(textarea, 'hi', 44)
    expect(onTyping).toHaveBeenCalledTimes(1)
  })

  it('completes @ names when given the people: Enter picks one instead of sending, and the textarea refits', () => {
    const { composer, textarea, send } = composerWith({ mentions: { people: () => [{ id: 2, nickname: 'bob', name: 'Bob' }] } })
    textarea.value = 'hi @b'
    textarea.setSelectionRange(5, 5)
    withTextHeight(textarea, 44)
    textarea.dispatchEvent(new Event('input', { bubbles: true }))
    expect(composer.element.querySelectorAll('[role=option]')).toHaveLength(1)
    withTextHeight(textarea, 66)
    press(textarea, 'Enter')
    expect(textarea.value).toBe('hi @bob ')
    expect(textarea.style.height).toBe('66px')
    expect(send).not.toHaveBeenCalled()
    composer.destroy()
  })
})
