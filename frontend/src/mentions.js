// Mentions in text, as the server finds them (backend `confab/domain/mentions/parsing.py`): `@nickname` standing
// alone, any case, and `@room`. Which tokens really are mentions is the server's word: `message.mentions`.

// A nickname's characters after an `@` that follows no word character, `@`, `.`, `/` or `-`; taken whole
// (the lookahead refuses any nickname character after it, so a longer word never yields a shorter name).
const MENTION = /(?<![\p{L}\p{N}_.@/-])@([A-Za-z0-9_.-]+)(?![\p{L}\p{N}_.@-])/gu
const TRAILING_PUNCTUATION = /[._-]+$/
export const ROOM_KEYWORD = 'room'

/**
 * The content cut into plain text and mentions, in order: `{text}` or `{text, mention: {userId|room, me}}`.
 * Only tokens naming someone in `message.mentions` (or `@room` when it mentions anyone) are mentions;
 * `nicknameOf(id)` gives a mentioned person's nickname. A full stop after a name stays plain text.
 */
export function splitMentions(message, { myId, nicknameOf }) {
  const content = message.content ?? ''
  const mentioned = message.mentions ?? []
  if (!mentioned.length || !content.includes('@')) return [{ text: content }]
  const byNickname = new Map()
  for (const id of mentioned) {
    const nickname = nicknameOf(id)
    if (nickname) byNickname.set(nickname.toLowerCase(), id)
  }
  const parts = []
  let from = 0
  for (const match of content.matchAll(MENTION)) {
    const whole = match[1].toLowerCase()
    const trimmed = whole.replace(TRAILING_PUNCTUATION, '')
    let mention = null
    let length = match[1].length
    if (trimmed === ROOM_KEYWORD) {
      mention = { room: true, me: mentioned.includes(myId) }
      length = trimmed.length
    } else if (byNickname.has(whole)) {
      const userId = byNickname.get(whole)
      mention = { userId, me: userId === myId }
    } else if (byNickname.has(trimmed)) {
      const userId = byNickname.get(trimmed)
      mention = { userId, me: userId === myId }
      length = trimmed.length
    }
    if (!mention) continue
    if (match.index > from) parts.push({ text: content.slice(from, match.index) })
    const end = match.index + 1 + length
    parts.push({ text: content.slice(match.index, end), mention })
    from = end
  }
  if (from < content.length) parts.push({ text: content.slice(from) })
  return parts
}

/** The `@` being typed just before the caret: `{start, query}` (the text after the `@`), or null. */
export function mentionQueryAt(text, caret) {
  const match = /(?<![\p{L}\p{N}_.@/-])@([A-Za-z0-9_.-]*)$/u.exec(text.slice(0, caret))
  return match ? { start: match.index, query: match[1] } : null
}

/**
 * Whom `@query` may name: people whose nickname starts with it, then those with a word of their name starting
 * with it (any case), at most `limit`; in a room, `@room` first when it matches.
 */
export function mentionCandidates(people, query, { room = false, limit = 8 } = {}) {
  const folded = query.toLowerCase()
  const byNickname = people.filter((person) => person.nickname.toLowerCase().startsWith(folded))
  const byName = people.filter(
    (person) => !byNickname.includes(person) && String(person.name ?? '').toLowerCase().split(/\s+/).some((word) => word.startsWith(folded)),
  )
  const everyone = room && ROOM_KEYWORD.startsWith(folded) ? [{ id: null, nickname: ROOM_KEYWORD, name: 'Everyone in this room' }] : []
  return [...everyone, ...byNickname, ...byName].slice(0, limit)
}
