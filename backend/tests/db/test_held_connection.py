"""A held connection stays checked out between statements, is replaced when it died, and is not kept after a
failure (PostgreSQL: the plain-DM writes and the token checks run outside transactions on one)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import confab.db.engine
from confab.db.engine import outside_transactions
from confab.db.held import HeldConnection
from tests.support.databases import drop_every_connection


async def backend(driver: asyncpg.Connection) -> int:
    return await driver.fetchval("SELECT pg_backend_pid()")


@pytest.fixture
async def held(settings):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("held connections run statements outside transactions, which only PostgreSQL's engine does")
    engine = create_async_engine(settings.database_url)
    connection = HeldConnection(outside_transactions(engine))
    yield connection
    await connection.close()
    await engine.dispose()


def checked_out(held: HeldConnection) -> int:
    return held.engine.sync_engine.pool.checkedout()


async def test_statements_share_one_connection_that_stays_checked_out_until_closed(held):
    first = await held.run(backend)
    assert await held.run(backend) == first
    assert checked_out(held) == 1
    # Outside any transaction: nothing is left open while the connection waits for the next statement.
    async with held.engine.connect() as observer:
        state = await observer.execute(text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": first})
        assert state.scalar_one() == "idle"
    await held.close()
    assert checked_out(held) == 0


async def test_a_held_connection_that_died_is_replaced_at_its_next_statement(held, settings):
    first = await held.run(backend)
    await drop_every_connection(settings.database_url)
    assert await held.run(backend) != first


async def test_a_connection_whose_statement_failed_is_not_kept(held):
    first = await held.run(backend)
    with pytest.raises(asyncpg.DivisionByZeroError):
        await held.run(lambda driver: driver.fetchval("SELECT 1 / 0"))
    assert checked_out(held) == 0
    assert await held.run(backend) != first


async def test_a_statement_retried_after_its_connection_died_still_runs_outside_any_transaction(
    held, settings, monkeypatch
):
    """Reconnected in place, the connection would lose AUTOCOMMIT: a write would wait in a transaction that
    nothing commits, holding its locks, and be rolled back when the connection is next closed. The death goes
    unnoticed until the statement meets it (a rebooted host), so the statement is what retries."""
    monkeypatch.setattr(confab.db.engine, "closed_by_server", lambda _connection: False)
    first = await held.run(backend)
    await drop_every_connection(settings.database_url)
    second = await held.run(backend)
    assert second != first
    async with held.engine.connect() as observer:
        state = await observer.execute(text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": second})
        assert state.scalar_one() == "idle"
