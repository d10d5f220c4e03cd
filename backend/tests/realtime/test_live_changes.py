"""`message_updated`: every edit, delete and reaction reaches exactly the message's audience, once, after the commit."""

from __future__ import annotations

import asyncio

from tests.support.changes import delete, edit, react
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def connect_all(server, *accounts):
    return [await RecordingClient().connect(server.url, account.token) for account in accounts]


async def test_each_change_in_a_room_reaches_every_member_once_and_no_one_else(server, http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob])
    posted = await post_to_room(http, bob, room["id"], "helo")
    sockets = await connect_all(server, alice, bob, bob, outsider)
    alice_socket, bob_tab_one, bob_tab_two, outsider_socket = sockets
    try:
        results = [
            await edit(http, bob, posted["id"], "hello"),
            await react(http, alice, posted["id"], "👋"),
            await react(http, alice, posted["id"], "👋", remove=True),
            await react(http, bob, posted["id"], "🙂"),
        ]
        await delete(http, alice, posted["id"])  # the owner
        tombstone = (await http.get(f"/api/rooms/{room['id']}/messages", headers=bob.headers)).json()[-1]
        results.append(tombstone)
        for socket in (alice_socket, bob_tab_one, bob_tab_two):
            await socket.wait_for("message_updated", lambda m: m["deleted"])
        await settle()
        for socket in (alice_socket, bob_tab_one, bob_tab_two):
            assert socket.received("message_updated") == results
            assert socket.received("message") == []
        assert outsider_socket.events == []
        assert [m["seq"] for m in results] == sorted(m["seq"] for m in results)
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_a_dm_change_reaches_both_parties_once_and_no_one_else(server, http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    sent = await send_dm(http, alice, bob, "hi bob")
    sockets = await connect_all(server, alice, bob, outsider)
    alice_socket, bob_socket, outsider_socket = sockets
    try:
        reacted = await react(http, bob, sent["id"], "👍")
        edited = await edit(http, alice, sent["id"], "hi bob!")
        for socket in (alice_socket, bob_socket):
            await socket.wait_for("message_updated", lambda m: m["seq"] == edited["seq"])
        await settle()
        for socket in (alice_socket, bob_socket):
            assert socket.received("message_updated") == [reacted, edited]
            assert socket.received("message") == []
        assert outsider_socket.events == []
        assert edited["reactions"] == reacted["reactions"]
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_a_removed_member_gets_no_change_events_for_the_room_afterwards(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    posted = await post_to_room(http, alice, room["id"], "still here?")
    alice_socket, bob_socket = await connect_all(server, alice, bob)
    try:
        before = await react(http, alice, posted["id"], "👀")
        await bob_socket.wait_for("message_updated")
        assert (
            await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers)
        ).status_code == 204
        await bob_socket.wait_for("room_removed")
        edited = await edit(http, alice, posted["id"], "bob is gone")
        await react(http, alice, posted["id"], "👋")
        await delete(http, alice, posted["id"])
        await alice_socket.wait_for("message_updated", lambda m: m["deleted"])
        await settle()
        assert bob_socket.received("message_updated") == [before]
        assert edited in alice_socket.received("message_updated")
        # nor does catch-up show them: the room is no longer his
        assert (await http.get("/api/changes", headers=bob.headers, params={"since": before["seq"]})).json() == []
        late = await RecordingClient().connect(server.url, bob.token, since=before["seq"])
        try:
            assert await late.wait_for("synced") == {"last_id": 0, "seq": before["seq"], "complete": True}
            assert [name for name, _ in late.events] == ["synced"]
        finally:
            await late.disconnect()
    finally:
        await alice_socket.disconnect()
        await bob_socket.disconnect()
