import { describe, expect, it } from 'vitest'
import { mentionCandidates, mentionQueryAt, splitMentions } from './mentions.js'

const people = { 1: 'alice', 2: 'bob', 3: 'bob.', 4: 'carol' }
const nicknameOf = (id) => people[id]
const split = (content, mentions, myId = 2) =>
  splitMentions({ content, mentions }, { myId, nicknameOf }).map((part) => (part.mention ? [part.text, part.mention.me] : part.text))

describe('splitMentions', () => {
  it('cuts out the mentions the server reported, any case, mine marked', () => {
    expect(split('hi @Bob and @carol!', [2, 4])).toEqual(['hi ', ['@Bob', true], ' and ', ['@carol', false], '!'])
  })

  it('leaves alone what the server did not count: emails, words, unknown or unmentioned names', () => {
    expect(split('bob@example.com x@bob @bobby @carol', [2])).toEqual(['bob@example.com x@bob @bobby @carol'])
    expect(split('no mentions here @bob', [])).toEqual(['no mentions here @bob'])
  })

  it('keeps a sentence full stop out of a name, unless the name has it', () => {
    expect(split('ask @carol.', [4])).toEqual(['ask ', ['@carol', false], '.'])
    expect(split('ask @bob.', [3], 3)).toEqual(['ask ', ['@bob.', true]])
  })

  it('highlights @room when the message mentions anyone, as mine when I am among them', () => {
    expect(split('@Room lunch', [2, 4])).toEqual([['@Room', true], ' lunch'])
    expect(split('@room lunch', [4])).toEqual([['@room', false], ' lunch'])
  })
})

describe('mentionQueryAt', () => {
  it('finds the @ being typed before the caret, not one inside a word or an email', () => {
    expect(mentionQueryAt('hi @bo', 6)).toEqual({ start: 3, query: 'bo' })
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' })
    expect(mentionQueryAt('mail bob@ex', 11)).toBeNull()
    expect(mentionQueryAt('hi @bo there', 12)).toBeNull()
  })
})

describe('mentionCandidates', () => {
  const members = [
    { id: 2, nickname: 'bob', name: 'Bob Builder' },
    { id: 5, nickname: 'rbuilder', name: 'Robert Bobson' },
    { id: 4, nickname: 'carol', name: 'Carol Rose' },
  ]

  it('offers nicknames starting with the text, then names with a word starting with it', () => {
    expect(mentionCandidates(members, 'BO').map((person) => person.nickname)).toEqual(['bob', 'rbuilder'])
    expect(mentionCandidates(members, 'ro').map((person) => person.nickname)).toEqual(['rbuilder', 'carol'])
  })

  it('offers @room first in a room only', () => {
    expect(mentionCandidates(members, 'r', { room: true }).map((person) => person.nickname)).toEqual(['room', 'rbuilder', 'carol'])
    expect(mentionCandidates(members, 'r').map((person) => person.nickname)).toEqual(['rbuilder', 'carol'])
  })
})
