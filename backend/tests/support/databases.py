"""Scratch databases for tests: a SQLite file, or a fresh PostgreSQL database created and dropped per run."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from sqlalchemy.engine import make_url


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _execute_on(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_plain_dsn(url), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_postgres_database(server_url: str) -> str:
    """Create an empty database next to `server_url`'s and return its URL; fails loudly if unreachable."""
    name = f"confab_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_execute_on(server_url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        raise RuntimeError(f"TEST_POSTGRES_URL={server_url} was asked for but cannot be reached: {error}") from error
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    asyncio.run(_execute_on(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def drop_every_connection(database_url: str) -> None:
    """End every backend of the database but this one, as a PostgreSQL restart would, and wait until they are gone."""
    administrator = await asyncpg.connect(_plain_dsn(database_url))
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    try:
        await administrator.execute(f"SELECT pg_terminate_backend(pid) {others}")
        for _ in range(100):
            if not await administrator.fetchval(f"SELECT count(*) {others}"):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("PostgreSQL's backends outlived pg_terminate_backend")
    finally:
        await administrator.close()
