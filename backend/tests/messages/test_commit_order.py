"""On PostgreSQL, message writes serialize on an advisory lock so ids and seqs become visible in order."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from confab.domain.messages.ordering import MESSAGE_ORDER_LOCK


async def test_a_message_waits_for_the_ordering_lock(server, http, make_user):
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE; this lock is PostgreSQL's")
    alice, bob = await make_user(), await make_user()
    dsn = make_url(server.settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    holder = await asyncpg.connect(dsn)
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT pg_advisory_xact_lock($1)", MESSAGE_ORDER_LOCK)
        send = asyncio.create_task(
            http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "waits"})
        )
        await asyncio.sleep(0.5)
        assert not send.done()  # blocked behind the writer that holds the lock
        await transaction.commit()
        assert (await asyncio.wait_for(send, 10)).status_code == 201
    finally:
        await holder.close()


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
