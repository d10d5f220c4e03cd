"""Noticing that the Redis relay between workers lost events, and telling this worker's sockets to catch up.

When Redis restarts (or cannot be reached), the routing (`realtime/routing.py`) gives up on the events
it could not publish and subscribes again on its own once Redis is back; the sockets stay connected and
would never learn that messages passed them by. So each worker sends itself a probe through Redis twice
a second, on its own worker channel, which its subscription reads like any event from another worker.
A probe that does not arrive means events may have been lost; when one arrives again, the subscription
is back, and every socket this worker holds gets `resync` with `lost_for`: the seconds since the last probe
that made it through was sent, an upper bound on how long events may have been lost. Clients catch up as
after a reconnect (the handshake's `since` replay, or REST), from where they stood `lost_for` seconds (and
the resume margin) ago: this worker's own events kept reaching them meanwhile, so the highest `seq` they
hold may be above the ones lost. The worker also forgets every cached profile (profile changes may have
passed it by too). The routing waits at least a second after a drop
before it subscribes again, so every drop of the subscription misses at least one probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid

from confab.realtime.presence import RedisPresence
from confab.realtime.routing import ChannelRouter

logger = logging.getLogger("confab.realtime")

RESYNC_EVENT = "resync"
PROBE_INTERVAL_SECONDS = 0.5
# A probe slower than this counts as lost. Generous: Redis pub/sub never delivers a probe late once its
# subscriber dropped, so a lost one stays lost, while a loaded machine can delay a working relay by
# seconds, and taking that for an outage would make every client of the worker reconnect for nothing.
PROBE_TIMEOUT_SECONDS = 10.0


class RelayWatch:
    """Probes the relay, and sends `resync` to this worker's sockets once it works again after failing."""

    def __init__(self, manager: ChannelRouter, presence: RedisPresence) -> None:
        self.manager = manager
        self.presence = presence
        self._expected = ""
        self._arrived = asyncio.Event()
        manager.probe_arrived = self._probe_arrived

    def _probe_arrived(self, token: object) -> None:
        if token == self._expected:
            self._arrived.set()

    async def _probe(self) -> bool:
        self._expected = uuid.uuid4().hex
        self._arrived.clear()
        with contextlib.suppress(Exception):  # a failed publish is just a probe that never arrives
            await self.manager.send_probe(self._expected)
        try:
            await asyncio.wait_for(self._arrived.wait(), PROBE_TIMEOUT_SECONDS)
        except TimeoutError:
            return False
        return True

    async def run_forever(self) -> None:
        relay_works = True
        last_arrived_sent_at = time.monotonic()
        while True:
            sent_at = time.monotonic()
            if await self._probe():
                if not relay_works:
                    await self.resync(lost_for=math.ceil(time.monotonic() - last_arrived_sent_at))
                relay_works = True
                last_arrived_sent_at = sent_at
            elif relay_works:
                logger.warning("the Redis relay lost a probe: events may be lost until it is back")
                relay_works = False
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)

    async def resync(self, lost_for: int) -> None:
        """Tell every socket here that it may have missed events in the last `lost_for` seconds (straight to
        the socket, not via Redis)."""
        self.manager.profile_changed(None)  # profile changes may have been lost too: read them all again
        sockets = self.presence.local_sockets()
        logger.warning("the Redis relay is back: %d sockets told to catch up", len(sockets))
        for sid in sockets:
            with contextlib.suppress(Exception):  # a socket that left meanwhile has nothing to catch up
                await self.manager.send_to_socket(sid, RESYNC_EVENT, {"lost_for": lost_for})
