"""On PostgreSQL, message writes serialize on an advisory lock so ids and seqs become visible in order.

A batch of new messages takes the lock and reads the highest `seq` in one statement
(`confab_take_write_order`, migrations 0013 and 0014): the read must come after the lock is granted, or a writer
that waited would give out again the `seq` of the writer it waited for.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from confab.domain.messages.ordering import MESSAGE_ORDER_LOCK

TAKE_WRITE_ORDER = "SELECT latest FROM confab_take_write_order($1, '{}', '{}')"
TAKE_WRITE_ORDER_FOR = "SELECT * FROM confab_take_write_order($1, $2, $3)"
# What another writer stores under the lock: a DM with the next seq.
STORE_UNDER_THE_LOCK = (
    "INSERT INTO messages (content, created_at, author_id, recipient_id, seq, created_seq, deleted) "
    "VALUES ('written under the lock', now(), $1, $2, $3, $3, false) RETURNING id"
)
STORE_WITH_CLIENT_ID = (
    "INSERT INTO messages (content, created_at, author_id, recipient_id, seq, created_seq, deleted, client_id) "
    "VALUES ('written under the lock', now(), $1, $2, $3, $3, false, $4)"
)


def plain_dsn(server) -> str:
    return make_url(server.settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def wait_until_someone_waits_for_the_lock(connection: asyncpg.Connection) -> None:
    for _ in range(200):
        if await connection.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"):
            return
        await asyncio.sleep(0.025)
    raise AssertionError("nobody waited for the ordering lock")


@pytest.mark.parametrize("client_id", [None, "waits-0001"])  # a batch's transaction, and a plain DM's one statement
async def test_a_message_waits_for_the_ordering_lock_and_takes_the_seq_after_the_holders(
    server, http, make_user, client_id
):
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE; this lock is PostgreSQL's")
    alice, bob = await make_user(), await make_user()
    holder = await asyncpg.connect(plain_dsn(server))
    try:
        transaction = holder.transaction()
        await transaction.start()
        latest = await holder.fetchval(TAKE_WRITE_ORDER, MESSAGE_ORDER_LOCK)
        held_id = await holder.fetchval(STORE_UNDER_THE_LOCK, alice.id, bob.id, latest + 1)
        send = asyncio.create_task(
            http.post(
                "/api/messages",
                headers=alice.headers,
                json={"recipient_id": bob.id, "content": "waits", "client_id": client_id},
            )
        )
        await wait_until_someone_waits_for_the_lock(holder)
        assert not send.done()  # blocked behind the writer that holds the lock
        await transaction.commit()
        sent = await asyncio.wait_for(send, 10)
        assert sent.status_code == 201, sent.text
        assert sent.json()["seq"] == latest + 2 and sent.json()["id"] > held_id
    finally:
        await holder.close()


async def test_the_highest_seq_is_read_after_the_write_order_is_granted(server, make_user):
    """Two writers at the level confab's transactions run at (READ COMMITTED): the one that waited for the lock
    reads the `seq` the other committed meanwhile, although its own statement began before that commit."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE; this lock is PostgreSQL's")
    alice, bob = await make_user(), await make_user()
    first, second = await asyncpg.connect(plain_dsn(server)), await asyncpg.connect(plain_dsn(server))
    try:
        for writer in (first, second):
            assert await writer.fetchval("SHOW transaction_isolation") == "read committed"
        first_transaction, second_transaction = first.transaction(), second.transaction()
        await first_transaction.start()
        latest = await first.fetchval(TAKE_WRITE_ORDER, MESSAGE_ORDER_LOCK)
        await first.execute(STORE_UNDER_THE_LOCK, alice.id, bob.id, latest + 1)
        await second_transaction.start()
        waiting = asyncio.create_task(second.fetchval(TAKE_WRITE_ORDER, MESSAGE_ORDER_LOCK))
        await wait_until_someone_waits_for_the_lock(first)
        await first_transaction.commit()
        assert await asyncio.wait_for(waiting, 10) == latest + 1
        await second_transaction.rollback()
    finally:
        await first.close()
        await second.close()


async def test_a_client_id_committed_while_a_batch_waited_for_the_write_order_is_found_as_a_repeat(server, make_user):
    """The batch's check for repeated `client_id`s runs inside the same function, after the lock: it sees the
    send the lock's holder committed meanwhile (else both would insert, and the unique index would fail a batch)."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE; this lock is PostgreSQL's")
    alice, bob = await make_user(), await make_user()
    first, second = await asyncpg.connect(plain_dsn(server)), await asyncpg.connect(plain_dsn(server))
    try:
        first_transaction, second_transaction = first.transaction(), second.transaction()
        await first_transaction.start()
        latest = await first.fetchval(TAKE_WRITE_ORDER, MESSAGE_ORDER_LOCK)
        await first.execute(STORE_WITH_CLIENT_ID, alice.id, bob.id, latest + 1, "raced-000001")
        await second_transaction.start()
        pairs = ([alice.id, bob.id], ["raced-000001", "raced-000002"])
        waiting = asyncio.create_task(second.fetchrow(TAKE_WRITE_ORDER_FOR, MESSAGE_ORDER_LOCK, *pairs))
        await wait_until_someone_waits_for_the_lock(first)
        await first_transaction.commit()
        order = await asyncio.wait_for(waiting, 10)
        assert order["latest"] == latest + 1
        assert list(zip(order["repeated_authors"], order["repeated_client_ids"], strict=True)) == [
            (alice.id, "raced-000001")
        ]
        await second_transaction.rollback()
    finally:
        await first.close()
        await second.close()


WRITE_DIRECT = "SELECT * FROM confab_write_direct_messages($1, $2, $3, $4, $5, now())"


async def test_plain_dms_written_in_one_statement_wait_for_the_write_order_and_skip_what_was_committed_meanwhile(
    server, make_user
):
    """`confab_write_direct_messages` (a batch of plain DMs, outside any transaction) reads the highest `seq` and
    the repeated `client_id`s after the lock: it writes the rest after the holder's message, ids and `seq`s in
    the order given, and commits on its own."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE; this lock is PostgreSQL's")
    alice, bob = await make_user(), await make_user()
    first, second = await asyncpg.connect(plain_dsn(server)), await asyncpg.connect(plain_dsn(server))
    try:
        first_transaction = first.transaction()
        await first_transaction.start()
        latest = await first.fetchval(TAKE_WRITE_ORDER, MESSAGE_ORDER_LOCK)
        await first.execute(STORE_WITH_CLIENT_ID, alice.id, bob.id, latest + 1, "direct-0001")
        sends = [(alice.id, bob.id, "a", "direct-0001"), (alice.id, bob.id, "b", "direct-0002")]
        sends.append((bob.id, alice.id, "c", "direct-0001"))  # the same client_id, another author: not a repeat
        columns = [list(column) for column in zip(*sends, strict=True)]
        waiting = asyncio.create_task(second.fetchrow(WRITE_DIRECT, MESSAGE_ORDER_LOCK, *columns))
        await wait_until_someone_waits_for_the_lock(first)
        await first_transaction.commit()
        written = await asyncio.wait_for(waiting, 10)
        assert list(zip(written["repeated_authors"], written["repeated_client_ids"], strict=True)) == [
            (alice.id, "direct-0001")
        ]
        assert written["seqs"] == [latest + 2, latest + 3]
        assert written["ids"] == sorted(written["ids"])
        assert not await second.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        stored = await first.fetch(
            "SELECT id, author_id, content, seq, created_seq, deleted FROM messages WHERE seq > $1 ORDER BY seq", latest
        )
        assert [(row["content"], row["author_id"], row["seq"]) for row in stored] == [
            ("written under the lock", alice.id, latest + 1),
            ("b", alice.id, latest + 2),
            ("c", bob.id, latest + 3),
        ]
        assert [row["id"] for row in stored[1:]] == written["ids"]
        assert all(row["created_seq"] == row["seq"] and not row["deleted"] for row in stored)
    finally:
        await first.close()
        await second.close()


async def test_every_change_waits_for_the_ordering_lock_too(server, http, make_user):
    """Edits, deletes and reactions take seq values under the same lock, so they become visible in seq order."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE; this lock is PostgreSQL's")
    alice, bob = await make_user(), await make_user()
    sent = (
        await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "x"})
    ).json()
    changes = [
        lambda: http.patch(f"/api/messages/{sent['id']}", headers=alice.headers, json={"content": "edited"}),
        lambda: http.put(f"/api/messages/{sent['id']}/reactions/%F0%9F%91%8D", headers=bob.headers),
        lambda: http.delete(f"/api/messages/{sent['id']}", headers=alice.headers),
    ]
    dsn = make_url(server.settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    holder = await asyncpg.connect(dsn)
    try:
        for change in changes:
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("SELECT pg_advisory_xact_lock($1)", MESSAGE_ORDER_LOCK)
            pending = asyncio.create_task(change())
            await asyncio.sleep(0.5)
            assert not pending.done()
            await transaction.commit()
            assert (await asyncio.wait_for(pending, 10)).status_code in (200, 204)
    finally:
        await holder.close()
