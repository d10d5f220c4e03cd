// Search highlights: the server's code point offsets over JS strings (UTF-16), carried over edits, and excerpts.
import { describe, expect, it } from 'vitest'
import { carryHighlights, codePointOffsets, excerpt, fold, highlightSegments, messageRoute } from './search.js'

const marked = (segments) => segments.filter((segment) => segment.marked).map((segment) => segment.text)
const joined = (segments) => segments.map((segment) => segment.text).join('')

describe('highlightSegments', () => {
  it('marks the spans and keeps the text around them, in order', () => {
    const segments = highlightSegments('deploy the deployment', [
      [0, 6],
      [11, 21],
    ])
    expect(segments).toEqual([
      { text: 'deploy', marked: true },
      { text: ' the ', marked: false },
      { text: 'deployment', marked: true },
    ])
  })

  it('counts offsets in code points: an emoji (two UTF-16 units) before the match does not shift it', () => {
    const content = '🍕 a lunch 😀 later'
    // The server puts "lunch" at code point 4; in UTF-16 units it starts at 5, "later" two units further on.
    expect(content.indexOf('lunch')).toBe(5)
    const segments = highlightSegments(content, [
      [4, 9],
      [12, 17],
    ])
    expect(marked(segments)).toEqual(['lunch', 'later'])
    expect(joined(segments)).toBe(content)
  })

  it('marks an astral character itself whole', () => {
    const content = 'x 𝔘𝔫𝔦 y'
    expect(marked(highlightSegments(content, [[2, 5]]))).toEqual(['𝔘𝔫𝔦'])
  })

  it('clips spans past the end, merges overlaps and ignores malformed ones: no text lost or repeated', () => {
    const content = 'café au lait'
    const segments = highlightSegments(content, [[8, 99], [0, 4], [2, 6], ['a', 3], [5], null, [7, 3]])
    expect(joined(segments)).toBe(content)
    expect(marked(segments)).toEqual(['café a', 'lait'])
  })

  it('gives the whole text, unmarked, without spans; and an empty text as one empty piece', () => {
    expect(highlightSegments('plain', [])).toEqual([{ text: 'plain', marked: false }])
    expect(highlightSegments('', [[0, 3]])).toEqual([{ text: '', marked: false }])
  })

  it('maps code points to UTF-16 offsets', () => {
    expect(codePointOffsets('a😀b')).toEqual([0, 1, 3, 4])
  })
})

describe('carryHighlights (an edited result)', () => {
  it('finds the highlighted words again at their new place, ignoring case and accents', () => {
    const before = 'the Café opens'
    const after = '😀 new: the cafe opens, CAFÉ!'
    const spans = carryHighlights(before, [[4, 8]], after)
    expect(marked(highlightSegments(after, spans))).toEqual(['cafe', 'CAFÉ'])
  })

  it('keeps a phrase only where its words still follow each other', () => {
    const before = 'read the release notes'
    const spans = carryHighlights(before, [[9, 22]], 'release day; the Release Notes are out; notes')
    expect(marked(highlightSegments('release day; the Release Notes are out; notes', spans))).toEqual(['Release Notes'])
  })

  it('drops highlights whose words the edit removed', () => {
    expect(carryHighlights('deploy friday', [[0, 6]], 'ship friday')).toEqual([])
  })

  it('leaves the highlights alone when the text did not change (a reaction)', () => {
    const spans = [[0, 6]]
    expect(carryHighlights('deploy friday', spans, 'deploy friday')).toBe(spans)
  })

  it('folds like the server: case, accents and compatibility forms', () => {
    expect(fold('Ｃafé ﬁne')).toBe('cafe fine')
  })
})

describe('excerpt', () => {
  it('keeps a short message whole', () => {
    expect(excerpt('short', [[0, 5]])).toEqual({ text: 'short', spans: [[0, 5]], before: false, after: false })
  })

  it('shows a long message around its first match, cut on code points with the spans moved', () => {
    const content = `${'😀'.repeat(500)} needle ${'x'.repeat(500)}`
    const start = 501
    const shown = excerpt(content, [[start, start + 6]], 100)
    expect([...shown.text]).toHaveLength(100)
    expect(shown.before).toBe(true)
    expect(shown.after).toBe(true)
    expect(marked(highlightSegments(shown.text, shown.spans))).toEqual(['needle'])
    expect(shown.text.startsWith('😀')).toBe(true)
  })
})

describe('messageRoute', () => {
  const alice = { id: 1, name: 'Alice' }
  const bob = { id: 2, name: 'Bob' }

  it('opens a room message in its room, and a DM with the other person, either way round', () => {
    expect(messageRoute({ id: 9, room_id: 7, author: bob }, 1)).toBe('#/rooms/7/messages/9')
    expect(messageRoute({ id: 9, room_id: null, author: alice, recipient: bob }, 1)).toBe('#/people/2/messages/9')
    expect(messageRoute({ id: 9, room_id: null, author: bob, recipient: alice }, 1)).toBe('#/people/2/messages/9')
  })

  it('opens a reply in its thread, beside the conversation opened on the root', () => {
    expect(messageRoute({ id: 12, room_id: 7, thread_id: 9, author: bob }, 1)).toBe('#/rooms/7/thread/9/messages/12')
    expect(messageRoute({ id: 12, room_id: null, thread_id: 9, author: bob, recipient: alice }, 1)).toBe('#/people/2/thread/9/messages/12')
  })
})
