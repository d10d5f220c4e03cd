"""Replies live: pushed as `message` to the conversation, the root's new summary as `message_updated`,
both replayed by catch-up, none of it to anyone outside the conversation."""

from __future__ import annotations

import asyncio

from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle
from tests.support.threads import reply_in_room, thread_of


async def test_a_reply_reaches_the_room_once_with_the_roots_new_summary(server, http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "thoughts?")
    sockets = [await RecordingClient().connect(server.url, account.token) for account in (alice, bob, outsider)]
    alice_socket, bob_socket, outsider_socket = sockets
    try:
        sent = await bob_socket.call(
            "send", {"room_id": room["id"], "content": "over the socket", "thread_id": root["id"]}
        )
        assert sent["ok"] is True and sent["message"]["thread_id"] == root["id"]
        reply = sent["message"]
        for socket in (alice_socket, bob_socket):
            updated = await socket.wait_for("message_updated")
            assert socket.received("message") == [reply]
            assert updated["id"] == root["id"] and updated["seq"] > reply["seq"]
            assert updated["thread"] == {
                "reply_count": 1,
                "last_reply_at": reply["date"],
                "participant_ids": [bob.id],
            }
        await settle()
        assert outsider_socket.events == []
        assert await thread_of(http, alice, root["id"]) == [reply]
        refused = await bob_socket.call("send", {"room_id": room["id"], "content": "x", "thread_id": 987654321})
        assert refused == {"ok": False, "status": 404, "detail": "no message with id 987654321"}
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_racing_replies_push_summaries_whose_latest_counts_them_all(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "race")
    watcher = await RecordingClient().connect(server.url, alice.token)
    try:
        await asyncio.gather(
            *(
                http.post(
                    f"/api/rooms/{room['id']}/messages",
                    headers=bob.headers,
                    json={"content": f"reply {i}", "thread_id": root["id"]},
                )
                for i in range(10)
            )
        )
        await watcher.wait_for("message_updated", lambda m: m["thread"]["reply_count"] == 10)
        await settle()
        summaries = watcher.received("message_updated")
        assert len(summaries) == 10
        # in the order of their seq, each summary counts one more reply: the client keeps the right one
        by_seq = sorted(summaries, key=lambda message: message["seq"])
        assert [message["thread"]["reply_count"] for message in by_seq] == list(range(1, 11))
    finally:
        await watcher.disconnect()


async def test_catch_up_replays_replies_and_the_roots_summary(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "while you were away")
    reply = await reply_in_room(http, bob, room["id"], root["id"], "a reply")

    changes = (await http.get("/api/changes", headers=alice.headers, params={"since": root["seq"]})).json()
    assert [message["id"] for message in changes] == [reply["id"], root["id"]]
    assert changes[1]["thread"]["reply_count"] == 1

    by_seq = await RecordingClient().connect(server.url, alice.token, since=root["seq"])
    by_id = await RecordingClient().connect(server.url, alice.token, last_id=root["id"])
    try:
        await by_seq.wait_for("synced")
        assert by_seq.received("message") == [reply]
        assert [message["thread"]["reply_count"] for message in by_seq.received("message_updated")] == [1]
        await by_id.wait_for("synced")
        assert by_id.received("message") == [reply]
    finally:
        await by_seq.disconnect()
        await by_id.disconnect()


async def test_a_removed_member_gets_nothing_more_from_the_rooms_threads(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "before")
    await reply_in_room(http, bob, room["id"], root["id"], "bob was here")
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        removed = await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers)
        assert removed.status_code == 204
        await bob_socket.wait_for("room_removed")
        mark = (await http.get(f"/api/rooms/{room['id']}/messages", headers=alice.headers)).json()[0]["seq"]
        after = await reply_in_room(http, alice, room["id"], root["id"], "after bob left")
        await settle()
        assert bob_socket.received("message") == [] and bob_socket.received("message_updated") == []
        assert (await http.get("/api/changes", headers=bob.headers, params={"since": mark})).json() == []
        assert (await http.get(f"/api/messages/{after['id']}/thread", headers=bob.headers)).status_code == 404
    finally:
        await bob_socket.disconnect()
