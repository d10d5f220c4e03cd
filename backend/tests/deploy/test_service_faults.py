"""PostgreSQL and Redis restarting under running backends, with private instances of both.

Each test starts its own PostgreSQL (initdb + pg_ctl) and Redis on free ports in temporary
directories, so stopping them disturbs nothing else. Two `confab serve` backends share them, as in
production. Runs when the PostgreSQL tests were asked for (TEST_POSTGRES_URL, which `.ci/run` sets),
in the first pass of `just test`; the server binaries must be installed then.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from confab.client.resume_point import ResumePoint
from confab.db.schema import upgrade
from tests.conftest import free_port, make_settings
from tests.support.accounts import Account, sign_up
from tests.support.load import whole_history
from tests.support.processes import BackendProcess, environment_for
from tests.support.services import PrivatePostgres, PrivateRedis
from tests.support.sockets import RecordingClient

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("TEST_POSTGRES_URL"),
        reason="the service fault tests run PostgreSQL's binaries; they run when TEST_POSTGRES_URL is set",
    ),
    pytest.mark.skipif(
        os.environ.get("CONFAB_TEST_DATABASE") == "postgres",
        reason="the service fault tests bring their own PostgreSQL; they already ran in the first pass",
    ),
]

POOL_TIMEOUT_SECONDS = 5


@dataclass
class Services:
    postgres: PrivatePostgres
    redis: PrivateRedis
    backends: list[BackendProcess] = field(default_factory=list)


@pytest.fixture
async def services(tmp_path) -> AsyncIterator[Services]:
    """Private PostgreSQL and Redis, and two backends on them (rate limits on, counted in Redis)."""
    postgres = await asyncio.to_thread(lambda: PrivatePostgres().initialize())
    redis_server = await asyncio.to_thread(PrivateRedis(tmp_path / "redis").start)
    running = Services(postgres, redis_server)
    try:
        settings = make_settings(
            postgres.url, redis_url=redis_server.url, redis_prefix=f"faults-{uuid.uuid4().hex[:8]}", rate_limits=True
        )
        await asyncio.to_thread(upgrade, settings)
        environment = environment_for(
            settings,
            DATABASE_POOL_TIMEOUT=str(POOL_TIMEOUT_SECONDS),
            PRESENCE_TTL_SECONDS="3",
            RATE_LIMIT_SIGNUP="1000/minute",
            RATE_LIMIT_SEND="10000/minute",
        )
        running.backends = [BackendProcess(environment, free_port()) for _ in range(2)]
        await asyncio.gather(*(backend.start() for backend in running.backends))
        yield running
    finally:
        for backend in running.backends:
            await backend.stop()
        redis_server.stop()
        await asyncio.to_thread(postgres.remove)


async def accounts(url: str, count: int) -> list[Account]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return [await sign_up(http) for _ in range(count)]


@dataclass
class SendLog:
    acknowledged: dict[str, int] = field(default_factory=dict)
    retried_after_outage: set[str] = field(default_factory=set)
    outage_answers: list[tuple[float, str | None]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


async def keep_sending(url: str, author: Account, recipient: Account, name: str, log: SendLog, stop: asyncio.Event):
    """Send until told to stop; a 503 is retried with the same client_id, as the README tells clients to."""
    async with httpx.AsyncClient(base_url=url, headers=author.headers, timeout=30) as client:
        number = 0
        while not stop.is_set():
            content = f"{name}-{number}"
            body = {"recipient_id": recipient.id, "content": content, "client_id": uuid.uuid4().hex}
            while True:
                started = time.monotonic()
                response = await client.post("/api/messages", json=body)
                if response.status_code in (200, 201):
                    log.acknowledged[content] = response.json()["id"]
                    break
                if response.status_code != 503:
                    log.unexpected.append(f"{response.status_code} {response.text}")
                    return
                log.outage_answers.append((time.monotonic() - started, response.headers.get("Retry-After")))
                log.retried_after_outage.add(content)
                await asyncio.sleep(0.2)
            number += 1


async def wait_for_status(url: str, path: str, status: int, timeout: float = 20) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        deadline = time.monotonic() + timeout
        while (await client.get(path)).status_code != status:
            assert time.monotonic() < deadline, f"{url}{path} never answered {status}"
            await asyncio.sleep(0.1)


async def test_postgres_restart_under_load_fails_fast_with_503_and_loses_nothing(services):
    first, second = services.backends
    alice, bob = await accounts(first.url, 2)
    listener = await RecordingClient().connect(second.url, bob.token)
    log, stop = SendLog(), asyncio.Event()
    senders = [
        asyncio.create_task(keep_sending(backend.url, alice, bob, f"{n}-{backend.port}", log, stop))
        for n in range(2)
        for backend in services.backends
    ]
    try:
        await asyncio.sleep(1)
        await asyncio.to_thread(services.postgres.stop)
        for backend in services.backends:
            await wait_for_status(backend.url, "/db/alive", 503)
        async with httpx.AsyncClient(base_url=first.url, headers=alice.headers, timeout=30) as client:
            during = await client.get("/api/users")
        assert during.status_code == 503, during.text
        assert during.headers["Retry-After"] == "2"
        assert during.json()["detail"] == "the database is unavailable right now; retry shortly"
        await asyncio.sleep(2)
        await asyncio.to_thread(services.postgres.start)
        for backend in services.backends:
            await wait_for_status(backend.url, "/db/alive", 200)
        await asyncio.sleep(1)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*senders), 60)

    assert not log.unexpected, log.unexpected
    assert log.outage_answers, "no send met the outage"
    assert all(retry_after == "2" for _, retry_after in log.outage_answers)
    slowest = max(seconds for seconds, _ in log.outage_answers)
    assert slowest < POOL_TIMEOUT_SECONDS, f"a request waited {slowest:.1f} s during the outage"

    # Every message answered 201 is stored, once; no worker needed a restart to get there.
    history = await whole_history(second.url, bob, alice)
    assert {message["content"]: message["id"] for message in history} == log.acknowledged

    # ...and was delivered live once. A send whose COMMIT succeeded but whose answer was lost with the
    # connection was retried into a 200 without a push: only those may be missing, and catch-up has them.
    await asyncio.sleep(0.5)
    delivered = [message["content"] for message in listener.received("message")]
    await listener.disconnect()
    assert len(delivered) == len(set(delivered)), "a message was delivered twice"
    assert set(delivered) <= set(log.acknowledged)
    assert set(log.acknowledged) - set(delivered) <= log.retried_after_outage
    for backend in services.backends:
        assert backend.process is not None and backend.process.poll() is None


class CatchingUpClient(RecordingClient):
    """A client that does what the README asks on `resync`: reconnect with `since` where it stood `lost_for`
    seconds (and the resume margin) before (`confab.client.resume_point`, as `confab tail` does)."""

    def __init__(self) -> None:
        super().__init__()
        self.client.on("resync", self._resync)
        self.resume_point = ResumePoint()
        self.url = ""
        self.token = ""

    async def connect(self, url: str, token: str | None, **auth: Any) -> CatchingUpClient:
        self.url, self.token = url, token or ""
        return await super().connect(url, token, **auth)

    async def _record(self, event: str, data: Any = None) -> None:
        await super()._record(event, data)
        if event in ("message", "message_updated"):
            self.resume_point.note_arrival(data["seq"])
        elif event == "synced" and data.get("seq") is not None:
            self.resume_point.note_read(data["seq"])

    async def _resync(self, data: Any = None) -> None:
        self.events.append(("resync", data))
        since = self.resume_point.since(time.monotonic() - data["lost_for"])
        asyncio.get_running_loop().create_task(self._reconnect(since))

    async def _reconnect(self, since: int) -> None:
        await self.client.disconnect()
        await self.client.connect(
            self.url, auth={"token": self.token, "since": since}, transports=["websocket"], wait_timeout=10
        )


async def test_redis_restart_keeps_rest_serving_and_clients_catch_up_without_loss(services):
    first, second = services.backends
    alice, bob, carol = await accounts(first.url, 3)
    bob_socket = await CatchingUpClient().connect(second.url, bob.token)
    alice_socket = await RecordingClient().connect(first.url, alice.token)

    async def send(content: str, through: BackendProcess = first, author: Account = alice) -> int:
        async with httpx.AsyncClient(base_url=through.url, headers=author.headers, timeout=10) as client:
            sent = await client.post("/api/messages", json={"recipient_id": bob.id, "content": content})
        assert sent.status_code == 201, sent.text
        return sent.json()["id"]

    before = await send("before the restart")
    await bob_socket.wait_for("message", lambda message: message["id"] == before)

    services.redis.stop()
    await asyncio.sleep(0.5)
    # REST keeps working without Redis: sends (rate limits let them through), reads, presence as seen here.
    missed = [await send(f"while Redis is down {n}") for n in range(3)]
    async with httpx.AsyncClient(base_url=first.url, headers=alice.headers, timeout=10) as client:
        people = await client.get("/api/users")
        assert people.status_code == 200, people.text
        assert (await client.get("/api/rooms")).status_code == 200
    assert {person["id"]: person["online"] for person in people.json()}[alice.id] is True  # her socket is here
    assert not [message for message in bob_socket.received("message") if message["id"] in missed]
    # Bob's own backend still pushes what is sent through it: a higher seq than those he missed.
    local = await send("while Redis is down, through bob's backend", through=second, author=carol)
    pushed = await bob_socket.wait_for("message", lambda message: message["id"] == local)
    missed_seqs = [message["seq"] for message in await whole_history(first.url, bob, alice) if message["id"] in missed]
    assert pushed["seq"] > max(missed_seqs)

    await asyncio.to_thread(services.redis.start)
    # The backends notice by themselves: bob's socket is told to catch up from before the link broke (not from
    # the highest seq he holds, which would skip what he missed), and gets what it missed.
    resync = await bob_socket.wait_for("resync", timeout=40)
    assert resync["lost_for"] >= 1
    for message_id in missed:
        await bob_socket.wait_for("message", lambda message, wanted=message_id: message["id"] == wanted, timeout=10)

    after = await send("after the restart")
    await bob_socket.wait_for("message", lambda message: message["id"] == after, timeout=10)
    # What the catch-up replays again (he held it already) comes with the same seq; each state is shown once.
    states = [(message["id"], message["seq"]) for message in bob_socket.received("message")]
    assert list(dict.fromkeys(message_id for message_id, _ in states)) == [before, local, *missed, after]
    assert all(len({seq for other, seq in states if other == message_id}) == 1 for message_id, _ in states)

    # Presence is whole again across workers: bob (on the second backend) shows online on the first.
    async with httpx.AsyncClient(base_url=first.url, headers=alice.headers, timeout=10) as client:
        deadline = time.monotonic() + 10
        while not {p["id"]: p["online"] for p in (await client.get("/api/users")).json()}[bob.id]:
            assert time.monotonic() < deadline, "bob never showed online again after Redis came back"
            await asyncio.sleep(0.2)
    await bob_socket.disconnect()
    await alice_socket.disconnect()
