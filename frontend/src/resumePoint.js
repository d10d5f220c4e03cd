// Where a handshake resumes from (`since`) after the connection was lost or the server sent `resync`.
//
// Changes committed one after the other can reach a socket in the opposite order of their `seq` when
// different workers push them (each publishes after its own commit). So the highest `seq` received is not
// safe to resume from: a lower one may still have been on its way when the connection dropped, and a replay
// from above it would skip it for good. What is safe is the highest `seq` received `RESUME_MARGIN_MS`
// before the loss, or one the server read from the database (a handshake's `synced.seq`, a page of
// `GET /api/changes`, the lists a session starts with): everything below those was already committed and
// included. A `resync` says the server's link to the other workers was down for up to `lost_for` seconds,
// while this socket kept getting its own worker's events: the loss counts from that long ago.
// Resuming lower replays a few changes already held; the store keeps one copy of each (by id and `seq`).

/** How long a live `seq` stays unsafe: longer than a worker takes to push what it committed. */
export const RESUME_MARGIN_MS = 10_000
/** How far back the arrivals are kept: an older loss resumes from the last `seq` read from the server. */
export const RESUME_HISTORY_MS = 15 * 60_000
// Arrivals within this much of each other share one record, so the history stays short at any rate.
const RECORD_SPAN_MS = 1000

export class ResumePoint {
  constructor() {
    this.read = 0
    // [time of the first arrival it covers, of the last, highest `seq` received by then], oldest first.
    this.arrivals = []
  }

  /** A `seq` read from the server's database: safe at once. */
  noteRead(seq) {
    if (seq > this.read) this.read = seq
  }

  /** A `seq` pushed live (or replayed): safe once `RESUME_MARGIN_MS` have passed without losing the connection. */
  noteArrival(seq, now = Date.now()) {
    const last = this.arrivals.at(-1)
    const highest = Math.max(seq, last?.[2] ?? 0)
    if (last && now - last[0] < RECORD_SPAN_MS) {
      last[1] = now
      last[2] = highest
    } else {
      this.arrivals.push([now, now, highest])
    }
    while (this.arrivals[0][1] < now - RESUME_HISTORY_MS) this.arrivals.shift()
  }

  /** The highest `seq` received or read so far, safe or not. */
  get highest() {
    return Math.max(this.read, this.arrivals.at(-1)?.[2] ?? 0)
  }

  /** The `since` for a connection lost at `lostAt` (a time, as `Date.now()` gives). */
  since(lostAt = Date.now()) {
    const safeBefore = lostAt - RESUME_MARGIN_MS
    let received = 0
    for (let index = this.arrivals.length - 1; index >= 0; index -= 1) {
      if (this.arrivals[index][1] <= safeBefore) {
        received = this.arrivals[index][2]
        break
      }
    }
    return Math.max(this.read, received)
  }
}
