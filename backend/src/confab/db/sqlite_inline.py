"""SQLite on the event-loop thread: the driver SQLAlchemy's aiosqlite dialect gets from our engine.

aiosqlite runs every call (cursor, execute, fetch, close, commit) in a worker thread and wakes the
event loop with each result: about 20 thread round trips per message, more CPU than the SQL itself
(see bench/RESULTS.md). SQLite is an in-process library whose statements take microseconds, so this
driver runs them on the loop thread and keeps aiosqlite's interface, which is all the dialect needs.

What a thread hid, and how it is handled here:
- Waiting for a lock held by another process (a second worker on the same file). The connection's
  own busy timeout is 0, so SQLite answers SQLITE_BUSY at once and the statement (or COMMIT) is
  retried after an `asyncio.sleep`: the loop keeps serving everyone else while it waits, up to
  `busy_timeout` seconds, the same deadline SQLite's own busy handler would apply.
- Disk syncs. In WAL mode with synchronous=NORMAL a commit does not sync; a checkpoint (every
  1,000 pages written) does, and stalls the loop for that one sync.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

FIRST_RETRY_DELAY = 0.001
LONGEST_RETRY_DELAY = 0.05


class InlineCursor:
    """An aiosqlite-shaped cursor whose calls complete on the spot."""

    def __init__(self, cursor: sqlite3.Cursor, busy_timeout: float) -> None:
        self._cursor = cursor
        self._busy_timeout = busy_timeout

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        await _retry_while_busy(lambda: self._cursor.execute(sql, parameters), self._busy_timeout)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(parameters)  # a retry must see the same rows again
        await _retry_while_busy(lambda: self._cursor.executemany(sql, rows), self._busy_timeout)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """An aiosqlite-shaped connection over a `sqlite3` connection used only from the loop thread."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout: float) -> None:
        self._connection: sqlite3.Connection | None = connection
        self._busy_timeout = busy_timeout

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._open().cursor(), self._busy_timeout)

    async def commit(self) -> None:
        # Only a rollback-journal database (where WAL is unavailable) can be busy here: its COMMIT waits
        # for other processes' readers. SQLite keeps the transaction open, so trying again is safe.
        await _retry_while_busy(self._open().commit, self._busy_timeout)

    async def rollback(self) -> None:
        self._open().rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """What SQLAlchemy calls to terminate a connection outside the loop: closing is just as immediate."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, name: str, arguments: int, function: Callable[..., Any], **options: Any) -> None:
        self._open().create_function(name, arguments, function, **options)

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            # The message SQLAlchemy's aiosqlite dialect recognises as a closed connection.
            raise sqlite3.OperationalError("Connection closed")
        return self._connection


async def connect_inline(database: str, busy_timeout: float) -> InlineConnection:
    """Open `database` in autocommit mode (SQLAlchemy issues BEGIN itself) with SQLite's busy wait off."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None, check_same_thread=False)
    return InlineConnection(connection, busy_timeout)


async def _retry_while_busy(run: Callable[[], object], busy_timeout: float) -> None:
    """Run a statement; while another process holds the lock, sleep and retry until the deadline."""
    deadline = time.monotonic() + busy_timeout
    delay = FIRST_RETRY_DELAY
    while True:
        try:
            run()
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() + delay > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, LONGEST_RETRY_DELAY)
