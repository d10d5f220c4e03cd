import { describe, expect, it, vi } from 'vitest'
import { attachMentionAutocomplete, mentionedContent } from './mentions.js'
import { messageNode } from './message.js'
import { notificationLevelMenu } from './notificationLevel.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const bob = { id: 2, name: 'Bob Builder', nickname: 'bob' }

describe('mentions in a message', () => {
  const ui = { state: null, myId: 2, nameOf: () => '', nicknameOf: (id) => [alice, bob].find((p) => p.id === id)?.nickname }
  const message = { id: 9, content: 'hey @bob, <img src=x onerror=alert(1)> @alice', date: '2026-11-27T10:00:00Z', author: alice, seq: 9, mentions: [2] }

  it('are spans of text, mine set apart, and markup in the content stays text', () => {
    const node = messageNode(message, { mine: false, showAuthor: true }, ui)
    const content = node.querySelector('.content')
    expect([...content.querySelectorAll('.mention')].map((span) => [span.textContent, span.classList.contains('mention-me')])).toEqual([
      ['@bob', true],
    ])
    expect(content.querySelector('img')).toBeNull()
    expect(content.textContent).toBe(message.content)
  })

  it('mark someone else plainly', () => {
    const spans = mentionedContent({ ...message, mentions: [1] }, ui).filter((part) => part instanceof Node)
    expect(spans.map((span) => [span.textContent, span.className])).toEqual([['@alice', 'mention']])
  })
})

describe('the @ autocomplete', () => {
  function setUp(room = true) {
    const textarea = document.createElement('textarea')
    const sent = vi.fn()
    const picker = attachMentionAutocomplete(textarea, { people: () => [bob, { id: 3, nickname: 'bobby', name: 'Bobby Tables' }], room })
    // The composer's own handler, registered after the picker's, as in the conversation view.
    textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') sent(textarea.value)
    })
    document.body.append(picker.element, textarea)
    return { textarea, picker, sent }
  }
  const type = (textarea, text) => {
    textarea.value = text
    textarea.setSelectionRange(text.length, text.length)
    textarea.dispatchEvent(new Event('input'))
  }
  const key = (textarea, name) => textarea.dispatchEvent(new KeyboardEvent('keydown', { key: name, cancelable: true }))
  const options = (picker) => [...picker.element.querySelectorAll('[role=option]')].map((option) => [option.textContent, option.getAttribute('aria-selected')])

  it('lists the matching people and picks one with the keyboard instead of sending', () => {
    const { textarea, picker, sent } = setUp()
    type(textarea, 'hi @bo')
    expect(options(picker)).toEqual([
      ['@bob Bob Builder', 'true'],
      ['@bobby Bobby Tables', 'false'],
    ])
    expect(textarea.getAttribute('aria-activedescendant')).toBe(picker.element.querySelector('[aria-selected=true]').id)
    key(textarea, 'ArrowDown')
    expect(options(picker).map(([, selected]) => selected)).toEqual(['false', 'true'])
    key(textarea, 'Enter')
    expect(textarea.value).toBe('hi @bobby ')
    expect(sent).not.toHaveBeenCalled()
    expect(picker.element.hidden).toBe(true)
    key(textarea, 'Enter')
    expect(sent).toHaveBeenCalledWith('hi @bobby ')
  })

  it('closes on Escape, and offers @room in a room', () => {
    const { textarea, picker } = setUp()
    type(textarea, '@r')
    expect(options(picker).map(([text]) => text)).toEqual(['@room Everyone in this room'])
    key(textarea, 'Escape')
    expect(picker.element.hidden).toBe(true)
    type(textarea, 'no at sign')
    expect(picker.element.hidden).toBe(true)
  })
})

describe('the notification level menu', () => {
  it('sends the chosen level, and puts the old one back when refused', async () => {
    const onChange = vi.fn().mockResolvedValueOnce(undefined).mockRejectedValueOnce({ detail: 'nope' })
    const menu = notificationLevelMenu({ level: 'all', onChange })
    const select = menu.element.querySelector('select')
    select.value = 'mentions'
    select.dispatchEvent(new Event('change'))
    await vi.waitFor(() => expect(onChange).toHaveBeenCalledWith('mentions'))
    select.value = 'none'
    select.dispatchEvent(new Event('change'))
    await vi.waitFor(() => expect(select.value).toBe('mentions'))
    expect(menu.element.querySelector('[role=alert]').textContent).toContain('nope')
  })
})
