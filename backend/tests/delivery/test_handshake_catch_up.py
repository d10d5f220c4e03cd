"""Catch-up in the handshake: `auth.last_id` replays what was missed, in order, then `synced`."""

from __future__ import annotations

import asyncio
from unittest.mock import ANY

from confab.realtime.handlers import REPLAY_LIMIT
from tests.support.changes import edit
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, refusal, settle


async def test_dms_and_room_messages_missed_while_away_are_replayed_once_in_order(server, http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    other_room = await create_room(http, carol)
    seen = await send_dm(http, alice, bob, "seen before leaving")
    missed = [
        await send_dm(http, alice, bob, "missed dm"),
        await post_to_room(http, alice, room["id"], "missed in room"),
        await send_dm(http, bob, carol, "bob's own dm from another device"),
    ]
    await post_to_room(http, carol, other_room["id"], "not for bob")
    await send_dm(http, alice, carol, "not for bob either")

    bob_socket = await RecordingClient().connect(server.url, bob.token, last_id=seen["id"])
    try:
        synced = await bob_socket.wait_for("synced")
        assert synced == {"last_id": missed[-1]["id"], "seq": ANY, "complete": True}
        assert bob_socket.events == [("message", m) for m in missed] + [("synced", synced)]
        live = await send_dm(http, alice, bob, "live again")
        assert await bob_socket.wait_for("message", lambda m: m["id"] == live["id"]) == live
    finally:
        await bob_socket.disconnect()


async def test_nothing_missed_still_ends_with_synced(server, make_user):
    alice = await make_user()
    socket = await RecordingClient().connect(server.url, alice.token, last_id=0)
    try:
        assert await socket.wait_for("synced") == {"last_id": 0, "seq": ANY, "complete": True}
    finally:
        await socket.disconnect()


async def test_the_cap_says_incomplete_and_rest_pages_the_rest(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    body = {"content": "bulk"}
    for _ in range(REPLAY_LIMIT + 7):
        response = await http.post(f"/api/rooms/{room['id']}/messages", headers=alice.headers, json=body)
        assert response.status_code == 201
    socket = await RecordingClient().connect(server.url, bob.token, last_id=0)
    try:
        synced = await socket.wait_for("synced", timeout=30)
        replayed = socket.received("message")
        assert len(replayed) == REPLAY_LIMIT
        assert synced == {"last_id": replayed[-1]["id"], "seq": ANY, "complete": False}
        rest = (
            await http.get(
                f"/api/rooms/{room['id']}/messages", headers=bob.headers, params={"after": synced["last_id"]}
            )
        ).json()
        assert len(rest) == 7
        assert [m["id"] for m in replayed + rest] == sorted(m["id"] for m in replayed + rest)
    finally:
        await socket.disconnect()


async def test_messages_sent_during_the_replay_are_neither_lost_nor_doubled(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    first = await post_to_room(http, alice, room["id"], "before")
    for i in range(150):
        await post_to_room(http, alice, room["id"], f"backlog {i}")

    async def keep_sending():
        return [await post_to_room(http, alice, room["id"], f"during {i}") for i in range(20)]

    sender = asyncio.create_task(keep_sending())
    socket = await RecordingClient().connect(server.url, bob.token, last_id=first["id"])
    try:
        during = await sender
        await socket.wait_for("message", lambda m: m["id"] == during[-1]["id"], timeout=30)
        await settle()
        ids = [m["id"] for m in socket.received("message")]
        expected = [
            m["id"]
            for m in (
                await http.get(
                    f"/api/rooms/{room['id']}/messages",
                    headers=bob.headers,
                    params={"after": first["id"], "limit": 200},
                )
            ).json()
        ]
        assert sorted(ids) == expected  # every message once
        assert len(ids) == len(set(ids))
        synced_at = [name for name, _ in socket.events].index("synced")
        before_synced = [data["id"] for name, data in socket.events[:synced_at] if name == "message"]
        assert before_synced == sorted(before_synced)  # the replay itself is in id order
    finally:
        await socket.disconnect()


async def test_a_bad_last_id_is_refused(server, make_user):
    alice = await make_user()
    assert "last_id" in await refusal(server.url, {"token": alice.token, "last_id": -5})


async def test_a_member_of_hundreds_of_rooms_still_catches_up(server, http, make_user):
    """A union branch per room failed past 500 rooms on SQLite; anyone can add anyone to rooms."""
    alice, bob = await make_user(), await make_user()
    rooms = [await create_room(http, alice, f"r{i}", members=[bob]) for i in range(520)]
    seen = await send_dm(http, alice, bob, "before")
    missed = [await post_to_room(http, alice, rooms[0]["id"], "first"), await send_dm(http, alice, bob, "dm")]
    missed.append(await post_to_room(http, alice, rooms[-1]["id"], "last"))

    bob_socket = await RecordingClient().connect(server.url, bob.token, last_id=seen["id"])
    try:
        assert await bob_socket.wait_for("synced") == {"last_id": missed[-1]["id"], "seq": ANY, "complete": True}
        assert bob_socket.received("message") == missed
    finally:
        await bob_socket.disconnect()


async def test_the_seq_of_a_last_id_replay_lets_a_client_follow_changes_with_since_from_then_on(
    server, http, make_user
):
    alice, bob = await make_user(), await make_user()
    old = await send_dm(http, alice, bob, "old")
    edited_before = await edit(http, alice, old["id"], "old, edited before the handshake")
    socket = await RecordingClient().connect(server.url, bob.token, last_id=old["id"])
    synced = await socket.wait_for("synced")
    await socket.disconnect()
    assert synced["seq"] >= edited_before["seq"]
    assert socket.received("message") == socket.received("message_updated") == []

    edited_after = await edit(http, alice, old["id"], "old, edited while away")
    resumed = await RecordingClient().connect(server.url, bob.token, since=synced["seq"])
    try:
        resynced = await resumed.wait_for("synced")
        assert resumed.events == [("message_updated", edited_after), ("synced", resynced)]
    finally:
        await resumed.disconnect()
