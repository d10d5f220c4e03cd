"""Notification levels per room, and which sockets a `notify` reaches: exactly those the rules name, once."""

from __future__ import annotations

import asyncio

from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle
from tests.support.threads import reply_in_room


async def set_level(http, member, room_id: int, level: str):
    return await http.put(f"/api/rooms/{room_id}/notifications", headers=member.headers, json={"level": level})


def reasons(socket: RecordingClient, message_id: int) -> list[str]:
    return [n["reason"] for n in socket.received("notify") if n["message"]["id"] == message_id]


async def test_levels_are_set_per_member_and_listed_with_the_rooms(http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob])
    answer = await set_level(http, bob, room["id"], "mentions")
    assert (answer.status_code, answer.json()) == (200, {"level": "mentions"})
    levels = {r["id"]: r["notification_level"] for r in (await http.get("/api/rooms", headers=bob.headers)).json()}
    assert levels[room["id"]] == "mentions"
    alice_rooms = (await http.get("/api/rooms", headers=alice.headers)).json()
    assert [r["notification_level"] for r in alice_rooms if r["id"] == room["id"]] == ["all"]
    assert (await set_level(http, outsider, room["id"], "none")).status_code == 403
    assert (await set_level(http, bob, 10**12, "none")).status_code == 404
    for bad in ({"level": "loud"}, {"level": None}, {}, {"level": "all", "extra": 1}):
        response = await http.put(f"/api/rooms/{room['id']}/notifications", headers=bob.headers, json=bad)
        assert response.status_code == 400, bad
    levels = {r["id"]: r["notification_level"] for r in (await http.get("/api/rooms", headers=bob.headers)).json()}
    assert levels[room["id"]] == "mentions"


async def test_a_level_change_reaches_the_members_other_tabs_once_and_nobody_else(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    sockets = [await RecordingClient().connect(server.url, user.token) for user in (bob, bob, alice)]
    first_tab, second_tab, alice_socket = sockets
    try:
        await set_level(http, bob, room["id"], "mentions")
        await set_level(http, bob, room["id"], "mentions")  # no change: nothing pushed
        await set_level(http, bob, room["id"], "none")
        for tab in (first_tab, second_tab):
            await tab.wait_for("notification_level", lambda change: change["level"] == "none")
        await settle()
        for tab in (first_tab, second_tab):
            assert tab.received("notification_level") == [
                {"room_id": room["id"], "level": "mentions"},
                {"room_id": room["id"], "level": "none"},
            ]
        assert alice_socket.received("notification_level") == []
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_a_room_message_notifies_each_member_by_their_level(server, http, make_user):
    alice, loud, quiet, muted, outsider = [await make_user() for _ in range(5)]
    room = await create_room(http, alice, members=[loud, quiet, muted])
    await set_level(http, quiet, room["id"], "mentions")
    await set_level(http, muted, room["id"], "none")
    sockets = [
        await RecordingClient().connect(server.url, user.token) for user in (alice, loud, quiet, muted, outsider)
    ]
    alice_socket, loud_socket, quiet_socket, muted_socket, outsider_socket = sockets
    try:
        plain = await post_to_room(http, alice, room["id"], "hello")
        named = await post_to_room(http, alice, room["id"], f"@{quiet.nickname} @{muted.nickname} look")
        everyone = await post_to_room(http, alice, room["id"], "@room look")
        await quiet_socket.wait_for("notify", lambda n: n["message"]["id"] == everyone["id"])
        await loud_socket.wait_for("notify", lambda n: n["message"]["id"] == everyone["id"])
        await settle()
        assert [reasons(loud_socket, m["id"]) for m in (plain, named, everyone)] == [["room"], ["room"], ["mention"]]
        assert [reasons(quiet_socket, m["id"]) for m in (plain, named, everyone)] == [[], ["mention"], ["mention"]]
        assert muted_socket.received("notify") == []
        assert alice_socket.received("notify") == []  # never for one's own messages
        assert outsider_socket.events == []
        assert loud_socket.received("notify")[0] == {"message": plain, "reason": "room"}
        # `none` still counts unread, mentions included
        muted_room = [r for r in (await http.get("/api/rooms", headers=muted.headers)).json() if r["id"] == room["id"]]
        assert (muted_room[0]["unread"], muted_room[0]["mentions_unread"]) == (3, 2)
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_a_dm_notifies_its_recipient_on_every_tab_and_a_mention_says_so(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    sockets = [await RecordingClient().connect(server.url, user.token) for user in (alice, alice, bob, bob, carol)]
    alice_one, alice_two, bob_one, bob_two, carol_socket = sockets
    try:
        plain = await send_dm(http, alice, bob, "hi")
        named = await send_dm(http, alice, bob, f"hi @{bob.nickname}")
        for socket in (bob_one, bob_two):
            await socket.wait_for("notify", lambda n: n["message"]["id"] == named["id"])
        await settle()
        for socket in (bob_one, bob_two):
            assert [(n["message"]["id"], n["reason"]) for n in socket.received("notify")] == [
                (plain["id"], "dm"),
                (named["id"], "mention"),
            ]
        for socket in (alice_one, alice_two, carol_socket):
            assert socket.received("notify") == []
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_thread_replies_notify_followers_and_the_mentioned(server, http, make_user):
    alice, follower, bystander, quiet = [await make_user() for _ in range(4)]
    room = await create_room(http, alice, members=[follower, bystander, quiet])
    await set_level(http, quiet, room["id"], "mentions")
    root = await post_to_room(http, alice, room["id"], "plans")
    await http.put(f"/api/messages/{root['id']}/follow", headers=follower.headers)
    sockets = [await RecordingClient().connect(server.url, user.token) for user in (alice, follower, bystander, quiet)]
    alice_socket, follower_socket, bystander_socket, quiet_socket = sockets
    try:
        first = await reply_in_room(http, follower, room["id"], root["id"], "count me in")
        second = await reply_in_room(http, bystander, room["id"], root["id"], f"@{quiet.nickname} too?")
        await quiet_socket.wait_for("notify", lambda n: n["message"]["id"] == second["id"])
        await follower_socket.wait_for("notify", lambda n: n["message"]["id"] == second["id"])
        await settle()
        assert reasons(alice_socket, first["id"]) == ["room"]  # the root's author follows its thread
        assert reasons(follower_socket, first["id"]) == []  # their own reply
        assert reasons(bystander_socket, first["id"]) == []  # at `all`, but not following
        assert reasons(follower_socket, second["id"]) == ["room"]
        assert reasons(quiet_socket, second["id"]) == ["mention"]
        assert [n["message"]["id"] for n in quiet_socket.received("notify")] == [second["id"]]
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_an_edit_that_adds_a_mention_notifies_nobody(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    await set_level(http, bob, room["id"], "mentions")
    message = await post_to_room(http, alice, room["id"], "hello")
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        edited = await http.patch(
            f"/api/messages/{message['id']}", headers=alice.headers, json={"content": f"hello @{bob.nickname}"}
        )
        assert edited.json()["mentions"] == [bob.id]
        update = await bob_socket.wait_for("message_updated", lambda m: m["id"] == message["id"])
        assert update["mentions"] == [bob.id]
        await settle()
        assert bob_socket.received("notify") == []
    finally:
        await bob_socket.disconnect()


async def test_a_socket_send_notifies_like_a_rest_send(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        ack = await alice_socket.call("send", {"recipient_id": bob.id, "content": f"@{bob.nickname}!"})
        notified = await bob_socket.wait_for("notify")
        assert notified == {"message": ack["message"], "reason": "mention"}
        await settle()
        assert alice_socket.received("notify") == []
    finally:
        await asyncio.gather(alice_socket.disconnect(), bob_socket.disconnect())
