"""A pooled connection kept checked out between one caller's statements (PostgreSQL, outside transactions).

The group commit's plain-DM writes and the batched token checks each run one statement at a time per
worker. Checking a connection out of SQLAlchemy's pool and back in for every batch (the pool's events, its
reset on return) cost more of the worker's CPU than sending the statement did, and it is paid per batch: the
more workers share a load, the smaller their batches and the more often it is paid (bench/RESULTS.md,
2026-11-29). So such a caller keeps its connection between batches.

The pool's checks before it hands out a connection (`confab.db.engine`) still apply: a held connection the
server has closed, or one idle for longer than `IDLE_PING_SECONDS`, goes back to the pool, and the next
statement takes one from it, checked (and pinged when it sat idle). So only connections in steady use are
held, which is where checkouts cost.

Statements run on the connection's asyncpg connection (`confab.db.driver`), outside any transaction: each
commits on its own as asyncpg sends it, and nothing is left open while the connection waits.

A connection that died unnoticed (a rebooted host) fails the next statement before anything is done: asyncpg
then marks it closed (what SQLAlchemy's dialect also takes for a disconnect), it is thrown away, and the
statement is made once more on a fresh connection from the engine, as `confab.db.reconnect` does for a
transaction's first statement. After any other failure the connection is thrown away too rather than kept:
its state is not known.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from confab.db import engine as pool_checks

Result = TypeVar("Result")


class HeldConnection:
    """One connection of `engine`, checked out at first use and kept until `close` (see the module)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._idle: AsyncConnection | None = None
        self._idle_since = 0.0

    async def run(self, statement: Callable[[asyncpg.Connection], Awaitable[Result]]) -> Result:
        """Run `statement` on the held connection's asyncpg connection (a second caller at the same moment gets one
        of its own)."""
        connection, self._idle = self._idle, None
        if connection is not None and not self._fit(connection):
            await _discard(connection)
            connection = None
        if connection is None:
            connection = await self.engine.connect()
        try:
            result = await statement(_driver(connection))
        except BaseException as error:
            if not isinstance(error, Exception) or not _driver(connection).is_closed():
                await _discard(connection)
                raise
            await _discard_dead(connection)
            connection = await self.engine.connect()
            try:
                result = await statement(_driver(connection))
            except BaseException:
                await _discard(connection)
                raise
        if self._idle is None:
            self._idle, self._idle_since = connection, time.monotonic()
        else:
            await connection.close()
        return result

    def _fit(self, connection: AsyncConnection) -> bool:
        """Whether the held connection may be used without the pool's checks (see the module)."""
        if time.monotonic() - self._idle_since > pool_checks.IDLE_PING_SECONDS:
            return False
        try:
            return not pool_checks.closed_by_server(connection.sync_connection.connection)
        except Exception:  # no longer usable at all
            return False

    async def close(self) -> None:
        """Give the connection back to the pool (the worker is stopping)."""
        connection, self._idle = self._idle, None
        if connection is not None:
            await connection.close()


def _driver(connection: AsyncConnection) -> asyncpg.Connection:
    return connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]


async def _discard_dead(connection: AsyncConnection) -> None:
    """Throw away a connection that died, and with it the pool's older ones (they likely died with it).

    SQLAlchemy learns of a dead connection from one of its own statements failing on it, and then replaces
    every older pooled connection at checkout as well (`confab.db.reconnect`); a statement asyncpg sent alone
    tells it nothing, so one of SQLAlchemy's meets the closed connection (it fails at once, no round trip).
    """
    with contextlib.suppress(Exception):
        await connection.exec_driver_sql("SELECT 1")
    await _discard(connection)


async def _discard(connection: AsyncConnection) -> None:
    """Throw away a connection whose state is not known (the pool opens another in its place)."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()
