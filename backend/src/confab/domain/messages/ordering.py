"""The one place where message writes are ordered: the write lock, and the `seq` every write stamps.

`seq` increases strictly, server-wide, each time a message is created or changed, and catch-up
cursors (`since=<last seq seen>`, like `after=<last id seen>`) need values to become visible in
that order. PostgreSQL hands out values before commit, so two writers could commit out of order and
a reconnecting client would skip the later-committed lower value; every message write therefore
takes one transaction-scoped advisory lock first and assigns `seq` under it, as `max + 1`. SQLite's
BEGIN IMMEDIATE already serializes writers. New messages take it once per batch of sends
(`confab.domain.messages.group_commit`), whose rows take consecutive values from `next_seq`.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Row, ScalarSelect, Select, Update, bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.messages.models import MessageModel

# An arbitrary, fixed advisory-lock key ("confab" in ASCII) that only message writes take.
MESSAGE_ORDER_LOCK = 0x636F6E666162

_messages = MessageModel.__table__
# An alias, so that inside an UPDATE of `messages` the subquery still reads the whole table.
_latest = _messages.alias("latest")
NEXT_SEQ: ScalarSelect[int] = select(func.coalesce(func.max(_latest.c.seq), 0) + 1).scalar_subquery()
LATEST_SEQ: Select[tuple[int]] = select(func.coalesce(func.max(_messages.c.seq), 0))

# A Core insert on the table: the ORM's unit of work (flush, identity map, bulk-insert path) cost
# about a quarter of a send, and a new message needs none of it (bench/RESULTS.md). Given a list of
# rows it is one multi-row INSERT ... RETURNING; rows come back in no promised order, hence the seq.
INSERT_MESSAGES = insert(_messages).returning(_messages.c.id, _messages.c.seq)


async def take_write_order(session: AsyncSession) -> None:
    """Serialize this transaction's message writes with every other writer's, until it commits."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MESSAGE_ORDER_LOCK})


async def next_seq(session: AsyncSession) -> int:
    """The `seq` after the highest written: a batch's new rows take it and the values after it (the write
    order must be held until the commit)."""
    return (await session.scalar(LATEST_SEQ) or 0) + 1


@functools.cache
def _stamp(columns: tuple[str, ...]) -> Update:
    # Built once per set of columns: building and keying the UPDATE each time was a quarter of an edit's CPU.
    changes = {column: bindparam(f"new_{column}") for column in columns}
    return (
        update(_messages)
        .where(_messages.c.id == bindparam("message_id"))
        .values(seq=NEXT_SEQ, **changes)
        .returning(_messages)
    )


async def stamp_change(session: AsyncSession, message_id: int, **values: Any) -> Row[Any]:
    """Apply `values` to the message and give it the next `seq` (the write order must be held); the row as now."""
    parameters = {"message_id": message_id, **{f"new_{column}": value for column, value in values.items()}}
    return (await session.execute(_stamp(tuple(sorted(values))), parameters)).one()
