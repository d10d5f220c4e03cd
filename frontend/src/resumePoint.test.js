import { describe, expect, it } from 'vitest'
import { RESUME_HISTORY_MS, RESUME_MARGIN_MS, ResumePoint } from './resumePoint.js'

const start = 1_000_000

describe('the resume point', () => {
  it('counts a pushed seq only once the margin has passed, and a seq read from the server at once', () => {
    const point = new ResumePoint()
    point.noteArrival(70, start)
    expect(point.since(start)).toBe(0)
    expect(point.since(start + RESUME_MARGIN_MS - 1)).toBe(0)
    expect(point.since(start + RESUME_MARGIN_MS)).toBe(70)
    point.noteRead(65)
    expect(point.since(start)).toBe(65)
  })

  it('answers for the moment the connection was lost, not for when the handshake asks', () => {
    const point = new ResumePoint()
    point.noteArrival(20, start)
    point.noteArrival(31, start + 30_000)
    // Lost just after 31 arrived: 30 may have been on its way, so 20 it is, even a minute later.
    expect(point.since(start + 30_001)).toBe(20)
    expect(point.since(start + 45_000)).toBe(31)
  })

  it('keeps one record for arrivals close together, and never counts one before it arrived', () => {
    const point = new ResumePoint()
    for (let step = 0; step < 5000; step += 1) point.noteArrival(100 + step, start + step * 10)
    // 50 seconds of arrivals, a hundred a second: about one record a second.
    expect(point.arrivals.length).toBeLessThanOrEqual(51)
    const lostAt = start + 25_005
    const safe = point.since(lostAt)
    // Everything that arrived by lostAt - margin, and nothing after it.
    expect(safe).toBeLessThanOrEqual(100 + Math.floor((lostAt - RESUME_MARGIN_MS - start) / 10))
    expect(safe).toBeGreaterThanOrEqual(100 + Math.floor((lostAt - RESUME_MARGIN_MS - start) / 10) - 100)
  })

  it('forgets arrivals older than its history, and then resumes from the last seq read', () => {
    const point = new ResumePoint()
    point.noteRead(5)
    point.noteArrival(50, start)
    point.noteArrival(60, start + RESUME_HISTORY_MS + 2000)
    expect(point.arrivals.length).toBe(1)
    expect(point.since(start + 2 * RESUME_MARGIN_MS)).toBe(5)
  })
})
