"""Where `confab tail` resumes from (`since`) after a lost connection or a `resync`.

Changes committed one after the other can reach a socket in the opposite order of their `seq` when different
workers push them (each publishes after its own commit), so the highest `seq` received is not safe to resume
from: a lower one may still have been on its way when the connection dropped. What is safe is the highest
`seq` received `RESUME_MARGIN_SECONDS` before the loss, or one the server read from its database (a
handshake's `synced.seq`). A `resync` says the server's link to its other workers was down for up to
`lost_for` seconds while this socket kept getting its own worker's events: the loss counts from then.
The web client does the same (`frontend/src/resumePoint.js`); README, "Resuming after a loss".
"""

from __future__ import annotations

import time
from collections import deque

# How long a pushed `seq` stays unsafe: longer than a worker takes to push what it committed.
RESUME_MARGIN_SECONDS = 10.0
# How far back arrivals are kept: an older loss resumes from the last `seq` read from the server.
RESUME_HISTORY_SECONDS = 15 * 60.0
# Arrivals within this long of the first in a record share it, so the history stays short at any rate.
RECORD_SPAN_SECONDS = 1.0


class ResumePoint:
    """The `seq`s received and when, enough to tell the highest safe to resume from at a given moment."""

    def __init__(self) -> None:
        self.read = 0
        # [first arrival's time, last arrival's time, highest `seq` received by then], oldest first.
        self.arrivals: deque[list[float]] = deque()

    def note_read(self, seq: int) -> None:
        """A `seq` read from the server's database: safe at once."""
        self.read = max(self.read, seq)

    def note_arrival(self, seq: int, now: float | None = None) -> None:
        """A `seq` pushed (or replayed) over the socket: safe once the margin has passed without a loss."""
        now = time.monotonic() if now is None else now
        last = self.arrivals[-1] if self.arrivals else None
        highest = max(seq, int(last[2]) if last else 0)
        if last is not None and now - last[0] < RECORD_SPAN_SECONDS:
            last[1], last[2] = now, highest
        else:
            self.arrivals.append([now, now, highest])
        while self.arrivals[0][1] < now - RESUME_HISTORY_SECONDS:
            self.arrivals.popleft()

    def since(self, lost_at: float) -> int:
        """The `since` for a connection lost at `lost_at` (a `time.monotonic()` reading)."""
        safe_before = lost_at - RESUME_MARGIN_SECONDS
        received = next((int(record[2]) for record in reversed(self.arrivals) if record[1] <= safe_before), 0)
        return max(self.read, received)
