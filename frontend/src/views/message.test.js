import { describe, expect, it } from 'vitest'
import { messageNode } from './message.js'

const alice = { id: 1, name: 'Alice', nickname: 'alice' }
const ui = { state: null, canEdit: false, canDelete: false, myId: 2, nameOf: () => '', onOpenPicker() {} }
const root = {
  id: 43,
  content: 'lunch?',
  date: '2026-11-25T10:01:00Z',
  author: alice,
  seq: 53,
  room_id: 7,
  reactions: [],
  thread_id: null,
  thread: null,
}

describe('a thread root', () => {
  it('shows its reply count and the last reply time under the message, as text', () => {
    const thread = { reply_count: 3, last_reply_at: '2026-11-25T10:06:00Z', participant_ids: [2, 3] }
    const node = messageNode({ ...root, thread }, { mine: false, showAuthor: true }, ui)
    const summary = node.querySelector('.thread-summary')
    expect(summary.textContent).toMatch(/^3 replies · last \S/)
    expect(summary.querySelector('time').getAttribute('datetime')).toBe(thread.last_reply_at)
    const one = messageNode({ ...root, thread: { ...thread, reply_count: 1 } }, { mine: false, showAuthor: true }, ui)
    expect(one.querySelector('.thread-summary').textContent).toMatch(/^1 reply · last/)
  })

  it('shows nothing while it has no replies, and keeps the summary under a deleted root', () => {
    expect(messageNode(root, { mine: false, showAuthor: true }, ui).querySelector('.thread-summary')).toBeNull()
    const thread = { reply_count: 2, last_reply_at: '2026-11-25T10:06:00Z', participant_ids: [2] }
    const tombstone = messageNode({ ...root, deleted: true, content: '', thread }, { mine: false, showAuthor: true }, ui)
    expect(tombstone.querySelector('.thread-summary').textContent).toMatch(/^2 replies/)
  })
})
