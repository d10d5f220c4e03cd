"""SQLAlchemy statements compiled once for asyncpg and run on its own connection (PostgreSQL's hottest statements).

The token checks and the plain-DM writes each cost a round trip per batch, so the fewer sends a worker batches
(the more workers share a load), the more of their cost is that round trip. Through SQLAlchemy's execution layer
(a greenlet switch, an execution context, events, a result object) one such statement cost the worker about
140 us; the same statement sent by asyncpg itself, about 60 (bench/RESULTS.md, 2026-11-29). So these statements
are still written with SQLAlchemy (one definition, the dialect's SQL and casts) but compiled once here, and run on
the pooled connection's asyncpg connection (`confab.db.held`), which caches its prepared statements.

Nothing of SQLAlchemy's sees them run: no `echo`, no events, no type processing of results (the columns read
so are plain types asyncpg decodes as SQLAlchemy would: integers, text, timezone-aware timestamps) and no
wrapping of errors (asyncpg's own reach the caller, and the app answers them as it does SQLAlchemy's:
`confab.db.outages`).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy import Select, TextClause
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

_DIALECT = asyncpg_dialect.dialect()


class DriverStatement:
    """One statement's SQL for asyncpg (`$1`, `$2`... in the order of its bound names), and its row shape."""

    def __init__(self, statement: Select[Any] | TextClause) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = compiled.string
        self._names = list(compiled.positiontup or [])
        # Rows read by attribute, as SQLAlchemy's are, so code shared with the SQLAlchemy paths reads either. A
        # text statement is read for its `value` only.
        columns = statement.selected_columns.keys() if isinstance(statement, Select) else ()
        self._row = namedtuple("DriverRow", columns)  # type: ignore[misc]

    def _arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        return [parameters[name] for name in self._names]

    async def rows(self, driver: asyncpg.Connection, parameters: Mapping[str, Any]) -> list[Any]:
        """Every row, each a named tuple of the statement's columns."""
        return [self._row(*record) for record in await driver.fetch(self.sql, *self._arguments(parameters))]

    async def value(self, driver: asyncpg.Connection, parameters: Mapping[str, Any]) -> Any:
        """The first column of the one row."""
        return await driver.fetchval(self.sql, *self._arguments(parameters))
