"""The pool settings from the environment reach the PostgreSQL engine, its connections are pinged only after
sitting idle, and one the server closed is replaced before it is handed out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import confab.db.engine
from confab.db.engine import create_engine
from confab.settings import Settings


def test_postgres_pool_settings_are_applied() -> None:
    settings = Settings.from_env(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": "postgresql+asyncpg://confab@db.invalid/confab",
            "DATABASE_POOL_SIZE": "7",
            "DATABASE_MAX_OVERFLOW": "3",
            "DATABASE_POOL_TIMEOUT": "4.5",
        }
    )
    engine = create_engine(settings)  # creating an engine does not connect
    pool = engine.sync_engine.pool
    assert pool.size() == 7
    assert pool._max_overflow == 3
    assert pool._timeout == 4.5
    assert pool._pre_ping is False, "a ping on every checkout cost three round trips per transaction"
    assert pool.dispatch.checkout and pool.dispatch.checkin, "connections idle for a while are pinged instead"
    assert pool._pool.use_lifo is True, "the connections in use stay warm; the rest sit idle"
    assert engine.sync_engine.hide_parameters is True, "bound values (contents, hashes) stay out of error logs"


def test_sqlite_uses_one_connection_per_worker(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'confab.db'}"
    settings = Settings.from_env({"SECRET_KEY": "test-secret", "DATABASE_URL": url})
    pool = create_engine(settings).sync_engine.pool
    assert pool.size() == 1
    assert pool._max_overflow == 0


async def terminate_backend(settings: Settings, pid: int) -> None:
    dsn = make_url(settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    administrator = await asyncpg.connect(dsn)
    try:
        assert await administrator.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await administrator.close()


def counted_pings(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gains an item each time the pool pings one of `engine`'s connections."""
    pings: list[int] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or ping(connection))
    return pings


async def backend_pid(engine: AsyncEngine) -> int:
    """The PostgreSQL backend of the connection the pool hands out next."""
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def test_only_a_connection_that_sat_idle_is_pinged_and_a_dead_one_is_replaced(settings, monkeypatch) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite has no connection to lose")
    monkeypatch.setattr(confab.db.engine, "IDLE_PING_SECONDS", 0.3)
    # As when a firewall drops the connection silently: the worker cannot tell it closed until it tries it.
    monkeypatch.setattr(confab.db.engine, "closed_by_server", lambda _connection: False)
    engine = create_engine(settings)
    pings = counted_pings(engine, monkeypatch)
    try:
        first = await backend_pid(engine)
        assert await backend_pid(engine) == first and pings == [], "a connection just returned is handed out unpinged"
        await asyncio.sleep(0.5)
        assert await backend_pid(engine) == first and pings == [1], "one idle for longer is pinged, and kept when alive"

        await terminate_backend(settings, first)
        await asyncio.sleep(0.5)
        replacement = await backend_pid(engine)  # the ping fails, and the pool connects again instead of failing
        assert replacement != first and pings == [1, 1]
    finally:
        await engine.dispose()


async def test_a_connection_the_server_closed_is_replaced_when_handed_out_without_a_ping(settings, monkeypatch) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite has no connection to lose")
    monkeypatch.setattr(confab.db.engine, "IDLE_PING_SECONDS", 3600.0)
    engine = create_engine(settings)
    pings = counted_pings(engine, monkeypatch)
    try:
        first = await backend_pid(engine)
        await terminate_backend(settings, first)  # as a database restart does to every connection
        await asyncio.sleep(0.2)  # the worker's event loop reads the server's goodbye
        assert await backend_pid(engine) != first, "the closed connection was replaced before its first statement"
        assert pings == []
    finally:
        await engine.dispose()
