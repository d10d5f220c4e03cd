"""A database session that exists only once something reads through it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession


class SessionOnDemand:
    """Opens its session on the first call, and closes it at exit if it opened one.

    A socket send whose author and recipient the worker's profile cache remembers reads nothing itself (its
    row goes through the group commit's own session). Opening and closing an AsyncSession it never used cost
    about 0.1 ms, as much again as building a `MessageService` on it: together a tenth of a socket send.
    """

    def __init__(self, open_session: Callable[[], AsyncSession]) -> None:
        self._open_session = open_session
        self._session: AsyncSession | None = None
        self._owned = True

    @classmethod
    def wrapping(cls, session: AsyncSession) -> SessionOnDemand:
        """An already open session (a request's), which its owner closes."""
        on_demand = cls(lambda: session)
        on_demand._session, on_demand._owned = session, False
        return on_demand

    def __call__(self) -> AsyncSession:
        if self._session is None:
            self._session = self._open_session()
        return self._session

    async def end_reads(self) -> None:
        """Commit what was read so far, so that no connection is held while the caller waits for a write (on
        SQLite, the group commit needs the worker's one connection)."""
        if self._session is not None and self._session.in_transaction():
            await self._session.commit()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, _type: type[BaseException] | None, _error: BaseException | None, _traceback: TracebackType | None
    ) -> None:
        if self._session is not None and self._owned:
            await self._session.close()
