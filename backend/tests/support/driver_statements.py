"""What confab sends through asyncpg's own connection (`confab.db.driver`), which SQLAlchemy's events do not see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

SentByAsyncpg = Callable[[asyncpg.Connection, str, tuple[Any, ...]], None]


def watch_driver_statements(monkeypatch: pytest.MonkeyPatch, seen: SentByAsyncpg) -> None:
    """Call `seen(connection, query, arguments)` before each query asyncpg's `fetch`, `fetchval` or `fetchrow` sends
    (SQLAlchemy's statements use prepared statements instead: none of them is reported)."""
    for method in ("fetch", "fetchval", "fetchrow"):
        send = getattr(asyncpg.Connection, method)

        async def watched(driver: asyncpg.Connection, query: str, *arguments: Any, send: Any = send) -> Any:
            seen(driver, query, arguments)
            return await send(driver, query, *arguments)

        monkeypatch.setattr(asyncpg.Connection, method, watched)
