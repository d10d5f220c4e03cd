"""One more try, on a fresh connection, for a transaction whose first statement met a connection that died.

Pooled PostgreSQL connections are pinged only after sitting idle, and replaced before use only once the
worker has seen the server close them (`confab.db.engine`), so a connection that died unnoticed (a rebooted
host answers its next packet with a reset) is handed out as if alive. The first statement to meet one fails
with `connection_invalidated`, and the pool then replaces every connection older than it. Nothing
of that transaction can have been committed (it had sent no COMMIT, and PostgreSQL rolls back the
transaction of a connection that ends), so it can start over on a fresh connection. Only its first statement
is retried: after that, a COMMIT may have reached the database, or the caller acted on what it had read.

Sessions only. A connection object reconnects in place without its engine's execution options, so one that
ran outside transactions (AUTOCOMMIT) would run its retry inside a transaction nothing commits: those
callers keep a `confab.db.held.HeldConnection`, which retries on a fresh connection from the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

Result = TypeVar("Result")


def connection_died(error: BaseException) -> bool:
    """True when `error` is a statement failing on a dead connection, as raised by SQLAlchemy or wrapped by
    advanced-alchemy's repositories (which re-raise it as their own error, caused by SQLAlchemy's)."""
    cause = error if isinstance(error, DBAPIError) else error.__cause__
    return isinstance(cause, DBAPIError) and cause.connection_invalidated


async def retry_if_connection_died(session: AsyncSession, first_statement: Callable[[], Awaitable[Result]]) -> Result:
    """Run the first statement of `session`'s transaction; when it found the connection dead, roll back and run
    it once more, on a fresh connection from the pool."""
    try:
        return await first_statement()
    except Exception as error:
        if not connection_died(error):
            raise
    await session.rollback()
    return await first_statement()
