"""Publishing to Redis in batches: the events emitted while a publish is in flight go together in the next one.

A batch of messages committed together resumes its senders at once, and each pushes its `message` and then
its `notify`: published one command each, that was a Redis round trip per event, paid by the worker (a
connection taken from redis-py's pool, the command packed, the reply parsed) and by Redis. As the group commit
does for writes, a publish starts at once when none is in flight (a lone event waits for nothing but its own
round trip), and the events emitted meanwhile are sent by the next one, all of them in one pipeline.

Order: events are published in the order they were emitted, each batch after the one before has been
answered (several commands sent at once on separate pooled connections could reach Redis in any order).
Each emitter still waits until Redis has its event, and hears of a failure (Redis away) as before.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis


class PublishOutbox:
    """SPUBLISHes to `redis`, batched (see the module)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._queued: list[tuple[str, bytes]] = []
        self._next_batch: asyncio.Future[None] | None = None
        self._sending: asyncio.Task[None] | None = None

    async def publish(self, channels: list[str], message: bytes) -> None:
        """SPUBLISH `message` to each of `channels`; returns once Redis has them all (raises what Redis raised)."""
        self._queued.extend((channel, message) for channel in channels)
        if self._next_batch is None:
            self._next_batch = asyncio.get_running_loop().create_future()
        batch = self._next_batch
        if self._sending is None:
            self._sending = asyncio.create_task(self._send_queued())
        await asyncio.shield(batch)  # one emitter cancelled does not cancel the others' batch

    async def _send_queued(self) -> None:
        try:
            while self._queued:
                queued, self._queued = self._queued, []
                batch, self._next_batch = self._next_batch, None
                assert batch is not None
                try:
                    await self._send(queued)
                except asyncio.CancelledError:  # the worker is stopping
                    batch.cancel()
                    raise
                except Exception as error:
                    batch.set_exception(error)
                    batch.exception()  # marked seen: every emitter may have been cancelled meanwhile
                else:
                    batch.set_result(None)
        finally:
            self._sending = None

    async def _send(self, queued: list[tuple[str, bytes]]) -> None:
        if len(queued) == 1:
            await self.redis.spublish(*queued[0])
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for channel, message in queued:
                pipe.spublish(channel, message)
            await pipe.execute()
