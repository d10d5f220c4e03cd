"""Catch-up of changes: a client offline during edits, deletes and reactions ends with exactly the server's
state, through the handshake's `since` or through `GET /api/changes`."""

from __future__ import annotations

import asyncio

from confab.realtime.handlers import REPLAY_LIMIT
from tests.support.changes import all_changes, apply, delete, edit, react
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, refusal, settle


async def server_state(http, user, room_id) -> dict[int, dict]:
    """What the user can see now, read back through the history routes."""
    messages = (await http.get("/api/messages", headers=user.headers, params={"limit": 200})).json()
    messages += (await http.get(f"/api/rooms/{room_id}/messages", headers=user.headers, params={"limit": 200})).json()
    return {message["id"]: message for message in messages}


async def a_day_of_changes(http, alice, bob, carol):
    """Bob sees some messages, goes offline, and misses new ones and changes to old and new ones alike."""
    room = await create_room(http, alice, members=[bob, carol])
    seen = [
        await send_dm(http, alice, bob, "dm seen"),
        await post_to_room(http, carol, room["id"], "room seen"),
        await post_to_room(http, alice, room["id"], "to be deleted"),
        await send_dm(http, bob, alice, "bob's own, to be edited from his phone"),
    ]
    since = max(message["seq"] for message in seen)
    copy = {message["id"]: message for message in seen}
    await edit(http, alice, seen[0]["id"], "dm seen, then edited")
    await react(http, carol, seen[1]["id"], "🎉")
    await delete(http, alice, seen[2]["id"])
    await edit(http, bob, seen[3]["id"], "edited from the phone")
    fresh = await post_to_room(http, carol, room["id"], "new while away")
    await react(http, alice, fresh["id"], "👍")
    await edit(http, carol, fresh["id"], "new while away, edited")
    doomed = await send_dm(http, alice, bob, "new and gone")
    await delete(http, alice, doomed["id"])
    await react(http, alice, seen[1]["id"], "🎉")
    await react(http, carol, seen[1]["id"], "🎉", remove=True)
    await send_dm(http, alice, carol, "not for bob")
    return room, since, copy, {fresh["id"], doomed["id"]}


async def test_reconnecting_with_since_replays_each_change_once_and_ends_with_the_server_state(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room, since, copy, new_ids = await a_day_of_changes(http, alice, bob, carol)
    socket = await RecordingClient().connect(server.url, bob.token, since=since)
    try:
        synced = await socket.wait_for("synced")
        replayed = [(name, data) for name, data in socket.events if name in ("message", "message_updated")]
        assert [name for name, _ in socket.events][-1] == "synced"
        ids = [data["id"] for _, data in replayed]
        assert len(ids) == len(set(ids)) == 6  # each message once: four old, two new
        assert {data["id"] for name, data in replayed if name == "message"} == new_ids
        seqs = [data["seq"] for _, data in replayed]
        assert seqs == sorted(seqs)
        assert synced == {"last_id": max(ids), "seq": seqs[-1], "complete": True}
        for _, data in replayed:
            apply(copy, data)
        assert copy == await server_state(http, bob, room["id"])
        assert copy[max(new_ids)]["deleted"] is True and copy[max(new_ids)]["content"] == ""
    finally:
        await socket.disconnect()


async def test_the_same_catch_up_through_rest(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room, since, copy, _new_ids = await a_day_of_changes(http, alice, bob, carol)
    changes = await all_changes(http, bob, since=since, limit=2)  # pages of two: the cursor is exercised
    assert len(changes) == len({m["id"] for m in changes}) == 6
    assert [m["seq"] for m in changes] == sorted(m["seq"] for m in changes)
    for message in changes:
        apply(copy, message)
    assert copy == await server_state(http, bob, room["id"])
    assert await all_changes(http, bob, since=changes[-1]["seq"]) == []


async def test_changes_made_during_the_replay_are_neither_lost_nor_doubled(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    first = await post_to_room(http, alice, room["id"], "before")
    backlog = [await post_to_room(http, alice, room["id"], f"backlog {i}") for i in range(120)]
    copy = {first["id"]: first}

    async def keep_changing():
        for i, message in enumerate(backlog[:30]):
            await edit(http, alice, message["id"], f"edited {i}")
            await react(http, alice, message["id"], "✅")
            if i % 3 == 0:
                await delete(http, alice, message["id"])
            await post_to_room(http, alice, room["id"], f"during {i}")

    changer = asyncio.create_task(keep_changing())
    socket = await RecordingClient().connect(server.url, bob.token, since=first["seq"])
    try:
        await changer
        last = (await all_changes(http, bob, since=0))[-1]
        await socket.wait_for("message", lambda m: m["id"] == last["id"], timeout=30)
        await settle()
        received = [(name, data) for name, data in socket.events if name in ("message", "message_updated")]
        pairs = [(data["id"], data["seq"]) for _, data in received]
        assert len(pairs) == len(set(pairs))  # no state of any message arrives twice
        for _name, data in received:
            apply(copy, data)
        assert copy == await server_state(http, bob, room["id"])
    finally:
        await socket.disconnect()


async def test_more_changes_than_the_replay_holds_send_the_client_to_rest(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "popular")
    others = [await send_dm(http, alice, bob, f"other {i}") for i in range(REPLAY_LIMIT + 4)]
    await react(http, bob, sent["id"], "💯")
    socket = await RecordingClient().connect(server.url, bob.token, since=sent["seq"])
    try:
        synced = await socket.wait_for("synced", timeout=30)
        replayed = socket.received("message") + socket.received("message_updated")
        assert len(replayed) == REPLAY_LIMIT
        assert synced["complete"] is False and synced["seq"] == replayed[-1]["seq"]
        rest = await all_changes(http, bob, since=synced["seq"])
        assert [m["id"] for m in replayed + rest] == [m["id"] for m in others] + [sent["id"]]
    finally:
        await socket.disconnect()


async def test_since_and_last_id_together_follow_since(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "hello")
    edited = await edit(http, alice, sent["id"], "hello!")
    socket = await RecordingClient().connect(server.url, bob.token, since=sent["seq"], last_id=sent["id"])
    try:
        synced = await socket.wait_for("synced")
        assert socket.events == [("message_updated", edited), ("synced", synced)]
        assert synced == {"last_id": sent["id"], "seq": edited["seq"], "complete": True}
    finally:
        await socket.disconnect()


async def test_a_bad_since_is_refused(server, make_user):
    alice = await make_user()
    assert "since" in await refusal(server.url, {"token": alice.token, "since": -1})
    assert "since" in await refusal(server.url, {"token": alice.token, "since": "yesterday"})


async def test_changes_validates_its_cursor(server, http, make_user):
    alice = await make_user()
    for params in ({"since": -1}, {"limit": 0}, {"limit": 201}, {"since": "x"}):
        assert (await http.get("/api/changes", headers=alice.headers, params=params)).status_code == 400, params
    assert (await http.get("/api/changes")).status_code == 401
