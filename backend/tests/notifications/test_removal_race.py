"""A member removed while a message is being written: alerted only if the message committed first.

The batch is held just after it has read the room's readers (who get `notify`), and the member is
removed meanwhile. Membership changes and message batches take the same write order, so the removal
waits for the batch's COMMIT (PostgreSQL's advisory lock; SQLite's single writer). Were it to finish
first, the removed member must get nothing about the message; the test fails if they do.
"""

from __future__ import annotations

import asyncio
from typing import Any

from confab.domain.messages.group_commit import MessageWriter
from tests.support.rooms import create_room
from tests.support.sockets import RecordingClient, settle


async def test_a_member_removed_during_a_write_is_not_alerted_to_a_message_committed_after(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    writer: MessageWriter = server.app.state.hub.message_writer
    readers_read, gate = asyncio.Event(), asyncio.Event()
    original = writer._readers

    async def held_after_reading(*arguments: Any) -> Any:
        readers = await original(*arguments)
        readers_read.set()
        await gate.wait()
        return readers

    writer._readers = held_after_reading  # type: ignore[method-assign]
    try:
        send = asyncio.ensure_future(
            http.post(f"/api/rooms/{room['id']}/messages", headers=alice.headers, json={"content": "after?"})
        )
        await asyncio.wait_for(readers_read.wait(), 10)
        removal = asyncio.ensure_future(http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers))
        done, _ = await asyncio.wait([removal], timeout=1)
        removed_first = bool(done)
        gate.set()
        message = (await asyncio.wait_for(send, 10)).json()
        assert (await asyncio.wait_for(removal, 10)).status_code == 204
        await settle()
        alerted = [n for n in bob_socket.received("notify") if n["message"]["id"] == message["id"]]
        assert not removed_first, "the removal finished while a message batch held the room's readers"
        assert len(alerted) == 1  # committed while bob was a member: alerted once, as any member
    finally:
        gate.set()
        del writer._readers
        await bob_socket.disconnect()
