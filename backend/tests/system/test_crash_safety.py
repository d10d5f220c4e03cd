"""Crash safety: a backend killed with SIGKILL under load loses nothing it acknowledged and stores nothing twice;
several workers writing to one SQLite file never fail with "database is locked".

Each test gets a fresh database of the suite's kind (SQLite, or PostgreSQL under CONFAB_TEST_DATABASE=postgres,
which `just test` runs when TEST_POSTGRES_URL is set; an unreachable server fails the test).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import socketio
from sqlalchemy.engine import make_url

from confab.db.schema import upgrade
from confab.settings import Settings
from tests.conftest import free_port, make_settings
from tests.support.accounts import Account, sign_up
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import BackendProcess, environment_for
from tests.support.sockets import RecordingClient

LOAD_SECONDS = 1.5


@pytest.fixture
def fresh_settings(tmp_path) -> Iterator[Settings]:
    """A migrated database of its own, so a killed process cannot disturb the rest of the suite."""
    if os.environ.get("CONFAB_TEST_DATABASE", "sqlite") == "postgres":
        server_url = os.environ.get("TEST_POSTGRES_URL") or pytest.fail("CONFAB_TEST_DATABASE=postgres needs it")
        try:
            url = create_postgres_database(server_url)
        except RuntimeError as error:
            pytest.fail(str(error))
        settings = make_settings(url)
        upgrade(settings)
        yield settings
        drop_postgres_database(server_url, url)
    else:
        settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'confab.db'}")
        upgrade(settings)
        yield settings


@dataclass
class Ledger:
    """What the clients were told: contents acknowledged as stored, and sends that got no answer at all."""

    acknowledged: dict[str, int] = field(default_factory=dict)
    unanswered: dict[str, dict] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def new_message(recipient: Account, worker: str, number: int) -> dict:
    return {"recipient_id": recipient.id, "content": f"{worker}-{number}", "client_id": uuid.uuid4().hex}


async def send_over_rest(url: str, author: Account, recipient: Account, worker: str, ledger: Ledger) -> None:
    async with httpx.AsyncClient(base_url=url, headers=author.headers, timeout=10) as client:
        for number in range(100_000):
            body = new_message(recipient, worker, number)
            try:
                response = await client.post("/api/messages", json=body)
            except httpx.TransportError:
                ledger.unanswered[body["content"]] = body
                return
            if response.status_code == 201:
                ledger.acknowledged[body["content"]] = response.json()["id"]
            else:
                ledger.failures.append(f"{response.status_code} {response.text}")
                return


async def send_over_socket(url: str, author: Account, recipient: Account, worker: str, ledger: Ledger) -> None:
    sender = await RecordingClient().connect(url, author.token)
    try:
        for number in range(100_000):
            body = new_message(recipient, worker, number)
            try:
                ack = await sender.call("send", body, timeout=5)
            except (socketio.exceptions.SocketIOError, TimeoutError):
                ledger.unanswered[body["content"]] = body
                return
            if ack.get("ok"):
                ledger.acknowledged[body["content"]] = ack["message"]["id"]
            else:
                ledger.failures.append(str(ack))
                return
    finally:
        await sender.client.disconnect()


async def whole_history(url: str, reader: Account, peer: Account) -> list[dict]:
    messages: list[dict] = []
    async with httpx.AsyncClient(base_url=url, headers=reader.headers, timeout=30) as client:
        while True:
            after = messages[-1]["id"] if messages else 0
            page = await client.get("/api/messages", params={"with": peer.id, "after": after, "limit": 200})
            assert page.status_code == 200, page.text
            messages += page.json()
            if len(page.json()) < 200:
                return messages


def assert_sqlite_intact(settings: Settings) -> None:
    if not settings.is_sqlite:
        return
    with sqlite3.connect(make_url(settings.database_url).database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


async def test_sigkill_under_load_loses_no_acknowledged_message_and_duplicates_none(fresh_settings):
    environment = environment_for(fresh_settings)
    backend = await BackendProcess(environment, free_port()).start()
    restarted: BackendProcess | None = None
    try:
        async with httpx.AsyncClient(base_url=backend.url, timeout=10) as http:
            alice, bob = await sign_up(http), await sign_up(http)
        ledger = Ledger()
        senders = [
            asyncio.create_task(send_over_rest(backend.url, alice, bob, f"rest{n}", ledger)) for n in range(3)
        ] + [asyncio.create_task(send_over_socket(backend.url, bob, alice, "socket", ledger))]
        await asyncio.sleep(LOAD_SECONDS)
        assert not ledger.failures, ledger.failures
        await backend.stop(signal.SIGKILL)
        await asyncio.wait_for(asyncio.gather(*senders), timeout=30)
        assert not ledger.failures, ledger.failures
        assert len(ledger.acknowledged) > 20, "the load never got going"

        restarted = await BackendProcess(environment, free_port()).start()
        # Clients retry what got no answer with the same client_id; the server must not store it twice.
        async with httpx.AsyncClient(base_url=restarted.url, timeout=10) as http:
            for content, body in ledger.unanswered.items():
                author = alice if content.startswith("rest") else bob
                retried = await http.post("/api/messages", headers=author.headers, json=body)
                assert retried.status_code in (200, 201), retried.text
                ledger.acknowledged[content] = retried.json()["id"]

        history = await whole_history(restarted.url, alice, bob)
        stored = [message["content"] for message in history]
        assert len(stored) == len(set(stored)), "a message was stored twice"
        assert {message["content"]: message["id"] for message in history} == ledger.acknowledged
    finally:
        await backend.stop(signal.SIGKILL)
        if restarted is not None:
            await restarted.stop()
    assert_sqlite_intact(fresh_settings)


async def test_two_workers_on_one_sqlite_file_write_concurrently_without_errors(fresh_settings):
    if not fresh_settings.is_sqlite:
        pytest.skip("about SQLite's single-writer lock; PostgreSQL runs the rest of the suite")
    environment = environment_for(fresh_settings)
    workers = [BackendProcess(environment, free_port()) for _ in range(2)]
    try:
        await asyncio.gather(*(worker.start() for worker in workers))
        async with httpx.AsyncClient(base_url=workers[0].url, timeout=10) as http:
            alice, bob = await sign_up(http), await sign_up(http)

        async def write(url: str, author: Account, recipient: Account) -> list[int]:
            statuses = []
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                for number in range(15):
                    body = {"recipient_id": recipient.id, "content": f"busy {number}"}
                    statuses.append((await client.post("/api/messages", headers=author.headers, json=body)).status_code)
                    statuses.append(await sign_up_status(client))
            return statuses

        results = await asyncio.gather(
            *(
                write(worker.url, author, recipient)
                for worker in workers
                for author, recipient in ((alice, bob), (bob, alice))
                for _ in range(2)
            )
        )
        statuses = [status for result in results for status in result]
        assert set(statuses) == {201}, sorted(set(statuses))
        for worker in workers:
            assert "database is locked" not in worker.log()
        assert len(await whole_history(workers[1].url, alice, bob)) == 2 * 2 * 2 * 15
    finally:
        for worker in workers:
            await worker.stop()
    assert_sqlite_intact(fresh_settings)


async def sign_up_status(client: httpx.AsyncClient) -> int:
    nickname = f"w{uuid.uuid4().hex[:12]}"
    body = {"name": nickname, "email": f"{nickname}@example.com", "nickname": nickname, "password": "busy writer"}
    return (await client.post("/api/users", json=body)).status_code
