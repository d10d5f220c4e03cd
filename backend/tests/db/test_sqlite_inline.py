"""The SQLite driver runs on the event loop: waiting for another writer's lock must not stop the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from confab.db.engine import create_engine
from confab.db.sqlite_inline import connect_inline
from confab.settings import Settings


def sqlite_settings(path: Path) -> Settings:
    return Settings.from_env({"SECRET_KEY": "test-secret", "DATABASE_URL": f"sqlite+aiosqlite:///{path}"})


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another writer (as a second worker would be): it holds the write lock until it commits."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('from the other writer')")
    return other


async def ticks_while(awaitable: asyncio.Future[object] | asyncio.Task[object]) -> int:
    """How many times a 5 ms ticker ran while `awaitable` was pending: 0 would mean a blocked loop."""
    ticks = 0
    while not awaitable.done():
        await asyncio.sleep(0.005)
        ticks += 1
    return ticks


async def test_a_write_waits_for_another_writer_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    engine = create_engine(sqlite_settings(path))
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    other = hold_write_lock(path)
    asyncio.get_running_loop().call_later(0.3, other.commit)

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('from this worker')"))

    started = time.monotonic()
    writing = asyncio.ensure_future(write())
    ticks = await ticks_while(writing)
    await writing
    waited = time.monotonic() - started

    async with engine.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
    await engine.dispose()
    other.close()
    assert bodies == ["from the other writer", "from this worker"], "the write waited for the lock, then landed"
    assert waited >= 0.3
    assert ticks >= 10, f"the loop ran only {ticks} times in {waited:.2f} s while the write waited"


async def test_a_lock_held_past_the_busy_timeout_fails_the_statement(tmp_path: Path) -> None:
    path = tmp_path / "stuck.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    setup.close()
    other = hold_write_lock(path)
    connection = await connect_inline(str(path), busy_timeout=0.2)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await connection.cursor().execute("BEGIN IMMEDIATE")
    assert 0.1 <= time.monotonic() - started < 2
    other.close()
    await connection.close()


async def test_a_closed_connection_says_so_in_the_words_sqlalchemy_recognises(tmp_path: Path) -> None:
    connection = await connect_inline(str(tmp_path / "closed.db"), busy_timeout=1)
    await connection.close()
    with pytest.raises(sqlite3.OperationalError, match="Connection closed"):
        connection.cursor()


async def test_a_commit_that_waits_for_readers_is_retried_until_they_finish(tmp_path: Path) -> None:
    """Without WAL (some file systems) a COMMIT needs every other reader gone; it must wait, not fail."""
    path = tmp_path / "journal.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    setup.execute("INSERT INTO notes (body) VALUES ('first')")
    setup.commit()
    setup.close()
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM notes").fetchone() == (1,)  # holds a shared lock
    asyncio.get_running_loop().call_later(0.3, reader.commit)

    connection = await connect_inline(str(path), busy_timeout=5)
    cursor = connection.cursor()
    await cursor.execute("BEGIN IMMEDIATE")
    await cursor.execute("INSERT INTO notes (body) VALUES ('second')")
    committing = asyncio.ensure_future(connection.commit())
    ticks = await ticks_while(committing)
    await committing

    assert ticks >= 10, "the loop kept running while the commit waited"
    await cursor.execute("SELECT count(*) FROM notes")
    assert await cursor.fetchall() == [(2,)]
    reader.close()
    await connection.close()
