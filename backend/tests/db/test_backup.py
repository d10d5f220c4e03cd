"""Backups taken under load hold every message answered before they began, and restore puts them back.

SQLite through `confab backup` / `confab restore`; PostgreSQL through the `pg_dump` / `pg_restore`
commands the README gives. Each runs in its database's pass of the suite.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from confab.settings import Settings
from tests.conftest import free_port, make_settings
from tests.support.accounts import Account, sign_up
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.load import Ledger, send_over_rest, whole_history
from tests.support.processes import BackendProcess, environment_for

on_sqlite_only = pytest.mark.skipif(
    os.environ.get("CONFAB_TEST_DATABASE") == "postgres", reason="SQLite's backup; the PostgreSQL pass tests pg_dump"
)


def confab(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "confab.cli", *arguments],
        env=environment_for(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def sqlite_file(settings: Settings) -> Path:
    return Path(make_url(settings.database_url).database)


def stored_contents(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return dict(connection.execute("SELECT content, id FROM messages"))


async def under_load(url: str, alice: Account, bob: Account, backup) -> tuple[dict[str, int], Ledger]:
    """Send steadily, take the backup midway; what had been answered 201 before it began, and everything."""
    ledger = Ledger()
    senders = [asyncio.create_task(send_over_rest(url, alice, bob, f"rest{n}", ledger)) for n in range(2)]
    try:
        await asyncio.sleep(1)
        answered_before = dict(ledger.acknowledged)
        await asyncio.to_thread(backup)
        await asyncio.sleep(0.3)
    finally:
        for sender in senders:
            sender.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
    assert not ledger.failures, ledger.failures
    assert len(answered_before) > 10, "the load never got going"
    return answered_before, ledger


async def start_with_users(settings: Settings) -> tuple[BackendProcess, Account, Account]:
    backend = await BackendProcess(environment_for(settings), free_port()).start()
    async with httpx.AsyncClient(base_url=backend.url, timeout=10) as http:
        return backend, await sign_up(http), await sign_up(http)


@on_sqlite_only
async def test_backup_under_load_restores_every_message_answered_before_it(fresh_settings, tmp_path):
    backup_file = tmp_path / "backup.db"
    backend, alice, bob = await start_with_users(fresh_settings)
    try:

        def back_up() -> None:
            done = confab(fresh_settings, "backup", str(backup_file))
            assert done.returncode == 0, done.stderr

        answered_before, ledger = await under_load(backend.url, alice, bob, back_up)

        refused = confab(fresh_settings, "restore", str(backup_file))
        assert refused.returncode == 1
        assert "a confab server is running" in refused.stderr
    finally:
        await backend.stop()
    live_contents = stored_contents(sqlite_file(fresh_settings))
    assert set(ledger.acknowledged) <= set(live_contents), "the refused restore changed the live database"

    in_backup = stored_contents(backup_file)
    assert answered_before.items() <= in_backup.items()
    assert in_backup.items() <= live_contents.items(), "the backup holds something the server never stored"
    assert len(in_backup) < len(live_contents), "the load went on after the backup: it cannot hold everything"

    restored_settings = dataclasses.replace(fresh_settings, database_url=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    restored = confab(restored_settings, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert stored_contents(sqlite_file(restored_settings)) == in_backup

    # The restored file is a working server's database: it serves the history back.
    server = await BackendProcess(environment_for(restored_settings), free_port()).start()
    try:
        history = await whole_history(server.url, alice, bob)
    finally:
        await server.stop()
    assert {message["content"]: message["id"] for message in history} == in_backup


@on_sqlite_only
async def test_restore_replaces_a_stopped_database_and_refuses_what_is_not_a_backup(fresh_settings, tmp_path):
    database = sqlite_file(fresh_settings)
    backup_file = tmp_path / "empty-backup.db"
    assert confab(fresh_settings, "backup", str(backup_file)).returncode == 0

    backend, alice, bob = await start_with_users(fresh_settings)
    try:
        async with httpx.AsyncClient(base_url=backend.url, headers=alice.headers, timeout=10) as http:
            sent = await http.post("/api/messages", json={"recipient_id": bob.id, "content": "after the backup"})
            assert sent.status_code == 201
    finally:
        await backend.stop()

    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("these are not the pages you are looking for " * 100)
    refused = confab(fresh_settings, "restore", str(not_a_database))
    assert refused.returncode == 1
    assert "not a SQLite database" in refused.stderr
    assert "after the backup" in stored_contents(database), "a refused restore touched the database"

    missing = confab(fresh_settings, "restore", str(tmp_path / "missing.db"))
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr

    restored = confab(fresh_settings, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert stored_contents(database) == {}


@on_sqlite_only
def test_backup_never_overwrites_and_names_what_is_wrong(fresh_settings, tmp_path):
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    refused = confab(fresh_settings, "backup", str(existing))
    assert refused.returncode == 1
    assert "already exists" in refused.stderr
    assert existing.read_bytes() == b"keep me"

    missing = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'nowhere.db'}")
    refused = confab(missing, "backup", str(tmp_path / "copy.db"))
    assert refused.returncode == 1
    assert "does not exist" in refused.stderr
    assert not (tmp_path / "copy.db").exists()

    on_postgres = confab(make_settings("postgresql+asyncpg://confab@127.0.0.1/confab"), "backup", "x.db")
    assert on_postgres.returncode == 1
    assert "pg_dump" in on_postgres.stderr


def pg_command(settings: Settings, *arguments: str) -> None:
    url = make_url(settings.database_url)
    connection = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    done = subprocess.run(
        [*arguments[:1], *connection, *arguments[1:]], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


async def test_pg_dump_under_load_and_pg_restore_keep_every_message_answered_before(fresh_settings, tmp_path):
    if fresh_settings.is_sqlite:
        pytest.skip("PostgreSQL's pg_dump; the SQLite pass tests confab backup")
    dump = tmp_path / "confab.dump"
    backend, alice, bob = await start_with_users(fresh_settings)
    try:
        source = make_url(fresh_settings.database_url).database
        answered_before, _ledger = await under_load(
            backend.url,
            alice,
            bob,
            lambda: pg_command(fresh_settings, "pg_dump", "--format=custom", f"--file={dump}", source),
        )
    finally:
        await backend.stop()

    server_url = os.environ["TEST_POSTGRES_URL"]
    restored_url = await asyncio.to_thread(create_postgres_database, server_url)
    try:
        restored_settings = dataclasses.replace(fresh_settings, database_url=restored_url)
        target = make_url(restored_url).database
        pg_command(restored_settings, "pg_restore", "--no-owner", f"--dbname={target}", str(dump))
        server = await BackendProcess(environment_for(restored_settings), free_port()).start()
        try:
            history = await whole_history(server.url, alice, bob)
        finally:
            await server.stop()
    finally:
        await asyncio.to_thread(drop_postgres_database, server_url, restored_url)
    assert answered_before.items() <= {message["content"]: message["id"] for message in history}.items()
