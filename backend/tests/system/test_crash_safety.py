"""Crash safety: a backend killed with SIGKILL under load loses nothing it acknowledged and stores nothing twice;
several workers writing to one SQLite file never fail with "database is locked".

Each test gets a fresh database of the suite's kind (SQLite, or PostgreSQL under CONFAB_TEST_DATABASE=postgres,
which `just test` runs when TEST_POSTGRES_URL is set; an unreachable server fails the test).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import uuid

import httpx
import pytest
from sqlalchemy.engine import make_url

from confab.settings import Settings
from tests.conftest import free_port
from tests.support.accounts import Account, sign_up
from tests.support.load import Ledger, send_over_rest, send_over_socket, whole_history
from tests.support.processes import BackendProcess, environment_for

LOAD_SECONDS = 1.5


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
