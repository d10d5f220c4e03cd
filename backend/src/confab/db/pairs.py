"""Which of a set of (a, b) pairs a table holds, by an index on its two columns: the form every batch check uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession


def pairs_lookup(first: ColumnElement[Any], second: ColumnElement[Any]) -> Select[Any]:
    """The rows whose (`first`, `second`) may be among the pairs bound as `firsts` and `seconds`, by an index on
    the two columns; built once, like the other statements a send runs.

    Not `(a, b) IN (VALUES ...)`: SQLite answers that row-value list by scanning the whole index, a cost
    that grew with every message ever sent (bench/RESULTS.md). Two plain IN lists are index lookups; the
    few extra combinations they also match are dropped by `pairs_present`.
    """
    return select(first, second).where(
        first.in_(bindparam("firsts", expanding=True)), second.in_(bindparam("seconds", expanding=True))
    )


async def pairs_present(
    session: AsyncSession, lookup: Select[Any], pairs: set[tuple[Any, Any]]
) -> set[tuple[Any, Any]]:
    """Which of `pairs` `lookup` (a `pairs_lookup`) finds."""
    if not pairs:
        return set()
    rows = await session.execute(
        lookup, {"firsts": list({a for a, _ in pairs}), "seconds": list({b for _, b in pairs})}
    )
    return {tuple(row) for row in rows} & pairs
