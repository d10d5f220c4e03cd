"""Rooms on live sockets: one emit per room message, membership changes take effect without reconnecting."""

from __future__ import annotations

import asyncio

from confab.domain.rooms.service import RoomService
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def connect_all(server, *accounts):
    return [await RecordingClient().connect(server.url, account.token) for account in accounts]


async def test_three_members_chat_live_and_an_outsider_sees_nothing(server, http, make_user):
    alice, bob, carol, dave = [await make_user() for _ in range(4)]
    sockets = await connect_all(server, alice, bob, carol, dave)
    alice_socket, bob_socket, carol_socket, dave_socket = sockets
    try:
        room = await create_room(http, alice, members=[bob, carol])
        for socket in (alice_socket, bob_socket, carol_socket):
            assert (await socket.wait_for("room"))["id"] == room["id"]
        ack = await bob_socket.call("send", {"room_id": room["id"], "content": "hello room"})
        assert ack["ok"] is True
        message = ack["message"]
        assert message["room_id"] == room["id"]
        posted = await post_to_room(http, carol, room["id"], "hello from carol")
        for socket in (alice_socket, bob_socket, carol_socket):
            await socket.wait_for("message", lambda m: m["id"] == posted["id"])
        # dave is live: his own DM arrives, while nothing of the room does
        dm = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": dave.id, "content": "psst"})
        await dave_socket.wait_for("message", lambda m: m["id"] == dm.json()["id"])
        await settle()
        for socket in (alice_socket, bob_socket, carol_socket):
            assert [m["id"] for m in socket.received("message") if m["room_id"]] == [message["id"], posted["id"]]
        assert dave_socket.events == [("message", dm.json()), ("notify", {"message": dm.json(), "reason": "dm"})]
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_added_member_receives_the_next_message_without_reconnecting(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice)
    bob_tab_one, bob_tab_two = await connect_all(server, bob, bob)
    try:
        added = await http.post(f"/api/rooms/{room['id']}/members", headers=alice.headers, json={"user_id": bob.id})
        assert added.status_code == 200
        for tab in (bob_tab_one, bob_tab_two):
            assert (await tab.wait_for("room"))["members"] == added.json()["members"]
        posted = await post_to_room(http, alice, room["id"], "welcome bob")
        for tab in (bob_tab_one, bob_tab_two):
            assert await tab.wait_for("message") == posted
    finally:
        await bob_tab_one.disconnect()
        await bob_tab_two.disconnect()


async def test_removed_member_stops_receiving_at_once_and_is_told(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    alice_socket, bob_socket = await connect_all(server, alice, bob)
    try:
        before = await post_to_room(http, alice, room["id"], "you are still in")
        await bob_socket.wait_for("message", lambda m: m["id"] == before["id"])
        removed = await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers)
        assert removed.status_code == 204
        assert await bob_socket.wait_for("room_removed") == {"room_id": room["id"]}
        remaining = await alice_socket.wait_for("room", lambda r: len(r["members"]) == 1)
        assert [m["id"] for m in remaining["members"]] == [alice.id]
        after = await post_to_room(http, alice, room["id"], "you are out")
        await alice_socket.wait_for("message", lambda m: m["id"] == after["id"])
        await settle()
        assert [m["id"] for m in bob_socket.received("message")] == [before["id"]]
        ack = await bob_socket.call("send", {"room_id": room["id"], "content": "can I still post?"})
        assert ack["ok"] is False and ack["status"] == 403
        assert (await http.get(f"/api/rooms/{room['id']}/messages", headers=bob.headers)).status_code == 403
    finally:
        await alice_socket.disconnect()
        await bob_socket.disconnect()


async def test_sockets_join_their_rooms_at_the_handshake(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    (bob_socket,) = await connect_all(server, bob)
    try:
        posted = await post_to_room(http, alice, room["id"], "joined on connect")
        assert await bob_socket.wait_for("message") == posted
    finally:
        await bob_socket.disconnect()


async def test_typing_reaches_the_other_parties_only(server, http, make_user):
    alice, bob, carol, dave = [await make_user() for _ in range(4)]
    room = await create_room(http, alice, members=[bob, carol])
    sockets = await connect_all(server, alice, alice, bob, carol, dave)
    alice_socket, alice_other_tab, bob_socket, carol_socket, dave_socket = sockets
    try:
        assert (await alice_socket.call("typing", {"room_id": room["id"]}))["ok"] is True
        expected = {"user_id": alice.id, "room_id": room["id"]}
        assert await bob_socket.wait_for("typing") == expected
        assert await carol_socket.wait_for("typing") == expected

        assert (await carol_socket.call("typing", {"recipient_id": dave.id}))["ok"] is True
        assert await dave_socket.wait_for("typing") == {"user_id": carol.id, "recipient_id": dave.id}

        refused = await dave_socket.call("typing", {"room_id": room["id"]})
        assert refused["ok"] is False and refused["status"] == 403
        assert (await dave_socket.call("typing", {"oops": 1}))["status"] == 400
        for neither_or_both in ({}, {"room_id": room["id"], "recipient_id": bob.id}):
            ack = await alice_socket.call("typing", neither_or_both)
            assert ack["status"] == 400 and "exactly one" in ack["detail"], ack
        unknown = await alice_socket.call("typing", {"recipient_id": 10**12})
        assert unknown["status"] == 404
        assert (await alice_socket.call("typing", {"recipient_id": alice.id}))["ok"] is True  # to oneself: nothing
        await settle()
        assert bob_socket.received("typing") == [expected]
        assert carol_socket.received("typing") == [expected]
        assert alice_socket.received("typing") == [] and alice_other_tab.received("typing") == []
        assert dave_socket.received("typing") == [{"user_id": carol.id, "recipient_id": dave.id}]
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_room_members_see_each_others_presence(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    await create_room(http, alice, members=[bob])
    (bob_socket,) = await connect_all(server, bob)
    try:
        (alice_socket,) = await connect_all(server, alice)
        assert await bob_socket.wait_for("presence") == {"user_id": alice.id, "online": True}
        await alice_socket.disconnect()
        assert await bob_socket.wait_for("presence", lambda p: not p["online"]) == {
            "user_id": alice.id,
            "online": False,
        }
    finally:
        await bob_socket.disconnect()


async def test_a_handshake_that_read_a_membership_just_before_its_removal_ends_up_outside(
    server, http, make_user, monkeypatch
):
    """The handshake reads the rooms, then joins them: a removal committed in between must still win."""
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    removed = await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers)
    assert removed.status_code == 204
    reads = []
    current_rooms = RoomService.room_ids_of

    async def read_before_the_removal_committed(self, user_id):
        rooms = await current_rooms(self, user_id)
        reads.append(rooms)
        return [*rooms, room["id"]] if user_id == bob.id and len(reads) == 1 else rooms

    monkeypatch.setattr(RoomService, "room_ids_of", read_before_the_removal_committed)
    (bob_socket,) = await connect_all(server, bob)
    monkeypatch.undo()
    try:
        assert len(reads) >= 2, "the handshake reads the memberships again once the socket is in place"
        posted = await post_to_room(http, alice, room["id"], "not for bob any more")
        typing = await bob_socket.call("typing", {"room_id": room["id"]})
        assert typing["ok"] is False and typing["status"] == 403
        await settle()
        assert posted["id"] not in [m["id"] for m in bob_socket.received("message")]
    finally:
        await bob_socket.disconnect()
