"""Events emitted while a publish is in flight reach Redis together, in the order they were emitted, and each
emitter returns once Redis has its event or hears why it does not (`confab.realtime.outbox`)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from confab.realtime.outbox import PublishOutbox


class CountedRedis(Redis):
    """A real Redis client that counts its round trips: single commands and pipelines."""

    round_trips = 0
    sending: asyncio.Event

    def count(self) -> None:
        self.round_trips += 1
        self.sending.set()

    async def execute_command(self, *arguments, **options):
        self.count()
        return await super().execute_command(*arguments, **options)

    def pipeline(self, transaction=True, shard_hint=None):
        self.count()
        return super().pipeline(transaction, shard_hint)


@pytest.fixture
async def redis(redis_url) -> AsyncIterator[CountedRedis]:
    client = CountedRedis.from_url(redis_url)
    client.sending = asyncio.Event()
    yield client
    await client.aclose()


@pytest.fixture
def channel() -> str:
    return f"outbox-{uuid.uuid4().hex}"


@pytest.fixture
def outbox(redis) -> PublishOutbox:
    return PublishOutbox(redis)


async def first_in_flight(redis: CountedRedis, outbox: PublishOutbox, channel: str) -> asyncio.Task[None]:
    """`first` being published: what is emitted from now on waits for the next publish."""
    redis.round_trips = 0
    first = asyncio.create_task(outbox.publish([channel], b"first"))
    await redis.sending.wait()
    return first


@contextlib.asynccontextmanager
async def subscribed(redis_url: str, channel: str) -> AsyncIterator[Callable[[int], Awaitable[list[bytes]]]]:
    """Subscribed to `channel` (sharded pub/sub) once entered; yields a function that reads the next `count`
    messages published to it (fewer if they stop coming for 5 s)."""
    listener = Redis.from_url(redis_url)
    pubsub = listener.pubsub()
    await pubsub.ssubscribe(channel)
    assert (await pubsub.get_message(timeout=5))["type"] == "ssubscribe"

    async def receive(count: int) -> list[bytes]:
        received: list[bytes] = []
        while len(received) < count:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
            if message is None:
                break
            received.append(message["data"])
        return received

    try:
        yield receive
    finally:
        await pubsub.aclose()
        await listener.aclose()


async def test_events_emitted_together_go_in_one_round_trip_in_the_order_they_were_emitted(
    redis, redis_url, outbox, channel
):
    async with subscribed(redis_url, channel) as receive:
        redis.round_trips = 0
        await asyncio.gather(*(outbox.publish([channel], f"event {n}".encode()) for n in range(100)))
        assert redis.round_trips == 1
        assert await receive(100) == [f"event {n}".encode() for n in range(100)]


async def test_events_emitted_while_a_publish_is_in_flight_go_in_the_next_one(redis, redis_url, outbox, channel):
    async with subscribed(redis_url, channel) as receive:
        first = await first_in_flight(redis, outbox, channel)
        await asyncio.gather(first, *(outbox.publish([channel], f"meanwhile {n}".encode()) for n in range(10)))
        assert redis.round_trips == 2
        assert await receive(11) == [b"first", *(f"meanwhile {n}".encode() for n in range(10))]


async def test_a_lone_event_is_one_round_trip_and_waits_for_no_other(redis, outbox, channel):
    redis.round_trips = 0
    await outbox.publish([channel], b"alone")
    await outbox.publish([channel, f"{channel}-other"], b"to two channels")
    assert redis.round_trips == 2


async def test_every_emitter_of_a_failed_batch_hears_why_and_the_next_batch_is_sent(outbox, channel, monkeypatch):
    real_send = outbox._send

    async def redis_away(_queued):
        raise RedisConnectionError("Redis is away")

    monkeypatch.setattr(outbox, "_send", redis_away)
    outcomes = await asyncio.gather(*(outbox.publish([channel], b"lost") for _ in range(5)), return_exceptions=True)
    assert [type(outcome) for outcome in outcomes] == [RedisConnectionError] * 5
    monkeypatch.setattr(outbox, "_send", real_send)
    await asyncio.wait_for(outbox.publish([channel], b"back"), timeout=5)


async def test_an_emitter_given_up_does_not_cancel_the_others_in_its_batch(redis, redis_url, outbox, channel):
    async with subscribed(redis_url, channel) as receive:
        first = await first_in_flight(redis, outbox, channel)
        given_up = asyncio.create_task(outbox.publish([channel], b"given up"))
        kept = asyncio.create_task(outbox.publish([channel], b"kept"))
        await asyncio.sleep(0)  # both queued behind the publish in flight
        given_up.cancel()
        await asyncio.wait_for(asyncio.gather(first, kept), timeout=5)
        assert given_up.cancelled()
        # An event queued before its emitter gave up is still published: it may already be on its way.
        assert await receive(3) == [b"first", b"given up", b"kept"]
