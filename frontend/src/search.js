// Message search, the parts that are not DOM: the server's highlight offsets turned into text and marked text,
// highlights carried over to an edited message, and the query language's help.
//
// The server counts `highlights` in Unicode code points (Python's string offsets); a JS string is indexed in
// UTF-16 code units, where an emoji or any other astral character takes two. Slicing with the server's numbers
// directly would cut a highlight short by one unit per astral character before it.

import { keyOf, parseKey } from './store.js'

/** The operators and forms of the query language, with an example each (shown under the search box). */
export const QUERY_HELP = [
  { example: 'deploy notes', meaning: 'every word, in any order; a word also finds longer forms (deploy → deployment)' },
  { example: '"release notes"', meaning: 'the exact phrase' },
  { example: 'lunch -pizza', meaning: 'leave out messages with a word' },
  { example: 'from:bob', meaning: 'sent by someone (their nickname)' },
  { example: 'with:bob', meaning: 'in your direct messages with someone' },
  { example: 'in:general', meaning: 'in a room, by its name (or in:#12 by its id)' },
  { example: 'after:2026-11-01', meaning: 'sent after that day ends (UTC)' },
  { example: 'before:2026-12-01', meaning: 'sent before that day starts (UTC)' },
  { example: 'has:link', meaning: 'messages with a link' },
]

/** `offsets[i]`: where code point `i` of `text` starts in UTF-16 code units; the last entry is `text.length`. */
export function codePointOffsets(text) {
  const offsets = [0]
  for (const character of text) offsets.push(offsets.at(-1) + character.length)
  return offsets
}

/**
 * Split `content` into `{text, marked}` pieces: the `spans` ([start, end) in code points) marked, the rest
 * not, in order, joined back they are `content` again. Spans out of range are clipped, overlapping ones
 * merged, malformed ones ignored: whatever the numbers, no text is lost or repeated.
 */
export function highlightSegments(content, spans = []) {
  const offsets = codePointOffsets(content)
  const length = offsets.length - 1
  const valid = spans
    .filter((span) => Array.isArray(span) && Number.isInteger(span[0]) && Number.isInteger(span[1]))
    .toSorted((a, b) => a[0] - b[0])
  const segments = []
  let cursor = 0
  for (const [start, end] of valid) {
    const from = Math.min(Math.max(start, cursor), length)
    const to = Math.min(end, length)
    if (to <= from) continue
    const text = content.slice(offsets[from], offsets[to])
    if (from > cursor) segments.push({ text: content.slice(offsets[cursor], offsets[from]), marked: false })
    const previous = segments.at(-1)
    // Spans that touch (or overlapped) make one mark.
    if (previous?.marked) previous.text += text
    else segments.push({ text, marked: true })
    cursor = to
  }
  if (cursor < length || !segments.length) segments.push({ text: content.slice(offsets[cursor]), marked: false })
  return segments
}

/** Folded like the server's search keys: case and accents (and compatibility forms) do not count. */
export function fold(text) {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
}

// A word as the server's index splits text: letters and digits (with their accents), not underscores.
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu

/** The words of `text`: `{start, end}` in code points and the folded word. */
function wordsOf(text) {
  const words = []
  let codePoints = 0
  let unitsCounted = 0
  for (const found of text.matchAll(WORD)) {
    codePoints += [...text.slice(unitsCounted, found.index)].length
    const start = codePoints
    codePoints += [...found[0]].length
    unitsCounted = found.index + found[0].length
    words.push({ start, end: codePoints, folded: fold(found[0]) })
  }
  return words
}

/**
 * The highlights of an edited message: the words (and phrases) `oldSpans` marked in `oldContent` marked again
 * wherever they appear, whole, in `newContent`, compared as the server compares them (case and accents do not
 * count). The words themselves are not searched again, so an edit that drops every matched word leaves none.
 */
export function carryHighlights(oldContent, oldSpans, newContent) {
  if (oldContent === newContent) return oldSpans
  const needles = new Map()
  for (const { text, marked } of highlightSegments(oldContent, oldSpans)) {
    const words = marked ? wordsOf(text).map((word) => word.folded) : []
    if (words.length) needles.set(words.join(' '), words)
  }
  const words = wordsOf(newContent)
  const spans = []
  for (const needle of needles.values()) {
    for (let index = 0; index + needle.length <= words.length; index += 1) {
      if (needle.every((part, offset) => words[index + offset].folded === part)) {
        spans.push([words[index].start, words[index + needle.length - 1].end])
      }
    }
  }
  spans.sort((a, b) => a[0] - b[0])
  const merged = []
  for (const span of spans) {
    if (merged.length && span[0] <= merged.at(-1)[1]) merged.at(-1)[1] = Math.max(merged.at(-1)[1], span[1])
    else merged.push([...span])
  }
  return merged
}

/** Results show at most this many characters of a message: the part around its first highlight. */
export const EXCERPT_LENGTH = 280

/**
 * The part of a long `content` worth showing in a result: `length` characters starting a little before the
 * first highlight, with the highlights moved to match and `before`/`after` saying whether text was cut there.
 * Offsets are in code points, like the server's, so an emoji is never cut in half.
 */
export function excerpt(content, spans = [], length = EXCERPT_LENGTH) {
  const characters = [...content]
  if (characters.length <= length) return { text: content, spans, before: false, after: false }
  const firstMatch = spans.length ? Math.min(...spans.map((span) => span[0])) : 0
  const start = Math.max(0, Math.min(firstMatch - Math.floor(length / 4), characters.length - length))
  const end = start + length
  const moved = spans
    .map(([from, to]) => [Math.max(from, start) - start, Math.min(to, end) - start])
    .filter(([from, to]) => to > from)
  return { text: characters.slice(start, end).join(''), spans: moved, before: start > 0, after: end < characters.length }
}

/**
 * The route that opens a result's conversation on it: `#/rooms/<id>/messages/<id>` or `#/people/<id>/messages/<id>`.
 * A reply is not in its conversation's list but in its thread: `#/rooms/<id>/thread/<root id>/messages/<reply id>`
 * opens the conversation on the root and the thread beside it on the reply.
 */
export function messageRoute(message, myId) {
  const { kind, id } = parseKey(keyOf(message, myId))
  const conversation = `#/${kind === 'room' ? 'rooms' : 'people'}/${id}`
  if (message.thread_id != null) return `${conversation}/thread/${message.thread_id}/messages/${message.id}`
  return `${conversation}/messages/${message.id}`
}
