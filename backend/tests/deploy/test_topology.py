"""The production topology with real processes: two `confab serve` backends sharing PostgreSQL and Redis.

Clients are spread over both backends, as a load balancer would spread them. Each backend is a
separate OS process with its own Socket.IO manager, so everything that crosses from one to the
other went through Redis. Needs TEST_POSTGRES_URL and TEST_REDIS_URL: without them the module is
skipped with that reason; with them set and unreachable it fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from confab.db.schema import upgrade
from confab.settings import Settings
from tests.conftest import free_port
from tests.support.accounts import PASSWORD, Account, sign_up
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.serving import ServeProcess, backend_environment
from tests.support.sockets import RecordingClient, settle

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
PRESENCE_TTL_SECONDS = 3

pytestmark = [
    pytest.mark.skipif(
        not (POSTGRES_URL and REDIS_URL),
        reason="the topology test needs TEST_POSTGRES_URL and TEST_REDIS_URL (`.ci/run` sets both)",
    ),
    pytest.mark.skipif(
        os.environ.get("CONFAB_TEST_DATABASE") == "postgres",
        reason="the topology test always uses PostgreSQL; it already ran in the first pass of `just test`",
    ),
]


@dataclass
class Cluster:
    """Two backends, what they share, and every secret the tests handed them (which logs must not show)."""

    database_url: str
    redis_url: str
    redis_prefix: str
    secret_key: str
    directory: Path
    backends: list[ServeProcess] = field(default_factory=list)
    secrets: set[str] = field(default_factory=lambda: {PASSWORD})

    def backend(self, name: str, workers: int = 1) -> ServeProcess:
        """Start one more `confab serve` on a free port against the shared database and Redis."""
        environment = backend_environment(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            REDIS_PREFIX=self.redis_prefix,
            SECRET_KEY=self.secret_key,
            PASSWORD_HASH_PROFILE="CHEAPEST",
            RATE_LIMITS="off",  # every test user signs up from 127.0.0.1
            PRESENCE_TTL_SECONDS=str(PRESENCE_TTL_SECONDS),
            SHUTDOWN_GRACE_SECONDS="2",
            DATABASE_POOL_SIZE="3",
            DATABASE_MAX_OVERFLOW="2",
        )
        process = ServeProcess(name, free_port(), environment, self.directory, workers=workers).start()
        self.backends.append(process)
        return process

    async def account(self, backend: ServeProcess) -> Account:
        async with httpx.AsyncClient(base_url=backend.url, timeout=30) as http:
            account = await sign_up(http)
        self.secrets.add(account.token)
        return account

    def content(self, label: str) -> str:
        """A message text unique to this run, remembered so the log check can look for it."""
        text = f"{label} {uuid.uuid4().hex}"
        self.secrets.add(text)
        return text


def _check_redis(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        pytest.fail(f"TEST_REDIS_URL={url} was asked for but cannot be reached: {error}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    assert POSTGRES_URL and REDIS_URL
    _check_redis(REDIS_URL)
    database_url = create_postgres_database(POSTGRES_URL)
    prefix = f"confab-test-{uuid.uuid4().hex[:12]}"
    topology = Cluster(
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=prefix,
        secret_key=secrets.token_urlsafe(32),
        directory=tmp_path_factory.mktemp("topology"),
    )
    try:
        upgrade(Settings(database_url=database_url, secret_key=topology.secret_key))
        # B runs two uvicorn workers, as `just serve` does on two cores: its clients are spread over
        # them by the kernel, so B alone already needs Redis to deliver between its own workers.
        first, second = topology.backend("backend-a"), topology.backend("backend-b", workers=2)
        first.wait_until_ready()
        second.wait_until_ready()
        yield topology
    finally:
        for backend in topology.backends:
            backend.stop(signal.SIGTERM)
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
        drop_postgres_database(POSTGRES_URL, database_url)


async def connect(backend: ServeProcess, account: Account) -> RecordingClient:
    return await RecordingClient().connect(backend.url, account.token)


async def post_message(backend: ServeProcess, author: Account, recipient: Account, content: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=backend.url, timeout=30, headers=author.headers) as http:
        response = await http.post("/api/messages", json={"recipient_id": recipient.id, "content": content})
    assert response.status_code == 201, response.text
    return response.json()


async def online(backend: ServeProcess, viewer: Account) -> dict[int, bool]:
    async with httpx.AsyncClient(base_url=backend.url, timeout=30, headers=viewer.headers) as http:
        response = await http.get("/api/users")
    assert response.status_code == 200, response.text
    return {person["id"]: person["online"] for person in response.json()}


def ids_of(client: RecordingClient, event: str = "message") -> list[int]:
    return [payload["id"] for payload in client.received(event)]


async def test_direct_messages_cross_backends_exactly_once(cluster: Cluster) -> None:
    backend_a, backend_b = cluster.backends[:2]
    alice, bob, carol = [await cluster.account(backend_a) for _ in range(3)]
    alice_on_a, alice_on_b = await connect(backend_a, alice), await connect(backend_b, alice)
    bob_on_b, carol_on_a = await connect(backend_b, bob), await connect(backend_a, carol)
    try:
        over_rest = await post_message(backend_b, bob, alice, cluster.content("over REST on B"))
        ack = await alice_on_b.call("send", {"recipient_id": bob.id, "content": cluster.content("over the socket")})
        assert ack["ok"] is True, ack
        over_socket = ack["message"]
        own = await post_message(backend_a, carol, carol, cluster.content("note to self"))

        for client in (alice_on_a, alice_on_b, bob_on_b):
            await client.wait_for("message", lambda data: data["id"] == over_socket["id"])
        await carol_on_a.wait_for("message", lambda data: data["id"] == own["id"])
        await settle()
        expected = [over_rest["id"], over_socket["id"]]
        assert ids_of(alice_on_a) == expected, "alice's socket on A: each DM exactly once, in order"
        assert ids_of(alice_on_b) == expected, "alice's socket on B: each DM exactly once, in order"
        assert ids_of(bob_on_b) == expected, "bob's socket on B: each DM exactly once, in order"
        assert [name for name, _ in carol_on_a.events] == ["message"], "carol saw only her own message"
        assert alice_on_a.received("message")[0] == over_rest, "the pushed payload is the REST object"
    finally:
        for client in (alice_on_a, alice_on_b, bob_on_b, carol_on_a):
            await client.disconnect()


async def post_json(backend: ServeProcess, author: Account, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=backend.url, timeout=30, headers=author.headers) as http:
        response = await http.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_room_messages_cross_backends_exactly_once(cluster: Cluster) -> None:
    backend_a, backend_b = cluster.backends[:2]
    alice, bob, carol, dave = [await cluster.account(backend_a) for _ in range(4)]
    # Everyone is connected before the room exists: joining it moves live sockets on every backend.
    alice_on_a, bob_on_b = await connect(backend_a, alice), await connect(backend_b, bob)
    carol_on_b, dave_on_a = await connect(backend_b, carol), await connect(backend_a, dave)
    members = (alice_on_a, bob_on_b, carol_on_b)
    try:
        room = await post_json(backend_a, alice, "/api/rooms", {"name": "topology", "member_ids": [bob.id, carol.id]})
        for client in members:
            await client.wait_for("room", lambda data: data["id"] == room["id"])
        from_a = await post_json(
            backend_a, alice, f"/api/rooms/{room['id']}/messages", {"content": cluster.content("A")}
        )
        from_b = await post_json(backend_b, bob, f"/api/rooms/{room['id']}/messages", {"content": cluster.content("B")})
        for client in members:
            await client.wait_for("message", lambda data: data["id"] == from_b["id"])
        await settle()
        for client in members:
            assert ids_of(client) == [from_a["id"], from_b["id"]], "each room message exactly once, in order"
        assert dave_on_a.events == [], "not a member: nothing about the room reaches dave"
    finally:
        for client in (*members, dave_on_a):
            await client.disconnect()


async def test_presence_follows_first_connect_and_last_disconnect_across_backends(cluster: Cluster) -> None:
    backend_a, backend_b = cluster.backends[:2]
    alice, bob, carol = [await cluster.account(backend_a) for _ in range(3)]
    await post_message(backend_a, alice, bob, cluster.content("so that bob hears of alice's presence"))
    bob_on_b, carol_on_b = await connect(backend_b, bob), await connect(backend_b, carol)
    alice_sockets: list[RecordingClient] = []
    try:
        assert (await online(backend_a, carol))[alice.id] is False

        alice_sockets.append(await connect(backend_a, alice))
        await bob_on_b.wait_for("presence", lambda data: data == {"user_id": alice.id, "online": True})
        assert (await online(backend_b, carol))[alice.id] is True, "B sees the socket on A"

        alice_sockets.append(await connect(backend_b, alice))
        await alice_sockets[0].disconnect()
        await settle(0.5)
        assert (await online(backend_a, carol))[alice.id] is True, "one socket left, on B"
        assert len(bob_on_b.received("presence")) == 1, "neither a second socket nor the first leaving is news"

        await alice_sockets[1].disconnect()
        await bob_on_b.wait_for("presence", lambda data: data == {"user_id": alice.id, "online": False})
        assert (await online(backend_a, carol))[alice.id] is False, "A sees that the last socket, on B, left"
        await settle()
        assert bob_on_b.received("presence") == [
            {"user_id": alice.id, "online": True},
            {"user_id": alice.id, "online": False},
        ]
        assert carol_on_b.events == [], "carol shares no conversation with alice: no presence for her"
    finally:
        for client in (*alice_sockets, bob_on_b, carol_on_b):
            await client.disconnect()


async def _send_steadily(
    backend: ServeProcess, author: Account, recipient: Account, cluster: Cluster, count: int
) -> list[int]:
    sent: list[int] = []
    for number in range(count):
        message = await post_message(backend, author, recipient, cluster.content(f"steady {number}"))
        sent.append(message["id"])
        await asyncio.sleep(0.05)
    return sent


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
async def test_survivor_keeps_serving_and_clients_catch_up_without_loss(
    cluster: Cluster, stop_signal: signal.Signals
) -> None:
    survivor = cluster.backends[0]
    victim = cluster.backend(f"victim-{stop_signal.name}")
    await asyncio.to_thread(victim.wait_until_ready)
    sender, reader, watcher = [await cluster.account(survivor) for _ in range(3)]
    await post_message(survivor, watcher, sender, cluster.content("so that sender hears of watcher's presence"))
    sender_on_survivor = await connect(survivor, sender)
    reader_on_victim = await connect(victim, reader)
    reader_cut_off = asyncio.Event()
    reader_on_victim.client.on("disconnect", lambda *_reason: reader_cut_off.set())
    watcher_on_victim = await connect(victim, watcher)
    reader_on_survivor: RecordingClient | None = None
    try:
        await sender_on_survivor.wait_for("presence", lambda data: data == {"user_id": watcher.id, "online": True})
        assert (await online(survivor, sender))[watcher.id] is True

        sending = asyncio.create_task(_send_steadily(survivor, sender, reader, cluster, count=20))
        await reader_on_victim.wait_for("message", lambda _data: len(ids_of(reader_on_victim)) >= 4)
        await asyncio.to_thread(victim.stop, stop_signal)
        assert not victim.running
        if stop_signal is signal.SIGTERM:
            assert "Application shutdown complete" in victim.logs(), victim.output()

        # The load balancer now sends the reader to the survivor; it catches up from the last id it saw.
        await asyncio.wait_for(reader_cut_off.wait(), timeout=30)
        seen_before = ids_of(reader_on_victim)
        reader_on_survivor = await connect(survivor, reader)
        sent = await sending
        async with httpx.AsyncClient(base_url=survivor.url, timeout=30, headers=reader.headers) as http:
            response = await http.get(f"/api/users/{reader.id}/messages", params={"after": max(seen_before)})
        assert response.status_code == 200, response.text
        caught_up = [message["id"] for message in response.json()]
        await settle()

        assert len(seen_before) == len(set(seen_before)), "no duplicates before the stop"
        assert ids_of(reader_on_survivor) == sorted(set(ids_of(reader_on_survivor))), "no duplicates after"
        assert caught_up == [identity for identity in sent if identity > max(seen_before)], "catch-up is exact"
        assert set(seen_before) | set(ids_of(reader_on_survivor)) | set(caught_up) == set(sent), "nothing lost"

        # The other catch-up, in the handshake: a socket that says the last id it saw gets the rest replayed.
        replaying = await RecordingClient().connect(survivor.url, reader.token, last_id=max(seen_before))
        try:
            synced = await replaying.wait_for("synced")
            await settle()
            assert synced["complete"] is True, synced
            assert ids_of(replaying) == caught_up, "the handshake replays exactly what the REST catch-up returned"
        finally:
            await replaying.disconnect()

        # The watcher does not come back. A graceful stop says so at once; after a crash its socket,
        # no longer refreshed by the dead process, expires from Redis.
        if stop_signal is signal.SIGTERM:
            await sender_on_survivor.wait_for("presence", lambda data: data == {"user_id": watcher.id, "online": False})
        for _ in range(PRESENCE_TTL_SECONDS * 20):
            if not (await online(survivor, sender))[watcher.id]:
                break
            await asyncio.sleep(0.25)
        assert (await online(survivor, sender))[watcher.id] is False, "the dead backend's socket expired"
        assert_logs_are_safe(victim, cluster.secrets)
    finally:
        for client in (sender_on_survivor, reader_on_victim, watcher_on_victim, reader_on_survivor):
            if client is not None:
                await client.disconnect()
        victim.stop(signal.SIGKILL)


def assert_logs_are_safe(backend: ServeProcess, secrets_handed_out: set[str]) -> None:
    """Every stdout line is a JSON object, and no password, token or message text appears anywhere."""
    lines = [line for line in backend.logs().splitlines() if line.strip()]
    assert lines, f"{backend.name} logged nothing:\n{backend.output()}"
    for line in lines:
        assert isinstance(json.loads(line), dict), line
    everything = backend.logs() + backend.stderr_path.read_text(errors="replace")
    leaked = sorted(secret for secret in secrets_handed_out if secret in everything)
    assert not leaked, f"{backend.name} logged secrets: {leaked}"


async def test_logs_are_json_without_passwords_tokens_or_contents(cluster: Cluster) -> None:
    backend_a, backend_b = cluster.backends[:2]
    alice, bob = await cluster.account(backend_a), await cluster.account(backend_b)
    socket = await connect(backend_b, alice)
    try:
        await post_message(backend_a, alice, bob, cluster.content("private words"))
        ack = await socket.call("send", {"recipient_id": bob.id, "content": cluster.content("more private words")})
        assert ack["ok"] is True
        async with httpx.AsyncClient(base_url=backend_a.url, timeout=30) as http:
            refused = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": "wrong-one!"})
            assert refused.status_code == 401
            cluster.secrets.add("wrong-one!")
            query = await http.get("/api/version", params={"access_token": alice.token})
            assert query.status_code == 200
    finally:
        await socket.disconnect()
    await settle()
    for backend in (backend_a, backend_b):
        assert '"uvicorn.access"' in backend.logs(), "requests are logged"
        assert_logs_are_safe(backend, cluster.secrets)
