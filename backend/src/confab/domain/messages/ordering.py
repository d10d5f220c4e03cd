"""The one place where message writes are ordered: the write lock, and the `seq` every write stamps.

`seq` increases strictly, server-wide, each time a message is created or changed, and catch-up
cursors (`since=<last seq seen>`, like `after=<last id seen>`) need values to become visible in
that order. PostgreSQL hands out values before commit, so two writers could commit out of order and
a reconnecting client would skip the later-committed lower value; every message write therefore
takes one transaction-scoped advisory lock first and assigns `seq` under it, as `max + 1`. SQLite's
BEGIN IMMEDIATE already serializes writers. New messages take it once per batch of sends
(`confab.domain.messages.group_commit`), whose rows take consecutive values from the highest `seq`
read under it (`take_write_order_for_new`).

On PostgreSQL that read, the lock and the batch's check for repeated `client_id`s are one round trip:
`confab_take_write_order` (migrations 0013 and 0014) takes the lock, then reads the highest `seq` and
the (author, `client_id`) pairs used before, each in a statement of its own. The function is VOLATILE,
and in READ COMMITTED (every confab transaction's level) each statement of a volatile function takes a
fresh snapshot, so the reads see every writer that committed before the lock was granted
(`tests/messages/test_commit_order.py` holds it to that). One `SELECT` with the lock and the `max`
side by side would read with the snapshot taken before it waited for the lock: a stale `max`.

A batch of plain DMs (`write_direct_messages`) goes further: `confab_write_direct_messages` (migration 0015)
also inserts them, and runs outside any transaction, so the statement commits on its own and the lock is held
for one round trip instead of three.

Both functions plan their statements once per connection (migration 0016): planning them for each call's
arrays cost about half of PostgreSQL's CPU for a batch of one. So each statement's one plan must suit any
batch: the repeated `client_id`s are looked up pair by pair, both columns equal, on the unique index.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, NamedTuple

import asyncpg
from sqlalchemy import Row, ScalarSelect, Select, Update, bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from confab.db.driver import DriverStatement
from confab.db.pairs import pairs_lookup, pairs_present
from confab.domain.messages.models import MessageModel

# An arbitrary, fixed advisory-lock key ("confab" in ASCII) that only message writes take.
MESSAGE_ORDER_LOCK = 0x636F6E666162
TAKE_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
# In the select list, not FROM: a function scan would first store the one row it returns (measured a little
# dearer for PostgreSQL, 2026-11-28). The row comes back as one value: (latest, authors, client_ids).
TAKE_WRITE_ORDER_FOR_NEW = text("SELECT confab_take_write_order(:key, :author_ids, :client_ids)")
# Sent by asyncpg itself, on the writer's held connection (`confab.db.driver`).
WRITE_DIRECT_MESSAGES = DriverStatement(
    text("SELECT confab_write_direct_messages(:key, :author_ids, :recipient_ids, :contents, :client_ids, :sent_at)")
)

_messages = MessageModel.__table__
# An alias, so that inside an UPDATE of `messages` the subquery still reads the whole table.
_latest = _messages.alias("latest")
NEXT_SEQ: ScalarSelect[int] = select(func.coalesce(func.max(_latest.c.seq), 0) + 1).scalar_subquery()
LATEST_SEQ: Select[tuple[int]] = select(func.coalesce(func.max(_messages.c.seq), 0))
REPEATED_CLIENT_IDS = pairs_lookup(_messages.c.author_id, _messages.c.client_id)

# A Core insert on the table: the ORM's unit of work (flush, identity map, bulk-insert path) cost
# about a quarter of a send, and a new message needs none of it (bench/RESULTS.md). Given a list of
# rows it is one multi-row INSERT ... RETURNING; rows come back in no promised order, hence the seq.
INSERT_MESSAGES = insert(_messages).returning(_messages.c.id, _messages.c.seq)


async def take_write_order(session: AsyncSession) -> None:
    """Serialize this transaction's message writes with every other writer's, until it commits."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(TAKE_LOCK, {"key": MESSAGE_ORDER_LOCK})


class NewWriteOrder(NamedTuple):
    """What a batch of new messages learns as it takes the write order: the first `seq` free (its rows take it
    and the values after it), and which of its (author id, `client_id`) pairs an earlier message used."""

    first_seq: int
    repeated: set[tuple[int, str]]


async def take_write_order_for_new(session: AsyncSession, client_ids: set[tuple[int, str]]) -> NewWriteOrder:
    """`take_write_order`, the `seq` after the highest written, and the repeats among `client_ids` (pairs of
    author id and `client_id`). The transaction's first statement: nothing is written before it."""
    if session.get_bind().dialect.name == "postgresql":
        parameters = {
            "key": MESSAGE_ORDER_LOCK,
            "author_ids": [author_id for author_id, _ in client_ids],
            "client_ids": [client_id for _, client_id in client_ids],
        }
        latest, authors, repeated = (await session.execute(TAKE_WRITE_ORDER_FOR_NEW, parameters)).scalar_one()
        found = set(zip(authors or [], repeated or [], strict=True))
        return NewWriteOrder(latest + 1, found & client_ids)
    latest = await session.scalar(LATEST_SEQ)
    return NewWriteOrder((latest or 0) + 1, await pairs_present(session, REPEATED_CLIENT_IDS, client_ids))


class DirectRow(NamedTuple):
    """A plain DM for `write_direct_messages`: ids of its author and recipient, its text and its `client_id`."""

    author_id: int
    recipient_id: int
    content: str
    client_id: str


class DirectWrites(NamedTuple):
    """What `write_direct_messages` wrote: the (id, `seq`) of each row not repeated, in the order given (ids and
    `seq`s rise together), and the (author id, `client_id`) pairs an earlier message used (nothing written)."""

    written: list[tuple[int, int]]
    repeated: set[tuple[int, str]]


async def write_direct_messages(driver: asyncpg.Connection, rows: list[DirectRow], sent_at: datetime) -> DirectWrites:
    """Take the write order and insert `rows` (PostgreSQL, on asyncpg's connection, outside any transaction): one
    statement, committed as it returns. Rows whose (author, `client_id`) was used before are not written."""
    parameters = {
        "key": MESSAGE_ORDER_LOCK,
        "author_ids": [row.author_id for row in rows],
        "recipient_ids": [row.recipient_id for row in rows],
        "contents": [row.content for row in rows],
        "client_ids": [row.client_id for row in rows],
        "sent_at": sent_at,
    }
    ids, seqs, authors, client_ids = await WRITE_DIRECT_MESSAGES.value(driver, parameters)
    return DirectWrites(
        list(zip(ids or [], seqs or [], strict=True)), set(zip(authors or [], client_ids or [], strict=True))
    )


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
