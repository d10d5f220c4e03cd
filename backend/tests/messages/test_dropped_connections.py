"""PostgreSQL dropping every connection (a restart, a failover, an administrator): the next send still
answers 201 and is stored once.

The connections die unnoticed here (`pool_of_dead_connections`), so right after a drop the pool still hands
out connections used a moment ago, now dead. The token check and the message writer find that
out at their first statement, before anything is read or written, and try once more on a fresh connection.
A failure after a batch's first statement is never retried: a write may have reached the database. A batch
of plain DMs is one statement that commits on its own; if its answer is lost after the commit, the retry
finds each send's `client_id` written and writes nothing twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import confab.domain.messages.group_commit
from confab.domain.accounts.schemas import PublicUser
from confab.domain.messages.group_commit import MessageWriter, NewMessage
from confab.domain.messages.ordering import DirectRow, DirectWrites, NewWriteOrder
from tests.support.accounts import Account
from tests.support.databases import drop_every_connection


def public(account: Account) -> PublicUser:
    return PublicUser(id=account.id, name=account.name, nickname=account.nickname)


async def dm(http, author: Account, recipient: Account, content: str, **extra: Any):
    return await http.post(
        "/api/messages", headers=author.headers, json={"recipient_id": recipient.id, "content": content, **extra}
    )


async def contents_between(http, reader: Account, other: Account) -> list[str]:
    history = await http.get("/api/messages", headers=reader.headers, params={"with": other.id})
    assert history.status_code == 200, history.text
    return [message["content"] for message in history.json()]


async def test_after_postgres_drops_every_connection_the_next_send_answers_201_and_is_stored_once(
    server, http, make_user, pool_of_dead_connections
):
    alice, bob = await make_user(), await make_user()
    assert (await dm(http, alice, bob, "hi")).status_code == 201  # the pool now holds connections used just now
    await drop_every_connection(server.settings.database_url)
    sent = await dm(http, alice, bob, "after the drop", client_id="after-the-drop-0001")
    assert sent.status_code == 201, sent.text
    assert await contents_between(http, bob, alice) == ["hi", "after the drop"]


async def test_plain_dms_whose_kept_connection_died_are_stored_and_leave_the_write_order_free(
    server, http, make_user, pool_of_dead_connections
):
    """The writer keeps its connection for plain DMs between batches (`confab.db.held`); after PostgreSQL
    dropped it, the next batch is written on a fresh one, committed, not left in an open transaction."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("plain DMs are one statement outside transactions on PostgreSQL only")
    alice, bob = await make_user(), await make_user()
    assert (await dm(http, alice, bob, "before", client_id="kept-0001")).status_code == 201
    await drop_every_connection(server.settings.database_url)
    sent = await dm(http, alice, bob, "after the drop", client_id="kept-0002")
    assert sent.status_code == 201, sent.text
    assert await contents_between(http, bob, alice) == ["before", "after the drop"]
    answered = await asyncio.wait_for(dm(http, bob, alice, "and back", client_id="kept-0003"), 10)
    assert answered.status_code == 201, answered.text


async def test_a_batch_whose_first_statement_finds_its_connection_dead_is_written_once_on_a_fresh_one(
    server, http, make_user, pool_of_dead_connections, monkeypatch
):
    alice, bob = await make_user(), await make_user()
    assert (await dm(http, alice, bob, "hi")).status_code == 201
    attempts: list[str] = []
    take_write_order = confab.domain.messages.group_commit.take_write_order_for_new

    async def recorded(session: Any, client_ids: set[tuple[int, str]]) -> NewWriteOrder:
        try:
            order = await take_write_order(session, client_ids)
        except DBAPIError as error:
            attempts.append("dead" if error.connection_invalidated else "failed")
            raise
        attempts.append("taken")
        return order

    monkeypatch.setattr(confab.domain.messages.group_commit, "take_write_order_for_new", recorded)
    await drop_every_connection(server.settings.database_url)
    writer: MessageWriter = server.app.state.hub.message_writer
    # Straight to the writer: no token check goes first to meet the dead pool.
    written = await writer.write(NewMessage(public(alice), "after the drop", [], None, recipient=public(bob)))
    assert written.message is not None and written.message.content == "after the drop"
    assert attempts == ["dead", "taken"]
    assert await contents_between(http, bob, alice) == ["hi", "after the drop"]


async def test_a_batch_that_loses_its_connection_after_taking_the_write_order_is_not_retried(
    server, http, make_user, pool_of_dead_connections, monkeypatch
):
    alice, bob = await make_user(), await make_user()
    writer: MessageWriter = server.app.state.hub.message_writer
    write_together = writer._write_together
    calls: list[int] = []

    async def dropped_midway(session: Any, batch: list[NewMessage], seq: int) -> Any:
        calls.append(seq)
        if len(calls) == 1:  # PostgreSQL ends this very connection: a later statement might have been a write
            await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return await write_together(session, batch, seq)

    monkeypatch.setattr(writer, "_write_together", dropped_midway)
    # Mentioning its reader takes a DM through the batch's transaction (a plain DM is one statement: below).
    content = f"lost, @{bob.nickname}"
    lost = await dm(http, alice, bob, content, client_id="lost-midway-0001")
    assert lost.status_code == 503, lost.text
    assert len(calls) == 1
    assert await contents_between(http, bob, alice) == []
    retried = await dm(http, alice, bob, content, client_id="lost-midway-0001")  # as the README tells clients to
    assert retried.status_code == 201, retried.text
    assert await contents_between(http, bob, alice) == [content]


async def test_plain_dms_whose_statement_committed_but_lost_its_answer_are_written_once(
    server, http, make_user, pool_of_dead_connections, monkeypatch
):
    alice, bob = await make_user(), await make_user()
    attempts: list[str] = []
    write_direct_messages = confab.domain.messages.group_commit.write_direct_messages

    async def committed_then_dropped(connection: Any, rows: list[DirectRow], sent_at: Any) -> DirectWrites:
        writes = await write_direct_messages(connection, rows, sent_at)
        attempts.append(f"{len(writes.written)} written, {len(writes.repeated)} repeated")
        if len(attempts) == 1:  # committed; PostgreSQL ends the connection before the worker reads the answer
            await connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return writes

    # The writer now holds a live connection (one an earlier test left dead is replaced on the way).
    assert (await dm(http, alice, bob, "before", client_id="answer-lost-0000")).status_code == 201
    monkeypatch.setattr(confab.domain.messages.group_commit, "write_direct_messages", committed_then_dropped)
    sent = await dm(http, alice, bob, "once", client_id="answer-lost-0001")
    assert attempts == ["1 written, 0 repeated", "0 written, 1 repeated"]
    assert sent.status_code == 200, sent.text  # answered as a retry of a send already stored
    assert sent.json()["content"] == "once" and sent.json()["client_id"] == "answer-lost-0001"
    assert await contents_between(http, bob, alice) == ["before", "once"]
