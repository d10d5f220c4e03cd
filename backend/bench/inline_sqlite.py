"""A variant to measure, never to deploy: confab with aiosqlite's calls run on the event-loop thread.

aiosqlite runs every call (cursor, execute, fetch, close, commit) in a worker thread and wakes the
event loop for each result: about 20 thread round trips per REST message. This module removes them
by patching aiosqlite's private dispatch, so the benchmark can show what they cost:

    python -m bench --app bench.inline_sqlite:app --scenarios dm-rest,dm-socket

Not safe as it stands: a write lock held by another process would block the whole event loop for
up to the busy timeout, and it depends on aiosqlite internals. See bench/RESULTS.md.
"""

from __future__ import annotations

from typing import Any

import aiosqlite.core


async def _execute_inline(self: aiosqlite.Connection, function: Any, *args: Any, **kwargs: Any) -> Any:
    if not self._running or not self._connection:
        raise ValueError("Connection closed")
    return function(*args, **kwargs)


async def _connect_inline(self: aiosqlite.Connection) -> aiosqlite.Connection:
    if self._connection is None:
        self._connection = self._connector()
    return self


aiosqlite.core.Connection._execute = _execute_inline
aiosqlite.core.Connection._connect = _connect_inline
aiosqlite.core.Connection.stop = lambda self: None

from confab.asgi import app  # noqa: E402  (after the patch, so the engine's connections use it)

__all__ = ["app"]
