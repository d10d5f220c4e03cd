"""A retried send with the same client_id returns the original message: one row, one push."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.rooms import create_room
from tests.support.sockets import RecordingClient, settle


async def test_rest_repeat_returns_the_original_with_200(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        body = {"recipient_id": bob.id, "content": "only once", "client_id": "retry-0001"}
        first = await http.post("/api/messages", headers=alice.headers, json=body)
        second = await http.post("/api/messages", headers=alice.headers, json=body)
        assert (first.status_code, second.status_code) == (201, 200)
        assert first.json() == second.json()
        assert first.json()["client_id"] == "retry-0001"
        await bob_socket.wait_for("message")
        await settle()
        assert len(bob_socket.received("message")) == 1
        assert len((await http.get("/api/messages", headers=bob.headers)).json()) == 1
    finally:
        await bob_socket.disconnect()


async def test_racing_identical_sends_store_and_push_one_message(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        dm = {"recipient_id": bob.id, "content": "race", "client_id": "race-dm-01"}
        in_room = {"content": "race", "client_id": "race-room-1"}
        results = await asyncio.gather(
            *(http.post("/api/messages", headers=alice.headers, json=dm) for _ in range(4)),
            *(alice_socket.call("send", dm) for _ in range(4)),
            *(http.post(f"/api/rooms/{room['id']}/messages", headers=alice.headers, json=in_room) for _ in range(4)),
            *(alice_socket.call("send", {"room_id": room["id"], **in_room}) for _ in range(4)),
        )
        rest_dm, socket_dm, rest_room, socket_room = results[0:4], results[4:8], results[8:12], results[12:16]
        dm_ids = {r.json()["id"] for r in rest_dm} | {ack["message"]["id"] for ack in socket_dm}
        room_ids = {r.json()["id"] for r in rest_room} | {ack["message"]["id"] for ack in socket_room}
        assert len(dm_ids) == 1 and len(room_ids) == 1
        created = [r.status_code == 201 for r in rest_dm] + [ack["created"] for ack in socket_dm]
        assert created.count(True) == 1
        await settle(0.5)
        assert [m["id"] for m in bob_socket.received("message")] == sorted(dm_ids | room_ids)
        assert len((await http.get("/api/messages", headers=bob.headers)).json()) == 1
        assert len((await http.get(f"/api/rooms/{room['id']}/messages", headers=bob.headers)).json()) == 1
    finally:
        await alice_socket.disconnect()
        await bob_socket.disconnect()


async def test_client_ids_are_per_author(http, make_user):
    alice, bob = await make_user(), await make_user()
    shared = "same-client-id"
    by_alice = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "a", "client_id": shared}
    )
    by_bob = await http.post(
        "/api/messages", headers=bob.headers, json={"recipient_id": alice.id, "content": "b", "client_id": shared}
    )
    assert (by_alice.status_code, by_bob.status_code) == (201, 201)
    assert by_alice.json()["id"] != by_bob.json()["id"]


async def test_a_retry_after_a_dropped_connection_returns_the_original(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    socket = await RecordingClient().connect(server.url, alice.token)
    payload = {"recipient_id": bob.id, "content": "did it go through?", "client_id": "flaky-wifi-1"}
    first = await socket.call("send", payload)
    await socket.disconnect()  # the ack was "lost": the client only knows it must retry
    socket = await RecordingClient().connect(server.url, alice.token)
    try:
        retry = await socket.call("send", payload)
        assert retry["ok"] is True and retry["created"] is False
        assert retry["message"] == first["message"]
    finally:
        await socket.disconnect()


@pytest.mark.parametrize("client_id", ["short", "x" * 65, "has space!", ""])
async def test_malformed_client_ids_are_400(http, make_user, client_id):
    alice, bob = await make_user(), await make_user()
    response = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "a", "client_id": client_id}
    )
    assert response.status_code == 400
    assert "client_id" in response.json()["detail"]


async def test_a_client_id_reused_for_another_conversation_is_409_and_sends_nothing(server, http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    first = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "hi", "client_id": "reuse-001"}
    )
    assert first.status_code == 201
    carol_socket = await RecordingClient().connect(server.url, carol.token)
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    try:
        to_carol = await http.post(
            "/api/messages",
            headers=alice.headers,
            json={"recipient_id": carol.id, "content": "hi", "client_id": "reuse-001"},
        )
        to_room = await http.post(
            f"/api/rooms/{room['id']}/messages", headers=alice.headers, json={"content": "hi", "client_id": "reuse-001"}
        )
        over_socket = await alice_socket.call(
            "send", {"room_id": room["id"], "content": "hi", "client_id": "reuse-001"}
        )
        for refused in (to_carol, to_room):
            assert refused.status_code == 409, refused.text
            assert "another conversation" in refused.json()["detail"]
        assert over_socket["ok"] is False and over_socket["status"] == 409
        await settle()
        assert carol_socket.received("message") == [] and alice_socket.received("message") == []
        assert (await http.get("/api/messages", headers=carol.headers)).json() == []
        room_history = await http.get(f"/api/rooms/{room['id']}/messages", headers=alice.headers)
        assert room_history.json() == []
    finally:
        await carol_socket.disconnect()
        await alice_socket.disconnect()
