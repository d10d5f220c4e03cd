"""Events go through Redis only to the workers that hold a socket that wants them (realtime/routing.py).

Workers are real `confab serve` processes sharing one database and one Redis. What reaches a worker's
Redis connection is counted on the wire, through a proxy that records every byte Redis sends it; which
worker listens to which channel is read from Redis itself (PUBSUB SHARDCHANNELS / SHARDNUMSUB).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import signal
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from urllib.parse import urlparse

import httpx
import pytest
import redis.asyncio as redis

from tests.conftest import free_port
from tests.support.accounts import Account, sign_up
from tests.support.processes import BackendProcess, environment_for
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


class CountingProxy:
    """A TCP proxy in front of Redis that keeps every byte Redis sends back through it."""

    def __init__(self, redis_url: str) -> None:
        parsed = urlparse(redis_url)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 6379)
        self.database = parsed.path or "/0"
        self.downstream = bytearray()
        self.server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}{self.database}"

    async def start(self) -> CountingProxy:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        redis_reader, redis_writer = await asyncio.open_connection(*self.upstream)

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: bool) -> None:
            try:
                while data := await reader.read(65536):
                    if record:
                        self.downstream.extend(data)
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pump(client_reader, redis_writer, False), pump(redis_reader, client_writer, True))

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()


@dataclasses.dataclass
class Cluster:
    prefix: str
    environment: dict[str, str]
    workers: list[BackendProcess]
    sockets: list[RecordingClient] = dataclasses.field(default_factory=list)

    async def connect(self, worker: BackendProcess, account: Account) -> RecordingClient:
        socket = await RecordingClient().connect(worker.url, account.token)
        self.sockets.append(socket)
        return socket


@pytest.fixture
async def cluster(settings, redis_url) -> AsyncIterator[Cluster]:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    shared = dataclasses.replace(settings, redis_url=redis_url, redis_prefix=prefix)
    running = Cluster(prefix, environment_for(shared), [])
    try:
        yield running
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in running.sockets), return_exceptions=True)
        await asyncio.gather(*(worker.stop() for worker in running.workers))


async def start_worker(cluster: Cluster, **extra: str) -> BackendProcess:
    worker = BackendProcess({**cluster.environment, **extra}, free_port())
    cluster.workers.append(worker)
    return await worker.start()


def token_id(account: Account) -> str:
    payload = account.token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]


async def shard_subscribers(redis_url: str, prefix: str) -> Counter[str]:
    """How many subscriptions each of the deployment's channels has, as Redis counts them."""
    client = redis.Redis.from_url(redis_url)
    try:
        channels = await client.execute_command("PUBSUB", "SHARDCHANNELS", f"{prefix}:socketio*")
        if not channels:
            return Counter()
        counts = await client.execute_command("PUBSUB", "SHARDNUMSUB", *channels)
    finally:
        await client.aclose()
    pairs = zip(counts[::2], counts[1::2], strict=True)
    return Counter({channel.decode(): int(count) for channel, count in pairs if int(count)})


async def until_subscriptions(redis_url: str, prefix: str, expected: Counter[str], timeout: float = 10) -> None:
    """Wait until Redis shows exactly `expected` (the channels every worker keeps aside: its own and the profile
    changes'); fail with the difference."""
    deadline = time.monotonic() + timeout
    while True:
        actual = await shard_subscribers(redis_url, prefix)
        actual = Counter({channel: count for channel, count in actual.items() if not always_subscribed(channel)})
        if actual == expected:
            return
        if time.monotonic() > deadline:
            missing, extra = expected - actual, actual - expected
            raise AssertionError(f"subscriptions differ: missing {dict(missing)}, not wanted {dict(extra)}")
        await asyncio.sleep(0.1)


def always_subscribed(channel: str) -> bool:
    return "@worker:" in channel or channel.endswith("@profiles")


def channels_of(prefix: str, socket: RecordingClient, account: Account, room_ids: list[int]) -> set[str]:
    """The channels one socket makes its worker subscribe to."""
    base = f"{prefix}:socketio"
    names = [f"user:{account.nickname}", f"token:{token_id(account)}", socket.client.get_sid("/")]
    names += [f"room:{room_id}" for room_id in room_ids]
    return {f"{base}:{name}" for name in names} | {f"{base}@everyone"}


def expected_subscriptions(prefix: str, held: list[list[tuple[RecordingClient, Account, list[int]]]]) -> Counter:
    """One subscription per worker for each channel any of its sockets wants."""
    expected: Counter[str] = Counter()
    for worker_sockets in held:
        channels: set[str] = set()
        for socket, account, room_ids in worker_sockets:
            channels |= channels_of(prefix, socket, account, room_ids)
        expected.update(channels)
    return expected


async def test_a_worker_with_no_socket_in_a_room_receives_none_of_its_traffic(cluster, redis_url):
    proxy = await CountingProxy(redis_url).start()
    try:
        worker_a = await start_worker(cluster)
        worker_b = await start_worker(cluster, REDIS_URL=proxy.url)
        async with httpx.AsyncClient(base_url=worker_a.url) as http:
            alice, bob, carol = await sign_up(http), await sign_up(http), await sign_up(http)
            room = await create_room(http, alice, members=[bob])
            alice_on_a = await cluster.connect(worker_a, alice)
            bob_on_a = await cluster.connect(worker_a, bob)
            carol_on_b = await cluster.connect(worker_b, carol)

            room_marker, dm_marker, their_dm_marker = (f"marker-{uuid.uuid4().hex}" for _ in range(3))
            posted = [await post_to_room(http, alice, room["id"], f"{room_marker} {n}") for n in range(5)]
            between_them = await http.post(
                "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": their_dm_marker}
            )
            assert between_them.status_code == 201
            to_carol = await http.post(
                "/api/messages", headers=alice.headers, json={"recipient_id": carol.id, "content": dm_marker}
            )
            assert to_carol.status_code == 201

            await carol_on_b.wait_for("message", lambda message: message["content"] == dm_marker)
            await carol_on_b.wait_for("notify", lambda alert: alert["message"]["content"] == dm_marker)
            for socket in (alice_on_a, bob_on_a):
                await socket.wait_for("message", lambda message: message["id"] == posted[-1]["id"])
            await settle(0.5)
            wire = bytes(proxy.downstream)
            # Worker B is in none of the room's or the alice-bob DM's channels: none of it reached its connection...
            assert wire.count(room_marker.encode()) == 0
            assert wire.count(their_dm_marker.encode()) == 0
            # ...while carol's DM reached it twice, on carol's channel only (B has no other): once as the
            # `message`, once inside the `notify` that alerts her of it.
            assert wire.count(dm_marker.encode()) == 2
            assert [message["content"] for message in carol_on_b.received("message")] == [dm_marker]
            assert [(n["message"]["content"], n["reason"]) for n in carol_on_b.received("notify")] == [
                (dm_marker, "dm")
            ]
    finally:
        await proxy.stop()


async def test_subscriptions_follow_sockets_and_room_membership_exactly_under_churn(cluster, redis_url):
    worker_a, worker_b = await asyncio.gather(start_worker(cluster), start_worker(cluster))
    prefix = cluster.prefix
    async with httpx.AsyncClient(base_url=worker_a.url) as http:
        alice, bob, carol, dave = [await sign_up(http) for _ in range(4)]
        general = await create_room(http, alice, "general", members=[bob])
        side = await create_room(http, carol, "side", members=[dave])
        await until_subscriptions(redis_url, prefix, Counter())

        alice_a = await cluster.connect(worker_a, alice)
        bob_b = await cluster.connect(worker_b, bob)
        carol_b = await cluster.connect(worker_b, carol)
        dave_a = await cluster.connect(worker_a, dave)
        rooms = {alice.id: [general["id"]], bob.id: [general["id"]], carol.id: [side["id"]], dave.id: [side["id"]]}
        held = {"a": [(alice_a, alice), (dave_a, dave)], "b": [(bob_b, bob), (carol_b, carol)]}

        def layout() -> Counter:
            return expected_subscriptions(
                prefix,
                [
                    [(socket, account, rooms[account.id]) for socket, account in sockets if socket.client.connected]
                    for sockets in held.values()
                ],
            )

        await until_subscriptions(redis_url, prefix, layout())

        # carol (on B) joins general: B already listens to it for bob; dave (on A) is added to it too.
        for newcomer in (carol, dave):
            added = await http.post(
                f"/api/rooms/{general['id']}/members", headers=alice.headers, json={"user_id": newcomer.id}
            )
            assert added.status_code == 200
        rooms[carol.id] = [side["id"], general["id"]]
        rooms[dave.id] = [side["id"], general["id"]]
        await until_subscriptions(redis_url, prefix, layout())

        # bob leaves general: carol still holds it on B. Then carol leaves side: dave still holds it, on A only.
        left = await http.delete(f"/api/rooms/{general['id']}/members/{bob.id}", headers=bob.headers)
        assert left.status_code == 204
        rooms[bob.id] = []
        left = await http.delete(f"/api/rooms/{side['id']}/members/{carol.id}", headers=carol.headers)
        assert left.status_code == 204
        rooms[carol.id] = [general["id"]]
        await until_subscriptions(redis_url, prefix, layout())

        # A room message reaches exactly the members, across both workers, once.
        posted = await post_to_room(http, dave, general["id"], "after the churn")
        for socket in (alice_a, carol_b, dave_a):
            await socket.wait_for("message", lambda message: message["id"] == posted["id"])
        await settle(0.3)
        assert [m["id"] for m in alice_a.received("message")] == [posted["id"]]
        assert [m["id"] for m in carol_b.received("message")] == [posted["id"]]
        assert posted["id"] not in [m["id"] for m in bob_b.received("message")]

        # Sockets come and go: a second tab of alice on B, then both of alice's sockets leave.
        alice_b = await cluster.connect(worker_b, alice)
        held["b"].append((alice_b, alice))
        await until_subscriptions(redis_url, prefix, layout())
        await alice_a.disconnect()
        await alice_b.disconnect()
        await until_subscriptions(redis_url, prefix, layout())

        # Everybody leaves: nothing is subscribed any more but the workers' own channels.
        for socket in (bob_b, carol_b, dave_a):
            await socket.disconnect()
        await until_subscriptions(redis_url, prefix, Counter())
        left = await shard_subscribers(redis_url, prefix)
        assert sum(1 for channel in left if "@worker:" in channel) == 2  # one `@worker:` channel each
        assert left[f"{prefix}:socketio@profiles"] == 2  # and both hear of profile changes
        assert len(left) == 3


async def test_a_worker_that_dies_drops_its_subscriptions(cluster, redis_url):
    worker_a, worker_b = await asyncio.gather(start_worker(cluster), start_worker(cluster))
    async with httpx.AsyncClient(base_url=worker_a.url) as http:
        alice, bob = await sign_up(http), await sign_up(http)
        room = await create_room(http, alice, members=[bob])
        alice_a = await cluster.connect(worker_a, alice)
        await cluster.connect(worker_b, bob)
        base = f"{cluster.prefix}:socketio"
        before = await shard_subscribers(redis_url, cluster.prefix)
        assert before[f"{base}:room:{room['id']}"] == 2
        assert before[f"{base}:user:{bob.nickname}"] == 1

        await worker_b.stop(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while (after := await shard_subscribers(redis_url, cluster.prefix))[f"{base}:user:{bob.nickname}"]:
            assert time.monotonic() < deadline, f"a dead worker's subscriptions stayed: {dict(after)}"
            await asyncio.sleep(0.1)
        assert after[f"{base}:room:{room['id']}"] == 1  # worker A's own, for alice
        assert not [channel for channel in after if bob.nickname in channel]
        assert sum(1 for channel in after if "@worker:" in channel) == 1
        assert after[f"{base}@profiles"] == 1

        # What is published for bob now reaches no worker, and the survivor still delivers to alice.
        posted = await post_to_room(http, bob, room["id"], "bob's worker is gone")
        await alice_a.wait_for("message", lambda message: message["id"] == posted["id"])
        client = redis.Redis.from_url(redis_url)
        try:
            assert await client.spublish(f"{base}:user:{bob.nickname}", b"anyone?") == 0
        finally:
            await client.aclose()
